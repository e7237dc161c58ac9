"""History under concurrency: a new history opened by many threads and processes at once is
migrated once, in WAL mode (they used to apply the same migration twice: 'table documents
already exists'); writers and readers at once lose nothing and never see a lock error."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from a11y_judge.engine import evaluate, new_run_id
from a11y_judge.history.migrations import MIGRATIONS
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.rubric import load_rubric

#: Waits for a start time, then opens the history (a process of its own each).
OPEN_AT = (
    "import sys, time\n"
    "from a11y_judge.history.store import HistoryStore\n"
    "while time.time() < float(sys.argv[1]):\n"
    "    time.sleep(0.001)\n"
    "HistoryStore(sys.argv[2])\n"
)


def assert_migrated_once(path: Path) -> None:
    store = HistoryStore(path)
    assert store.count_runs() == 0
    with store._connect() as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert names == sorted(name for name, _ in MIGRATIONS) and mode == "wal"


def test_a_new_history_opened_by_twenty_threads_at_once_is_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "history.sqlite"
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            HistoryStore(path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert_migrated_once(path)


def test_a_new_history_opened_by_six_processes_at_once_is_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "history.sqlite"
    path.parent.mkdir()
    start = time.time() + 3  # after every interpreter has started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT, str(start), str(path)],
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ,
        )
        for _ in range(6)
    ]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert_migrated_once(path)


def test_writers_and_readers_at_once_lose_nothing_and_never_see_a_lock(
    tmp_path: Path, demo_dir: Path
) -> None:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    run = evaluate(audit, plans, [create_judge("offline")], load_rubric(), processes=1)
    path = tmp_path / "history.sqlite"
    start = threading.Barrier(12)
    errors: list[BaseException] = []
    written: list[str] = []

    def write(worker: int) -> None:
        store = HistoryStore(path)
        start.wait()
        try:
            for k in range(10):
                rid = f"{new_run_id()}-{worker:02d}{k:02d}"
                store.save_run(run.model_copy(update={"run_id": rid}))
                written.append(rid)
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        store = HistoryStore(path)
        start.wait()
        try:
            for _ in range(20):
                for summary in store.list_runs(limit=5):
                    assert len(store.get_run(summary.run_id).judgments) == len(plans)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    threads += [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = HistoryStore(path)
    assert {r.run_id for r in store.list_runs()} == set(written) and len(written) == 80
    assert store.judge_outcomes() == {"offline": (80 * len(plans), 0)}
