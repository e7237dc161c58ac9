"""The run history in SQLite: the only module that writes SQL."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from a11y_judge.errors import HistoryError, RunNotFoundError
from a11y_judge.history.audit import write_entry
from a11y_judge.history.metrics import write_run_metrics
from a11y_judge.history.migrations import MIGRATIONS, migrate
from a11y_judge.models import (
    AuditReport,
    ConflictSeverity,
    ConflictStatus,
    Document,
    JudgeReliability,
    Plan,
    Resolution,
    Run,
    utcnow,
)
from a11y_judge.paths import history_path

try:
    import fcntl
except ImportError:  # Windows: the lock below holds between threads of one process only
    fcntl = None  # type: ignore[assignment]

#: One migrator at a time in this process (the file lock holds across processes).
_MIGRATING = threading.Lock()


def _up_to_date(db: sqlite3.Connection) -> bool:
    """Whether the database is in WAL mode with every migration applied (read-only check)."""
    try:
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    except sqlite3.OperationalError:  # a new database: no _migrations table yet
        return False
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    return mode == "wal" and all(name in done for name, _ in MIGRATIONS)


@contextmanager
def _migration_lock(path: Path) -> Iterator[None]:
    """Hold `path`.lock exclusively: sessions, CLI runs and batch workers opening a new history
    at once would otherwise apply the same migration twice ('table … already exists')."""
    with _MIGRATING, open(path.with_name(path.name + ".lock"), "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@dataclass(frozen=True)
class RunSummary:
    """One row of the history list."""

    run_id: str
    created_at: str
    status: str
    audit_name: str
    n_findings: int
    plans: list[str]
    judges: list[str]
    winner: str | None
    winner_score: float | None
    n_escalated: int = 0


@dataclass(frozen=True)
class ConflictRow:
    """One conflict as listed across runs (the escalation queue)."""

    run_id: str
    created_at: str
    audit_name: str
    judges: list[str]
    plan: str
    criterion: str
    severity: ConflictSeverity
    spread: float
    strategy: str
    resolved_score: float | None
    status: ConflictStatus


class ScoreRow(NamedTuple):
    """One judge's score of one item (run x plan x criterion). A named tuple: a large history
    holds hundreds of thousands, read on every Conflicts page."""

    run_id: str
    plan: str
    criterion: str
    judge: str
    score: float


class HistoryStore:
    """Runs, their documents, judgments and results, in one SQLite file (WAL mode)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else history_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                if not _up_to_date(db):
                    with _migration_lock(self.path):
                        db.execute("PRAGMA journal_mode=WAL")
                        migrate(db)  # reads what is done again, under the lock
        except (sqlite3.DatabaseError, OSError) as exc:
            raise HistoryError(
                f"history database {self.path} cannot be used ({exc})",
                hint="Move the file aside or set A11Y_JUDGE_HOME to another folder",
            ) from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        try:
            yield db
        finally:
            db.close()

    @staticmethod
    def _put_document(db: sqlite3.Connection, doc: Document, kind: str) -> None:
        body = doc.model_dump_json(exclude={"text"})
        db.execute(
            "INSERT OR IGNORE INTO documents (content_hash, kind, source_format, filename, text,"
            " body_json) VALUES (?, ?, ?, ?, ?, ?)",
            (doc.content_hash, kind, doc.source_format, doc.filename, doc.text, body),
        )

    def save_run(self, run: Run, also: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """Store a run with everything needed to reopen it, in one transaction (with `also`,
        e.g. marking the batch set it belongs to completed, in the same one)."""
        doc = run.model_dump_json(exclude={"audit": {"text"}, "plans": {"__all__": {"text"}}})
        try:
            self._insert_run(run, doc, also)
        except sqlite3.IntegrityError as exc:
            raise HistoryError(
                f"run {run.run_id} cannot be recorded ({exc})",
                hint="A run with this id is already in history; evaluate again for a new id",
            ) from exc

    def _insert_run(
        self, run: Run, doc: str, also: Callable[[sqlite3.Connection], None] | None
    ) -> None:
        winner = run.winner
        with self._connect() as db, db:
            if also is not None:
                also(db)
            self._put_document(db, run.audit, "audit")
            for plan in run.plans:
                self._put_document(db, plan, "plan")
            db.execute(
                "INSERT INTO runs (run_id, created_at, status, audit_name, audit_hash, n_findings,"
                " n_plans, judges, rubric_version, rubric_json, winner, winner_score, duration_ms,"
                " error, llm_calls, cache_hits, cache_misses, input_tokens,"
                " output_tokens, cost_usd, n_escalated, alpha, icc)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run.run_id,
                    run.created_at.isoformat(),
                    run.status,
                    run.audit.name,
                    run.audit.content_hash,
                    len(run.audit.findings),
                    len(run.plans),
                    json.dumps([j.id for j in run.judges]),
                    run.rubric.version,
                    run.rubric.model_dump_json(),
                    winner.name if winner else None,
                    winner.score if winner else None,
                    run.duration_ms,
                    run.error,
                    run.stats.calls,
                    run.stats.cache_hits,
                    run.stats.cache_misses,
                    run.stats.input_tokens,
                    run.stats.output_tokens,
                    run.stats.cost_usd,
                    len(run.escalated),
                    run.agreement.overall.alpha,
                    run.agreement.overall.icc,
                ),
            )
            db.execute("INSERT INTO run_bodies VALUES (?, ?)", (run.run_id, doc))
            db.execute(
                "INSERT INTO run_documents VALUES (?, ?, 'audit', ?, 0)",
                (run.run_id, run.audit.content_hash, run.audit.name),
            )
            db.executemany(
                "INSERT INTO run_documents VALUES (?, ?, 'plan', ?, ?)",
                [(run.run_id, p.content_hash, p.name, i) for i, p in enumerate(run.plans)],
            )
            self._write_results(db, run)
            write_run_metrics(db, run)
            db.executemany(
                "INSERT INTO judgments (run_id, judge_id, plan_name, status, latency_ms, error,"
                " body_json, provider, model, prompt_version, input_tokens, output_tokens,"
                " cost_usd, calls, retries, repairs, cache_hit, samples)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run.run_id,
                        j.judge_id,
                        j.plan_name,
                        j.status,
                        j.latency_ms,
                        j.error,
                        j.model_dump_json(),
                        j.provider,
                        j.model,
                        j.prompt_version,
                        j.input_tokens,
                        j.output_tokens,
                        j.cost_usd,
                        j.calls,
                        j.retries,
                        j.repairs,
                        int(j.cache_hit),
                        j.samples,
                    )
                    for j in run.judgments
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO judge_scores VALUES (?, ?, ?, ?, ?)",
                [
                    (run.run_id, j.plan_name, cid, j.judge_id, cs.score)
                    for j in run.judgments
                    if j.status == "ok"
                    for cid, cs in j.scores.items()
                ],
            )
            write_entry(
                db,
                "run",
                run.run_id,
                f"{run.audit.name}: {len(run.results)} plans, judges "
                f"{', '.join(j.id for j in run.judges)}, status {run.status}",
            )

    @staticmethod
    def _write_results(db: sqlite3.Connection, run: Run) -> None:
        """The run's per-plan results, criterion scores and conflicts (replaced on update)."""
        for table in ("results", "criterion_scores", "conflicts"):
            db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run.run_id,))
        db.executemany(
            "INSERT INTO results (run_id, plan_name, rank, score, coverage_ratio, n_covered,"
            " n_missed, n_mentioned, provisional) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run.run_id,
                    r.name,
                    r.rank,
                    r.score,
                    r.coverage.ratio,
                    len(r.coverage.covered),
                    len(r.coverage.missed),
                    len(r.coverage.mentioned),
                    int(r.provisional),
                )
                for r in run.results
            ],
        )
        db.executemany(
            "INSERT INTO criterion_scores VALUES (?, ?, ?, ?)",
            [
                (run.run_id, r.name, cid, c.score)
                for r in run.results
                for cid, c in r.criteria.items()
            ],
        )
        db.executemany(
            "INSERT INTO conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run.run_id,
                    c.plan,
                    c.criterion,
                    c.severity,
                    c.spread,
                    c.strategy,
                    c.resolved_score,
                    c.status,
                )
                for c in run.conflicts
            ],
        )

    # -- consensus: resolutions, the escalation queue, scores for reliability ------------------
    def save_resolution(self, run: Run, plan: str, criterion: str, resolution: Resolution) -> None:
        """Record a reviewer's resolution and the run it changes (results, ranking, winner,
        document), in one transaction. Every resolution is kept; the latest counts."""
        winner = run.winner
        doc = run.model_dump_json(exclude={"audit": {"text"}, "plans": {"__all__": {"text"}}})
        with self._connect() as db, db:
            found = db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run.run_id,)).fetchone()
            if found is None:
                raise RunNotFoundError(f"no run '{run.run_id}'", hint="It may have been deleted")
            db.execute(
                "INSERT INTO resolutions (run_id, plan_name, criterion, score, note, reviewer, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run.run_id,
                    plan,
                    criterion,
                    resolution.score,
                    resolution.note,
                    resolution.reviewer,
                    resolution.at.isoformat(),
                ),
            )
            db.execute(
                "UPDATE run_bodies SET document_json = ? WHERE run_id = ?", (doc, run.run_id)
            )
            db.execute(
                "UPDATE runs SET winner = ?, winner_score = ?, n_escalated = ? WHERE run_id = ?",
                (
                    winner.name if winner else None,
                    winner.score if winner else None,
                    len(run.escalated),
                    run.run_id,
                ),
            )
            self._write_results(db, run)
            write_entry(
                db,
                "resolution",
                run.run_id,
                f"{plan} / {criterion} = {resolution.score:g}: {resolution.note}",
                actor=resolution.reviewer,
            )

    def resolutions(self, run_id: str | None = None) -> list[tuple[str, str, str, Resolution]]:
        """Every resolution (run id, plan, criterion, resolution), oldest first."""
        sql = "SELECT * FROM resolutions"
        args: tuple[str, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        with self._connect() as db:
            return [
                (
                    r["run_id"],
                    r["plan_name"],
                    r["criterion"],
                    Resolution(
                        score=r["score"], note=r["note"], reviewer=r["reviewer"], at=r["at"]
                    ),
                )
                for r in db.execute(sql + " ORDER BY id", args)
            ]

    def latest_resolutions(
        self, run_id: str | None = None
    ) -> dict[tuple[str, str, str], Resolution]:
        """(run id, plan, criterion) -> the latest resolution."""
        return {(r, p, c): res for r, p, c, res in self.resolutions(run_id)}

    def conflict_queue(self, status: str | None = None) -> list[ConflictRow]:
        """Conflicts across runs, newest run first (`status` 'escalated' for the queue)."""
        sql = (
            "SELECT c.*, r.created_at, r.audit_name, r.judges FROM conflicts c JOIN runs r"
            " ON r.run_id = c.run_id"
        )
        args: tuple[str, ...] = ()
        if status:
            sql += " WHERE c.status = ?"
            args = (status,)
        sql += " ORDER BY r.created_at DESC, c.run_id DESC, c.plan_name, c.criterion"
        with self._connect() as db:
            return [
                ConflictRow(
                    run_id=r["run_id"],
                    created_at=r["created_at"],
                    audit_name=r["audit_name"],
                    judges=json.loads(r["judges"]),
                    plan=r["plan_name"],
                    criterion=r["criterion"],
                    severity=r["severity"],
                    spread=r["spread"],
                    strategy=r["strategy"],
                    resolved_score=r["resolved_score"],
                    status=r["status"],
                )
                for r in db.execute(sql, args)
            ]

    def judge_scores(self) -> list[ScoreRow]:
        """Every judge's every score, for reliability and meta-evaluation."""
        with self._connect() as db:
            db.row_factory = None  # plain tuples: a large history reads several times faster
            return list(
                map(
                    ScoreRow._make,
                    db.execute(
                        "SELECT run_id, plan_name, criterion, judge_id, score FROM judge_scores"
                    ),
                )
            )

    def final_scores(self) -> dict[tuple[str, str, str], float]:
        """(run id, plan, criterion) -> the jury's final score (escalated items left out)."""
        with self._connect() as db:
            return {
                (r[0], r[1], r[2]): r[3]
                for r in db.execute(
                    "SELECT run_id, plan_name, criterion, score FROM criterion_scores"
                    " WHERE score IS NOT NULL"
                )
            }

    def judge_outcomes(self) -> dict[str, tuple[int, int]]:
        """judge id -> (judgments, failed ones)."""
        with self._connect() as db:
            return {
                r[0]: (r[1], r[2])
                for r in db.execute(
                    "SELECT judge_id, count(*), sum(status != 'ok') FROM judgments"
                    " GROUP BY judge_id"
                )
            }

    def save_reliability(self, values: list[JudgeReliability]) -> None:
        """Replace the stored reliabilities."""
        now = utcnow().isoformat()
        with self._connect() as db, db:
            db.execute("DELETE FROM reliability")
            db.executemany(
                "INSERT INTO reliability VALUES (?, ?, ?, ?, ?)",
                [(v.judge, v.value, v.human_cases, v.jury_cases, now) for v in values],
            )

    def reliability(self) -> dict[str, JudgeReliability]:
        """judge id -> its stored reliability (empty before any run with two judges)."""
        with self._connect() as db:
            return {
                r["judge_id"]: JudgeReliability(
                    judge=r["judge_id"],
                    value=r["value"],
                    human_cases=r["human_cases"],
                    jury_cases=r["jury_cases"],
                )
                for r in db.execute("SELECT * FROM reliability ORDER BY judge_id")
            }

    def agreement_over_time(self) -> list[tuple[str, str, float | None, float | None]]:
        """(created_at, run id, alpha, icc) of the runs with two or more judges, oldest first."""
        with self._connect() as db:
            return [
                (r[0], r[1], r[2], r[3])
                for r in db.execute(
                    "SELECT created_at, run_id, alpha, icc FROM runs"
                    " WHERE alpha IS NOT NULL OR icc IS NOT NULL ORDER BY created_at"
                )
            ]

    def get_run(self, run_id: str) -> Run:
        """Reopen a stored run, documents' text included."""
        with self._connect() as db:
            row = db.execute(
                "SELECT document_json FROM run_bodies WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise RunNotFoundError(
                    f"no run '{run_id}' in {self.path}",
                    hint="List runs with `a11y-judge history list`",
                )
            run = Run.model_validate_json(row["document_json"])
            texts = {
                r["content_hash"]: r["text"]
                for r in db.execute(
                    "SELECT d.content_hash, d.text FROM documents d JOIN run_documents rd"
                    " ON rd.content_hash = d.content_hash WHERE rd.run_id = ?",
                    (run_id,),
                )
            }
        audit = run.audit.model_copy(update={"text": texts.get(run.audit.content_hash, "")})
        plans = [p.model_copy(update={"text": texts.get(p.content_hash, "")}) for p in run.plans]
        return run.model_copy(update={"audit": audit, "plans": plans})

    def list_runs(
        self, search: str = "", status: str | None = None, limit: int | None = None
    ) -> list[RunSummary]:
        """Runs newest first, optionally filtered by text (audit, plan, winner, id) and status."""
        sql = (
            "SELECT r.*, (SELECT group_concat(name, char(31)) FROM (SELECT name FROM run_documents"
            " WHERE run_id = r.run_id AND role = 'plan' ORDER BY position)) AS plan_names"
            " FROM runs r WHERE 1=1"
        )
        args: list[object] = []
        if search:
            sql += (
                " AND (r.run_id LIKE ? OR r.audit_name LIKE ? OR r.winner LIKE ? OR EXISTS"
                " (SELECT 1 FROM run_documents d WHERE d.run_id = r.run_id AND d.name LIKE ?))"
            )
            args += [f"%{search}%"] * 4
        if status:
            sql += " AND r.status = ?"
            args.append(status)
        sql += " ORDER BY r.created_at DESC, r.run_id DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        with self._connect() as db:
            return [
                RunSummary(
                    run_id=r["run_id"],
                    created_at=r["created_at"],
                    status=r["status"],
                    audit_name=r["audit_name"],
                    n_findings=r["n_findings"],
                    plans=(r["plan_names"] or "").split("\x1f") if r["plan_names"] else [],
                    judges=json.loads(r["judges"]),
                    winner=r["winner"],
                    winner_score=r["winner_score"],
                    n_escalated=r["n_escalated"],
                )
                for r in db.execute(sql, args)
            ]

    def count_runs(self) -> int:
        """Number of stored runs."""
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])

    def plan_trend(self, plan_name: str) -> list[tuple[str, str, float | None, int]]:
        """(created_at, run_id, score, rank) of every run that scored a plan of this name."""
        with self._connect() as db:
            return [
                (r["created_at"], r["run_id"], r["score"], r["rank"])
                for r in db.execute(
                    "SELECT r.created_at, r.run_id, s.score, s.rank FROM results s JOIN runs r"
                    " ON r.run_id = s.run_id WHERE s.plan_name = ? ORDER BY r.created_at",
                    (plan_name,),
                )
            ]

    def recurring_plans(self) -> list[str]:
        """Plan names scored in more than one run."""
        with self._connect() as db:
            return [
                r[0]
                for r in db.execute(
                    "SELECT plan_name FROM results GROUP BY plan_name HAVING count(*) > 1"
                    " ORDER BY plan_name"
                )
            ]

    def delete_run(self, run_id: str) -> None:
        """Delete a run and its results; documents no run uses any more go too."""
        with self._connect() as db, db:
            cur = db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
            if cur.rowcount == 0:
                raise RunNotFoundError(f"no run '{run_id}'", hint="It may have been deleted")
            db.execute(
                "DELETE FROM documents WHERE content_hash NOT IN"
                " (SELECT content_hash FROM run_documents)"
            )
            write_entry(db, "deletion", run_id, "run and its results deleted")

    def load_document(self, content_hash: str) -> AuditReport | Plan | None:
        """A stored document by hash, text included."""
        with self._connect() as db:
            row = db.execute(
                "SELECT kind, text, body_json FROM documents WHERE content_hash = ?",
                (content_hash,),
            ).fetchone()
        if row is None:
            return None
        model = AuditReport if row["kind"] == "audit" else Plan
        return model.model_validate_json(row["body_json"]).model_copy(update={"text": row["text"]})
