"""Tables of the Batch page: jobs, one job's sets, and the batch summary's plan figures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from a11y_judge.batch.summary import BatchSummary
from a11y_judge.models import BatchJob, utcnow
from app.components.tables import format_when

#: Job and set states in words a reviewer reads at a glance.
STATUS_WORDS = {
    "queued": "Queued",
    "running": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted (resume it)",
}


def jobs_frame(jobs: Sequence[BatchJob]) -> pd.DataFrame:
    """One row per job, newest first."""
    now = utcnow()
    return pd.DataFrame(
        [
            {
                "Started": format_when(j.created_at.isoformat()),
                "Job": j.job_id,
                "Source": j.source,
                "Status": STATUS_WORDS.get(j.status, j.status),
                "Sets done": f"{j.finished}/{j.total}",
                "Failed": j.count("failed"),
                "Sets/min": j.rate_per_minute(now if j.status == "running" else None),
                "Judges": ", ".join(j.settings.judges),
            }
            for j in jobs
        ],
        columns=["Started", "Job", "Source", "Status", "Sets done", "Failed", "Sets/min", "Judges"],
    )


def sets_frame(job: BatchJob) -> pd.DataFrame:
    """One row per set: state, judgments done, run id or the reason it failed."""
    return pd.DataFrame(
        [
            {
                "Set": i.name,
                "Status": STATUS_WORDS.get(i.status, i.status),
                "Plans": len(i.plans),
                "Judgments": f"{i.judged}/{i.judgments}" if i.judgments else "",
                "Run": i.run_id or "",
                "Problem": i.error or "",
                "Worker": i.worker or "",
            }
            for i in job.items
        ],
        columns=["Set", "Status", "Plans", "Judgments", "Run", "Problem", "Worker"],
    )


def plan_stats_frame(summary: BatchSummary) -> pd.DataFrame:
    """Each plan name's weighted score across the sets that judged it, best mean first."""
    return pd.DataFrame(
        [
            {
                "Plan": p.plan,
                "Sets": p.sets,
                "Mean": p.mean,
                "Min": p.low,
                "Max": p.high,
                "Std": p.std,
            }
            for p in summary.plans
        ],
        columns=["Plan", "Sets", "Mean", "Min", "Max", "Std"],
    )
