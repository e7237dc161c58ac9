"""Tidy (long) CSV of a run: one row per plan × criterion, plus the weighted total."""

from __future__ import annotations

import io

from a11y_judge.models import Run
from a11y_judge.reports.spreadsheet import SafeWriter

COLUMNS = [
    "run_id",
    "plan",
    "rank",
    "criterion",
    "criterion_name",
    "weight",
    "score",
    "judge",
    "coverage_ratio",
    "covered",
    "mentioned",
    "missed",
    "provisional",
    "conflict_severity",
    "conflict_status",
]


def to_csv(run: Run) -> str:
    """CSV text; 'judge' is 'jury' for the combined score, else the judge id. An escalated
    criterion has an empty jury score and conflict_status 'escalated'; its plan's rows say
    provisional 'yes' until a reviewer resolves it."""
    names = {c.id: c.name for c in run.rubric.criteria}
    conflicts = {(c.plan, c.criterion): c for c in run.conflicts}
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    for r in run.results:
        head = [run.run_id, r.name, r.rank]
        cov = r.coverage
        tail = [cov.ratio, " ".join(cov.covered), " ".join(cov.mentioned), " ".join(cov.missed)]
        tail.append("yes" if r.provisional else "no")
        for cid, c in r.criteria.items():
            crit = [cid, names.get(cid, cid), run.rubric.weights.get(cid)]
            conflict = conflicts.get((r.name, cid))
            found = [conflict.severity, conflict.status] if conflict else ["", ""]
            writer.writerow([*head, *crit, c.score, "jury", *tail, *found])
            if len(c.judges) > 1:
                writer.writerows([*head, *crit, s, j, *tail, *found] for j, s in c.judges.items())
        total = [*head, "weighted_total", "Weighted total", 1.0, r.score, "jury", *tail, "", ""]
        writer.writerow(total)
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
    ]


def to_summary_csv(run: Run) -> str:
    """Wide CSV: one row per plan in rank order, a column per criterion (the jury's score, empty
    while escalated), coverage counts, and the plan's conflicts."""
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
            ]
        )
    return out.getvalue()
