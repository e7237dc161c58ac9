"""The sidebar shared by every page: the jury on offer and where history lives."""

from __future__ import annotations

import streamlit as st

from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore
from a11y_judge.judges import available_providers
from a11y_judge.paths import history_path
from app.components.jury import LATER_JUDGES, judge_label


def render_sidebar() -> None:
    """Available judges (and the honest note on LLM judges) and the history file."""
    with st.sidebar:
        st.markdown("### Judges available")
        for provider in available_providers():
            st.markdown(f":material/check_circle: {judge_label(provider)}")
        st.caption(
            f"LLM judges ({LATER_JUDGES}) arrive in a later release; "
            "today every score comes from the offline evidence judge."
        )
        st.markdown("### History")
        try:
            count = HistoryStore().count_runs()
        except A11yJudgeError as exc:
            st.error(str(exc))
            return
        runs = "1 run" if count == 1 else f"{count} runs"
        st.markdown(f"{runs}, stored in")
        st.code(str(history_path()), language=None, wrap_lines=True)
