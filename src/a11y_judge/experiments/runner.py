"""Running an experiment: every variant, K times, on every set's plans — through the batch
processor (batch/processor.py) and the reply cache, each run recorded in history.

The (variant, repeat, set) runs are the sets of a job the batch processor works on: several at
once, the offline judge in the process pool on every core, LLM judges paced by one gate per
provider endpoint shared by every variant and repeat (so `--concurrency`, rate limits, retries,
the circuit breaker and adaptive concurrency hold across the whole experiment, and a new run
starts while fewer than three rounds of requests are owed), cancel within half a second. The job
lives in memory, not in the batch tables: it is not on the Batch page (whose resume would judge
it with one jury) and is not resumable; a re-run costs nothing for what had finished, since every
reply is in the cache the moment it arrives. A run that fails is left out, with its reason.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from a11y_judge.batch.processor import BatchProcessor
from a11y_judge.batch.sets import SetSource, discover
from a11y_judge.errors import A11yJudgeError
from a11y_judge.experiments.variants import Variant, check_names
from a11y_judge.history.jobs import JobStore, job_status
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import read_audit, read_plans
from a11y_judge.judges.base import Judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import (
    AuditReport,
    BatchItem,
    BatchJob,
    BatchSettings,
    Plan,
    ResourceUsage,
    Rubric,
    Run,
    utcnow,
)

Progress = Callable[[int, int, str], None]  # (done, total, what just finished)
Key = tuple[str, int, str]  # (variant, repeat, set)


@dataclass
class ExperimentData:
    """Every run of an experiment, by (variant, repeat, set)."""

    experiment_id: str
    variants: list[Variant]
    repeats: int
    sets: list[str]
    runs: dict[tuple[str, int, str], Run] = field(default_factory=dict)
    failed_sets: list[tuple[str, str]] = field(default_factory=list)


def new_experiment_id() -> str:
    return f"ab-{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def item_sets(path: str | Path) -> list[SetSource]:
    """The sets of a set folder, a folder of sets or a manifest; unusable sets are dropped
    with their reason (reported), and no usable set is one clear error."""
    sets = discover(path)
    if not any(s.problem is None for s in sets):
        reasons = "; ".join(f"{s.name}: {s.problem}" for s in sets)
        raise A11yJudgeError(f"no usable set in {path} ({reasons})", hint="Give a set folder")
    return sets


class _Jobs(JobStore):
    """The experiment's job, in memory: the processor's claim, heartbeat and finish calls, with
    each completed run saved in history (the batch tables are not touched)."""

    def __init__(self, history: HistoryStore, job_id: str, items: list[BatchItem]) -> None:
        super().__init__(history)
        self.job_id = job_id
        self.items = items
        self.runs: dict[int, Run] = {}
        self.created = utcnow()
        self.settings = BatchSettings()
        self._cancel = False
        self._lock = threading.Lock()

    def job(self, job_id: str) -> BatchJob:
        with self._lock:
            items = [i.model_copy() for i in self.items]
            cancel = self._cancel
        return BatchJob(
            job_id=self.job_id,
            created_at=self.created,
            source="experiment",
            settings=self.settings,
            status=job_status([i.status for i in items], cancel, alive=True),
            cancel_requested=cancel,
            items=items,
        )

    def claim(self, job_id: str, worker: str) -> BatchItem | None:
        with self._lock:
            if self._cancel:
                return None
            for item in self.items:
                if item.status == "queued":
                    item.status, item.worker, item.started_at = "running", worker, utcnow()
                    return item.model_copy()
        return None

    def heartbeat(
        self, job_id: str, worker: str, counts: Mapping[int, tuple[int, int]] | None = None
    ) -> None:
        with self._lock:
            for position, (judged, judgments) in (counts or {}).items():
                if self.items[position].status == "running":
                    self.items[position].judged = judged
                    self.items[position].judgments = judgments

    def finish(
        self,
        job_id: str,
        position: int,
        status: str,
        error: str | None,
        counts: tuple[int, int] | None = None,
    ) -> None:
        with self._lock:
            item = self.items[position]
            item.status = "cancelled" if status == "cancelled" else "failed"
            item.error, item.finished_at = error, utcnow()

    def complete(self, job_id: str, position: int, run: Run) -> None:
        self.history.save_run(run)
        with self._lock:
            item = self.items[position]
            item.status, item.run_id, item.error, item.finished_at = (
                "completed",
                run.run_id,
                None,
                utcnow(),
            )
            item.judged = item.judgments = len(run.judgments)
            self.runs[position] = run

    def request_cancel(self, job_id: str) -> BatchJob:
        with self._lock:
            self._cancel = True
            for item in self.items:
                if item.status == "queued":
                    item.status, item.finished_at = "cancelled", utcnow()
        return self.job(job_id)

    def cancel_requested(self, job_id: str) -> bool:
        with self._lock:
            return self._cancel


class _Processor(BatchProcessor):
    """The batch processor, each run judged by its variant's judges (built for its repeat)
    and rubric, with inputs read once per set."""

    actor = "experiment"
    learns_reliability = False  # one judge a run: nothing to learn

    def __init__(
        self,
        jobs: _Jobs,
        keys: list[Key],
        variants: list[Variant],
        inputs: dict[str, tuple[AuditReport, list[Plan]]],
        base: Callable[[], JudgeSettings],
        on_change: Callable[[BatchJob], None] | None,
    ) -> None:
        super().__init__(jobs, jobs.job_id, settings=lambda _cfg: base(), on_change=on_change)
        self.keys = keys
        self.variants = {v.name: v for v in variants}
        self.inputs = inputs
        self.juries: dict[tuple[str, int], tuple[list[Judge], Rubric]] = {}
        self.opened: list[JudgeSettings] = []

    def _build_judges(self, cfg: BatchSettings, settings: JudgeSettings) -> list[Judge]:
        """Each variant's judges for each repeat, with its own settings (temperature,
        samples, the repeat in the cache key) but the job's gates: one per endpoint."""
        for name, k in dict.fromkeys((v, k) for v, k, _s in self.keys):
            variant = self.variants[name]
            mine = variant.settings(settings)
            mine.repeat = k
            mine._gates, mine._lock = settings._gates, settings._lock  # shared pacing
            self.opened.append(mine)
            self.juries[(name, k)] = (variant.judges(mine), variant.rubric_for())
        return [j for judges, _r in self.juries.values() for j in judges]

    def _jury(self, item: BatchItem, rubric: Rubric) -> tuple[list[Judge], Rubric]:
        name, k, _set = self.keys[item.position]
        return self.juries[(name, k)]

    def _inputs(self, item: BatchItem) -> tuple[AuditReport, list[Plan]]:
        return self.inputs[self.keys[item.position][2]]

    def _record_usage(self, used: ResourceUsage) -> None:
        """Not a batch job: nothing for the Performance page's jobs table."""

    def _close(self) -> None:
        for settings in self.opened:
            settings.close()


def run_experiment(
    variants: list[Variant],
    sets: list[SetSource],
    repeats: int = 1,
    *,
    base: Callable[[], JudgeSettings] = JudgeSettings,
    store: HistoryStore | None = None,
    progress: Progress | None = None,
    sets_in_flight: int = 16,
) -> ExperimentData:
    """Judge every set with every variant `repeats` times, through the batch processor; each
    run saved in history. Progress is reported from the calling thread only (a Streamlit
    page can draw it), each time a run finishes. Ctrl-C (in the main thread) cancels: the
    runs done so far stay in history and their replies in the cache, and KeyboardInterrupt
    propagates."""
    check_names(variants)
    if repeats < 1:
        raise A11yJudgeError("repeats must be 1 or more", hint="--repeats 1")
    store = store or HistoryStore()
    failed = [(s.name, s.problem) for s in sets if s.problem is not None]
    inputs: dict[str, tuple[AuditReport, list[Plan]]] = {}
    paths: dict[str, SetSource] = {}
    for s in sets:
        if s.problem is not None or s.audit is None:
            continue
        try:  # a set whose audit or plans cannot be read is left out, with its reason
            inputs[s.name] = (read_audit(s.audit), read_plans((p, None) for p in s.plans))
            paths[s.name] = s
        except A11yJudgeError as exc:
            failed.append((s.name, str(exc)))
    if not inputs:
        reasons = "; ".join(f"{n}: {why}" for n, why in failed)
        raise A11yJudgeError(f"no set could be read ({reasons})", hint="Check the items")
    data = ExperimentData(new_experiment_id(), variants, repeats, list(inputs))
    keys: list[Key] = [(v.name, k, s) for v in variants for k in range(repeats) for s in inputs]
    jobs = _Jobs(
        store,
        data.experiment_id,
        [
            BatchItem(
                job_id=data.experiment_id,
                position=i,
                name=f"{v} #{k + 1} on {s}",
                audit=paths[s].audit,
                plans=paths[s].plans,
            )
            for i, (v, k, s) in enumerate(keys)
        ],
    )
    jobs.settings = BatchSettings(
        judges=list(dict.fromkeys(v.judge for v in variants)), sets_in_flight=sets_in_flight
    )
    caller = threading.get_ident()
    seen: set[int] = set()

    def changed(job: BatchJob) -> None:
        if progress is None or threading.get_ident() != caller:
            return  # the heartbeat's thread: drawing belongs to the caller's
        for item in job.items:
            if item.status in ("completed", "failed") and item.position not in seen:
                seen.add(item.position)
                progress(len(seen), len(keys), item.name)

    _Processor(jobs, keys, variants, inputs, base, changed).run()
    for position, key in enumerate(keys):
        run = jobs.runs.get(position)
        if run is not None:
            data.runs[key] = run
        else:
            item = jobs.items[position]
            failed.append((item.name, item.error or item.status))
    data.failed_sets = failed
    return data
