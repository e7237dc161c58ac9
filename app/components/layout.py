"""What every page starts with."""

from __future__ import annotations

import streamlit as st

#: Blue with at least 3:1 against both themes' backgrounds (WCAG 1.4.11 non-text contrast).
FOCUS_COLOUR = "#3b82f6"

#: What Streamlit's own styles lack: a keyboard focus ring in places (sidebar links, checkboxes
#: whose native input is visually hidden, text and select fields that clip their input, the file
#: uploader whose zero-size input takes the focus once a file is chosen), and quotes at full
#: contrast (Streamlit draws blockquotes at 60% opacity: 2.3:1 inside a warning, for the plan
#: excerpts the app quotes there).
APP_CSS = f"""<style>
:focus-visible {{ outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px; }}
label:has(input:focus-visible) {{ outline: 3px solid {FOCUS_COLOUR}; outline-offset: 2px; }}
[data-baseweb="input"]:focus-within, [data-baseweb="textarea"]:focus-within,
[data-baseweb="select"] > div:focus-within {{ outline: 3px solid {FOCUS_COLOUR}; }}
[data-testid="stFileUploaderDropzone"]:has(> input:focus-within) {{
  outline: 3px solid {FOCUS_COLOUR};
}}
[data-testid="stMarkdownContainer"] blockquote {{ opacity: 1; }}
</style>"""


def app_styles() -> None:
    """A visible focus ring on everything a keyboard reaches, quotes at full contrast (the
    style adds no element)."""
    st.html(APP_CSS)


def page_intro(title: str, intro: str, flash_key: str) -> None:
    """The page's heading and one-paragraph introduction, then the message the last action
    left for this rerun (e.g. "Deleted run …"), if any."""
    st.header(title)
    st.markdown(intro)
    if flash := st.session_state.pop(flash_key, None):
        st.success(flash)
