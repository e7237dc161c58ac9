"""The app's side of access control: the password gate, who is acting, read-only mode and the
session's quota (the rules live in `a11y_judge.access`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from a11y_judge.access import AccessConfig, LoginThrottle, TokenBucket, load_access
from a11y_judge.actor import set_actor
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.audit import Action, AuditLog

AUTHED = "access.authenticated"
THROTTLE = "access.throttle"
BUCKET = "access.bucket"
REVIEWER = "conflicts.reviewer"  # the name a reviewer gave on the Conflicts page


def _secrets() -> dict[str, Any]:
    try:  # a missing secrets file raises StreamlitSecretNotFoundError, a FileNotFoundError
        return {k: st.secrets[k] for k in st.secrets}
    except FileNotFoundError:
        return {}


def config() -> AccessConfig:
    """This deployment's access settings (environment, then Streamlit secrets)."""
    return load_access(secrets_=_secrets())


def session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def set_session_actor() -> str:
    """Name this session's actor for the audit log: the reviewer's name if given, else the
    session id."""
    name = (st.session_state.get(REVIEWER) or "").strip() or f"session:{session_id()[:8]}"
    set_actor(name)
    return name


def _record(action: Action, detail: str = "") -> None:
    try:
        AuditLog().record(action, "app", detail)
    except A11yJudgeError as exc:  # an unusable history must not lock everyone out
        st.warning(f"The audit log could not be written: {exc}")


def gate(settings: AccessConfig) -> None:
    """When a password is set and this session has not given it: the login form, then stop."""
    if not settings.gated or st.session_state.get(AUTHED):
        return
    throttle: LoginThrottle = st.session_state.setdefault(THROTTLE, LoginThrottle())
    st.title("A11y Judge")
    st.header("Sign in")
    st.write("This A11y Judge deployment is protected by a password.")
    with st.form("access.login"):
        attempt = st.text_input("Password", type="password", key="access.password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        wait = throttle.wait()
        if wait > 0:
            st.error(f"Too many failed attempts: wait {wait:.0f} s before trying again.")
        elif settings.check(attempt):
            throttle.succeeded()
            st.session_state[AUTHED] = True
            _record("login")
            st.rerun()
        else:
            throttle.failed()
            _record("failed login", f"attempt {throttle.failures} in this session")
            wait = throttle.wait()
            st.error(
                "Wrong password."
                + (f" Wait {wait:.0f} s before the next attempt." if wait > 0 else "")
            )
    st.stop()


def read_only() -> bool:
    """Whether this deployment only lets visitors browse."""
    return config().read_only


def blocked(action: str) -> bool:
    """In read-only mode: say that `action` is off here, and return True."""
    if read_only():
        st.info(
            f"This deployment is read-only: {action} is turned off. Browse the History, "
            "Conflicts, Performance, Batch and A/B pages.",
            icon=":material/lock:",
        )
        return True
    return False


def spend_quota(judgments: int) -> bool:
    """Take `judgments` from this session's hourly quota; False (with the reason shown) when
    the quota cannot cover them."""
    settings = config()
    bucket: TokenBucket | None = st.session_state.get(BUCKET)
    if bucket is None or bucket.capacity != settings.session_quota:
        bucket = st.session_state[BUCKET] = TokenBucket(settings.session_quota)
    wait = bucket.take(judgments)
    if wait == 0:
        return True
    if wait == float("inf"):
        st.error(
            f"This needs {judgments} judgments, more than this deployment allows a session per "
            f"hour ({settings.session_quota}): judge fewer plans or judges at once."
        )
    else:
        st.error(
            f"This session's quota of {settings.session_quota} judgments per hour is used up: "
            f"{judgments} more are available in {wait / 60:.0f} min."
        )
    return False


def log_export(target: str, file_name: str) -> Callable[[], None]:
    """A download button's on_click: the export goes into the audit log."""

    def record() -> None:
        set_session_actor()  # a callback runs before the page names the session
        _record_export(target, file_name)

    return record


def _record_export(target: str, file_name: str) -> None:
    try:
        AuditLog().record("export", target, file_name)
    except A11yJudgeError as exc:
        st.warning(f"The audit log could not be written: {exc}")
