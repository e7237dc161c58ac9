"""Named, ordered schema migrations, tracked in the _migrations table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register a migration; its function name is its permanent name."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE documents (
            content_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            source_format TEXT NOT NULL,
            filename TEXT NOT NULL,
            text TEXT NOT NULL,
            body_json TEXT NOT NULL
        );
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL,
            audit_name TEXT NOT NULL,
            audit_hash TEXT NOT NULL REFERENCES documents(content_hash),
            n_findings INTEGER NOT NULL,
            n_plans INTEGER NOT NULL,
            judges TEXT NOT NULL,
            rubric_version TEXT NOT NULL,
            rubric_json TEXT NOT NULL,
            winner TEXT,
            winner_score REAL,
            duration_ms REAL NOT NULL,
            error TEXT,
            document_json TEXT NOT NULL
        );
        CREATE INDEX runs_created ON runs(created_at);
        CREATE TABLE run_documents (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL REFERENCES documents(content_hash),
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (run_id, role, position)
        );
        CREATE TABLE results (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            plan_name TEXT NOT NULL,
            rank INTEGER NOT NULL,
            score REAL,
            coverage_ratio REAL NOT NULL,
            n_covered INTEGER NOT NULL,
            n_missed INTEGER NOT NULL,
            PRIMARY KEY (run_id, plan_name)
        );
        CREATE TABLE criterion_scores (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            plan_name TEXT NOT NULL,
            criterion TEXT NOT NULL,
            score REAL,
            PRIMARY KEY (run_id, plan_name, criterion)
        );
        CREATE TABLE judgments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            judge_id TEXT NOT NULL,
            plan_name TEXT NOT NULL,
            status TEXT NOT NULL,
            latency_ms REAL NOT NULL,
            error TEXT,
            body_json TEXT NOT NULL
        );
        CREATE INDEX judgments_run ON judgments(run_id);
        """
    )


@migration
def m002_judge_usage(db: sqlite3.Connection) -> None:
    """Per-judgment provider usage (LLM judges) and per-run totals."""
    db.executescript(
        """
        ALTER TABLE judgments ADD COLUMN provider TEXT NOT NULL DEFAULT '';
        ALTER TABLE judgments ADD COLUMN model TEXT;
        ALTER TABLE judgments ADD COLUMN prompt_version TEXT;
        ALTER TABLE judgments ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE judgments ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE judgments ADD COLUMN cost_usd REAL;
        ALTER TABLE judgments ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE judgments ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE judgments ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE judgments ADD COLUMN samples INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE runs ADD COLUMN llm_calls INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN cache_hits INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN cache_misses INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
        CREATE INDEX judgments_judge ON judgments(judge_id);
        """
    )


@migration
def m003_results_mentioned(db: sqlite3.Connection) -> None:
    """Findings a plan only mentions (to test, monitor or defer), beside covered and missed."""
    db.execute("ALTER TABLE results ADD COLUMN n_mentioned INTEGER NOT NULL DEFAULT 0")


@migration
def m004_judgment_repairs(db: sqlite3.Connection) -> None:
    """Repair re-asks per judgment, counted apart from retries (re-sent requests)."""
    db.execute("ALTER TABLE judgments ADD COLUMN repairs INTEGER NOT NULL DEFAULT 0")


@migration
def m005_consensus(db: sqlite3.Connection) -> None:
    """Each judge's score per item, conflicts, reviewers' resolutions (every one kept: the
    audit trail; the latest counts), judge reliability; provisional results; per-run
    agreement. Scores of runs recorded before are filled in from their judgments."""
    db.executescript(
        """
        CREATE TABLE judge_scores (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            plan_name TEXT NOT NULL,
            criterion TEXT NOT NULL,
            judge_id TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (run_id, plan_name, criterion, judge_id)
        );
        CREATE INDEX judge_scores_judge ON judge_scores(judge_id);
        INSERT OR IGNORE INTO judge_scores
            SELECT j.run_id, j.plan_name, s.key, j.judge_id, json_extract(s.value, '$.score')
            FROM judgments j, json_each(j.body_json, '$.scores') s
            WHERE j.status = 'ok' AND json_extract(s.value, '$.score') IS NOT NULL;
        CREATE TABLE conflicts (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            plan_name TEXT NOT NULL,
            criterion TEXT NOT NULL,
            severity TEXT NOT NULL,
            spread REAL NOT NULL,
            strategy TEXT NOT NULL,
            resolved_score REAL,
            status TEXT NOT NULL,
            PRIMARY KEY (run_id, plan_name, criterion)
        );
        CREATE INDEX conflicts_status ON conflicts(status);
        CREATE TABLE resolutions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            plan_name TEXT NOT NULL,
            criterion TEXT NOT NULL,
            score REAL NOT NULL,
            note TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX resolutions_item ON resolutions(run_id, plan_name, criterion);
        CREATE TABLE reliability (
            judge_id TEXT PRIMARY KEY,
            value REAL NOT NULL,
            human_cases INTEGER NOT NULL,
            jury_cases INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        ALTER TABLE results ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN n_escalated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN alpha REAL;
        ALTER TABLE runs ADD COLUMN icc REAL;
        """
    )


@migration
def m006_batch_jobs(db: sqlite3.Connection) -> None:
    """Batch jobs and their sets: state, the worker holding each running set (with a
    heartbeat, so a dead worker's sets show as interrupted), progress and the run recorded."""
    db.executescript(
        """
        CREATE TABLE batch_jobs (
            job_id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL,
            settings_json TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            heartbeat_at REAL
        );
        CREATE TABLE batch_items (
            job_id TEXT NOT NULL REFERENCES batch_jobs(job_id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            audit_path TEXT,
            plan_paths_json TEXT NOT NULL,
            status TEXT NOT NULL,
            run_id TEXT,
            error TEXT,
            worker TEXT,
            heartbeat_at REAL,
            judged INTEGER NOT NULL DEFAULT 0,
            judgments INTEGER NOT NULL DEFAULT 0,
            started_at TEXT,
            finished_at TEXT,
            PRIMARY KEY (job_id, position)
        );
        CREATE INDEX batch_items_status ON batch_items(job_id, status);
        """
    )


@migration
def m007_metrics(db: sqlite3.Connection) -> None:
    """Per-run and per-batch performance (wall time, CPU, memory, time waiting for a slot) and
    `make bench` results, so the Performance page can chart them. Runs recorded before get
    their wall time and usage from the runs table (no CPU or memory: never sampled)."""
    db.executescript(
        """
        CREATE TABLE run_metrics (
            run_id TEXT PRIMARY KEY REFERENCES runs(run_id) ON DELETE CASCADE,
            wall_s REAL NOT NULL,
            judgments INTEGER NOT NULL,
            samples INTEGER NOT NULL DEFAULT 0,
            cpu_pct_mean REAL,
            cpu_pct_max REAL,
            rss_mb_mean REAL,
            rss_mb_max REAL,
            slot_wait_s REAL NOT NULL DEFAULT 0,
            request_s REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE job_metrics (
            job_id TEXT PRIMARY KEY REFERENCES batch_jobs(job_id) ON DELETE CASCADE,
            recorded_at TEXT NOT NULL,
            wall_s REAL NOT NULL,
            sets INTEGER NOT NULL,
            samples INTEGER NOT NULL DEFAULT 0,
            cpu_pct_mean REAL,
            cpu_pct_max REAL,
            rss_mb_mean REAL,
            rss_mb_max REAL,
            queue_max INTEGER
        );
        CREATE TABLE bench_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            git_commit TEXT NOT NULL,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            goal TEXT NOT NULL,
            ratio REAL,
            meets INTEGER
        );
        CREATE INDEX bench_results_name ON bench_results(name, recorded_at);
        INSERT INTO run_metrics (run_id, wall_s, judgments, request_s)
            SELECT r.run_id, r.duration_ms / 1000.0,
                   (SELECT COUNT(*) FROM judgments j WHERE j.run_id = r.run_id),
                   (SELECT COALESCE(SUM(j.latency_ms), 0) / 1000.0 FROM judgments j
                    WHERE j.run_id = r.run_id AND j.cache_hit = 0 AND j.provider != 'offline')
            FROM runs r;
        """
    )


@migration
def m008_run_bodies(db: sqlite3.Connection) -> None:
    """Each run's full document in a table of its own: in the runs table it sat in the middle
    of every row, so listing runs (History, Conflicts, Performance) read through megabytes of
    overflow pages to reach the columns added after it."""
    db.executescript(
        """
        CREATE TABLE run_bodies (
            run_id TEXT PRIMARY KEY REFERENCES runs(run_id) ON DELETE CASCADE,
            document_json TEXT NOT NULL
        );
        INSERT INTO run_bodies (run_id, document_json) SELECT run_id, document_json FROM runs;
        ALTER TABLE runs DROP COLUMN document_json;
        """
    )


@migration
def m009_experiments(db: sqlite3.Connection) -> None:
    """A/B experiments: the definition (variants, sets, repeats, gold), the results document,
    and which run each variant x repeat x set produced."""
    db.executescript(
        """
        CREATE TABLE experiments (
            experiment_id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            definition_json TEXT NOT NULL,
            result_json TEXT NOT NULL
        );
        CREATE TABLE experiment_runs (
            experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            repeat INTEGER NOT NULL,
            set_name TEXT NOT NULL,
            run_id TEXT NOT NULL,
            PRIMARY KEY (experiment_id, variant, repeat, set_name)
        );
        """
    )


@migration
def m010_audit_log(db: sqlite3.Connection) -> None:
    """Who did what, when: runs, resolutions, deletions, exports, settings changes, logins,
    backups and restores (append-only)."""
    db.executescript(
        """
        CREATE TABLE audit_log (
            entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_at ON audit_log (at);
        CREATE INDEX audit_log_actor ON audit_log (actor, at);
        """
    )


@migration
def m011_judgment_metrics_index(db: sqlite3.Connection) -> None:
    """The judgments' usage columns in one covering index: the Performance page reads them
    for every judgment in range, and in the table they sit after each judgment's JSON body
    (added later), so each row read walked that body (20,000 judgments: ~190 -> ~40 ms for
    the cache context, ~100 -> ~60 ms for the calls). It starts with run_id, so it also
    replaces the run_id index."""
    db.executescript(
        """
        CREATE INDEX judgments_metrics ON judgments (
            run_id, plan_name, judge_id, provider, prompt_version, model, status, latency_ms,
            input_tokens, output_tokens, cost_usd, calls, retries, cache_hit
        );
        DROP INDEX judgments_run;
        """
    )


@migration
def m012_judge_status_index(db: sqlite3.Connection) -> None:
    """Each judge's judgments and failures (reliability, the Conflicts page) counted from an
    index of judge and status instead of reading every judgment row (20,000 judgments:
    ~35 -> ~6 ms); it replaces the judge index."""
    db.executescript(
        """
        CREATE INDEX judgments_judge_status ON judgments (judge_id, status);
        DROP INDEX judgments_judge;
        """
    )


@migration
def m013_bench_verdicts(db: sqlite3.Connection) -> None:
    """`make bench` verdicts written as numpy booleans were stored as one-byte BLOBs (the
    Performance page showed them as unknown): stored again as 0 or 1."""
    db.execute("UPDATE bench_results SET meets = (hex(meets) != '00') WHERE typeof(meets) = 'blob'")


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; returns their names."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db:
            fn(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", (name,)
            )
        applied.append(name)
    return applied
