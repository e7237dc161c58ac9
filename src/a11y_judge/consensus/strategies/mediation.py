"""High disagreement: a robust combination weighted by reliability and grounding."""

from __future__ import annotations

from a11y_judge.consensus.strategies.base import Decision, listed, weighted_mean
from a11y_judge.consensus.votes import Vote


def weighted_median(votes: list[Vote], weights: list[float]) -> float:
    """The score where the cumulative weight first reaches half (the mean of the two
    neighbours when it lands exactly on half)."""
    pairs = sorted(zip((v.score for v in votes), weights, strict=True))
    half = sum(weights) / 2
    cumulative = 0.0
    for i, (score, weight) in enumerate(pairs):
        cumulative += weight
        if abs(cumulative - half) < 1e-9 and i + 1 < len(pairs):
            return (score + pairs[i + 1][0]) / 2
        if cumulative > half:
            return score
    return pairs[-1][0]


class Mediation:
    """Weighted median (three or more judges) with weight = reliability x grounding; with two
    judges a median is just their mean, so their weighted mean."""

    name = "mediation"
    description = "weighted median by reliability x grounding (weighted mean with two judges)"

    def decide(self, votes: list[Vote], spread: float) -> Decision:
        weights = [v.reliability * v.grounding for v in votes]
        if len(votes) >= 3:
            score = weighted_median(votes, weights)
            how = "the weighted median, so one outlying judge cannot pull it"
        else:
            score = weighted_mean(votes, weights)
            how = (
                "with two judges a median is just their mean, so their weighted mean "
                "(a third judge would make it robust)"
            )
        factors = "; ".join(
            f"{v.judge}: reliability {v.reliability:.2f} ({v.reliability_cases} cases) x "
            f"grounding {v.grounding:.2f}"
            for v in votes
        )
        why = (
            f"Spread {spread:.2f}: mediated as {how}. {factors}. "
            f"{listed(votes, weights, 'weight')} → {score:.2f}."
        )
        inputs = {
            v.judge: {
                "score": v.score,
                "reliability": v.reliability,
                "grounding": round(v.grounding, 4),
                "weight": round(w, 4),
            }
            for v, w in zip(votes, weights, strict=True)
        }
        return Decision(round(score, 2), why, inputs)
