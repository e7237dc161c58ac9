"""Tidy (long) CSV of a run: one row per plan × criterion × judge, plus the weighted total."""

from __future__ import annotations

import io

from a11y_judge.models import CriterionResult, Judgment, PlanResult, Run
from a11y_judge.reports.spreadsheet import SafeWriter

COLUMNS = [
    "run_id",
    "audit",
    "plan",
    "rank",
    "criterion",
    "criterion_name",
    "weight",
    "judge",
    "score",
    "status",
    "provisional_score",
    "error",
    "coverage_ratio",
    "covered",
    "mentioned",
    "missed",
    "provisional",
    "conflict_severity",
    "conflict_status",
]

JURY = "jury"


def _jury_status(c: CriterionResult) -> str:
    if c.score is not None:
        return "ok"
    return "escalated" if c.provisional_score is not None else "failed"


def _judge_cells(score: float | None, judgment: Judgment | None) -> list[object]:
    """score, status, provisional_score and error of one judge on one criterion."""
    if score is not None:
        return [score, "ok", "", ""]
    if judgment is None:
        return ["", "missing", "", "no judgment of this plan was recorded"]
    if judgment.status != "ok":
        return ["", "failed", "", judgment.error or "the judgment failed"]
    return ["", "missing", "", "the judge gave no score for this criterion"]


def to_csv(run: Run) -> str:
    """CSV text. Every plan × criterion has a row with judge 'jury' (the consensus) and one
    per judge of the run (a jury of one too), in the run's judge order; the last row of a plan
    is its weighted total (jury only).

    `status` is the score's: a judge's row says ok, failed (its judgment failed; `error` says
    why, the score is empty) or missing; the jury's row says ok, escalated (the judges disagree
    too much for any rule: the score stays empty, `provisional_score` holds the jury median the
    plan is ranked with until a reviewer resolves it) or failed (no judge scored it). The plan's
    rows say provisional 'yes' while any of its criteria is escalated.
    """
    names = {c.id: c.name for c in run.rubric.criteria}
    conflicts = {(c.plan, c.criterion): c for c in run.conflicts}
    judgments = {(j.judge_id, j.plan_name): j for j in run.judgments}
    judges = [j.id for j in run.judges]
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    for r in run.results:
        head = [run.run_id, run.audit.name, r.name, r.rank]
        cov = r.coverage
        tail = [cov.ratio, " ".join(cov.covered), " ".join(cov.mentioned), " ".join(cov.missed)]
        tail.append("yes" if r.provisional else "no")
        for cid, c in r.criteria.items():
            mine = judges + [j for j in c.judges if j not in judges]
            crit = [cid, names.get(cid, cid), run.rubric.weights.get(cid)]
            conflict = conflicts.get((r.name, cid))
            found = [conflict.severity, conflict.status] if conflict else ["", ""]
            jury = [c.score, _jury_status(c), c.provisional_score, ""]
            writer.writerow([*head, *crit, JURY, *jury, *tail, *found])
            for j in mine:
                own = _judge_cells(c.judges.get(j), judgments.get((j, r.name)))
                writer.writerow([*head, *crit, j, *own, *tail, *found])
        total = [r.score, "ok" if r.score is not None else "failed", "", ""]
        writer.writerow(
            [*head, "weighted_total", "Weighted total", 1.0, JURY, *total, *tail, "", ""]
        )
    return out.getvalue()


def summary_columns(run: Run) -> list[str]:
    """The wide summary's header: one score column per criterion id."""
    crit = [c.id for c in run.rubric.criteria]
    return [
        "run_id",
        "audit",
        "plan",
        "rank",
        "weighted_score",
        *crit,
        "coverage_ratio",
        "addressed",
        "mentioned",
        "missed",
        "anti_patterns",
        "conflicts",
        "escalated",
        "provisional",
        "provisional_scores",
    ]


def _provisional_scores(r: PlanResult, crit: list[str]) -> str:
    """'criterion=median; …' for the criteria awaiting a reviewer (their score cells are empty)."""
    held = [(c, r.criteria[c].provisional_score) for c in crit if c in r.criteria]
    return "; ".join(f"{c}={v:.2f}" for c, v in held if v is not None)


def to_summary_csv(run: Run) -> str:
    """Wide CSV: one row per plan in rank order, a column per criterion (the jury's score, empty
    while escalated; `provisional_scores` then holds the jury's median it is ranked with),
    coverage counts, and the plan's conflicts."""
    crit = [c.id for c in run.rubric.criteria]
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(summary_columns(run))
    for r in sorted(run.results, key=lambda r: (r.rank, r.name)):
        mine = [c for c in run.conflicts if c.plan == r.name]
        cov = r.coverage
        writer.writerow(
            [
                run.run_id,
                run.audit.name,
                r.name,
                r.rank,
                r.score,
                *[r.criteria[c].score if c in r.criteria else "" for c in crit],
                cov.ratio,
                len(cov.covered),
                len(cov.mentioned),
                len(cov.missed),
                len(r.anti_patterns),
                len(mine),
                sum(c.status == "escalated" for c in mine),
                "yes" if r.provisional else "no",
                _provisional_scores(r, crit),
            ]
        )
    return out.getvalue()
