"""Low disagreement: the reliability-weighted mean of the judges' scores."""

from __future__ import annotations

from a11y_judge.consensus.strategies.base import Decision, listed, weighted_mean
from a11y_judge.consensus.votes import Vote


class ReliabilityMean:
    """sum(reliability * score) / sum(reliability)."""

    name = "reliability_mean"
    description = "reliability-weighted mean"

    def decide(self, votes: list[Vote], spread: float) -> Decision:
        weights = [v.reliability for v in votes]
        score = weighted_mean(votes, weights)
        equal = len({round(w, 6) for w in weights}) == 1
        why = (
            f"Spread {spread:.2f}: the judges broadly agree, so their scores are averaged "
            + (
                "with equal weight (no judge has a better record yet)"
                if equal
                else f"weighted by reliability: {listed(votes, weights, 'weight')}"
            )
            + f" = {score:.2f}."
        )
        inputs = {
            v.judge: {"score": v.score, "reliability": v.reliability, "cases": v.reliability_cases}
            for v in votes
        }
        return Decision(round(score, 2), why, inputs)
