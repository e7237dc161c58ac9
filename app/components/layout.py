"""What every page starts with."""

from __future__ import annotations

import streamlit as st


def page_intro(title: str, intro: str, flash_key: str) -> None:
    """The page's heading and one-paragraph introduction, then the message the last action
    left for this rerun (e.g. "Deleted run …"), if any."""
    st.header(title)
    st.markdown(intro)
    if flash := st.session_state.pop(flash_key, None):
        st.success(flash)
