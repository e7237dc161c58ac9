"""Resolution strategies, one module each behind `base.Strategy`; chosen by severity."""

from __future__ import annotations

from a11y_judge.consensus.strategies.base import Decision, Strategy, median
from a11y_judge.consensus.strategies.escalate import Escalate
from a11y_judge.consensus.strategies.evidence import EvidenceWeighted
from a11y_judge.consensus.strategies.mediation import Mediation, weighted_median
from a11y_judge.consensus.strategies.reliability_mean import ReliabilityMean

#: Strategy name (as in the rubric's `consensus.strategies`) -> strategy.
STRATEGIES: dict[str, Strategy] = {
    s.name: s for s in (ReliabilityMean(), EvidenceWeighted(), Mediation(), Escalate())
}

__all__ = ["STRATEGIES", "Decision", "Strategy", "median", "weighted_median"]
