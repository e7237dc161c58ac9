"""Performance figures in history: each judgment's call, each run's and batch's usage, and the
benchmark's results. What the Performance page and `make bench` read and write."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from a11y_judge.models import ResourceUsage, Run, utcnow

if TYPE_CHECKING:
    from a11y_judge.history.store import HistoryStore

#: Columns of `calls()`, one row per judgment (an LLM judgment may have made several requests).
CALL_COLUMNS = (
    "run_id",
    "created_at",
    "judge_id",
    "provider",
    "model",
    "status",
    "latency_ms",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "requests",
    "retries",
    "cache_hit",
)
#: Columns of `runs()`, one row per run.
RUN_COLUMNS = (
    "run_id",
    "created_at",
    "status",
    "plans",
    "judgments",
    "wall_s",
    "llm_calls",
    "cache_hits",
    "cache_misses",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "cpu_pct_mean",
    "cpu_pct_max",
    "rss_mb_mean",
    "rss_mb_max",
    "slot_wait_s",
    "request_s",
)


@dataclass(frozen=True)
class BenchResult:
    """One `make bench` figure: its value, unit, goal in words, ratio to the goal, and
    whether it meets it (None: a figure printed without a goal)."""

    name: str
    value: float
    unit: str
    goal: str
    ratio: float | None = None
    meets: bool | None = None

    def __post_init__(self) -> None:
        # plain Python numbers: numpy's (a bench's `p99 <= 2.0`) would be stored as BLOBs
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "ratio", None if self.ratio is None else float(self.ratio))
        object.__setattr__(self, "meets", None if self.meets is None else bool(self.meets))


def write_run_metrics(db: sqlite3.Connection, run: Run) -> None:
    """The run's row of run_metrics, inside the transaction that records the run."""
    used = run.resources or ResourceUsage(wall_s=run.duration_ms / 1000)
    endpoints = run.stats.endpoints
    db.execute(
        "INSERT INTO run_metrics (run_id, wall_s, judgments, samples, cpu_pct_mean, cpu_pct_max,"
        " rss_mb_mean, rss_mb_max, slot_wait_s, request_s) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            run.run_id,
            used.wall_s,
            len(run.judgments),
            used.samples,
            used.cpu_pct_mean,
            used.cpu_pct_max,
            used.rss_mb_mean,
            used.rss_mb_max,
            sum(e.slot_wait_s for e in endpoints),
            sum(
                j.latency_ms / 1000
                for j in run.judgments
                if not j.cache_hit and j.provider not in ("", "offline")
            ),
        ),
    )


class MetricsStore:
    """Reads the performance figures of history; records batch usage and bench results."""

    def __init__(self, history: HistoryStore | None = None) -> None:
        from a11y_judge.history.store import HistoryStore  # it writes run_metrics via us

        self.history = history or HistoryStore()

    def calls(self, since: str | None = None) -> list[tuple[object, ...]]:
        """One row per judgment (CALL_COLUMNS) of runs created at or after `since` (ISO time),
        in no particular order."""
        with self.history._connect() as db:
            db.row_factory = None  # plain tuples: 20,000 rows read in a third of the time
            return list(
                db.execute(
                    "SELECT j.run_id, r.created_at, j.judge_id, j.provider, j.model, j.status,"
                    " j.latency_ms, j.input_tokens, j.output_tokens, j.cost_usd, j.calls,"
                    " j.retries, j.cache_hit FROM judgments j JOIN runs r USING (run_id)"
                    " WHERE r.created_at >= ?",  # no ORDER BY: the frames sort what they chart
                    (since or "",),
                )
            )

    def runs(self, since: str | None = None) -> list[tuple[object, ...]]:
        """One row per run (RUN_COLUMNS), oldest first."""
        with self.history._connect() as db:
            db.row_factory = None
            return list(
                db.execute(
                    "SELECT r.run_id, r.created_at, r.status, r.n_plans, m.judgments, m.wall_s,"
                    " r.llm_calls, r.cache_hits, r.cache_misses, r.input_tokens,"
                    " r.output_tokens, r.cost_usd, m.cpu_pct_mean, m.cpu_pct_max,"
                    " m.rss_mb_mean, m.rss_mb_max, m.slot_wait_s, m.request_s"
                    " FROM runs r JOIN run_metrics m USING (run_id)"
                    " WHERE r.created_at >= ? ORDER BY r.created_at",
                    (since or "",),
                )
            )

    def cache_context(self, since: str | None = None) -> tuple[int, int]:
        """(prompt versions used, repeated judgments) among the LLM judgments of runs since
        `since`: a judgment repeats an earlier one when the judge, audit and plan text are the
        same (it could have come from the cache)."""
        with self.history._connect() as db:
            row = db.execute(
                "SELECT COUNT(DISTINCT version), SUM(n) - COUNT(*) FROM ("
                " SELECT MIN(j.prompt_version) AS version, COUNT(*) AS n"
                " FROM judgments j JOIN runs r USING (run_id)"
                " JOIN run_documents d ON d.run_id = j.run_id AND d.role = 'plan'"
                " AND d.name = j.plan_name"
                " WHERE r.created_at >= ? AND j.provider NOT IN ('', 'offline')"
                " GROUP BY j.judge_id, r.audit_hash, d.content_hash, j.prompt_version)",
                (since or "",),
            ).fetchone()
        return int(row[0]), int(row[1] or 0)

    def save_job(self, job_id: str, sets: int, used: ResourceUsage) -> None:
        """A batch job's usage over one worker's run (the latest run of the job is kept)."""
        with self.history._connect() as db, db:
            db.execute(
                "INSERT OR REPLACE INTO job_metrics (job_id, recorded_at, wall_s, sets, samples,"
                " cpu_pct_mean, cpu_pct_max, rss_mb_mean, rss_mb_max, queue_max)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    job_id,
                    utcnow().isoformat(),
                    used.wall_s,
                    sets,
                    used.samples,
                    used.cpu_pct_mean,
                    used.cpu_pct_max,
                    used.rss_mb_mean,
                    used.rss_mb_max,
                    used.queue_max,
                ),
            )

    def jobs(self) -> list[tuple[object, ...]]:
        """(job_id, recorded_at, wall_s, sets, cpu_pct_mean, rss_mb_max, queue_max, llm_calls,
        cache_hits, cache_misses, cache_hit_rate), newest first; the calls and cache figures
        summed over the runs its sets recorded (hit rate None without LLM judgments)."""
        with self.history._connect() as db:
            return [
                (*r[:10], r[8] / (r[8] + r[9]) if r[8] + r[9] else None)
                for r in db.execute(
                    "SELECT m.job_id, m.recorded_at, m.wall_s, m.sets, m.cpu_pct_mean,"
                    " m.rss_mb_max, m.queue_max, COALESCE(SUM(r.llm_calls), 0),"
                    " COALESCE(SUM(r.cache_hits), 0), COALESCE(SUM(r.cache_misses), 0)"
                    " FROM job_metrics m"
                    " LEFT JOIN batch_items i ON i.job_id = m.job_id AND i.run_id IS NOT NULL"
                    " LEFT JOIN runs r ON r.run_id = i.run_id"
                    " GROUP BY m.job_id ORDER BY m.recorded_at DESC"
                )
            ]

    def save_bench(self, commit: str, results: Sequence[BenchResult]) -> None:
        """One `make bench` run's figures, in one transaction."""
        now = utcnow().isoformat()
        with self.history._connect() as db, db:
            db.executemany(
                "INSERT INTO bench_results (recorded_at, git_commit, name, value, unit, goal,"
                " ratio, meets) VALUES (?,?,?,?,?,?,?,?)",
                [(now, commit, r.name, r.value, r.unit, r.goal, r.ratio, r.meets) for r in results],
            )

    def bench(self) -> list[tuple[object, ...]]:
        """(recorded_at, git_commit, name, value, unit, goal, ratio, meets), oldest first."""
        with self.history._connect() as db:
            return [
                tuple(r)
                for r in db.execute(
                    "SELECT recorded_at, git_commit, name, value, unit, goal, ratio, meets"
                    " FROM bench_results ORDER BY recorded_at, id"
                )
            ]
