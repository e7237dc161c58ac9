"""The audit log (runs, resolutions, deletions, exports, batches, backups; CLI and History page)
and history backups taken with SQLite's online backup API while a batch writes."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from a11y_judge.actor import acting_as
from a11y_judge.batch import service
from a11y_judge.errors import HistoryError
from a11y_judge.history.audit import AuditLog
from a11y_judge.history.backup import backup, restore
from a11y_judge.history.jobs import JobStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import BatchSettings

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "app"))
sys.path.insert(0, str(REPO / "tests" / "integration"))
from apptest import no_exception, on  # noqa: E402
from test_cli import run_cli as cli  # noqa: E402

pytestmark = pytest.mark.timeout(240)


def demo(demo_dir: Path) -> list[str]:
    return [
        "evaluate",
        "--audit",
        str(demo_dir / "northwind-audit.md"),
        "--plans-dir",
        str(demo_dir / "plans"),
    ]


def make_sets(root: Path, demo_dir: Path, n: int) -> Path:
    plans = sorted((demo_dir / "plans").iterdir())
    for k in range(n):
        d = root / f"site-{k:02d}"
        (d / "plans").mkdir(parents=True)
        (d / "audit.md").write_bytes((demo_dir / "northwind-audit.md").read_bytes())
        for p in plans:
            (d / "plans" / p.name).write_bytes(p.read_bytes())
    return root


def test_every_change_is_in_the_audit_log_with_its_actor(
    capsys: pytest.CaptureFixture[str],
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("A11Y_JUDGE_REVIEWER", "Ana")
    code, _, err = cli(capsys, *demo(demo_dir), "--out", str(tmp_path / "out"), "--format", "csv")
    assert code == 0, err
    run_id = HistoryStore().list_runs()[0].run_id
    assert cli(capsys, "history", "delete", run_id)[0] == 0
    code, out, _ = cli(capsys, "audit-log", "--json")
    entries = json.loads(out)
    assert [(e["action"], e["actor"], e["target"]) for e in entries] == [
        ("deletion", "Ana", run_id),
        ("export", "Ana", run_id),
        ("run", "Ana", run_id),
    ]
    assert "northwind-audit: 4 plans, judges offline, status ok" in entries[2]["detail"]
    assert f"run-{run_id}-summary.csv" in entries[1]["detail"]
    code, out, _ = cli(capsys, "audit-log", "--action", "export")
    assert code == 0 and len(out.strip().splitlines()) == 1 and "export" in out
    with acting_as("session:abcd1234"):
        AuditLog().record("settings", "thresholds.yaml", "p95 3 s")
    assert [e.actor for e in AuditLog().entries(action="settings")] == ["session:abcd1234"]
    assert AuditLog().entries(search="P95 3")[0].action == "settings"  # case-insensitive
    with pytest.raises(SystemExit) as usage:  # argparse: one usage error, exit 2
        cli(capsys, "audit-log", "--action", "nope")
    assert usage.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err


def test_an_export_of_a_run_kept_out_of_history_says_so(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ("--out", str(out), "--format", "json")
    code, _, err = cli(capsys, *demo(demo_dir), "--no-history", *args)
    assert code == 0, err
    assert HistoryStore().count_runs() == 0  # the run is nowhere in history...
    (entry,) = AuditLog().entries()
    (written,) = out.iterdir()
    run_id = written.name.removeprefix("run-").removesuffix(".json")
    assert (entry.action, entry.target) == ("export", run_id)  # ...but its export is logged
    assert entry.detail == f"run not recorded in history (--no-history): {written}"
    assert cli(capsys, *demo(demo_dir), *args)[0] == 0  # a recorded run's export: no such note
    recorded = AuditLog().entries(action="export")[0]
    assert recorded.target == HistoryStore().list_runs()[0].run_id
    assert "not recorded" not in recorded.detail and recorded.detail.startswith(str(out))


def test_the_history_page_shows_and_filters_the_log(
    capsys: pytest.CaptureFixture[str], demo_dir: Path
) -> None:
    assert cli(capsys, *demo(demo_dir))[0] == 0
    with acting_as("Bo"):
        AuditLog().record("export", "x", "run.pdf")
    at = on("views/history.py")
    no_exception(at)
    log = next(d.value for d in at.dataframe if "Actor" in d.value.columns)
    assert list(log["Action"]) == ["export", "run"] and "Bo" in set(log["Actor"])
    at.selectbox(key="history.audit.action").select("run").run()
    log = next(d.value for d in at.dataframe if "Actor" in d.value.columns)
    assert list(log["Action"]) == ["run"]


def test_a_backup_taken_while_a_batch_writes_is_consistent(demo_dir: Path, tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", demo_dir, 12)
    jobs = JobStore()
    job_id = service.submit(sets, BatchSettings(judges=["offline"], sets_in_flight=2), jobs).job_id
    worker = threading.Thread(target=service.run, args=(job_id, jobs))
    worker.start()
    copies = []
    while worker.is_alive() and len(copies) < 6:
        copies.append(backup(jobs.history, tmp_path / f"b{len(copies)}.sqlite"))
    worker.join()
    copies.append(backup(jobs.history, tmp_path / "final.sqlite"))
    assert len(copies) >= 2
    for info in copies:  # every copy passed integrity and foreign-key checks; now its counts
        db = sqlite3.connect(info.path)
        runs = {r[0] for r in db.execute("SELECT run_id FROM runs")}
        linked = {
            r[0] for r in db.execute("SELECT run_id FROM batch_items WHERE status = 'completed'")
        }
        assert linked == runs  # a completed set's run is there, and no run without its set
        for run_id in runs:
            n = db.execute("SELECT count(*) FROM results WHERE run_id = ?", (run_id,)).fetchone()
            assert n[0] == 4  # all four plans' results: no half-written run
        db.close()
    assert copies[-1].runs == 12
    assert any(c.runs < 12 for c in copies[:-1])  # taken while the batch was running


def test_restore_brings_a_backup_back_and_keeps_the_replaced_history(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path
) -> None:
    assert cli(capsys, *demo(demo_dir))[0] == 0
    code, out, _ = cli(capsys, "history", "backup", str(tmp_path))
    assert code == 0 and "backed up 1 runs" in out
    saved = next(tmp_path.glob("history-*.sqlite"))
    assert cli(capsys, *demo(demo_dir))[0] == 0
    assert HistoryStore().count_runs() == 2
    code, out, _ = cli(capsys, "history", "restore", str(saved))
    assert code == 0 and "restored 1 runs" in out
    assert HistoryStore().count_runs() == 1
    kept = Path(out.rsplit("kept in ", 1)[1].strip())
    assert sqlite3.connect(kept).execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    assert AuditLog().entries()[0].action == "restore"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all" * 100, "not a readable SQLite database"),
        (None, "not an A11y Judge history"),
    ],
)
def test_a_bad_backup_is_refused_and_the_history_untouched(
    capsys: pytest.CaptureFixture[str],
    demo_dir: Path,
    tmp_path: Path,
    content: bytes | None,
    message: str,
) -> None:
    assert cli(capsys, *demo(demo_dir))[0] == 0
    bad = tmp_path / "bad.sqlite"
    if content is None:
        sqlite3.connect(bad).execute("CREATE TABLE other (x)").connection.commit()
    else:
        bad.write_bytes(content)
    with pytest.raises(HistoryError, match=message):
        restore(HistoryStore(), bad)
    code, _, err = cli(capsys, "history", "restore", str(tmp_path / "missing.sqlite"))
    assert code == 2 and "no backup file" in err
    assert HistoryStore().count_runs() == 1
