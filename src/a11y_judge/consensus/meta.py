"""Meta-evaluation of each judge against the consensus, from history, in plain language.

Per judge, over the items it scored that have a final (automatic or reviewed) score:
leniency or harshness (its mean offset from the consensus), score clustering (its spread
against the consensus's on the same items), criterion bias (the offset per criterion beyond its
overall one) and failure rate. Recommendations cite the numbers and the cases behind them;
below MIN_CASES a judge is only described, not judged.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

MIN_CASES = 5
LENIENCY = 0.5
CLUSTERING = 0.6
CRITERION_BIAS = 0.75
FAILURE_RATE = 0.10

Item = tuple[str, str, str]


@dataclass
class JudgeMeta:
    """One judge's calibration figures and what to do about them."""

    judge: str
    cases: int
    offset: float | None
    spread: float | None
    consensus_spread: float | None
    criterion_offsets: dict[str, tuple[float, int]] = field(default_factory=dict)
    judgments: int = 0
    failures: int = 0
    recommendations: list[str] = field(default_factory=list)

    @property
    def failure_rate(self) -> float | None:
        """failures / judgments (None without judgments)."""
        return self.failures / self.judgments if self.judgments else None


def meta_evaluate(
    scores: Iterable[tuple[Item, str, float]],
    finals: Mapping[Item, float],
    outcomes: Mapping[str, tuple[int, int]],
    names: Mapping[str, str] | None = None,
) -> list[JudgeMeta]:
    """Per judge: figures and recommendations (`names` maps criterion ids to their names)."""
    names = names or {}
    pairs: dict[str, list[tuple[Item, float, float]]] = defaultdict(list)
    for item, judge, score in scores:
        if item in finals:
            pairs[judge].append((item, score, finals[item]))
    out = []
    for judge in sorted(set(pairs) | set(outcomes)):
        mine = pairs.get(judge, [])
        total, failed = outcomes.get(judge, (0, 0))
        # numpy: statistics.pstdev's exact fractions took most of a second on a large history
        own = np.fromiter((s for _, s, _ in mine), dtype=float, count=len(mine))
        jury = np.fromiter((f for _, _, f in mine), dtype=float, count=len(mine))
        two = len(mine) >= 2
        meta = JudgeMeta(
            judge=judge,
            cases=len(mine),
            offset=float(np.mean(own - jury)) if mine else None,
            spread=float(np.std(own)) if two else None,
            consensus_spread=float(np.std(jury)) if two else None,
            judgments=total,
            failures=failed,
        )
        by_criterion: dict[str, list[float]] = defaultdict(list)
        for (_, _, criterion), s, f in mine:
            by_criterion[criterion].append(s - f)
        meta.criterion_offsets = {
            c: (statistics.fmean(d), len(d)) for c, d in sorted(by_criterion.items())
        }
        meta.recommendations = _recommend(meta, names)
        out.append(meta)
    return out


def _recommend(m: JudgeMeta, names: Mapping[str, str]) -> list[str]:
    tips = []
    if m.cases < MIN_CASES:
        tips.append(
            f"Only {m.cases} item(s) with a consensus so far: too few to judge {m.judge}'s "
            f"calibration (needs {MIN_CASES})."
        )
    else:
        assert m.offset is not None
        if abs(m.offset) >= LENIENCY:
            kind, side = ("lenient", "above") if m.offset > 0 else ("harsh", "below")
            tips.append(
                f"{m.judge} is {kind}: it scores {abs(m.offset):.2f} points {side} the "
                f"consensus on average over {m.cases} items. Add anchored examples to its "
                f"prompt, or let reliability weighting discount it."
            )
        if (
            m.spread is not None
            and m.consensus_spread
            and m.spread < CLUSTERING * m.consensus_spread
        ):
            tips.append(
                f"{m.judge}'s scores cluster: they vary by {m.spread:.2f} (SD) where the "
                f"consensus varies by {m.consensus_spread:.2f} on the same {m.cases} items. Ask "
                f"it to use the whole anchored 0-10 scale."
            )
        for criterion, (offset, n) in m.criterion_offsets.items():
            if n >= 3 and abs(offset - m.offset) >= CRITERION_BIAS:
                tips.append(
                    f"{m.judge} is biased on {names.get(criterion, criterion)}: "
                    f"{offset:+.2f} against the consensus over {n} items, versus "
                    f"{m.offset:+.2f} overall. Check how its prompt reads that criterion's "
                    f"anchors."
                )
    rate = m.failure_rate
    if rate is not None and m.judgments >= MIN_CASES and rate >= FAILURE_RATE:
        tips.append(
            f"{m.judge} failed {m.failures} of {m.judgments} judgments ({rate:.0%}): check the "
            f"failures' reasons on the History page (quota, schema support, timeouts)."
        )
    if not tips:
        tips.append(
            f"{m.judge} is calibrated: offset {m.offset:+.2f} over {m.cases} items, no "
            f"clustering or criterion bias found."
        )
    return tips
