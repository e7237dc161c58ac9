"""The SQLite run history: migrations, WAL, round trips, queries, deletion and failures."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from a11y_judge.engine import evaluate
from a11y_judge.errors import HistoryError, RunNotFoundError
from a11y_judge.history.migrations import MIGRATIONS, migrate
from a11y_judge.history.store import HistoryStore
from a11y_judge.judges.offline import OfflineJudge
from a11y_judge.models import AuditReport, Finding, Plan, Rubric, Run, Severity
from a11y_judge.paths import history_path
from a11y_judge.rubric import load_rubric

TABLES = {"_migrations", "documents", "runs", "run_documents", "results", "criterion_scores"}
TABLES |= {"judgments"}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


def _audit(name: str = "shop-audit") -> AuditReport:
    return AuditReport(
        name=name,
        filename=f"{name}.md",
        source_format="markdown",
        content_hash=f"audit-{name}",
        text="# Audit\n\n## Findings\n\n### SHOP-1: Place order is a div\n",
        findings=[
            Finding(
                id="SHOP-1",
                title="Place order button is a div that cannot be reached by keyboard",
                wcag=["2.1.1"],
                wcag_source="stated",
                severity=Severity.CRITICAL,
            ),
            Finding(
                id="SHOP-2",
                title="Sale price text has low contrast",
                wcag=["1.4.3"],
                wcag_source="stated",
                severity=Severity.SERIOUS,
            ),
        ],
    )


def _plan(name: str, text: str) -> Plan:
    return Plan(
        name=name,
        filename=f"{name}.md",
        source_format="markdown",
        content_hash="plan-" + hashlib.sha1(f"{name}\n{text}".encode()).hexdigest()[:12],
        text=text,
    )


GOOD = (
    "# Plan\n\n## Phase 1\n\n- SHOP-1: replace the div with a native `<button>`.\n"
    "- SHOP-2: darken the price to #595959 (4.5:1). Retest with NVDA.\n"
)
WEAK = "# Plan\n\n- SHOP-2: improve the contrast a bit someday when we have time.\n"


def make_run(
    rubric: Rubric,
    *,
    run_id: str,
    created: datetime,
    audit: AuditReport | None = None,
    plans: list[Plan] | None = None,
    status: str | None = None,
) -> Run:
    run = evaluate(
        audit or _audit(),
        plans or [_plan("roadmap", GOOD), _plan("quick", WEAK)],
        [OfflineJudge()],
        rubric,
    )
    update: dict[str, object] = {"run_id": run_id, "created_at": created}
    if status:
        update["status"] = status
    return run.model_copy(update=update)


T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _count(path: Path, table: str, where: str = "", args: tuple[object, ...] = ()) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT count(*) FROM {table} {where}", args).fetchone()[0])
    finally:
        db.close()


# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------


def test_migrations_from_an_empty_database(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "empty.sqlite")
    try:
        applied = migrate(db)
        assert applied == [name for name, _ in MIGRATIONS]
        assert applied[0] == "m001_initial"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables >= TABLES
        rows = db.execute("SELECT name, applied_at FROM _migrations").fetchall()
        assert [r[0] for r in rows] == applied
        assert all(r[1] for r in rows)
        assert migrate(db) == []  # nothing pending the second time
        assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(applied)
    finally:
        db.close()


def test_store_creates_schema_in_wal_mode_at_the_home_path() -> None:
    store = HistoryStore()
    assert store.path == history_path()
    assert store.path.is_file()
    db = sqlite3.connect(store.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [r[0] for r in db.execute("SELECT name FROM _migrations")]
        assert names == [name for name, _ in MIGRATIONS]
    finally:
        db.close()
    HistoryStore(store.path)  # reopening applies nothing and does not fail
    assert _count(store.path, "_migrations") == len(MIGRATIONS)
    assert store.count_runs() == 0


def test_non_sqlite_file_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 20)
    with pytest.raises(HistoryError) as info:
        HistoryStore(path)
    message = str(info.value)
    assert str(path) in message and "cannot be used" in message
    assert "A11Y_JUDGE_HOME" in message
    assert "\n" not in message


# --------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------


def test_save_then_get_run_round_trip(tmp_path: Path, rubric: Rubric) -> None:
    store = HistoryStore(tmp_path / "h.sqlite")
    run = make_run(rubric, run_id="20250301-090000-aaaaaa", created=T0)
    store.save_run(run)
    back = store.get_run(run.run_id)
    assert back.results == run.results
    assert back.rubric == run.rubric
    assert back.audit.findings == run.audit.findings
    assert back.audit.text == run.audit.text
    assert [p.text for p in back.plans] == [p.text for p in run.plans]
    assert [p.name for p in back.plans] == ["roadmap", "quick"]
    assert back.judges == run.judges and back.judgments == run.judgments
    assert back.created_at == T0
    assert back == run
    assert store.count_runs() == 1


def test_texts_are_stored_once_per_document(tmp_path: Path, rubric: Rubric) -> None:
    store = HistoryStore(tmp_path / "h.sqlite")
    store.save_run(make_run(rubric, run_id="r1", created=T0))
    store.save_run(make_run(rubric, run_id="r2", created=T0 + timedelta(hours=1)))
    assert _count(store.path, "documents") == 3  # one audit, two plans, shared by both runs
    doc = store.load_document("audit-shop-audit")
    assert isinstance(doc, AuditReport) and doc.text.startswith("# Audit")
    assert len(doc.findings) == 2
    assert store.load_document("no-such-hash") is None


def test_unknown_run_id(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite")
    with pytest.raises(RunNotFoundError, match="no run 'nope'"):
        store.get_run("nope")
    with pytest.raises(RunNotFoundError):
        store.delete_run("nope")


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


@pytest.fixture
def three_runs(tmp_path: Path, rubric: Rubric) -> HistoryStore:
    store = HistoryStore(tmp_path / "h.sqlite")
    store.save_run(make_run(rubric, run_id="run-a", created=T0))
    store.save_run(
        make_run(
            rubric,
            run_id="run-b",
            created=T0 + timedelta(days=1),
            audit=_audit("museum-audit"),
            plans=[_plan("museum-plan", GOOD)],
            status="partial",
        )
    )
    store.save_run(
        make_run(
            rubric,
            run_id="run-c",
            created=T0 + timedelta(days=2),
            plans=[_plan("roadmap", GOOD + "\n- Add jest-axe to CI.\n"), _plan("quick", WEAK)],
        )
    )
    return store


def test_list_runs_newest_first_with_summary(three_runs: HistoryStore) -> None:
    runs = three_runs.list_runs()
    assert [r.run_id for r in runs] == ["run-c", "run-b", "run-a"]
    a = runs[-1]
    assert a.audit_name == "shop-audit" and a.n_findings == 2
    assert a.plans == ["roadmap", "quick"]
    assert a.judges == ["offline"]
    assert a.winner == "roadmap" and a.winner_score is not None
    assert a.created_at.startswith("2025-03-01T09:00:00")
    assert [r.run_id for r in three_runs.list_runs(limit=2)] == ["run-c", "run-b"]


def test_list_runs_search_and_status_filter(three_runs: HistoryStore) -> None:
    assert [r.run_id for r in three_runs.list_runs(search="museum")] == ["run-b"]
    assert [r.run_id for r in three_runs.list_runs(search="quick")] == ["run-c", "run-a"]
    assert [r.run_id for r in three_runs.list_runs(search="run-a")] == ["run-a"]
    assert [r.run_id for r in three_runs.list_runs(search="SHOP-AUDIT")] == ["run-c", "run-a"]
    assert three_runs.list_runs(search="nothing-like-this") == []
    assert [r.run_id for r in three_runs.list_runs(status="partial")] == ["run-b"]
    assert [r.run_id for r in three_runs.list_runs(search="shop", status="ok")] == [
        "run-c",
        "run-a",
    ]


def test_plan_trend_and_recurring_plans(three_runs: HistoryStore) -> None:
    assert three_runs.recurring_plans() == ["quick", "roadmap"]
    trend = three_runs.plan_trend("roadmap")
    assert [t[1] for t in trend] == ["run-a", "run-c"]  # oldest first
    assert all(rank == 1 for *_, rank in trend)
    first, second = (three_runs.get_run(r) for r in ("run-a", "run-c"))
    assert trend[0][2] == next(r.score for r in first.results if r.name == "roadmap")
    assert trend[1][2] == next(r.score for r in second.results if r.name == "roadmap")
    assert trend[1][2] > trend[0][2]  # the CI line adds long-term vision
    assert [t[1] for t in three_runs.plan_trend("museum-plan")] == ["run-b"]
    assert three_runs.plan_trend("unknown") == []


def test_delete_run_removes_rows_and_orphan_documents(three_runs: HistoryStore) -> None:
    path = three_runs.path
    three_runs.delete_run("run-b")
    assert [r.run_id for r in three_runs.list_runs()] == ["run-c", "run-a"]
    with pytest.raises(RunNotFoundError):
        three_runs.get_run("run-b")
    for table in ("results", "criterion_scores", "judgments", "run_documents"):
        assert _count(path, table, "WHERE run_id = ?", ("run-b",)) == 0, table
    assert three_runs.load_document("audit-museum-audit") is None
    # Documents still used by other runs stay.
    assert three_runs.load_document("audit-shop-audit") is not None
    three_runs.delete_run("run-a")
    assert three_runs.get_run("run-c").audit.text.startswith("# Audit")
    assert three_runs.recurring_plans() == []
    # run-a's roadmap text differed from run-c's, so it is gone; the shared 'quick' stays.
    assert _count(path, "documents") == 3


# --------------------------------------------------------------------------------------------
# Failed saves leave nothing behind
# --------------------------------------------------------------------------------------------


def _all_counts(path: Path) -> dict[str, int]:
    return {t: _count(path, t) for t in TABLES - {"_migrations"}}


def test_duplicate_run_id_is_rejected_without_partial_rows(tmp_path: Path, rubric: Rubric) -> None:
    store = HistoryStore(tmp_path / "h.sqlite")
    run = make_run(rubric, run_id="dup", created=T0)
    store.save_run(run)
    before = _all_counts(store.path)
    other = make_run(
        rubric,
        run_id="dup",
        created=T0 + timedelta(days=1),
        audit=_audit("other-audit"),
        plans=[_plan("new-plan", GOOD)],
    )
    with pytest.raises((sqlite3.IntegrityError, HistoryError)):
        store.save_run(other)
    assert _all_counts(store.path) == before
    assert store.load_document("audit-other-audit") is None  # its new documents rolled back
    assert store.get_run("dup") == run


def test_failure_late_in_save_rolls_back_everything(tmp_path: Path, rubric: Rubric) -> None:
    store = HistoryStore(tmp_path / "h.sqlite")
    run = make_run(rubric, run_id="broken", created=T0, audit=_audit("fresh-audit"))
    # Two results with the same plan name violate results' primary key, after the run row,
    # its documents and run_documents have been written in the same transaction.
    bad = run.model_copy(update={"results": [run.results[0], run.results[0]]})
    with pytest.raises((sqlite3.IntegrityError, HistoryError)):
        store.save_run(bad)
    assert all(n == 0 for n in _all_counts(store.path).values())
    assert store.list_runs() == []
    store.save_run(run)  # the store is still usable
    assert store.count_runs() == 1


def test_bench_verdicts_stored_as_blobs_are_read_as_numbers_after_migrating(
    tmp_path: Path,
) -> None:
    db = sqlite3.connect(tmp_path / "old.sqlite")
    try:
        names = [name for name, _ in MIGRATIONS]
        db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for name, fn in MIGRATIONS[: names.index("m013_bench_verdicts")]:
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
        rows = [(b"\x01", "a"), (b"\x00", "b"), (1, "c"), (None, "d")]  # numpy bools: BLOBs
        db.executemany(
            "INSERT INTO bench_results (recorded_at, git_commit, name, value, unit, goal, meets)"
            " VALUES ('2026-12-01', 'abc', ?, 1.0, 's', 'goal', ?)",
            [(name, meets) for meets, name in rows],
        )
        db.commit()
        assert migrate(db) == names[names.index("m013_bench_verdicts") :]
        got = dict(db.execute("SELECT name, meets FROM bench_results").fetchall())
        assert got == {"a": 1, "b": 0, "c": 1, "d": None}
    finally:
        db.close()
