"""A11y Judge web app: `streamlit run app/main.py` from the repository root."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR.parent) not in sys.path:  # make `app.components` importable from the pages
    sys.path.insert(0, str(APP_DIR.parent))

from a11y_judge.errors import A11yJudgeError  # noqa: E402
from a11y_judge.monitoring import exporter  # noqa: E402
from app.components import access  # noqa: E402
from app.components.layout import app_styles  # noqa: E402
from app.components.sidebar import render_sidebar, show_history_count  # noqa: E402

st.set_page_config(page_title="A11y Judge", page_icon=":material/balance:", layout="wide")
try:
    settings = access.config()
except A11yJudgeError as exc:  # e.g. A11Y_JUDGE_SESSION_QUOTA=lots
    st.error(str(exc))
    st.stop()
access.gate(settings)  # a password, when the deployment sets one
access.set_session_actor()

page = st.navigation(
    [
        st.Page(
            APP_DIR / "views" / "evaluate.py",
            title="Evaluate",
            icon=":material/fact_check:",
            default=True,
        ),
        st.Page(APP_DIR / "views" / "history.py", title="History", icon=":material/history:"),
        st.Page(APP_DIR / "views" / "conflicts.py", title="Conflicts", icon=":material/balance:"),
        st.Page(APP_DIR / "views" / "batch.py", title="Batch", icon=":material/stacks:"),
        st.Page(APP_DIR / "views" / "experiments.py", title="A/B", icon=":material/science:"),
        st.Page(APP_DIR / "views" / "performance.py", title="Performance", icon=":material/speed:"),
        st.Page(APP_DIR / "views" / "settings.py", title="Settings", icon=":material/settings:"),
    ]
)
app_styles()
st.title("A11y Judge")
st.caption(
    "Score accessibility remediation plans against an audit with a jury of judges, "
    "on a weighted rubric. Every run is kept in history."
)
history_slot = render_sidebar()
if settings.read_only:
    st.sidebar.info("Read-only deployment: browse history; no new runs.", icon=":material/lock:")
try:  # the opt-in metrics endpoint, once per server process
    exporter.start_if_configured()
except A11yJudgeError as exc:
    st.error(str(exc))
page.run()
show_history_count(history_slot)  # a run the page just recorded counts at once
