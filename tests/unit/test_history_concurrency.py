"""A new history opened by many threads and processes at once is migrated once, in WAL mode
(they used to apply the same migration twice: 'table documents already exists')."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from a11y_judge.history.migrations import MIGRATIONS
from a11y_judge.history.store import HistoryStore

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
