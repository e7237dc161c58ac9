"""Many distinct plans from a few, for runs where no two plans may share a cache key."""

from __future__ import annotations

from pathlib import Path

from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.models import AuditReport, Plan, Rubric
from a11y_judge.rubric import load_rubric

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def distinct_copies(plans: list[Plan], n: int) -> list[Plan]:
    """n plans cycling through `plans`, each with its own name, text and content hash."""
    return [
        p.model_copy(
            update={
                "name": f"{p.name}-{i:03d}",
                "content_hash": f"{p.content_hash}-{i:03d}",
                "text": f"{p.text}\n\nVariant {i}.",
            }
        )
        for i, p in enumerate(plans[i % len(plans)] for i in range(n))
    ]


def demo_inputs(n: int) -> tuple[AuditReport, list[Plan], Rubric]:
    """The demo audit, n distinct copies of its plans, and the default rubric."""
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
    return audit, distinct_copies(plans, n), load_rubric()
