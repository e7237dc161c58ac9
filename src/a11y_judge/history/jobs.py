"""Batch jobs in the history database: the only SQL the batch processor needs.

Sets are claimed atomically (`BEGIN IMMEDIATE`, then the first queued set), so several worker
processes can share one job; the same claim is what a shared PostgreSQL history would run
(`SELECT … FOR UPDATE SKIP LOCKED`). A worker touches the heartbeat of the sets it holds every
few seconds; a running set whose heartbeat is older than STALE_S belongs to a worker that died
and reads as `interrupted`. A job's state is derived from its sets, never stored twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import BatchItem, BatchJob, BatchSettings, JobStatus, Run, utcnow

#: Seconds without a heartbeat after which a running set's worker is taken for dead.
STALE_S = 15.0


class JobNotFoundError(A11yJudgeError):
    """No batch job with that id."""


class JobStore:
    """Batch jobs and their sets, in the history database."""

    def __init__(self, history: HistoryStore | None = None) -> None:
        self.history = history or HistoryStore()

    # -- creating and reading -------------------------------------------------------------
    def create(
        self,
        job_id: str,
        source: str,
        settings: BatchSettings,
        sets: Sequence[tuple[str, str | None, list[str], str | None]],
    ) -> None:
        """A new job; each set is (name, audit path, plan paths, problem). A set with a
        problem (no audit, no plans) is recorded as failed with it; the others are queued."""
        with self.history._connect() as db, db:
            db.execute(
                "INSERT INTO batch_jobs (job_id, created_at, source, settings_json)"
                " VALUES (?, ?, ?, ?)",
                (job_id, utcnow().isoformat(), source, settings.model_dump_json()),
            )
            db.executemany(
                "INSERT INTO batch_items (job_id, position, name, audit_path, plan_paths_json,"
                " status, error, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        i,
                        name,
                        audit,
                        json.dumps(plans),
                        "failed" if problem else "queued",
                        problem,
                        utcnow().isoformat() if problem else None,
                    )
                    for i, (name, audit, plans, problem) in enumerate(sets)
                ],
            )

    def job(self, job_id: str) -> BatchJob:
        """A job with its sets (`interrupted` where a worker died)."""
        with self.history._connect() as db:
            row = db.execute("SELECT * FROM batch_jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFoundError(
                    f"no batch job '{job_id}'", hint="List jobs with `a11y-judge batch status`"
                )
            items = db.execute(
                "SELECT * FROM batch_items WHERE job_id = ? ORDER BY position", (job_id,)
            ).fetchall()
        return _job(row, items)

    def jobs(self, limit: int = 50) -> list[BatchJob]:
        """Jobs newest first."""
        with self.history._connect() as db:
            rows = db.execute(
                "SELECT * FROM batch_jobs ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
            items = {
                r["job_id"]: db.execute(
                    "SELECT * FROM batch_items WHERE job_id = ? ORDER BY position",
                    (r["job_id"],),
                ).fetchall()
                for r in rows
            }
        return [_job(r, items[r["job_id"]]) for r in rows]

    # -- working on a job -----------------------------------------------------------------
    def claim(self, job_id: str, worker: str) -> BatchItem | None:
        """Take the first queued set of the job for this worker (atomically), or None."""
        with self.history._connect() as db:
            db.isolation_level = None  # explicit transaction below
            db.execute("BEGIN IMMEDIATE")
            try:
                cancelled = db.execute(
                    "SELECT cancel_requested FROM batch_jobs WHERE job_id = ?", (job_id,)
                ).fetchone()
                row = None
                if cancelled is not None and not cancelled[0]:
                    db.execute(
                        "UPDATE batch_jobs SET heartbeat_at = ? WHERE job_id = ?",
                        (time.time(), job_id),
                    )
                    row = db.execute(
                        "UPDATE batch_items SET status = 'running', worker = ?,"
                        " heartbeat_at = ?, started_at = ?, error = NULL, judged = 0"
                        " WHERE job_id = ? AND position = (SELECT position FROM batch_items"
                        " WHERE job_id = ? AND status = 'queued' ORDER BY position LIMIT 1)"
                        " RETURNING *",
                        (worker, time.time(), utcnow().isoformat(), job_id, job_id),
                    ).fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return _item(row, time.time()) if row is not None else None

    def heartbeat(
        self, job_id: str, worker: str, counts: Mapping[int, tuple[int, int]] | None = None
    ) -> None:
        """This worker is alive: touch the job and the sets it holds, and write how many
        judgments each running set has done (position -> (judged, judgments))."""
        now = time.time()
        with self.history._connect() as db, db:
            db.execute("UPDATE batch_jobs SET heartbeat_at = ? WHERE job_id = ?", (now, job_id))
            db.execute(
                "UPDATE batch_items SET heartbeat_at = ? WHERE job_id = ? AND worker = ?"
                " AND status = 'running'",
                (now, job_id, worker),
            )
            db.executemany(
                "UPDATE batch_items SET judged = ?, judgments = ? WHERE job_id = ?"
                " AND position = ? AND status = 'running'",
                [(done, total, job_id, pos) for pos, (done, total) in (counts or {}).items()],
            )

    def finish(
        self,
        job_id: str,
        position: int,
        status: str,
        error: str | None,
        counts: tuple[int, int] | None = None,
    ) -> None:
        """A set failed or was cancelled, with its last (judged, judgments) if it got that far
        (completed sets finish with their run: complete)."""
        with self.history._connect() as db, db:
            db.execute(
                "UPDATE batch_items SET status = ?, error = ?, finished_at = ?"
                " WHERE job_id = ? AND position = ?",
                (status, error, utcnow().isoformat(), job_id, position),
            )
            if counts is not None:
                db.execute(
                    "UPDATE batch_items SET judged = ?, judgments = ?"
                    " WHERE job_id = ? AND position = ?",
                    (*counts, job_id, position),
                )

    def complete(self, job_id: str, position: int, run: Run) -> None:
        """Record the set's run in history and mark the set completed, in one transaction
        (a crash leaves either both or neither)."""

        n = len(run.judgments)

        def mark(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE batch_items SET status = 'completed', run_id = ?, error = NULL,"
                " finished_at = ?, judged = ?, judgments = ?"
                " WHERE job_id = ? AND position = ?",
                (run.run_id, utcnow().isoformat(), n, n, job_id, position),
            )

        self.history.save_run(run, also=mark)

    def request_cancel(self, job_id: str) -> BatchJob:
        """Ask every worker of the job to stop; queued sets are cancelled now."""
        self.job(job_id)  # exists?
        with self.history._connect() as db, db:
            db.execute("UPDATE batch_jobs SET cancel_requested = 1 WHERE job_id = ?", (job_id,))
            db.execute(
                "UPDATE batch_items SET status = 'cancelled', finished_at = ? WHERE job_id = ?"
                " AND status = 'queued'",
                (utcnow().isoformat(), job_id),
            )
        return self.job(job_id)

    def cancel_requested(self, job_id: str) -> bool:
        """Whether someone asked the job to stop."""
        with self.history._connect() as db:
            row = db.execute(
                "SELECT cancel_requested FROM batch_jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
        return bool(row and row[0])

    def requeue(self, job_id: str) -> int:
        """Resume: every set not completed (cancelled, failed, interrupted) is queued again;
        refused while a live worker still holds one of its sets. Returns how many."""
        job = self.job(job_id)
        if any(i.status == "running" for i in job.items):
            raise A11yJudgeError(
                f"batch job {job_id} is still running",
                hint="Wait for it, or cancel it first (`a11y-judge batch cancel`)",
            )
        with self.history._connect() as db, db:
            db.execute("UPDATE batch_jobs SET cancel_requested = 0 WHERE job_id = ?", (job_id,))
            cur = db.execute(
                "UPDATE batch_items SET status = 'queued', worker = NULL, error = NULL,"
                " finished_at = NULL, judged = 0 WHERE job_id = ? AND status != 'completed'",
                (job_id,),
            )
            return cur.rowcount


def _item(row: sqlite3.Row, now: float) -> BatchItem:
    status = row["status"]
    if status == "running" and (row["heartbeat_at"] or 0) < now - STALE_S:
        status = "interrupted"
    return BatchItem(
        job_id=row["job_id"],
        position=row["position"],
        name=row["name"],
        audit=row["audit_path"],
        plans=json.loads(row["plan_paths_json"]),
        status=status,
        run_id=row["run_id"],
        error=row["error"],
        worker=row["worker"],
        judged=row["judged"],
        judgments=row["judgments"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def _job(row: sqlite3.Row, items: list[Any]) -> BatchJob:
    now = time.time()
    sets = [_item(r, now) for r in items]
    return BatchJob(
        job_id=row["job_id"],
        created_at=row["created_at"],
        source=row["source"],
        settings=BatchSettings.model_validate_json(row["settings_json"]),
        cancel_requested=bool(row["cancel_requested"]),
        status=job_status(
            [i.status for i in sets],
            bool(row["cancel_requested"]),
            alive=(row["heartbeat_at"] or 0) >= now - STALE_S,
            heard=row["heartbeat_at"] is not None,
        ),
        items=sets,
    )


def job_status(
    states: Sequence[str], cancel_requested: bool, alive: bool, heard: bool = True
) -> JobStatus:
    """A job's state from its sets' states, whether a worker was heard from lately (`alive`)
    and at all (`heard`: a job no worker has started yet is queued, not interrupted, even when
    some of its sets failed when it was submitted)."""
    if "running" in states:
        return "running"
    if "interrupted" in states:
        return "interrupted"
    if "cancelled" in states or (cancel_requested and "queued" in states):
        return "cancelled"
    if "queued" in states:
        if not heard or all(s == "queued" for s in states):
            return "running" if alive else "queued"
        return "running" if alive else "interrupted"
    if states and all(s == "failed" for s in states):
        return "failed"
    return "completed"
