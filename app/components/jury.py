"""Jury and rubric widgets: which judges sit, and this run's criterion weights."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from a11y_judge.errors import A11yJudgeError
from a11y_judge.judges import create_judge
from a11y_judge.judges.base import Judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import Rubric
from app.components.llm_settings import session_judge_settings, session_judge_specs
from app.components.text import md_escape

#: One-line descriptions of the judges, by provider.
JUDGE_NOTES = {
    "offline": "evidence judge; runs locally, deterministic, no API key",
    "openai": "LLM judge (OpenAI)",
    "gemini": "LLM judge (Google Gemini)",
    "openai-compatible": "LLM judge (OpenAI-compatible server)",
}
SETTINGS_PAGE = "views/settings.py"


def judge_label(spec: str) -> str:
    """'offline — evidence judge; …', 'openai:gpt-4.1 — LLM judge (OpenAI)'."""
    note = JUDGE_NOTES.get(spec.partition(":")[0])
    return f"{spec} — {note}" if note else spec


@dataclass
class Jury:
    """The judges chosen for the next run, built on this run's settings.

    `failed` lists the chosen specs that could not be built (each shown as an st.error).
    Close `settings` after the run.
    """

    judges: list[Judge]
    failed: list[str]
    settings: JudgeSettings


def choose_judges(key: str) -> Jury:
    """Multiselect of the offline judge and the LLM judges enabled in Settings."""
    llm_specs = session_judge_specs()
    options = ["offline", *llm_specs]
    chosen = st.multiselect(
        "Judges",
        options,
        default=options,
        format_func=judge_label,
        key=f"{key}.judges",
        help="The offline evidence judge, and the LLM judges enabled on the Settings page. "
        "With more than one judge, each criterion's score is the mean of the judges' scores.",
    )
    if not llm_specs:
        st.caption(
            "Only the offline judge is available. To add an LLM judge (OpenAI, Gemini or a local "
            "OpenAI-compatible server such as Ollama), enable a provider and its model in Settings."
        )
        st.page_link(SETTINGS_PAGE, label="Open Settings", icon=":material/settings:")
    settings = session_judge_settings()
    judges: list[Judge] = []
    failed: list[str] = []
    for spec in chosen:
        try:
            judges.append(create_judge(spec, settings))
        except A11yJudgeError as exc:  # e.g. an LLM judge without its API key
            st.error(f"**{md_escape(spec)}**: {md_escape(str(exc))}")
            failed.append(spec)
    return Jury(judges, failed, settings)


def choose_weights(base: Rubric, key: str) -> Rubric | None:
    """Percent weights for this run; None (after an st.error) unless they total 100."""
    cols = st.columns(len(base.criteria))
    percents: dict[str, int] = {}
    for col, c in zip(cols, base.criteria, strict=True):
        percents[c.id] = int(
            col.number_input(
                f"{c.name} (%)",
                min_value=1,
                max_value=100,
                value=round(c.weight * 100),
                step=5,
                key=f"{key}.weight.{c.id}",
                help=c.description,
            )
        )
    total = sum(percents.values())
    if total != 100:
        st.error(
            f"The weights add up to {total}%, not 100%. Adjust them so they total 100% to run."
        )
        return None
    st.caption("Weights total 100%. Every criterion keeps at least 1%.")
    if all(percents[c.id] == round(c.weight * 100) for c in base.criteria):
        return base
    return base.with_weights({cid: p / 100 for cid, p in percents.items()})
