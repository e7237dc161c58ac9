"""A batch's reports: the JSON document `batch … --json` prints, a tidy CSV, a Markdown summary."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import orjson

from a11y_judge.batch.summary import BatchSummary
from a11y_judge.models import BatchJob, Run
from a11y_judge.reports.spreadsheet import SafeWriter


def batch_document(job: BatchJob, summary: BatchSummary) -> dict[str, Any]:
    """{"job_id", "status", "sets": [...], "summary": {...}} (README, "Batches")."""
    return {
        "job_id": job.job_id,
        "status": job.status,
        "sets": [
            {
                "name": i.name,
                "status": i.status,
                "run_id": i.run_id,
                "error": i.error,
                "plans": len(i.plans),
                "judged": i.judged,
                "judgments": i.judgments,
            }
            for i in job.items
        ],
        "summary": {
            "total": summary.total,
            "completed": summary.completed,
            "cancelled": summary.cancelled,
            "failed": [{"name": n, "error": e} for n, e in summary.failed],
            "partial": [{"name": n, "error": e} for n, e in summary.partial],
            "plans": [
                {
                    "plan": p.plan,
                    "sets": p.sets,
                    "mean": p.mean,
                    "min": p.low,
                    "max": p.high,
                    "std": p.std,
                }
                for p in summary.plans
            ],
            "best": summary.best,
            "kendall_w": summary.kendall_w,
            "kendall_w_note": summary.w_note,
            "kendall_w_sets": summary.w_sets,
            "kendall_w_plans": summary.w_plans,
            "agreement": summary.agreement.model_dump(mode="json"),
            "provisional": [{"set": s, "plan": p} for s, p in summary.provisional],
        },
    }


def batch_json(job: BatchJob, summary: BatchSummary) -> str:
    """The batch document as indented JSON."""
    return orjson.dumps(batch_document(job, summary), option=orjson.OPT_INDENT_2).decode() + "\n"


CSV_COLUMNS = [
    "job_id",
    "set",
    "set_status",
    "run_id",
    "plan",
    "rank",
    "score",
    "provisional",
    "coverage_ratio",
    "error",
]


def batch_csv(job: BatchJob, runs: Mapping[str, Run]) -> str:
    """One row per set x plan (a set without a run: one row with its status and error)."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(CSV_COLUMNS)
    for item in job.items:
        run = runs.get(item.run_id or "")
        if run is None:
            writer.writerow(
                [
                    job.job_id,
                    item.name,
                    item.status,
                    item.run_id,
                    "",
                    "",
                    "",
                    "",
                    "",
                    item.error or "",
                ]
            )
            continue
        for r in run.results:
            writer.writerow(
                [
                    job.job_id,
                    item.name,
                    item.status,
                    run.run_id,
                    r.name,
                    r.rank,
                    r.score,
                    "yes" if r.provisional else "no",
                    r.coverage.ratio,
                    "",
                ]
            )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def batch_markdown(job: BatchJob, summary: BatchSummary, runs: Mapping[str, Run]) -> str:
    """The summary for people: sets, plans across sets, concordance, agreement, failures."""
    a = summary.agreement
    lines = [
        f"# A11y Judge batch {job.job_id}",
        "",
        f"- Source: {job.source}",
        f"- Judges: {', '.join(job.settings.judges)}",
        f"- Status: {job.status}; {summary.completed} of {summary.total} sets completed, "
        f"{len(summary.failed)} failed, {summary.cancelled} cancelled or interrupted",
        f"- Best plan overall (highest mean weighted score): **{summary.best or '—'}**",
        "",
        "## Plans across sets",
        "",
        "| Plan | Sets | Mean | Min | Max | Std |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {p.plan} | {p.sets} | {p.mean:.2f} | {p.low:.2f} | {p.high:.2f} | {_num(p.std)} |"
        for p in summary.plans
    ]
    w = (
        f"Kendall's W = {summary.kendall_w:.3f} over {summary.w_sets} sets ranking "
        f"{', '.join(summary.w_plans)}"
        if summary.kendall_w is not None
        else f"Kendall's W: undefined ({summary.w_note})"
    )
    alpha = "undefined" if a.alpha is None else f"{a.alpha:.3f}"
    icc = "undefined" if a.icc is None else f"{a.icc:.3f}"
    lines += [
        "",
        "## Consistency and agreement",
        "",
        f"- Rankings across sets: {w} (1 = every set ranks them alike).",
        f"- Judge agreement over {a.items} set × plan × criterion items: Krippendorff's α "
        f"{alpha}, ICC(2,1) {icc}" + (f" ({a.note})" if a.note else "") + ".",
    ]
    if summary.provisional:
        lines.append(
            "- Provisional (awaiting a reviewer on the Conflicts page): "
            + ", ".join(f"{p} in {s}" for s, p in summary.provisional)
        )
    lines += [
        "",
        "## Sets",
        "",
        "| Set | Status | Winner | Score | Run |",
        "|---|---|---|---:|---|",
    ]
    for item in job.items:
        run = runs.get(item.run_id or "")
        winner = run.winner if run else None
        lines.append(
            f"| {item.name} | {item.status} | {winner.name if winner else '—'} | "
            f"{_num(winner.score if winner else None)} | {item.run_id or item.error or ''} |"
        )
    if summary.failed:
        lines += ["", "## Failed sets", ""]
        lines += [f"- **{name}**: {error}" for name, error in summary.failed]
    if summary.partial:
        lines += ["", "## Sets with failed judgments", ""]
        lines += [f"- **{name}**: {error}" for name, error in summary.partial]
    return "\n".join(lines) + "\n"
