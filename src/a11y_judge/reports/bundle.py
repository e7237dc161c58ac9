"""Which files `--format json,csv,md,pdf` writes for a run or a batch, and their contents."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from a11y_judge.batch.summary import BatchSummary
from a11y_judge.errors import A11yJudgeError
from a11y_judge.models import BatchJob, Run
from a11y_judge.reports.batch_report import batch_csv, batch_json, batch_markdown
from a11y_judge.reports.csv_report import to_csv, to_summary_csv
from a11y_judge.reports.json_report import to_json
from a11y_judge.reports.markdown_report import to_markdown
from a11y_judge.reports.pdf_report import batch_html, render_pdf, run_pdf

FORMATS = ("json", "csv", "md", "pdf")
DEFAULT_FORMATS = "json,csv,md"

Body = str | bytes

# per format, (file name suffix, renderer): csv is the tidy long table and the wide summary
_RUN: dict[str, list[tuple[str, Callable[[Run], Body]]]] = {
    "json": [(".json", to_json)],
    "csv": [(".csv", to_csv), ("-summary.csv", to_summary_csv)],
    "md": [(".md", to_markdown)],
    "pdf": [(".pdf", run_pdf)],  # tagged PDF/UA-1
}


def parse_formats(text: str) -> list[str]:
    """`json,csv,md,pdf` (any subset, in any order) as a list; anything else is a clear error."""
    wanted = list(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise A11yJudgeError(
            f"unknown report format {', '.join(unknown) or '(none)'}",
            hint="Use --format with json, csv, md and/or pdf, separated by commas",
        )
    return wanted


def run_files(run: Run, formats: list[str]) -> list[tuple[str, Body]]:
    """(file name, contents) of a run's reports: `run-<id>.json`, `run-<id>.csv` (long),
    `run-<id>-summary.csv` (one row per plan), `run-<id>.md`, `run-<id>.pdf`."""
    return [
        (f"run-{run.run_id}{suffix}", render(run))
        for fmt in formats
        for suffix, render in _RUN[fmt]
    ]


def batch_files(
    job: BatchJob, summary: BatchSummary, runs: Mapping[str, Run], formats: list[str]
) -> list[tuple[str, Body]]:
    """(file name, contents) of a batch's reports, `<job id>.<format>`."""
    render: dict[str, Callable[[], Body]] = {
        "json": lambda: batch_json(job, summary),
        "csv": lambda: batch_csv(job, runs),
        "md": lambda: batch_markdown(job, summary, runs),
        "pdf": lambda: render_pdf(batch_html(job, summary)),
    }
    return [(f"{job.job_id}.{fmt}", render[fmt]()) for fmt in formats]
