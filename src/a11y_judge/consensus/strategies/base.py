"""The one small interface every resolution strategy implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from a11y_judge.consensus.votes import Vote


@dataclass(frozen=True)
class Decision:
    """A strategy's answer: the score (None: escalated), what it did and why, and the
    factors it used per judge (shown in the UI)."""

    score: float | None
    reasoning: str
    inputs: dict[str, dict[str, float]] = field(default_factory=dict)


class Strategy(Protocol):
    """Turns the votes on one plan x criterion into one score, or escalates."""

    name: str
    description: str

    def decide(self, votes: list[Vote], spread: float) -> Decision:
        """Decide the item; `votes` holds two or more."""
        ...


def weighted_mean(votes: list[Vote], weights: list[float]) -> float:
    """sum(w * s) / sum(w)."""
    total = sum(weights)
    return sum(w * v.score for w, v in zip(weights, votes, strict=True)) / total


def median(values: list[float]) -> float:
    """The plain median (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def listed(votes: list[Vote], weights: list[float], label: str) -> str:
    """'openai:gpt-4.1 8.00 (weight 0.62), offline 6.50 (weight 0.38)'."""
    total = sum(weights) or 1.0
    return ", ".join(
        f"{v.judge} {v.score:.2f} ({label} {w / total:.2f})"
        for v, w in zip(votes, weights, strict=True)
    )
