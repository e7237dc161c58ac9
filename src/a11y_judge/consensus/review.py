"""Consensus over the history: recording runs, reviewers' resolutions, reliability, agreement.

The history store keeps the SQL; this module decides what a resolution means (the run's
scores and ranking change, the latest resolution per item counts) and keeps the judges'
reliability up to date after each run and each resolution.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from a11y_judge.consensus import agreement as stats
from a11y_judge.consensus.combine import Reliability, apply_resolutions
from a11y_judge.consensus.meta import JudgeMeta, meta_evaluate
from a11y_judge.consensus.reliability import learn
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore, ScoreRow
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
    store: HistoryStore,
    names: dict[str, str] | None = None,
    rows: Sequence[ScoreRow] | None = None,
) -> list[tuple[JudgeReliability, JudgeMeta]]:
    """Per judge in history: its reliability and its meta-evaluation (`rows`: the history's
    judge scores, when the caller has read them already)."""
    rows = store.judge_scores() if rows is None else rows
    scores = [((s.run_id, s.plan, s.criterion), s.judge, s.score) for s in rows]
    metas = meta_evaluate(scores, store.final_scores(), store.judge_outcomes(), names)
    stored = store.reliability()
    return [(stored.get(m.judge, JudgeReliability(judge=m.judge)), m) for m in metas]


def history_agreement(
    store: HistoryStore, rows: Sequence[ScoreRow] | None = None
) -> tuple[AgreementStats, dict[str, AgreementStats]]:
    """Agreement over every item in history: overall and per criterion."""
    rows = store.judge_scores() if rows is None else rows
    judges = {j: i for i, j in enumerate(sorted({r.judge for r in rows}))}
    by_criterion: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
    for r in rows:
        by_criterion[r.criterion][(r.run_id, r.plan)] = None  # ordered, no repeats
    # one column per item, grouped by criterion (each criterion a contiguous block)
    column: dict[tuple[str, str, str], int] = {}
    blocks: dict[str, tuple[int, int]] = {}
    for c, items in by_criterion.items():
        first = len(column)
        for run_id, plan in items:
            column[(run_id, plan, c)] = len(column)
        blocks[c] = (first, len(column))
    data = np.full((len(judges), len(column)), np.nan)
    if rows:
        at_row = np.fromiter((judges[r.judge] for r in rows), dtype=np.intp, count=len(rows))
        at_col = np.fromiter(
            (column[(r.run_id, r.plan, r.criterion)] for r in rows), dtype=np.intp, count=len(rows)
        )
        data[at_row, at_col] = [r.score for r in rows]
    per = {c: stats.summary(data[:, lo:hi]) for c, (lo, hi) in sorted(blocks.items())}
    return stats.summary(data), per
