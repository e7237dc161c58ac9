"""Consensus over the history: recording runs, reviewers' resolutions, reliability, agreement.

The history store keeps the SQL; this module decides what a resolution means (the run's
scores and ranking change, the latest resolution per item counts) and keeps the judges'
reliability up to date after each run and each resolution.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from a11y_judge.consensus import agreement as stats
from a11y_judge.consensus.combine import Reliability, apply_resolutions
from a11y_judge.consensus.meta import JudgeMeta, meta_evaluate
from a11y_judge.consensus.reliability import learn
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import AgreementStats, JudgeReliability, Resolution, Run, utcnow


def reliability_weights(store: HistoryStore) -> Reliability:
    """judge id -> (reliability, cases) for the consensus engine of the next run."""
    return {j: (r.value, r.human_cases + r.jury_cases) for j, r in store.reliability().items()}


def refresh_reliability(store: HistoryStore) -> list[JudgeReliability]:
    """Learn every judge's reliability from the whole history again and store it."""
    scores = [((s.run_id, s.plan, s.criterion), s.judge, s.score) for s in store.judge_scores()]
    reviewed = {item: res.score for item, res in store.latest_resolutions().items()}
    values = learn(scores, reviewed)
    store.save_reliability(values)
    return values


def record_run(store: HistoryStore, run: Run) -> None:
    """Save a run, then learn the judges' reliability again (a run with one judge changes
    nothing)."""
    store.save_run(run)
    if len(run.judges) > 1:
        refresh_reliability(store)


def resolve(
    store: HistoryStore,
    run_id: str,
    plan: str,
    criterion: str,
    score: float,
    note: str,
    reviewer: str,
) -> Run:
    """Record a reviewer's score for one conflict; returns the run with its results, ranking
    and conflicts updated. Bad input raises one clear A11yJudgeError and writes nothing."""
    run = store.get_run(run_id)
    plans = [r.name for r in run.results]
    if plan not in plans:
        raise A11yJudgeError(
            f"run {run_id} has no plan '{plan}'", hint=f"Its plans: {', '.join(plans)}"
        )
    criteria = [c.id for c in run.rubric.criteria]
    if criterion not in criteria:
        raise A11yJudgeError(
            f"the rubric of run {run_id} has no criterion '{criterion}'",
            hint=f"Its criteria: {', '.join(criteria)}",
        )
    if not isinstance(score, int | float) or math.isnan(score) or not 0 <= score <= 10:
        raise A11yJudgeError(f"score {score} is not between 0 and 10", hint="Give 0-10")
    if not any(c.plan == plan and c.criterion == criterion for c in run.conflicts):
        raise A11yJudgeError(
            f"no conflict to resolve for {plan} / {criterion} in run {run_id} (fewer than two "
            "judges scored it)",
            hint="List the run's conflicts with `a11y-judge conflicts RUN_ID`",
        )
    if not note.strip():
        raise A11yJudgeError("a resolution needs a note", hint="Say why, with --note TEXT")
    if not reviewer.strip():
        raise A11yJudgeError("a resolution needs a reviewer's name", hint="Add --reviewer NAME")
    resolution = Resolution(
        score=round(float(score), 2), note=note.strip(), reviewer=reviewer.strip(), at=utcnow()
    )
    latest = {(p, c): r for (_, p, c), r in store.latest_resolutions(run_id).items()}
    latest[(plan, criterion)] = resolution
    updated = apply_resolutions(run, latest)
    store.save_resolution(updated, plan, criterion, resolution)
    refresh_reliability(store)
    return updated


def judges_report(
    store: HistoryStore, names: dict[str, str] | None = None
) -> list[tuple[JudgeReliability, JudgeMeta]]:
    """Per judge in history: its reliability and its meta-evaluation."""
    scores = [((s.run_id, s.plan, s.criterion), s.judge, s.score) for s in store.judge_scores()]
    metas = meta_evaluate(scores, store.final_scores(), store.judge_outcomes(), names)
    stored = store.reliability()
    return [(stored.get(m.judge, JudgeReliability(judge=m.judge)), m) for m in metas]


def history_agreement(store: HistoryStore) -> tuple[AgreementStats, dict[str, AgreementStats]]:
    """Agreement over every item in history: overall and per criterion."""
    rows = store.judge_scores()
    judges = sorted({r.judge for r in rows})
    by_criterion: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
    for r in rows:
        by_criterion[r.criterion][(r.run_id, r.plan)] = None  # ordered, no repeats
    cells = {(r.judge, r.run_id, r.plan, r.criterion): r.score for r in rows}

    def matrix(items: list[tuple[str, str, str]]) -> np.ndarray:
        data = np.full((len(judges), len(items)), np.nan)
        for i, judge in enumerate(judges):
            for k, (run_id, plan, criterion) in enumerate(items):
                value = cells.get((judge, run_id, plan, criterion))
                if value is not None:
                    data[i, k] = value
        return data

    every = [(run, plan, c) for c, items in by_criterion.items() for run, plan in items]
    per = {
        c: stats.summary(matrix([(run, plan, c) for run, plan in items]))
        for c, items in sorted(by_criterion.items())
    }
    return stats.summary(matrix(every)), per
