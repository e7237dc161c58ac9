"""The sidebar shared by every page: the jury on offer and where history lives."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from a11y_judge.credentials import KEY_OPTIONAL
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore
from a11y_judge.paths import history_path
from app.components import llm_settings as ls
from app.components.jury import SETTINGS_PAGE, judge_label
from app.components.text import md_code


def _judges() -> None:
    """Offline always; each LLM provider as configured in Settings, or how to configure it."""
    st.markdown("**Judges available**")  # labels, not headings: the page's h1 comes first
    st.markdown(f":material/check_circle: {judge_label('offline')}")
    configured = ls.enabled_specs()
    secrets = ls.streamlit_secrets()
    for provider in ls.PROVIDERS:
        name = ls.NAMES[provider]
        specs = configured.get(provider)
        if not specs:
            st.markdown(f":material/radio_button_unchecked: {name}: configure in Settings")
            continue
        found, _ = ls.key_status(provider, secrets)
        missing = "" if found or provider in KEY_OPTIONAL else " (no API key yet)"
        listed = "\n".join(f"- {md_code(s)}" for s in specs)
        st.markdown(f":material/check_circle: {name}: configured{missing}:\n{listed}")
    st.page_link(SETTINGS_PAGE, label="Settings", icon=":material/settings:")


def render_sidebar() -> DeltaGenerator:
    """Available judges (offline and LLM) and the history file; returns the run-count slot."""
    with st.sidebar:
        _judges()
        st.markdown("**History**")
        slot = st.empty()
    show_history_count(slot)
    return slot


def show_history_count(slot: DeltaGenerator) -> None:
    """How many runs history holds, and where; called again once a page has run."""
    with slot.container():
        try:
            count = HistoryStore().count_runs()
        except A11yJudgeError as exc:
            st.error(str(exc))
            return
        runs = "1 run" if count == 1 else f"{count} runs"
        st.markdown(f"{runs}, stored in")
        st.code(str(history_path()), language=None, wrap_lines=True)
