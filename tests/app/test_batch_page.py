"""The Batch page through AppTest: no jobs, a folder submitted from the page and judged in the
server's background, the summary and a set's run, a bad path, and cancel from the page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from apptest import frame, no_exception, on, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.batch import service
from a11y_judge.history.jobs import JobStore
from a11y_judge.models import BatchSettings
from fakes.llm_server import FakeLLMServer, constant_responder

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
BATCH = "views/batch.py"
DEMO = REPO / "data" / "demo"

pytestmark = pytest.mark.timeout(120)


def make_sets(root: Path, names: list[str]) -> Path:
    for name in names:
        (root / name / "plans").mkdir(parents=True)
        (root / name / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for plan in sorted((DEMO / "plans").glob("*.md"))[:3]:
            (root / name / "plans" / plan.name).write_bytes(plan.read_bytes())
    return root


def on_batch() -> AppTest:
    return on(BATCH)


def wait_done(job_id: str) -> None:
    deadline = time.monotonic() + 60
    while JobStore().job(job_id).status in ("queued", "running"):
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.1)


def test_without_jobs_the_page_offers_a_new_batch() -> None:
    at = on_batch()
    no_exception(at)
    assert "No batch yet" in texts(at.info)
    start = next(b for b in at.button if b.label == "Start batch")
    assert start.disabled  # nothing chosen yet
    assert "a ZIP or a path" in texts(at.caption)


def test_a_folder_submitted_from_the_page_runs_in_the_background(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", ["north", "south"])
    (sets / "empty").mkdir()
    at = on_batch()
    at.radio(key="batch.how").set_value("A folder or manifest on the server").run()
    at.text_input(key="batch.path").set_value(str(sets)).run()
    next(b for b in at.button if b.label == "Start batch").click().run()
    no_exception(at)
    assert "Started batch" in texts(at.success)
    job = JobStore().jobs()[0]
    assert job.total == 3 and job.settings.judges == ["offline"]
    wait_done(job.job_id)
    at = on_batch()
    no_exception(at)
    jobs = frame(at, "Sets done")
    assert list(jobs["Status"]) == ["Completed"] and list(jobs["Sets done"]) == ["3/3"]
    sets_table = frame(at, "Judgments")
    assert dict(zip(sets_table["Set"], sets_table["Status"], strict=True)) == {
        "empty": "Failed",
        "north": "Completed",
        "south": "Completed",
    }
    plans = frame(at, "Mean")
    assert len(plans) == 3 and set(plans["Sets"]) == {2}
    shown = texts(at.markdown)
    assert f"highest mean weighted score): **{plans['Plan'].iloc[0]}**" in shown
    assert "Kendall's W" in shown and "**empty**" in shown
    assert "Undefined: one judge" in texts(at.caption)
    labels = {b.label for b in at.get("download_button")}
    assert {"Summary (JSON)", "Scores (CSV)", "Summary (Markdown)"} <= labels
    # the only failure is a folder without an audit: nothing to resume or retry
    assert not any(b.label.startswith(("Retry", "Resume")) for b in at.button)
    # the set's run opens in the results view
    assert "Open a set's run" in texts(at.subheader)
    assert "Ranking" in texts(at.header) or "Ranking" in texts(at.subheader)


def test_a_path_that_does_not_exist_is_one_clear_error_and_records_nothing(
    tmp_path: Path,
) -> None:
    at = on_batch()
    at.radio(key="batch.how").set_value("A folder or manifest on the server").run()
    at.text_input(key="batch.path").set_value(str(tmp_path / "missing")).run()
    next(b for b in at.button if b.label == "Start batch").click().run()
    no_exception(at)
    assert "does not exist" in texts(at.error)
    assert JobStore().jobs() == []


def test_a_running_batch_is_cancelled_from_the_page(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets", [f"site-{i}" for i in range(6)])
    with FakeLLMServer(constant_responder(6.0), latency=0.5) as srv:
        judge = f"openai-compatible:slow@{srv.openai_base_url}"
        cfg = BatchSettings(judges=[judge], concurrency=1, sets_in_flight=1, use_cache=False)
        job = service.submit(sets, cfg)
        assert service.start_background(job.job_id)
        deadline = time.monotonic() + 30
        while JobStore().job(job.job_id).count("running") == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        at = on_batch()
        no_exception(at)
        next(b for b in at.button if b.label == "Cancel batch").click().run()
        no_exception(at)
        assert "finished sets are kept" in texts(at.success)
        deadline = time.monotonic() + 5
        while service.in_background(job.job_id):
            assert time.monotonic() < deadline, "the background worker did not stop"
            time.sleep(0.05)
    done = JobStore().job(job.job_id)
    assert done.status == "cancelled" and done.count("completed") < 6
    at = on_batch()
    assert any(b.label.startswith("Resume (") for b in at.button)
