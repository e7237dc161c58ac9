"""Critical disagreement: no automatic number; a reviewer decides."""

from __future__ import annotations

from a11y_judge.consensus.strategies.base import Decision, median
from a11y_judge.consensus.votes import Vote


class Escalate:
    """Leaves the score empty; the plan is ranked provisionally with the jury median until a
    reviewer resolves it."""

    name = "escalate"
    description = "escalated to a reviewer"

    def decide(self, votes: list[Vote], spread: float) -> Decision:
        stand_in = median([v.score for v in votes])
        scores = ", ".join(f"{v.judge} {v.score:.2f}" for v in votes)
        why = (
            f"Spread {spread:.2f}: the judges disagree too much for any rule to decide "
            f"({scores}). Escalated to a reviewer; until then the plan is ranked "
            f"provisionally with the jury median {stand_in:.2f}."
        )
        return Decision(None, why, {v.judge: {"score": v.score} for v in votes})
