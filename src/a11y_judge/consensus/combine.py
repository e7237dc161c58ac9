"""From the jury's judgments to each plan's result: conflicts found, strategies applied, ranked.

Per plan x criterion with two or more scores, the spread (max - min) gets a severity from the
rubric's `consensus` thresholds and the strategy configured for that severity decides the
score (or escalates it to a reviewer; the plan is then provisional). With one score there is
no conflict: that score is the result. Reviewers' resolutions replace a strategy's score and
the ranking follows (`apply_resolutions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from a11y_judge.consensus import agreement as stats
from a11y_judge.consensus.strategies import STRATEGIES, median
from a11y_judge.consensus.votes import votes_for
from a11y_judge.models import (
    Agreement,
    AuditReport,
    Conflict,
    Coverage,
    CriterionResult,
    Evidence,
    Judgment,
    Plan,
    PlanConflict,
    PlanResult,
    RankConflict,
    Resolution,
    Rubric,
    Run,
)
from a11y_judge.rubric import weighted_score

#: judge id -> (reliability, cases behind it); absent judges weigh 1.0 (equal).
Reliability = Mapping[str, tuple[float, int]]


@dataclass
class Verdict:
    """The jury's combined result for a run."""

    results: list[PlanResult]
    conflicts: list[Conflict]
    plan_conflicts: list[PlanConflict]
    rank_conflict: RankConflict | None
    agreement: Agreement


def verdict(
    audit: AuditReport,
    plans: list[Plan],
    judgments: list[Judgment],
    rubric: Rubric,
    reliability: Reliability | None = None,
) -> Verdict:
    """Combine every plan's judgments into ranked results, conflicts and agreement."""
    weights = dict(reliability or {})
    results: list[PlanResult] = []
    conflicts: list[Conflict] = []
    by_plan: dict[str, list[Judgment]] = {}
    for j in judgments:
        by_plan.setdefault(j.plan_name, []).append(j)
    for plan in plans:
        mine = by_plan.get(plan.name, [])
        criteria: dict[str, CriterionResult] = {}
        for c in rubric.criteria:
            result, conflict = _criterion(c.id, mine, plan, audit, rubric, weights)
            criteria[c.id] = result
            if conflict is not None:
                conflicts.append(conflict)
        anti = next((j.anti_patterns for j in mine if j.anti_patterns), [])
        results.append(
            _scored(
                PlanResult(
                    name=plan.name,
                    rank=0,
                    score=None,
                    criteria=criteria,
                    coverage=_coverage(mine, audit),
                    anti_patterns=anti,
                ),
                rubric,
            )
        )
    own = _own_scores(judgments, rubric)
    return Verdict(
        results=rank(results),
        conflicts=conflicts,
        plan_conflicts=_plan_conflicts(own, rubric),
        rank_conflict=_rank_conflict(own),
        agreement=agreement(judgments, [p.name for p in plans], rubric, own),
    )


def _criterion(
    criterion: str,
    judgments: list[Judgment],
    plan: Plan,
    audit: AuditReport,
    rubric: Rubric,
    reliability: Reliability,
) -> tuple[CriterionResult, Conflict | None]:
    scores: dict[str, float | None] = {}
    rationales: list[str] = []
    evidence: list[Evidence] = []
    for j in judgments:
        cs = j.scores.get(criterion) if j.status == "ok" else None
        scores[j.judge_id] = cs.score if cs else None
        if cs:
            rationales.append(
                cs.rationale if len(judgments) == 1 else f"[{j.judge_id}] {cs.rationale}"
            )
            evidence.extend(cs.evidence)
    rationale = " ".join(rationales) or "No judge produced a score for this criterion."
    present = [s for s in scores.values() if s is not None]
    if len(present) < 2:  # no conflict: the one score (if any) is the result
        score = round(present[0], 2) if present else None
        return CriterionResult(
            score=score, rationale=rationale, evidence=evidence, judges=scores
        ), None
    votes = votes_for(criterion, judgments, plan.text, audit, dict(reliability))
    spread = round(max(v.score for v in votes) - min(v.score for v in votes), 2)
    severity = rubric.consensus.severity(spread)
    strategy = STRATEGIES[rubric.consensus.strategies[severity]]
    decision = strategy.decide(votes, spread)
    conflict = Conflict(
        plan=plan.name,
        criterion=criterion,
        severity=severity,
        spread=spread,
        scores={v.judge: v.score for v in votes},
        strategy=strategy.name,
        resolved_score=decision.score,
        status="escalated" if decision.score is None else "auto",
        reasoning=decision.reasoning,
        inputs=decision.inputs,
    )
    stand_in = None if decision.score is not None else round(median([v.score for v in votes]), 2)
    return CriterionResult(
        score=decision.score,
        rationale=rationale,
        evidence=evidence,
        judges=scores,
        provisional_score=stand_in,
    ), conflict


def _scored(result: PlanResult, rubric: Rubric) -> PlanResult:
    """The plan's weighted score; escalated criteria count with their stand-in, flagged."""
    values = {
        cid: c.score if c.score is not None else c.provisional_score
        for cid, c in result.criteria.items()
    }
    score = weighted_score(values, rubric.weights)
    provisional = any(
        c.score is None and c.provisional_score is not None for c in result.criteria.values()
    )
    return result.model_copy(
        update={
            "score": round(score, 2) if score is not None else None,
            "provisional": provisional,
        }
    )


def _coverage(judgments: list[Judgment], audit: AuditReport) -> Coverage:
    ok = [j for j in judgments if j.status == "ok" and j.coverage is not None]
    ok.sort(key=lambda j: j.judge_id != "offline")  # the evidence judge's coverage first, else
    # the first LLM judge that listed covered findings
    if ok and ok[0].coverage is not None:
        return ok[0].coverage
    return Coverage(covered=[], missed=[f.id for f in audit.findings], ratio=0.0)


def rank(results: list[PlanResult]) -> list[PlanResult]:
    """Rank 1 = best; equal scores share a rank; unscored plans come last."""
    ordered = sorted(results, key=lambda r: (r.score is None, -(r.score or 0.0), r.name))
    ranked: list[PlanResult] = []
    prev: float | None = None
    position = 0
    for i, r in enumerate(ordered, start=1):
        if r.score is None or r.score != prev:
            position = i
        prev = r.score
        ranked.append(r.model_copy(update={"rank": position}))
    return ranked


def _own_scores(judgments: list[Judgment], rubric: Rubric) -> dict[str, dict[str, float]]:
    """judge -> plan -> the weighted score of that judge's own criterion scores."""
    own: dict[str, dict[str, float]] = {}
    for j in judgments:
        if j.status != "ok":
            continue
        score = weighted_score({c: s.score for c, s in j.scores.items()}, rubric.weights)
        if score is not None:
            own.setdefault(j.judge_id, {})[j.plan_name] = round(score, 2)
    return own


def _plan_conflicts(own: dict[str, dict[str, float]], rubric: Rubric) -> list[PlanConflict]:
    plans = sorted({p for scores in own.values() for p in scores})
    out = []
    for plan in plans:
        scores = {judge: s[plan] for judge, s in own.items() if plan in s}
        if len(scores) >= 2:
            spread = round(max(scores.values()) - min(scores.values()), 2)
            out.append(
                PlanConflict(
                    plan=plan,
                    severity=rubric.consensus.severity(spread),
                    spread=spread,
                    scores=scores,
                )
            )
    return out


def _rank_conflict(own: dict[str, dict[str, float]]) -> RankConflict | None:
    """Each judge's first plan by its own scores (two or more judges of two or more plans);
    plans tied first are listed together, and judges agree when their firsts overlap."""
    firsts: dict[str, list[str]] = {}
    for judge, scores in own.items():
        if len(scores) >= 2:
            best = max(scores.values())
            firsts[judge] = sorted(p for p, s in scores.items() if s == best)
    if len(firsts) < 2:
        return None
    shared = set.intersection(*(set(v) for v in firsts.values()))
    top = {
        judge: " = ".join(plans) + (" (tied)" if len(plans) > 1 else "")
        for judge, plans in firsts.items()
    }
    return RankConflict(top=top, agree=bool(shared))


def agreement(
    judgments: list[Judgment],
    plans: list[str],
    rubric: Rubric,
    own: dict[str, dict[str, float]] | None = None,
) -> Agreement:
    """Alpha, ICC and within-1 overall (plan x criterion items) and per criterion (plan
    items); Kendall's tau-b between each pair of judges' plan rankings."""
    judges = sorted({j.judge_id for j in judgments})
    index = {(j.judge_id, j.plan_name): j for j in judgments if j.status == "ok"}
    criteria = [c.id for c in rubric.criteria]

    def matrix(items: list[tuple[str, str]]) -> np.ndarray:
        data = np.full((len(judges), len(items)), np.nan)
        for r, judge in enumerate(judges):
            for k, (plan, cid) in enumerate(items):
                found = index.get((judge, plan))
                cs = found.scores.get(cid) if found else None
                if cs is not None:
                    data[r, k] = cs.score
        return data

    overall = stats.summary(matrix([(p, c) for p in plans for c in criteria]))
    per = {c: stats.summary(matrix([(p, c) for p in plans])) for c in criteria}
    taus = stats.rank_taus(own if own is not None else _own_scores(judgments, rubric))
    return Agreement(overall=overall, criteria=per, rank_tau=taus)


def apply_resolutions(run: Run, latest: Mapping[tuple[str, str], Resolution]) -> Run:
    """The run with reviewers' scores in place of the strategies' (the latest per plan x
    criterion counts), plan scores recomputed and the plans ranked again."""
    conflicts = []
    for c in run.conflicts:
        res = latest.get((c.plan, c.criterion))
        if res is not None:
            c = c.model_copy(
                update={"status": "resolved", "resolution": res, "resolved_score": res.score}
            )
        conflicts.append(c)
    results = []
    for r in run.results:
        criteria = dict(r.criteria)
        for cid, cr in r.criteria.items():
            res = latest.get((r.name, cid))
            if res is not None:
                criteria[cid] = cr.model_copy(
                    update={"score": res.score, "provisional_score": None}
                )
        results.append(_scored(r.model_copy(update={"criteria": criteria}), run.rubric))
    return run.model_copy(update={"conflicts": conflicts, "results": rank(results)})
