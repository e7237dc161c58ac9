"""Turn uploads (or the shipped demo set) into an audit and plans, or one user-facing error."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from a11y_judge.errors import A11yJudgeError
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.models import AuditReport, Plan
from a11y_judge.paths import data_dir

logger = logging.getLogger(__name__)

#: (filename, bytes) as taken from an uploader.
NamedBytes = tuple[str, bytes]


@dataclass(frozen=True)
class Inputs:
    """What was understood from the chosen files; `error` is one line for st.error."""

    audit: AuditReport | None = None
    plans: list[Plan] = field(default_factory=list)
    error: str | None = None

    @property
    def ready(self) -> bool:
        """True when there is an audit, at least one plan and no error."""
        return self.error is None and self.audit is not None and bool(self.plans)

    @property
    def signature(self) -> str:
        """Identifies these inputs (content hashes), to tell whether results are still current."""
        parts = [self.audit.content_hash if self.audit else "-"]
        parts += [f"{p.name}:{p.content_hash}" for p in self.plans]
        return "|".join(parts)


def demo_files() -> tuple[NamedBytes, list[NamedBytes]]:
    """The shipped demo audit and plans as (filename, bytes)."""
    demo = data_dir() / "demo"
    audit_path = demo / "northwind-audit.md"
    audit = (audit_path.name, audit_path.read_bytes())
    plans = [(p.name, p.read_bytes()) for p in plan_files(demo / "plans")]
    return audit, plans


def read_inputs(audit: NamedBytes | None, plans: Sequence[NamedBytes]) -> Inputs:
    """Ingest an audit and plans; the first user error stops and is returned as one line.

    An unexpected exception (a parser bug) is logged with its traceback and shown as one line
    too, so a hostile file cannot take the page down.
    """
    reading = audit[0] if audit is not None else "the plans"
    try:
        report = read_audit(audit[0], audit[1]) if audit is not None else None
        reading = ", ".join(name for name, _ in plans)
        documents = read_plans(plans) if plans else []
    except A11yJudgeError as exc:
        return Inputs(error=" ".join(str(exc).split()))
    except Exception as exc:
        logger.exception("reading %s failed", reading)
        return Inputs(
            error=f"{reading}: could not be read (internal error {type(exc).__name__}). "
            "Try another export of the file, and please report this one"
        )
    return Inputs(audit=report, plans=documents)


def _key(audit: NamedBytes | None, plans: Sequence[NamedBytes]) -> str:
    digest = hashlib.sha256()
    for name, data in ([audit] if audit else []) + [("--plans--", b"")] + list(plans):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def read_inputs_cached(
    audit: NamedBytes | None,
    plans: Sequence[NamedBytes],
    cache: MutableMapping[str, Any] | None = None,
) -> Inputs:
    """`read_inputs`, remembered by content hash in this session's st.session_state (or `cache`).

    Per session on purpose: uploads never go into a cache shared between browser sessions.
    """
    key = _key(audit, plans)
    store = st.session_state if cache is None else cache
    hit = store.get("inputs.cache")
    if isinstance(hit, tuple) and hit[0] == key and isinstance(hit[1], Inputs):
        return hit[1]
    result = read_inputs(audit, plans)
    store["inputs.cache"] = (key, result)
    return result
