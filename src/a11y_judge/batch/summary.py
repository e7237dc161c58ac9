"""What a batch says across its sets: each plan name's scores, the best plan, how consistent
the rankings are (Kendall's W) and how far the judges agree, and which sets failed."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from a11y_judge.consensus import agreement as stats
from a11y_judge.models import AgreementStats, BatchJob, Run


@dataclass(frozen=True)
class PlanStats:
    """One plan name's weighted scores across the sets that judged it."""

    plan: str
    sets: int
    mean: float
    low: float
    high: float
    std: float | None  # sample standard deviation; None in one set


@dataclass
class BatchSummary:
    """The batch's figures (see the module docstring)."""

    job_id: str
    status: str
    total: int
    completed: int
    failed: list[tuple[str, str]] = field(default_factory=list)
    partial: list[tuple[str, str]] = field(default_factory=list)
    """Completed sets whose run has failed judgments: (set, the run's failure summary)."""
    cancelled: int = 0
    plans: list[PlanStats] = field(default_factory=list)
    best: str | None = None
    kendall_w: float | None = None
    w_note: str = ""
    w_sets: int = 0
    w_plans: list[str] = field(default_factory=list)
    agreement: AgreementStats = field(default_factory=AgreementStats)
    provisional: list[tuple[str, str]] = field(default_factory=list)


def summarize(job: BatchJob, runs: Mapping[str, Run]) -> BatchSummary:
    """The summary of a job; `runs` maps run ids of its completed sets to their runs."""
    done = [(i.name, runs[i.run_id]) for i in job.items if i.run_id and i.run_id in runs]
    out = BatchSummary(
        job_id=job.job_id,
        status=job.status,
        total=job.total,
        completed=len(done),
        failed=[(i.name, i.error or "failed") for i in job.items if i.status == "failed"],
        cancelled=job.count("cancelled") + job.count("interrupted"),
        partial=[
            (name, run.error or f"run {run.status}") for name, run in done if run.status != "ok"
        ],
    )
    scores: dict[str, list[float]] = {}
    for name, run in done:
        for r in run.results:
            if r.score is not None:
                scores.setdefault(r.name, []).append(r.score)
            if r.provisional:
                out.provisional.append((name, r.name))
    out.plans = sorted(
        (
            PlanStats(
                plan=plan,
                sets=len(values),
                mean=round(statistics.fmean(values), 2),
                low=min(values),
                high=max(values),
                std=round(statistics.stdev(values), 3) if len(values) > 1 else None,
            )
            for plan, values in scores.items()
        ),
        key=lambda p: (-p.mean, -p.sets, p.plan),
    )
    out.best = out.plans[0].plan if out.plans else None
    _concordance(out, done)
    out.agreement = _agreement(done)
    return out


def _concordance(out: BatchSummary, done: list[tuple[str, Run]]) -> None:
    """Kendall's W over the plan names every completed set judged."""
    scored = [{r.name: r.score for r in run.results if r.score is not None} for _, run in done]
    if len(scored) < 2:
        out.w_note = "needs two or more completed sets"
        return
    common = sorted(set.intersection(*(set(s) for s in scored)))
    if len(common) < 2:
        out.w_note = (
            f"needs two or more plans with the same name in every set ({len(common)} shared)"
        )
        return
    ranks = np.array([stats.average_ranks([float(s[p] or 0.0) for p in common]) for s in scored])
    w = stats.kendall_w(ranks)
    out.kendall_w = None if w is None else round(w, 4)
    out.w_sets, out.w_plans = len(scored), common
    if w is None:
        out.w_note = "every set ties every plan"


def _agreement(done: list[tuple[str, Run]]) -> AgreementStats:
    """Judge agreement over every set x plan x criterion of the batch."""
    judges = sorted({j.judge_id for _, run in done for j in run.judgments})
    cells: dict[tuple[str, str, str, str], float] = {}
    for name, run in done:
        for j in run.judgments:
            if j.status == "ok":
                for cid, cs in j.scores.items():
                    cells[(j.judge_id, name, j.plan_name, cid)] = cs.score
    items = sorted({k[1:] for k in cells})
    data = np.full((len(judges), len(items)), np.nan)
    index = {item: k for k, item in enumerate(items)}
    rows = {judge: i for i, judge in enumerate(judges)}
    for (judge, name, plan, cid), score in cells.items():
        data[rows[judge], index[(name, plan, cid)]] = score
    return stats.summary(data)
