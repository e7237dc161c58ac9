"""Batches end to end: sets against the loopback fake endpoint, a broken set, SIGKILL and
resume without repeat calls, cancel, a second process watching, Ctrl-C; manifests and ZIPs."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import diskcache
import pikepdf
import pytest
from test_pdf_report import structure_tags  # the run PDF's structure walk

from a11y_judge.batch import service
from a11y_judge.batch.sets import BatchInputError, discover, extract_zip
from a11y_judge.cache import cache_dir
from a11y_judge.history.jobs import JobStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import BatchSettings
from fakes.llm_server import FakeLLMServer, RecordedRequest, Reply, constant_responder

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
PLANS = sorted((DEMO / "plans").glob("*.md"))


def make_sets(root: Path, names: list[str], plans: int = 4) -> Path:
    """One folder per set: audit.md and plans/, each plan's text made unique to its set (so no
    two sets share a cached reply)."""
    for name in names:
        folder = root / name / "plans"
        folder.mkdir(parents=True)
        (root / name / "audit.md").write_text(
            (DEMO / "northwind-audit.md").read_text(encoding="utf-8"), encoding="utf-8"
        )
        for plan in PLANS[:plans]:
            text = plan.read_text(encoding="utf-8") + f"\n\nPrepared for {name}.\n"
            (folder / plan.name).write_text(text, encoding="utf-8")
    return root


class Timed:
    """A responder that notes when each judging request arrived."""

    def __init__(self) -> None:
        self.inner = constant_responder(6.0)
        self.times: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, req: RecordedRequest) -> Reply:
        with self.lock:
            self.times.append(time.monotonic())
        return self.inner(req)  # type: ignore[return-value]


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(Timed(), latency=0.05) as srv:
        yield srv


def spec(server: FakeLLMServer) -> str:
    return f"openai-compatible:batch@{server.openai_base_url}"


def cli(*argv: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "a11y_judge.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "A11Y_JUDGE_HOME": str(env_home)},
    )


def test_a_batch_judges_every_set_and_one_broken_set_fails_alone(
    tmp_path: Path, server: FakeLLMServer
) -> None:
    sets = make_sets(tmp_path / "sets", ["north", "south", "east"])
    (sets / "empty").mkdir()
    (sets / "empty" / "notes.txt").write_text("no audit here", encoding="utf-8")
    (sets / "bad" / "plans").mkdir(parents=True)
    (sets / "bad" / "audit.json").write_text("{not json", encoding="utf-8")
    (sets / "bad" / "plans" / "p.md").write_text("# Plan\n\nFix it.", encoding="utf-8")
    settings = BatchSettings(judges=["offline", spec(server)], concurrency=4)
    job = service.submit(sets, settings)
    assert [i.name for i in job.items] == ["bad", "east", "empty", "north", "south"]
    assert job.items[2].status == "failed" and "no audit" in (job.items[2].error or "")
    done = service.run(job.job_id)
    states = {i.name: i.status for i in done.items}
    assert states == {
        "bad": "failed",
        "east": "completed",
        "empty": "failed",
        "north": "completed",
        "south": "completed",
    }
    assert "the JSON is malformed" in (done.items[0].error or "")
    assert done.status == "completed"
    assert server.count("openai") == 3 * 4  # one request per plan per set, no more
    store = HistoryStore()
    for item in done.items:
        if item.status == "completed":
            run = store.get_run(item.run_id or "")
            assert run.status == "ok" and len(run.results) == 4
            assert (item.judged, item.judgments) == (8, 8)
    job, summary = service.summary(done.job_id)
    assert summary.completed == 3 and [n for n, _ in summary.failed] == ["bad", "empty"]
    assert {p.plan.split("-")[0] for p in summary.plans} >= {"northwind", "overlay"}
    assert all(p.sets == 3 for p in summary.plans)
    assert summary.best == summary.plans[0].plan
    assert summary.kendall_w is not None and 0 <= summary.kendall_w <= 1
    assert summary.agreement.judges == 2 and summary.agreement.items == 3 * 4 * 4


def _running_cli(home: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "a11y_judge.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "A11Y_JUDGE_HOME": str(home)},
    )


def _wait_for(predicate: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_killed_with_sigkill_then_resumed_repeats_no_completed_judgment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(home))
    names = [f"site-{i}" for i in range(6)]
    sets = make_sets(tmp_path / "sets", names)
    unique = len(names) * 4
    with FakeLLMServer(constant_responder(6.0), latency=0.3) as srv:
        judge = f"openai-compatible:batch@{srv.openai_base_url}"
        proc = _running_cli(
            home, "batch", "run", str(sets), "--judge", judge, "--concurrency", "2", "--sets", "2"
        )
        jobs = JobStore()
        _wait_for(lambda: jobs.jobs() and jobs.jobs()[0].count("completed") >= 1)
        job_id = jobs.jobs()[0].job_id
        seen = jobs.job(job_id)  # a second process sees the job's progress
        assert seen.status == "running" and seen.count("running") >= 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        before = srv.count("openai")
        with diskcache.Cache(str(cache_dir()), disk=diskcache.JSONDisk) as cache:
            cached = len(cache)  # every reply that completed before the kill
        assert 0 < cached < unique
        time.sleep(16)  # the dead worker's heartbeat goes stale
        status = json.loads(cli("batch", "status", job_id, "--json", env_home=home).stdout)
        assert status["status"] == "interrupted"
        assert "interrupted" in {s["status"] for s in status["sets"]}
        resumed = cli("batch", "resume", job_id, "--json", env_home=home)
        assert resumed.returncode == 0, resumed.stderr
        after = srv.count("openai") - before
    doc = json.loads(resumed.stdout)
    assert doc["status"] == "completed"
    assert [s["status"] for s in doc["sets"]] == ["completed"] * len(names)
    assert after == unique - cached  # zero repeat calls for what had completed
    assert before - cached <= 2  # at most the two requests in flight at the kill were lost
    store = HistoryStore()
    runs = [store.get_run(s["run_id"]) for s in doc["sets"]]
    assert all(r.status == "ok" and len(r.results) == 4 for r in runs)
    assert len(store.list_runs()) == len(names)  # no set recorded twice


def test_cancel_stops_new_calls_within_a_second_and_the_job_resumes(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", [f"s{i}" for i in range(6)])
    timed = Timed()
    with FakeLLMServer(timed, latency=0.4) as srv:
        settings = BatchSettings(
            judges=[f"openai-compatible:batch@{srv.openai_base_url}"],
            concurrency=2,
            sets_in_flight=2,
        )
        job = service.submit(sets, settings)
        assert service.start_background(job.job_id)
        assert not service.start_background(job.job_id)  # one worker per process
        _wait_for(lambda: len(timed.times) >= 3)
        cancelled_at = time.monotonic()
        service.cancel(job.job_id)
        _wait_for(lambda: not service.in_background(job.job_id), 10)
        late = [t for t in timed.times if t > cancelled_at + 1.0]
        assert late == []
        stopped = JobStore().job(job.job_id)
        assert stopped.status == "cancelled"
        assert stopped.count("completed") < 6 and stopped.count("running") == 0
        assert service.resume(job.job_id) == 6 - stopped.count("completed")
        done = service.run(job.job_id)
    assert done.status == "completed" and done.count("completed") == 6


def test_ctrl_c_on_the_cli_cancels_cleanly_and_the_job_resumes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    sets = make_sets(tmp_path / "sets", [f"s{i}" for i in range(4)])
    with FakeLLMServer(constant_responder(6.0), latency=0.5) as srv:
        judge = f"openai-compatible:batch@{srv.openai_base_url}"
        proc = _running_cli(home, "batch", "run", str(sets), "--judge", judge, "--sets", "1")
        _wait_for(lambda: srv.count("openai") >= 1)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "resume with `a11y-judge batch resume batch-" in err
        listed = json.loads(cli("batch", "status", "--json", env_home=home).stdout)
        assert listed[0]["status"] == "cancelled"
        again = cli("batch", "resume", listed[0]["job_id"], env_home=home)
        assert again.returncode == 0, again.stderr
        assert "completed" in again.stdout


def test_the_cli_writes_the_batch_reports(tmp_path: Path, server: FakeLLMServer) -> None:
    home = tmp_path / "home"
    sets = make_sets(tmp_path / "sets", ["a", "b"], plans=2)
    at_end = tmp_path / "at-end"
    done = cli(
        "batch", "run", str(sets), "--json", "--out", str(at_end), "--format", "md", env_home=home
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [p.name for p in at_end.iterdir()] == [f"{doc['job_id']}.md"]  # batch run --out
    assert set(doc) == {"job_id", "status", "sets", "summary"}
    assert [(s["name"], s["status"]) for s in doc["sets"]] == [
        ("a", "completed"),
        ("b", "completed"),
    ]
    assert doc["summary"]["kendall_w"] == 1.0  # the same plans, ranked alike in both sets
    out = tmp_path / "reports"
    written = cli(
        "batch",
        "status",
        doc["job_id"],
        "--out",
        str(out),
        "--format",
        "json,csv,md,pdf",
        env_home=home,
    )
    assert written.returncode == 0, written.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{doc['job_id']}.{ext}" for ext in ("csv", "json", "md", "pdf")]
    with pikepdf.open(out / f"{doc['job_id']}.pdf") as pdf:  # tagged, like every PDF report
        assert str(pdf.Root.Lang) == "en" and "/StructTreeRoot" in pdf.Root
        kinds = [kind for kind, _alt in structure_tags(pdf)]
    # one H1, an H2 per section (plans across sets, consistency, sets), tables with TH cells
    assert kinds.count("/H1") == 1 and kinds.count("/H2") == 3
    assert kinds.count("/Table") == 2 and "/TH" in kinds and "/TD" in kinds
    assert kinds.index("/H1") < kinds.index("/H2") < kinds.index("/Table")
    csv_text = (out / f"{doc['job_id']}.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith("job_id,set,set_status,run_id,plan,rank,score")
    assert len(csv_text.splitlines()) == 1 + 2 * 2
    md = (out / f"{doc['job_id']}.md").read_text(encoding="utf-8")
    assert "## Plans across sets" in md and "Kendall's W = 1.000 over 2 sets" in md
    missing = cli("batch", "status", "batch-nope", env_home=home)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no batch job")


# --------------------------------------------------------------------------------------------
# Where sets come from
# --------------------------------------------------------------------------------------------


def test_manifests_in_csv_json_and_yaml(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", ["x", "y"], plans=2)
    plans_x = sorted((sets / "x" / "plans").iterdir())
    (tmp_path / "m.csv").write_text(
        "set,audit,plans\n"
        f"x,sets/x/audit.md,{';'.join(f'sets/x/plans/{p.name}' for p in plans_x)}\n"
        "y,sets/y/audit.md,\n",
        encoding="utf-8",
    )
    found = discover(tmp_path / "m.csv")
    assert [(s.name, len(s.plans), s.problem) for s in found] == [
        ("x", 2, None),
        ("y", 0, "the manifest gives no plans"),
    ]
    entries = [
        {"name": "x", "audit": "sets/x/audit.md", "plans": [f"sets/x/plans/{plans_x[0].name}"]}
    ]
    (tmp_path / "m.json").write_text(json.dumps({"sets": entries}), encoding="utf-8")
    (tmp_path / "m.yaml").write_text(
        "- name: x\n  audit: sets/x/audit.md\n  plans: [sets/x/plans/missing.md]\n",
        encoding="utf-8",
    )
    assert discover(tmp_path / "m.json")[0].problem is None
    assert "file not found" in (discover(tmp_path / "m.yaml")[0].problem or "")
    (tmp_path / "bad.csv").write_text("name,notes\nx,y\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="needs set"):
        discover(tmp_path / "bad.csv")
    with pytest.raises(BatchInputError, match="does not exist"):
        discover(tmp_path / "nowhere")


def test_side_by_side_sets_and_a_single_set_folder(tmp_path: Path) -> None:
    side = tmp_path / "side" / "shop"
    side.mkdir(parents=True)
    (side / "shop-audit.md").write_text("# Audit", encoding="utf-8")
    (side / "vendor-a.md").write_text("# Plan A", encoding="utf-8")
    (side / "vendor-b.docx").write_bytes(b"not read here")
    [found] = discover(tmp_path / "side")
    assert found.audit is not None and found.audit.endswith("shop-audit.md")
    assert [Path(p).name for p in found.plans] == ["vendor-a.md", "vendor-b.docx"]
    single = make_sets(tmp_path / "one", ["only"]) / "only"
    assert [s.name for s in discover(single)] == ["only"]


def _zip(entries: dict[str, bytes], link: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = 0o120777 << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("entries", "link", "message"),
    [
        ({"../evil.md": b"x"}, None, "points outside the archive"),
        ({"/abs/evil.md": b"x"}, None, "points outside the archive"),
        ({"sets/a/../../evil.md": b"x"}, None, "points outside the archive"),
        ({"ok.md": b"x"}, "sets/link", "is a link"),
    ],
)
def test_zip_entries_outside_the_archive_are_refused(
    tmp_path: Path, entries: dict[str, bytes], link: str | None, message: str
) -> None:
    dest = tmp_path / "unpacked"
    with pytest.raises(BatchInputError, match=message):
        extract_zip(_zip(entries, link), dest)
    assert not dest.exists()  # nothing written
    with pytest.raises(BatchInputError, match="not a ZIP"):
        extract_zip(b"plain bytes", dest)


def test_a_zip_of_the_folder_of_sets_unpacks_to_its_sets(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", ["a", "b"], plans=1)
    entries = {
        f"batch/{p.relative_to(sets)}": p.read_bytes() for p in sets.rglob("*") if p.is_file()
    }
    root = extract_zip(_zip(entries), tmp_path / "unpacked")
    assert [s.name for s in discover(root)] == ["a", "b"]


def test_two_worker_processes_share_a_job_and_judge_each_set_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(home))
    names = [f"site-{i}" for i in range(8)]
    sets = make_sets(tmp_path / "sets", names, plans=2)
    with FakeLLMServer(constant_responder(6.0), latency=0.2) as srv:
        judge = f"openai-compatible:batch@{srv.openai_base_url}"
        cfg = BatchSettings(judges=[judge], concurrency=2, sets_in_flight=1)
        job = service.submit(sets, cfg)
        workers = [_running_cli(home, "batch", "worker", job.job_id) for _ in range(2)]
        for w in workers:
            _out, err = w.communicate(timeout=90)
            assert w.returncode == 0, err
        calls = srv.count("openai")
    done = JobStore().job(job.job_id)
    assert done.status == "completed" and done.count("completed") == len(names)
    assert calls == len(names) * 2  # no set was judged by both workers
    by_worker = Counter(i.worker for i in done.items)
    assert len(by_worker) == 2 and sum(by_worker.values()) == len(names)
    assert len({r.run_id for r in HistoryStore().list_runs()}) == len(names)
