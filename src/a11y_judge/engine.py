"""Orchestration: every judge scores every plan on its own; the jury's scores are combined."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from a11y_judge.consensus.combine import Reliability, verdict
from a11y_judge.errors import A11yJudgeError
from a11y_judge.judges.base import Judge
from a11y_judge.models import (
    AuditReport,
    InjectionFinding,
    JudgeInfo,
    Judgment,
    Plan,
    RedactionReport,
    Rubric,
    Run,
    RunStats,
    RunStatus,
    utcnow,
)
from a11y_judge.monitoring import exporter
from a11y_judge.monitoring.sampler import ResourceSampler
from a11y_judge.parallel import discard_pool, process_pool, start_pool, usable_cores
from a11y_judge.safety import redaction_report, scan_documents, scan_plans

#: Called after each judgment: (done, total, judgment).
Progress = Callable[[int, int, Judgment], None]
#: Called when what the run waits for changes: "waiting for <endpoint>: open since …", or "".
Notice = Callable[[str], None]
#: Seconds between looks at the judges' endpoints while waiting for judgments.
NOTICE_POLL_S = 0.5

#: Fewer plans than this are judged in this process: starting workers would cost more.
PROCESS_POOL_MIN_PLANS = 12


class RunCancelledError(A11yJudgeError):
    """The user stopped the run (Ctrl-C); `run` holds what was judged before that."""

    def __init__(self, run: Run) -> None:
        super().__init__(
            "the run was cancelled",
            hint=f"The {sum(j.status == 'ok' for j in run.judgments)} finished judgments are "
            "kept in the run",
        )
        self.run = run


def new_run_id() -> str:
    """Time-sortable run id, e.g. '20261121-142233-3fa9c2'."""
    return f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


class _Tasks:
    """Every (judge, plan) pair of a run, plan by plan. A plan is fetched only when a pair of
    it is: given a lazily read sequence (ingest.PlanFiles), the run judges its first plans
    while it reads the others."""

    def __init__(self, judges: Sequence[Judge], plans: Sequence[Plan]) -> None:
        self.judges, self.plans = judges, plans

    def __len__(self) -> int:
        return len(self.judges) * len(self.plans)

    def __getitem__(self, i: int) -> tuple[Judge, Plan]:
        return self.judge(i), self.plans[i // len(self.judges)]

    def judge(self, i: int) -> Judge:
        return self.judges[i % len(self.judges)]


def _judge_one(judge: Judge, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
    """Run one judge on one plan; a failure becomes a recorded failed judgment, never a 0."""
    start = time.perf_counter()
    try:
        judgment = judge.judge(audit, plan, rubric)
    except A11yJudgeError as exc:
        judgment = Judgment(
            judge_id=judge.id,
            plan_name=plan.name,
            status="failed",
            error=str(exc),
            provider=judge.provider,
            model=judge.model,
        )
    except Exception as exc:  # a judge bug must not lose the other judges' work
        judgment = Judgment(
            judge_id=judge.id,
            plan_name=plan.name,
            status="failed",
            error=f"{type(exc).__name__}: {exc}",
            provider=judge.provider,
            model=judge.model,
        )
    if not judgment.latency_ms:
        judgment.latency_ms = (time.perf_counter() - start) * 1000
    return judgment


#: A share of the work done: its judgments, and the injection scans of its plans when a worker
#: process judged them (the scan the run reports, made where the judge already read the text).
Chunk = tuple[list[Judgment], dict[tuple[str, str], list[InjectionFinding]]]


def _judge_chunk(judge: Judge, audit: AuditReport, plans: list[Plan], rubric: Rubric) -> Chunk:
    """One thread's share: a plan by one judge."""
    return [_judge_one(judge, audit, p, rubric) for p in plans], {}


def _pooled_chunk(judge: Judge, audit: AuditReport, plans: list[Plan], rubric: Rubric) -> Chunk:
    """A worker process's share: several plans by one CPU-bound judge, and their scans."""
    return [_judge_one(judge, audit, p, rubric) for p in plans], scan_plans(plans)


def _pool_workers(n_plans: int, processes: int | None, pool_from: int) -> int:
    """How many worker processes a run of n_plans plans sends its CPU-bound judges to (0: it
    keeps them in this process)."""
    workers = usable_cores() if processes is None else processes
    return workers if workers > 1 and n_plans >= pool_from else 0


def prepare(
    n_plans: int,
    judges: Sequence[Judge],
    *,
    processes: int | None = None,
    pool_from: int = PROCESS_POOL_MIN_PLANS,
) -> threading.Thread | None:
    """Start, in the background, the worker processes that `evaluate` will use for n_plans
    plans by these judges, so that they start while the caller reads the audit and the plans;
    the thread starting them, or None when the run will use none."""
    workers = _pool_workers(n_plans, processes, pool_from)
    if workers and any(getattr(j, "cpu_bound", False) for j in judges):
        return start_pool(workers)
    return None


def evaluate(
    audit: AuditReport,
    plans: Sequence[Plan],
    judges: Sequence[Judge],
    rubric: Rubric,
    *,
    progress: Progress | None = None,
    notice: Notice | None = None,
    max_workers: int | None = None,
    processes: int | None = None,
    reliability: Reliability | None = None,
    pool_from: int = PROCESS_POOL_MIN_PLANS,
) -> Run:
    """Judge every plan with every judge (each plan on its own), reconcile them and rank.

    CPU-bound judges (the offline judge) run in a pool of `processes` worker processes (default:
    every usable core) once there are `pool_from` plans (a batch, judging several small sets at
    once, sends them from the first); 1 keeps them in this process. Other judges run in
    threads: `max_workers` defaults to their combined concurrency (LLM judges wait on the
    network; each provider's own limit is enforced by its gate).
    The jury's scores are combined by the consensus engine (consensus/combine.py), weighting
    judges by `reliability` (judge id -> (value, cases); learned from history by the caller).
    `notice` hears, from this thread, when judgments start or stop waiting for an endpoint.
    Ctrl-C (KeyboardInterrupt) cancels: waiting judgments fail as cancelled and
    RunCancelledError carries the run with everything finished before.
    """
    if not plans:
        raise A11yJudgeError("no plans to evaluate", hint="Add at least one remediation plan")
    if not judges:
        raise A11yJudgeError("no judges selected", hint="Use the offline judge at least")
    ids = [j.id for j in judges]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise A11yJudgeError(
            f"judge {', '.join(twice)} is listed twice", hint="List each judge once"
        )
    start = time.perf_counter()
    with ResourceSampler() as sampler:  # CPU and memory while the run works
        tasks = _Tasks(judges, plans)
        workers = _pool_workers(len(plans), processes, pool_from)
        cpu_bound = [getattr(tasks.judge(i), "cpu_bound", False) for i in range(len(tasks))]
        pooled = {i for i, cpu in enumerate(cpu_bound) if workers and cpu}
        threaded = [i for i in range(len(tasks)) if i not in pooled]
        if max_workers is None:
            max_workers = _pool_size([tasks.judge(i) for i in threaded] or judges)
        by_task: dict[int, Judgment] = {}
        cancelled = ""
        threads = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(tasks), 64)))
        futures: dict[Future[Chunk], list[int]] = {}
        scanned: dict[tuple[str, str], list[InjectionFinding]] = {}
        try:
            try:
                for chunk in _chunks(sorted(pooled), tasks, workers):
                    judge = tasks.judge(chunk[0])
                    plans_of = [tasks[i][1] for i in chunk]  # a lazy sequence reads them now
                    futures[
                        process_pool(workers).submit(_pooled_chunk, judge, audit, plans_of, rubric)
                    ] = chunk
                for i in threaded:
                    judge, plan = tasks[i]
                    futures[threads.submit(_judge_chunk, judge, audit, [plan], rubric)] = [i]
            except BaseException:  # a plan that cannot be read stops the run: drop its work
                _cancel(judges, "a plan could not be read", futures)
                raise
            pending = set(futures)
            said = ""
            while pending:
                try:
                    done_now, _ = wait(pending, NOTICE_POLL_S, return_when=FIRST_COMPLETED)
                    for fut in done_now:
                        pending.discard(fut)
                        indices = futures[fut]
                        got, scans = _collect(fut, indices, tasks, audit, rubric, cancelled)
                        scanned.update(scans)
                        by_task.update(zip(indices, got, strict=True))  # kept before reporting
                        for judgment in got:
                            exporter.observe(judgment)
                        if progress is not None:
                            for k, judgment in enumerate(got):
                                progress(len(by_task) - len(got) + k + 1, len(tasks), judgment)
                    if notice is not None and (now := _notices(judges)) != said:
                        said = now
                        notice(now)
                except KeyboardInterrupt:
                    if cancelled:  # twice: stop waiting for the requests still in flight
                        break
                    cancelled = "cancelled by the user"
                    _cancel(judges, cancelled, futures)
                except BaseException:  # the caller stopped us (a Streamlit page stop): let go
                    cancelled = "the run was stopped"
                    _cancel(judges, cancelled, futures)
                    raise
            for i in range(len(tasks)):
                if i not in by_task:
                    by_task[i] = _stopped(tasks[i], cancelled or "stopped")
        finally:
            threads.shutdown(wait=not cancelled, cancel_futures=True)
        judgments = [by_task[i] for i in range(len(tasks))]
        jury = verdict(audit, list(plans), judgments, rubric, reliability)
        infos = []
        for judge in judges:
            mine = [j for j in judgments if j.judge_id == judge.id]
            failures = sum(1 for j in mine if j.status != "ok")
            infos.append(
                JudgeInfo(
                    id=judge.id,
                    provider=judge.provider,
                    model=judge.model,
                    calls=len(mine),
                    cache_hits=sum(1 for j in mine if j.cache_hit),
                    failures=failures,
                    status="ok"
                    if failures == 0
                    else ("failed" if failures == len(mine) else "partial"),
                )
            )
        ranked = jury.results
        status: RunStatus = "ok"
        if any(j.status != "ok" for j in judgments):
            status = "partial" if any(r.score is not None for r in ranked) else "failed"
        run = Run(
            run_id=new_run_id(),
            status=status,
            rubric=rubric,
            audit=audit,
            plans=list(plans),
            judges=infos,
            results=ranked,
            judgments=judgments,
            conflicts=jury.conflicts,
            plan_conflicts=jury.plan_conflicts,
            rank_conflict=jury.rank_conflict,
            agreement=jury.agreement,
            duration_ms=(time.perf_counter() - start) * 1000,
            error=_failure_summary(judges, judgments),
            stats=_stats(judges, judgments),
            resources=sampler.stop(),
            injection=scan_documents(audit, plans, scanned),
            redaction=_redaction(judges, audit, plans),
        )
        if cancelled:
            raise RunCancelledError(run)
        return run


def _collect(
    fut: Future[Chunk],
    indices: list[int],
    tasks: _Tasks,
    audit: AuditReport,
    rubric: Rubric,
    cancelled: str,
) -> Chunk:
    """A finished future's judgments (and scans); cancelled ones fail with the reason; when a
    worker process died (killed, out of memory) its plans are judged here."""
    if fut.cancelled():
        return [_stopped(tasks[i], cancelled or "cancelled") for i in indices], {}
    try:
        return fut.result()
    except (BrokenProcessPool, KeyboardInterrupt):
        discard_pool()
        if cancelled:
            return [_stopped(tasks[i], cancelled) for i in indices], {}
        return [_judge_one(tasks[i][0], audit, tasks[i][1], rubric) for i in indices], {}


def _stopped(task: tuple[Judge, Plan], reason: str) -> Judgment:
    judge, plan = task
    return Judgment(
        judge_id=judge.id,
        plan_name=plan.name,
        status="failed",
        error=f"{reason} before this plan was judged",
        provider=judge.provider,
        model=judge.model,
    )


def _cancel(judges: Sequence[Judge], reason: str, futures: dict[Future[Chunk], list[int]]) -> None:
    """End every judge's waits and drop the work that has not started."""
    for judge in judges:
        stop = getattr(judge, "cancel", None)
        if stop is not None:
            stop(reason)
    for fut in futures:
        fut.cancel()


def _notices(judges: Sequence[Judge]) -> str:
    """What the judges' endpoints are waiting for, one line each ('' when nothing)."""
    lines: list[str] = []
    for judge in judges:
        look = getattr(judge, "notice", None)
        text = look() if look is not None else None
        if text and text not in lines:
            lines.append(text)
    return "\n".join(lines)


#: Plans in one message to a worker process at most: the last chunks of a run are what one
#: worker still judges while the others have nothing left, so they must be short (300 plans in
#: chunks of 38 left a core idle for up to half a second; the messages cost ~nothing).
MAX_CHUNK_PLANS = 4


def _chunks(indices: list[int], tasks: _Tasks, workers: int) -> list[list[int]]:
    """Pooled tasks grouped by judge into chunks: about four per worker in small runs, at most
    MAX_CHUNK_PLANS plans each, so that the workers finish together and progress keeps moving."""
    by_judge: dict[str, list[int]] = {}
    for i in indices:
        by_judge.setdefault(tasks.judge(i).id, []).append(i)
    chunks: list[list[int]] = []
    for group in by_judge.values():
        size = max(1, min(MAX_CHUNK_PLANS, -(-len(group) // (workers * 4))))
        chunks.extend(group[k : k + size] for k in range(0, len(group), size))
    return chunks


def _pool_size(judges: Sequence[Judge]) -> int:
    """Threads worth having: twice each provider endpoint's concurrency (judges sharing an
    endpoint share its gate), so that judgments waiting to retry do not leave its slots
    idle (the gate caps what is in flight); 4 for a local judge."""
    slots: dict[int, int] = {}
    for judge in judges:
        gate = getattr(judge, "gate", None)
        if gate is None:
            slots[id(judge)] = 4
        else:
            slots[id(gate)] = 2 * int(getattr(judge, "concurrency", 4))
    return sum(slots.values())


def _redaction(
    judges: Sequence[Judge], audit: AuditReport, plans: Sequence[Plan]
) -> RedactionReport | None:
    """What PII redaction removed, when any judge of the run was sent redacted text."""
    sent = [j for j in judges if getattr(j, "redacts", False)]
    if not sent:
        return None
    mode = str(getattr(getattr(sent[0], "settings", None), "redact_pii", "external"))
    return redaction_report(mode, [j.id for j in sent], audit, plans)


def _failure_summary(judges: Sequence[Judge], judgments: list[Judgment]) -> str | None:
    """Per judge that failed anything: how many plans, and the first reason."""
    parts = []
    for judge in judges:
        failed = [j for j in judgments if j.judge_id == judge.id and j.status != "ok"]
        if failed:
            total = sum(1 for j in judgments if j.judge_id == judge.id)
            parts.append(f"{judge.id} failed {len(failed)} of {total} plans: {failed[0].error}")
    return "; ".join(parts) or None


def _stats(judges: Sequence[Judge], judgments: list[Judgment]) -> RunStats:
    """Requests, retries, cache hits and misses, tokens, cost and endpoints of the LLM work."""
    llm = [j for j in judgments if j.provider not in ("", "offline")]
    gates = {id(g): g for j in judges if (g := getattr(j, "gate", None)) is not None}
    return RunStats(
        calls=sum(j.calls for j in llm),
        retries=sum(j.retries for j in llm),
        repairs=sum(j.repairs for j in llm),
        cache_hits=sum(1 for j in llm if j.cache_hit),
        cache_misses=sum(1 for j in llm if not j.cache_hit),
        input_tokens=sum(j.input_tokens for j in llm),
        output_tokens=sum(j.output_tokens for j in llm),
        cost_usd=round(sum(j.cost_usd or 0.0 for j in llm), 6),
        cost_unknown=any(j.cost_usd is None for j in llm),
        endpoints=[g.stats() for g in gates.values()],
    )
