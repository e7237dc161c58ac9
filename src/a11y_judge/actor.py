"""Who is acting, for the audit log: a reviewer's name, a browser session, or the CLI's user.

A context variable, so the history store can name the actor of every write without each caller
passing it: the CLI sets it once, the app at the start of each session's script run, a batch
worker thread for the job it runs.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


def cli_actor() -> str:
    """$A11Y_JUDGE_REVIEWER, else the login name, else 'cli'."""
    name = os.environ.get("A11Y_JUDGE_REVIEWER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "cli"


_ACTOR: ContextVar[str | None] = ContextVar("a11y_judge_actor", default=None)


def current_actor() -> str:
    """The actor set for this context, else the CLI's user."""
    return _ACTOR.get() or cli_actor()


def set_actor(name: str) -> None:
    """Name the actor for the rest of this context (a thread, a script run)."""
    _ACTOR.set(name.strip() or None)


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Name the actor for a block, then restore the previous one."""
    token = _ACTOR.set(name.strip() or None)
    try:
        yield
    finally:
        _ACTOR.reset(token)
