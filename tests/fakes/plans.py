"""Many distinct plans from a few, for runs where no two plans may share a cache key."""

from __future__ import annotations

from a11y_judge.models import Plan


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
