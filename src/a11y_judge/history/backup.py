"""History backups with SQLite's online backup API: consistent while runs and batches write.

`backup` copies the live database page by page into a temporary file beside the target (other
connections keep reading and writing; SQLite restarts the copy if a writer changes a page it
already copied), checks the copy, then moves it in place. `restore` checks a backup first, keeps
the current history beside it, copies the backup in, and brings its schema up to date.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from a11y_judge.errors import HistoryError
from a11y_judge.history.audit import write_entry
from a11y_judge.history.migrations import migrate
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import utcnow


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds."""

    path: Path
    runs: int
    jobs: int
    bytes: int
    migrations: int


def _check(path: Path) -> tuple[int, int, int]:
    """(runs, batch jobs, migrations) of a history file, or a HistoryError saying why not."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise HistoryError(f"{path} cannot be opened ({exc})", hint="Pick a backup file") from exc
    try:
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise HistoryError(
                f"{path} is damaged ({ok})", hint="Use another backup; this one cannot be trusted"
            )
        if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise HistoryError(f"{path} has rows whose run is missing", hint="Use another backup")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"_migrations", "runs"} <= tables:
            raise HistoryError(
                f"{path} is a SQLite file but not an A11y Judge history",
                hint="Pick a file written by `a11y-judge history backup`",
            )
        runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
        jobs = (
            db.execute("SELECT count(*) FROM batch_jobs").fetchone()[0]
            if "batch_jobs" in tables
            else 0
        )
        migrations = db.execute("SELECT count(*) FROM _migrations").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise HistoryError(
            f"{path} is not a readable SQLite database ({exc})",
            hint="Pick a file written by `a11y-judge history backup`",
        ) from exc
    finally:
        db.close()
    return runs, jobs, migrations


def backup(store: HistoryStore, target: str | Path) -> BackupInfo:
    """Copy the history to `target` (a file, or a folder to put a dated file in)."""
    dest = Path(target)
    if dest.is_dir():
        dest = dest / f"history-{utcnow():%Y%m%d-%H%M%S}.sqlite"
    if dest.resolve() == store.path.resolve():
        raise HistoryError(
            "the backup would overwrite the history itself", hint="Pick another path"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with store._connect() as live:
        with live:
            write_entry(live, "backup", str(dest), "online backup")
        copy = sqlite3.connect(tmp)
        try:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    try:
        runs, jobs, migrations = _check(tmp)
    except HistoryError:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(dest)
    return BackupInfo(dest, runs, jobs, dest.stat().st_size, migrations)


def restore(store: HistoryStore, source: str | Path) -> tuple[BackupInfo, Path]:
    """Replace the history with a checked backup; the current history is kept as
    `<history>.before-restore-<time>` (returned) so a restore can be undone."""
    src = Path(source)
    if not src.is_file():
        raise HistoryError(f"no backup file {src}", hint="Give the path of a backup file")
    runs, jobs, migrations = _check(src)
    kept = store.path.with_name(f"{store.path.name}.before-restore-{utcnow():%Y%m%d-%H%M%S}")
    backup(store, kept)
    source_db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        with store._connect() as live:
            source_db.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
            migrate(live)  # a backup from an older version gets the newer tables
            with live:
                write_entry(
                    live, "restore", str(src), f"{runs} runs, {jobs} batch jobs; kept {kept}"
                )
    finally:
        source_db.close()
    return BackupInfo(src, runs, jobs, src.stat().st_size, migrations), kept
