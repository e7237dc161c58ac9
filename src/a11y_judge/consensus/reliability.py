"""Judge reliability, learned from history: agreement with reviewers and with the jury.

For every item (run x plan x criterion) a judge scored alongside other judges, its agreement
with the jury median is exp(-|score - median| / 2) (1 when it is the median, 0.37 two points
off); for every item a reviewer resolved, its agreement with the reviewer's score, counted
three times (a reviewer's decision is the better reference). The mean agreement is shrunk
toward the jury's average with 20 pseudo-cases, so a judge with few cases stays close to
equal, and the values are scaled so that the jury's average is 1.0. A judge with no cases
weighs 1.0.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping

from a11y_judge.models import JudgeReliability

HUMAN_WEIGHT = 3
SHRINK_CASES = 20
#: Points of disagreement at which agreement falls to 1/e.
SCALE = 2.0

Item = tuple[str, str, str]


def agreement(error: float) -> float:
    """exp(-error / SCALE)."""
    return math.exp(-abs(error) / SCALE)


def learn(
    scores: Iterable[tuple[Item, str, float]], reviewed: Mapping[Item, float]
) -> list[JudgeReliability]:
    """Reliability per judge from (item, judge, score) triples and reviewers' scores."""
    by_item: dict[Item, dict[str, float]] = defaultdict(dict)
    for item, judge, score in scores:
        by_item[item][judge] = score
    jury: dict[str, list[float]] = defaultdict(list)
    human: dict[str, list[float]] = defaultdict(list)
    for item, votes in by_item.items():
        if len(votes) >= 2:
            middle = statistics.median(votes.values())
            for judge, score in votes.items():
                jury[judge].append(agreement(score - middle))
        if item in reviewed:
            for judge, score in votes.items():
                human[judge].append(agreement(score - reviewed[item]))
    judges = sorted(set(jury) | set(human))
    raw: dict[str, tuple[float, float]] = {}
    for judge in judges:
        weight = HUMAN_WEIGHT * len(human[judge]) + len(jury[judge])
        points = HUMAN_WEIGHT * sum(human[judge]) + sum(jury[judge])
        raw[judge] = (points / weight, weight)
    if not raw:
        return []
    prior = statistics.fmean(mean for mean, _ in raw.values())
    shrunk = {
        judge: (weight * mean + SHRINK_CASES * prior) / (weight + SHRINK_CASES)
        for judge, (mean, weight) in raw.items()
    }
    average = statistics.fmean(shrunk.values())
    return [
        JudgeReliability(
            judge=judge,
            value=round(shrunk[judge] / average, 4),
            human_cases=len(human[judge]),
            jury_cases=len(jury[judge]),
        )
        for judge in judges
    ]
