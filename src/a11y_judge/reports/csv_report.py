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
    "missed",
]


def to_csv(run: Run) -> str:
    """CSV text; 'judge' is 'jury' for the combined score, else the judge id."""
    names = {c.id: c.name for c in run.rubric.criteria}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in run.results:
        common = [r.coverage.ratio, " ".join(r.coverage.covered), " ".join(r.coverage.missed)]
        for cid, c in r.criteria.items():
            writer.writerow(
                [
                    run.run_id,
                    r.name,
                    r.rank,
                    cid,
                    names.get(cid, cid),
                    run.rubric.weights.get(cid),
                    c.score,
                    "jury",
                    *common,
                ]
            )
            if len(c.judges) > 1:
                for judge, score in c.judges.items():
                    writer.writerow(
                        [
                            run.run_id,
                            r.name,
                            r.rank,
                            cid,
                            names.get(cid, cid),
                            run.rubric.weights.get(cid),
                            score,
                            judge,
                            *common,
                        ]
                    )
        writer.writerow(
            [
                run.run_id,
                r.name,
                r.rank,
                "weighted_total",
                "Weighted total",
                1.0,
                r.score,
                "jury",
                *common,
            ]
        )
    return out.getvalue()
