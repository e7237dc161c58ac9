"""Jury and rubric widgets: which judges sit, and this run's criterion weights."""

from __future__ import annotations

import streamlit as st

from a11y_judge.errors import A11yJudgeError
from a11y_judge.judges import available_providers, create_judge
from a11y_judge.judges.base import Judge
from a11y_judge.models import Rubric

#: One-line descriptions of the judges the package provides today.
JUDGE_NOTES = {
    "offline": "evidence judge; runs locally, deterministic, no API key",
}
LATER_JUDGES = "OpenAI, Gemini and OpenAI-compatible endpoints"


def judge_label(provider: str) -> str:
    """'offline — evidence judge; …'."""
    note = JUDGE_NOTES.get(provider)
    return f"{provider} — {note}" if note else provider


def choose_judges(key: str) -> list[Judge]:
    """Multiselect of available judges; returns the built judges (may be empty)."""
    providers = available_providers()
    chosen = st.multiselect(
        "Judges",
        providers,
        default=[p for p in providers if p == "offline"] or providers[:1],
        format_func=judge_label,
        key=f"{key}.judges",
        help=f"LLM judges ({LATER_JUDGES}) arrive in a later release.",
    )
    judges: list[Judge] = []
    for provider in chosen:
        try:
            judges.append(create_judge(provider))
        except A11yJudgeError as exc:  # e.g. an LLM judge without its API key
            st.error(str(exc))
    return judges


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
