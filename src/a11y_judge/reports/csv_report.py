"""Tidy (long) CSV of a run: one row per plan × criterion, plus the weighted total."""

from __future__ import annotations

import csv
import io

from a11y_judge.models import Run

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
]


def to_csv(run: Run) -> str:
    """CSV text; 'judge' is 'jury' for the combined score, else the judge id."""
    names = {c.id: c.name for c in run.rubric.criteria}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in run.results:
        head = [run.run_id, r.name, r.rank]
        cov = r.coverage
        tail = [cov.ratio, " ".join(cov.covered), " ".join(cov.mentioned), " ".join(cov.missed)]
        for cid, c in r.criteria.items():
            crit = [cid, names.get(cid, cid), run.rubric.weights.get(cid)]
            writer.writerow([*head, *crit, c.score, "jury", *tail])
            if len(c.judges) > 1:
                writer.writerows([*head, *crit, s, j, *tail] for j, s in c.judges.items())
        writer.writerow([*head, "weighted_total", "Weighted total", 1.0, r.score, "jury", *tail])
    return out.getvalue()
