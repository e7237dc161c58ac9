"""Safety notices of a run: text aimed at the judge, and what PII redaction removed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from a11y_judge.models import Run
from a11y_judge.safety import INJECTION_KINDS, MODE_LABELS, MODES, flagged_documents
from app.components.llm_settings import store
from app.components.text import md_code, md_escape

#: Excerpts listed per document before "… and N more" (all are in the table below).
SHOWN_PER_DOCUMENT = 5


def injection_warning(run: Run) -> None:
    """A warning listing each flagged excerpt, per document (nothing when none)."""
    if not run.injection:
        return
    grouped = flagged_documents(run.injection)
    lines = [
        f"**Instructions aimed at the judge** in {len(grouped)} document(s): text that talks "
        "to the judges instead of the reader. LLM judges got it inside delimited "
        "untrusted-content blocks; the offline judge ignores it. Check these before trusting "
        "the scores.",
    ]
    for doc, items in grouped.items():
        lines.append(f"\n**{items[0].role.capitalize()} {md_escape(doc)}**")
        for f in items[:SHOWN_PER_DOCUMENT]:
            lines.append(f"- {md_escape(f.where)} · {f.kind}: {md_code(f.excerpt)}")
        if len(items) > SHOWN_PER_DOCUMENT:
            lines.append(f"- … and {len(items) - SHOWN_PER_DOCUMENT} more (table below)")
    st.warning("\n".join(lines), icon=":material/report:")
    with st.expander(f"Every flagged passage ({len(run.injection)})"):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Document": f"{f.role} {f.document}",
                        "Where": f.where,
                        "Kind": f.kind,
                        "What it is": INJECTION_KINDS.get(f.kind, ""),
                        "Excerpt": f.excerpt,
                    }
                    for f in run.injection
                ]
            ),
            hide_index=True,
        )


def redaction_notice(run: Run) -> None:
    """What PII redaction removed before text went to LLM judges (nothing when it was off)."""
    r = run.redaction
    if r is None:
        return
    if not r.total:
        st.info(
            f"PII redaction was on ({r.mode}) for {', '.join(r.judges)}: nothing to remove.",
            icon=":material/shield:",
        )
        return
    counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in r.counts.items())
    examples = "; ".join(
        f"{e.kind.replace('_', ' ')} {md_code(e.masked)} → {md_code(e.placeholder)}"
        for e in r.examples
    )
    st.info(
        f"**PII redacted** ({r.mode}) before the text went to {', '.join(r.judges)}: "
        f"{counts}. Examples (masked): {examples}. History and the offline judge keep the "
        "original text.",
        icon=":material/shield:",
    )
    with st.expander("Redacted values by document"):
        st.dataframe(
            pd.DataFrame(
                [
                    {"Document": doc, "Kind": kind.replace("_", " "), "Values": n}
                    for doc, counts_ in r.documents.items()
                    for kind, n in counts_.items()
                ]
            ),
            hide_index=True,
        )


def choose_redaction(key: str) -> str:
    """The PII redaction mode for this run (default: the Settings page's choice)."""
    widget = f"{key}.redact_pii"
    if widget not in st.session_state:
        st.session_state[widget] = str(store()["redact_pii"])
    mode: str = st.selectbox(
        "PII redaction for this run",
        list(MODES),
        format_func=lambda m: MODE_LABELS[m],
        key=widget,
        help="Masks emails, phone numbers, names, secret URL parameters, JWTs and IP addresses "
        "in the text sent to LLM judges (the offline judge and history keep the original). "
        "The default comes from Settings.",
    )
    return mode
