"""Running a batch job: claim sets, judge them, record each run, until none is left.

Several sets are in flight at once; they share one set of provider gates, so the per-provider
concurrency and rate limits hold across the whole job, and the offline judge's work goes to the
process pool on every core. With LLM judges a new set starts whenever fewer than three rounds
of requests (three times the concurrency, the round in flight included) are still owed, so the
providers never wait for the next set to be read (up to `sets_in_flight` sets at once). Each
finished set is recorded in history together with its completion, in one transaction. Every
valid reply is in the reply cache the moment it arrives, so a set cut short (cancel, crash,
`kill -9`) costs no provider call when it is judged again. Cancel — from this process or any
other (`batch cancel`) — is seen within half a second: waits end, no new call starts, and the
set in flight is recorded as cancelled.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from a11y_judge.actor import set_actor
from a11y_judge.consensus.combine import Reliability
from a11y_judge.consensus.review import refresh_reliability, reliability_weights
from a11y_judge.engine import evaluate
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.jobs import JobStore
from a11y_judge.history.metrics import MetricsStore
from a11y_judge.ingest import read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.base import Judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import (
    AuditReport,
    BatchItem,
    BatchJob,
    BatchSettings,
    Judgment,
    Plan,
    ResourceUsage,
    Rubric,
)
from a11y_judge.monitoring.sampler import ResourceSampler
from a11y_judge.parallel import usable_cores
from a11y_judge.rubric import load_rubric

#: Seconds between heartbeats (which also write the running sets' judgment counts, so no
#: judging thread waits on the database, and look at the cancel flag).
BEAT_S = 0.5
#: With LLM judges, a set starts while fewer than this many rounds of requests (concurrency
#: each, the round in flight included) are still owed: replies come back in bursts of a whole
#: round, and the round after must be queued by then.
ROUNDS_AHEAD = 3
#: How often the claiming loop looks whether another set should start.
LOOK_S = 0.05

SettingsFactory = Callable[[BatchSettings], JudgeSettings]


def judge_settings(cfg: BatchSettings) -> JudgeSettings:
    """Judge settings for a job from its stored settings (keys from the environment)."""
    from a11y_judge.resilience import RetryPolicy

    return JudgeSettings(
        concurrency=cfg.concurrency,
        rpm=cfg.rpm,
        timeout=cfg.timeout,
        retry=RetryPolicy(max_retries=cfg.retries),
        samples=cfg.samples,
        use_cache=cfg.use_cache,
        redact_pii=cfg.redact_pii,
    )


def worker_id() -> str:
    """host:pid:random, naming this worker in the job's sets."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class BatchProcessor:
    """Works on one job until no queued set is left, or the job is cancelled.

    Subclasses (an A/B experiment's runs, experiments/runner.py) change what a set is judged
    with through the hooks `_build_judges`, `_jury`, `_inputs` and `_record_usage`."""

    #: The audit log's actor for the set threads: "batch:<job id>".
    actor = "batch"
    #: Whether a job judged by several judges learns their reliability again at the end.
    learns_reliability = True

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        *,
        settings: SettingsFactory = judge_settings,
        on_change: Callable[[BatchJob], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.job_id = job_id
        self.worker = worker_id()
        self._settings = settings
        self._on_change = on_change
        self.stop = threading.Event()
        self._judges: list[Judge] = []
        self._owed: dict[int, int] = {}  # set position -> LLM requests it has yet to make
        self._owed_lock = threading.Lock()
        self._counts: dict[int, tuple[int, int]] = {}  # set position -> (judged, judgments)
        self._reliability: Reliability = {}
        self._interrupted = False
        self._claimed = 0

    def cancel(self, reason: str = "the batch was cancelled") -> None:
        """Stop claiming sets and end every wait of the sets in flight."""
        self.stop.set()
        for judge in self._judges:
            halt = getattr(judge, "cancel", None)
            if halt is not None:
                halt(reason)

    def run(self) -> BatchJob:
        """Judge the job's queued sets; returns the job as it stands at the end."""
        cfg = self.jobs.job(self.job_id).settings
        rubric = load_rubric(cfg.rubric)
        if cfg.weights:
            rubric = rubric.with_weights(cfg.weights)
        settings = self._settings(cfg)
        store = self.jobs.history
        # every set of this run uses the reliability learnt before it, so a set's consensus
        # does not depend on which other sets happened to finish first; learnt again at the end
        self._reliability = reliability_weights(store)
        completed = self.jobs.job(self.job_id).count("completed")
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_sigint) if in_main else None
        try:
            self._judges = self._build_judges(cfg, settings)
            for judge in self._judges:  # SDK clients built once, before the sets need them
                connect = getattr(judge, "connect", None)
                if connect is not None:
                    connect()
            with ResourceSampler(queue=self._queued) as sampler:
                self._loop(cfg, rubric)
            self._record_usage(sampler.stop())
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            settings.close()
            self._close()
            done = self.jobs.job(self.job_id)
            learnt = self.learns_reliability and len(self._judges) > 1
            if learnt and done.count("completed") > completed:
                refresh_reliability(store)
        if self._interrupted:
            raise KeyboardInterrupt  # the job is cancelled and resumable; the CLI exits 130
        return done

    # -- hooks ---------------------------------------------------------------------------
    def _build_judges(self, cfg: BatchSettings, settings: JudgeSettings) -> list[Judge]:
        """Every judge the job uses (cancelled together; their gates pace new sets)."""
        return [create_judge(spec, settings) for spec in cfg.judges]

    def _jury(self, item: BatchItem, rubric: Rubric) -> tuple[list[Judge], Rubric]:
        """The judges and rubric of one set (a batch: the job's, for every set)."""
        return self._judges, rubric

    def _inputs(self, item: BatchItem) -> tuple[AuditReport, list[Plan]]:
        """One set's audit and plans, read from its files."""
        if item.audit is None:
            raise A11yJudgeError(f"set {item.name} has no audit")
        return read_audit(item.audit), read_plans((p, None) for p in item.plans)

    def _record_usage(self, used: ResourceUsage) -> None:
        """The job's CPU, memory and queue figures, for the Performance page."""
        MetricsStore(self.jobs.history).save_job(self.job_id, self._claimed, used)

    def _close(self) -> None:
        """Release what `_build_judges` opened beyond the job's settings."""

    def _queued(self) -> int:
        """LLM requests the sets in flight still owe (the batch's queue)."""
        with self._owed_lock:
            return sum(self._owed.values())

    def _on_sigint(self, signum: int, frame: object) -> None:
        """Ctrl-C: the claiming loop cancels the job cleanly (a handler that raised could
        interrupt a thread primitive half-way); a second Ctrl-C stops at once."""
        if self._interrupted:
            raise KeyboardInterrupt
        self._interrupted = True
        self.stop.set()

    def _loop(self, cfg: BatchSettings, rubric: Rubric) -> None:
        beating = threading.Thread(target=self._beat, name=f"batch-{self.job_id}", daemon=True)
        beating.start()
        try:
            with ThreadPoolExecutor(max_workers=cfg.sets_in_flight) as pool:
                running: set[Future[None]] = set()
                cancelled = drained = False
                while True:
                    if self._interrupted and not cancelled:  # Ctrl-C: keep what is done
                        cancelled = True
                        self.jobs.request_cancel(self.job_id)
                        self.cancel("cancelled by the user")
                    while not drained and self._room(cfg, len(running)) and not self.stop.is_set():
                        item = self.jobs.claim(self.job_id, self.worker)
                        if item is None:  # none queued: none will be (a resume runs its own)
                            drained = True
                            break
                        with self._owed_lock:
                            self._owed[item.position] = len(item.plans) * self._llm_judges(
                                self._jury(item, rubric)[0]
                            )
                        running.add(pool.submit(self._set, item, rubric))
                        self._claimed += 1
                    if not running:
                        break
                    done, running = wait(running, LOOK_S, return_when=FIRST_COMPLETED)
                    if done:
                        self._changed()
        finally:
            self.stop.set()
            beating.join(timeout=5)
            self._changed()

    @staticmethod
    def _llm_judges(judges: list[Judge]) -> int:
        return sum(1 for j in judges if getattr(j, "gate", None) is not None)

    def _room(self, cfg: BatchSettings, running: int) -> bool:
        """Whether to start another set: under the cap, and (with LLM judges) while fewer
        than ROUNDS_AHEAD rounds of requests are still owed."""
        if running >= cfg.sets_in_flight:
            return False
        gates = {id(g): g for j in self._judges if (g := getattr(j, "gate", None)) is not None}
        if not gates:
            return True
        with self._owed_lock:
            owed = sum(self._owed.values())
        return owed < ROUNDS_AHEAD * sum(int(g.limit.current) for g in gates.values())

    def _beat(self) -> None:
        while not self.stop.wait(BEAT_S):
            with self._owed_lock:
                counts, self._counts = self._counts, {}
            self.jobs.heartbeat(self.job_id, self.worker, counts)
            if self.jobs.cancel_requested(self.job_id):
                self.cancel()
            self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.jobs.job(self.job_id))

    def _set(self, item: BatchItem, rubric: Rubric) -> None:
        """Judge one set and record its run; any failure fails this set only."""
        set_actor(f"{self.actor}:{self.job_id}")  # the audit log names the job (a pool thread)
        try:
            self._judge_set(item, rubric)
        except A11yJudgeError as exc:
            self._finish(item, "failed", str(exc))
        except Exception as exc:  # a bug must not stop the other sets
            self._finish(item, "failed", f"unexpected {type(exc).__name__}: {exc}")
        finally:
            with self._owed_lock:
                self._owed.pop(item.position, None)
                self._counts.pop(item.position, None)

    def _finish(self, item: BatchItem, status: str, error: str) -> None:
        with self._owed_lock:
            counts = self._counts.get(item.position)
        self.jobs.finish(item.job_id, item.position, status, error, counts)

    def _judge_set(self, item: BatchItem, rubric: Rubric) -> None:
        audit, plans = self._inputs(item)
        judges, rubric = self._jury(item, rubric)

        def progress(done: int, total: int, judgment: Judgment) -> None:
            with self._owed_lock:  # written by the heartbeat: judging threads never wait on SQL
                self._counts[item.position] = (done, total)
                if judgment.provider not in ("", "offline"):
                    self._owed[item.position] = max(0, self._owed.get(item.position, 0) - 1)

        run = evaluate(
            audit,
            plans,
            judges,
            rubric,
            progress=progress,
            reliability=self._reliability,
            pool_from=1 if usable_cores() > 1 else 10**9,
        )
        if self.stop.is_set():  # cancelled mid-set: its finished replies stay in the cache
            self._finish(item, "cancelled", "the batch was cancelled")
            return
        self.jobs.complete(item.job_id, item.position, run)
