"""Submitting, running (in the foreground or in the background), cancelling and resuming batch
jobs; what the CLI and the Batch page call."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from a11y_judge.batch.processor import BatchProcessor, SettingsFactory, judge_settings
from a11y_judge.batch.sets import discover
from a11y_judge.batch.summary import BatchSummary, summarize
from a11y_judge.errors import A11yJudgeError, RunNotFoundError
from a11y_judge.history.audit import AuditLog
from a11y_judge.history.jobs import JobStore
from a11y_judge.judges import create_judge
from a11y_judge.models import BatchJob, BatchSettings, Run, utcnow
from a11y_judge.rubric import load_rubric

_BACKGROUND: dict[str, tuple[threading.Thread, BatchProcessor]] = {}
_LOCK = threading.Lock()


def new_job_id() -> str:
    """Time-sortable job id, e.g. 'batch-20261201-120000-3fa9c2'."""
    return f"batch-{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def submit(
    source: str | Path,
    settings: BatchSettings,
    jobs: JobStore | None = None,
    *,
    factory: SettingsFactory = judge_settings,
    label: str | None = None,
) -> BatchJob:
    """Read the sets of a folder or manifest and record a queued job. The judges, rubric and
    weights are checked first, so a typo is one clear error before anything is recorded."""
    jobs = jobs or JobStore()
    rubric = load_rubric(settings.rubric)
    if settings.weights:
        rubric.with_weights(settings.weights)
    if not settings.judges:
        raise A11yJudgeError("no judges selected", hint="Use the offline judge at least")
    check = factory(settings)
    try:
        for spec in settings.judges:
            create_judge(spec, check)
    finally:
        check.close()
    sets = discover(source)
    job_id = new_job_id()
    jobs.create(
        job_id,
        label or str(source),
        settings,
        [(s.name, s.audit, s.plans, s.problem) for s in sets],
    )
    AuditLog(jobs.history).record(
        "batch",
        job_id,
        f"submitted {len(sets)} sets from {label or source}, judges " + ", ".join(settings.judges),
    )
    return jobs.job(job_id)


def run(
    job_id: str,
    jobs: JobStore | None = None,
    *,
    factory: SettingsFactory = judge_settings,
    on_change: Callable[[BatchJob], None] | None = None,
) -> BatchJob:
    """Work on a job in this thread until it is done or cancelled (Ctrl-C cancels it)."""
    return BatchProcessor(jobs or JobStore(), job_id, settings=factory, on_change=on_change).run()


def start_background(
    job_id: str, jobs: JobStore | None = None, *, factory: SettingsFactory = judge_settings
) -> bool:
    """Work on a job in a background thread of this process (it outlives the browser tab
    that started it); False if this process already works on it."""
    jobs = jobs or JobStore()
    with _LOCK:
        current = _BACKGROUND.get(job_id)
        if current is not None and current[0].is_alive():
            return False
        processor = BatchProcessor(jobs, job_id, settings=factory)
        thread = threading.Thread(
            target=_background, args=(processor,), name=f"batch-{job_id}", daemon=True
        )
        _BACKGROUND[job_id] = (thread, processor)
        thread.start()
        return True


def _background(processor: BatchProcessor) -> None:
    try:
        processor.run()
    except A11yJudgeError as exc:  # e.g. a key missing by now: every queued set says so
        for item in processor.jobs.job(processor.job_id).items:
            if item.status == "queued":
                processor.jobs.finish(item.job_id, item.position, "failed", str(exc))


def in_background(job_id: str) -> bool:
    """Whether this process works on the job right now."""
    with _LOCK:
        current = _BACKGROUND.get(job_id)
        return current is not None and current[0].is_alive()


def cancel(job_id: str, jobs: JobStore | None = None) -> BatchJob:
    """Cancel a job wherever it runs: this process at once, other processes within a second."""
    jobs = jobs or JobStore()
    job = jobs.request_cancel(job_id)
    AuditLog(jobs.history).record("batch", job_id, "cancel requested")
    with _LOCK:
        current = _BACKGROUND.get(job_id)
    if current is not None:
        current[1].cancel()
    return job


def resume(job_id: str, jobs: JobStore | None = None) -> int:
    """Queue every set of the job that is not completed again; returns how many."""
    jobs = jobs or JobStore()
    count = jobs.requeue(job_id)
    AuditLog(jobs.history).record("batch", job_id, f"resumed: {count} sets queued again")
    return count


def results(job_id: str, jobs: JobStore | None = None) -> tuple[BatchJob, dict[str, Run]]:
    """A job and the runs of its completed sets (a run deleted from history is left out)."""
    jobs = jobs or JobStore()
    job = jobs.job(job_id)
    runs: dict[str, Run] = {}
    for item in job.items:
        if item.run_id:
            try:
                runs[item.run_id] = jobs.history.get_run(item.run_id)
            except RunNotFoundError:
                continue  # deleted from history since; the summary counts what is left
    return job, runs


def summary(job_id: str, jobs: JobStore | None = None) -> tuple[BatchJob, BatchSummary]:
    """A job and its summary."""
    job, runs = results(job_id, jobs)
    return job, summarize(job, runs)
