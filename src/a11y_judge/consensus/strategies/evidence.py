"""Medium disagreement: weight each judgment by how grounded it is in the plan and audit."""

from __future__ import annotations

from a11y_judge.consensus.strategies.base import Decision, listed, weighted_mean
from a11y_judge.consensus.votes import Vote


class EvidenceWeighted:
    """Weight = quote grounding ((verified + 1) / (quotes + 2)) x coverage agreement with the
    evidence judge's facts; never the length of a rationale."""

    name = "evidence"
    description = "evidence-weighted mean (quotes verified, coverage claims checked)"

    def decide(self, votes: list[Vote], spread: float) -> Decision:
        weights = [v.grounding for v in votes]
        score = weighted_mean(votes, weights)
        facts = "; ".join(
            f"{v.judge}: {v.verified} of {v.quotes} quotes found in the plan"
            + (f", {v.coverage_note}" if v.coverage_note else "")
            for v in votes
        )
        why = (
            f"Spread {spread:.2f}: the judge whose score is better grounded counts more. "
            f"{facts}. Weighted: {listed(votes, weights, 'weight')} = {score:.2f}."
        )
        inputs: dict[str, dict[str, float]] = {}
        for v, w in zip(votes, weights, strict=True):
            inputs[v.judge] = {
                "score": v.score,
                "quotes": v.quotes,
                "verified": v.verified,
                "quote_grounding": round(v.quote_grounding, 4),
                "weight": round(w, 4),
            }
            if v.coverage_agreement is not None:
                inputs[v.judge]["coverage_agreement"] = round(v.coverage_agreement, 4)
        return Decision(round(score, 2), why, inputs)
