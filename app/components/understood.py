"""'What was understood': the findings and plans as the package read them, before any run."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from a11y_judge.models import SEVERITY_ORDER, AuditReport
from app.components.inputs import Inputs
from app.components.tables import findings_frame, plans_frame
from app.components.text import md_escape

ROW_PX = 35  # st.dataframe row height, to show every finding without an inner scrollbar
MAX_ROWS = 20


def _table_height(rows: int) -> int:
    return ROW_PX * (min(rows, MAX_ROWS) + 1) + 3


def _audit(audit: AuditReport) -> None:
    counts = Counter(f.severity for f in audit.findings)
    by_sev = ", ".join(f"{counts[s]} {s.value}" for s in SEVERITY_ORDER if counts[s])
    review = sum(f.needs_review for f in audit.findings)
    st.markdown(
        f"**Audit {md_escape(audit.name)}** ({audit.source_format}): {len(audit.findings)} findings"
        f" — {by_sev}" + (f"; {review} need review" if review else "")
    )
    st.dataframe(
        findings_frame(audit),
        hide_index=True,
        height=_table_height(len(audit.findings)),
        column_config={
            "ID": st.column_config.TextColumn(width=90),
            "SC": st.column_config.TextColumn(width=140),
            "Severity": st.column_config.TextColumn(width=90),
            "Title": st.column_config.TextColumn(width=560),
            "Status": st.column_config.TextColumn(width=110),
        },
    )


def render_understood(inputs: Inputs) -> None:
    """Findings table (ID, SC, severity, title, status) and plans with word counts."""
    st.subheader("What was understood")
    if inputs.audit is None:
        st.info("Add the audit to see its findings.")
    else:
        _audit(inputs.audit)
    if not inputs.plans:
        st.info("Add at least one plan.")
        return
    words = sum(len(p.text.split()) for p in inputs.plans)
    st.markdown(f"**{len(inputs.plans)} plans** ({words:,} words in all)")
    st.dataframe(
        plans_frame(inputs.plans),
        hide_index=True,
        height=_table_height(len(inputs.plans)),
        column_config={"Words": st.column_config.NumberColumn(format="%d", width=90)},
    )
