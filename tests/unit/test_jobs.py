"""The job store: atomic claims under contention, stale workers, job states, requeue."""

from __future__ import annotations

import threading

import pytest

from a11y_judge.history import jobs as jobs_module
from a11y_judge.history.jobs import JobNotFoundError, JobStore, job_status
from a11y_judge.models import BatchSettings


def _job(store: JobStore, n: int, job_id: str = "job-1") -> str:
    sets = [(f"set-{i}", f"/a/{i}.json", [f"/p/{i}.md"], None) for i in range(n)]
    store.create(job_id, "src", BatchSettings(), sets)
    return job_id


def test_concurrent_claims_take_each_set_exactly_once() -> None:
    job_id = _job(JobStore(), 60)
    taken: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        store = JobStore()  # its own connections, as another process would have
        while (item := store.claim(job_id, name)) is not None:
            with lock:
                taken.append(item.position)

    threads = [threading.Thread(target=worker, args=(f"w{k}",)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(taken) == list(range(60))
    assert JobStore().job(job_id).count("running") == 60


def test_a_set_with_a_problem_is_failed_at_once_and_never_claimed() -> None:
    store = JobStore()
    store.create(
        "j", "src", BatchSettings(), [("bad", None, [], "no audit"), ("ok", "a", ["p"], None)]
    )
    job = store.job("j")
    assert [(i.name, i.status, i.error) for i in job.items] == [
        ("bad", "failed", "no audit"),
        ("ok", "queued", None),
    ]
    claimed = store.claim("j", "w")
    assert claimed is not None and claimed.name == "ok"
    assert store.claim("j", "w") is None


def test_a_silent_worker_shows_as_interrupted_and_requeue_takes_its_sets_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = JobStore()
    job_id = _job(store, 3)
    assert store.claim(job_id, "w") is not None
    assert store.job(job_id).status == "running"
    monkeypatch.setattr(jobs_module, "STALE_S", -1.0)  # as if 15 s passed without a heartbeat
    job = store.job(job_id)
    assert job.status == "interrupted" and job.items[0].status == "interrupted"
    assert store.requeue(job_id) == 3
    assert store.job(job_id).count("queued") == 3


def test_cancel_is_recorded_and_stops_claims() -> None:
    store = JobStore()
    job_id = _job(store, 2)
    store.request_cancel(job_id)
    assert store.cancel_requested(job_id)
    assert store.claim(job_id, "w") is None
    assert store.job(job_id).status == "cancelled"


def test_an_unknown_job_is_one_clear_error() -> None:
    with pytest.raises(JobNotFoundError, match="nope"):
        JobStore().job("nope")


@pytest.mark.parametrize(
    ("states", "cancel", "alive", "expected"),
    [
        (["queued", "queued"], False, False, "queued"),
        (["queued", "queued"], False, True, "running"),
        (["completed", "running"], False, True, "running"),
        (["completed", "queued"], False, False, "interrupted"),
        (["completed", "interrupted"], False, False, "interrupted"),
        (["completed", "queued"], True, False, "cancelled"),
        (["completed", "cancelled"], False, False, "cancelled"),
        (["failed", "failed"], False, False, "failed"),
        (["failed", "completed"], False, False, "completed"),
    ],
)
def test_job_status_follows_its_sets(
    states: list[str], cancel: bool, alive: bool, expected: str
) -> None:
    assert job_status(states, cancel, alive) == expected


def test_a_job_no_worker_has_started_is_queued_even_with_a_set_that_failed_at_submission() -> None:
    """A set refused when the job was submitted (no audit) must not make the job read as
    interrupted before its worker starts (the Batch page would offer to resume it)."""
    assert job_status(["queued", "failed"], False, alive=False, heard=False) == "queued"
    assert job_status(["queued", "failed"], False, alive=False, heard=True) == "interrupted"
    store = JobStore()
    sets = [("north", "/a/north.md", ["/p/1.md"], None), ("empty", None, [], "no audit file")]
    store.create("job-refused", "src", BatchSettings(), sets)
    job = store.job("job-refused")
    assert sorted(i.status for i in job.items) == ["failed", "queued"]
    assert job.status == "queued"
    assert store.claim("job-refused", "w1") is not None
    assert store.job("job-refused").status == "running"


def test_rate_counts_completed_sets_only() -> None:
    store = JobStore()
    store.create("r", "src", BatchSettings(), [("a", "x", ["p"], None), ("b", "y", ["p"], None)])
    first = store.claim("r", "w")
    assert first is not None
    store.finish("r", first.position, "failed", "unreadable")
    assert store.job("r").rate_per_minute() is None  # a set that failed at once is no rate
    assert "1/2 sets (1 failed)" in store.job("r").progress_text()
