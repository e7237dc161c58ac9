"""The audit log in history: who did what, when. Append-only; read by the History page and
`a11y-judge audit-log`."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from a11y_judge.actor import current_actor
from a11y_judge.models import utcnow

if TYPE_CHECKING:
    from a11y_judge.history.store import HistoryStore

Action = Literal[
    "run",
    "resolution",
    "deletion",
    "export",
    "settings",
    "login",
    "failed login",
    "batch",
    "backup",
    "restore",
]
ACTIONS: tuple[Action, ...] = get_args(Action)
_DETAIL_LIMIT = 2000


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    entry_id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_entry(
    db: sqlite3.Connection,
    action: Action,
    target: str = "",
    detail: str = "",
    actor: str | None = None,
) -> None:
    """Append an entry inside the caller's transaction (so the change and its record land
    together, or neither does)."""
    db.execute(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (
            utcnow().isoformat(),
            (actor or current_actor())[:200],
            action,
            target[:500],
            detail[:_DETAIL_LIMIT],
        ),
    )


class AuditLog:
    """Read and append the audit log of one history file."""

    def __init__(self, history: HistoryStore | None = None) -> None:
        from a11y_judge.history.store import HistoryStore

        self.history = history or HistoryStore()

    def record(
        self, action: Action, target: str = "", detail: str = "", actor: str | None = None
    ) -> None:
        """Append one entry in its own transaction."""
        with self.history._connect() as db, db:
            write_entry(db, action, target, detail, actor)

    def entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        search: str = "",
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first, filtered by exact actor and action, a start time, and a substring of
        the target or detail."""
        sql = "SELECT * FROM audit_log WHERE 1 = 1"
        args: list[Any] = []
        if actor:
            sql += " AND actor = ?"
            args.append(actor)
        if action:
            sql += " AND action = ?"
            args.append(action)
        if since is not None:
            sql += " AND at >= ?"
            args.append(since.isoformat())
        if search:
            sql += " AND (instr(lower(target), ?) > 0 OR instr(lower(detail), ?) > 0)"
            args += [search.lower(), search.lower()]
        sql += " ORDER BY entry_id DESC LIMIT ?"
        args.append(max(1, limit))
        with self.history._connect() as db:
            rows = db.execute(sql, args).fetchall()
        return [AuditEntry(**dict(r)) for r in rows]

    def actors(self) -> list[str]:
        """Every actor in the log, alphabetically."""
        with self.history._connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT actor FROM audit_log ORDER BY 1")]
