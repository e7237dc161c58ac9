"""The consensus engine: where the jury's judges disagree, how much, and what is done about it.

- `votes.py` — each judge's score on one plan x criterion with its reliability and grounding;
- `strategies/` — one module per resolution strategy behind one interface, chosen by the
  severity of the spread (rubric `consensus:`): reliability-weighted mean, evidence-weighted
  mean, mediation (weighted median), escalation to a reviewer;
- `combine.py` — conflicts, plan results, provisional flags, ranking, resolutions applied;
- `agreement.py` — Krippendorff's alpha, ICC(2,1), Kendall's tau-b, within one point;
- `reliability.py` and `meta.py` — what history says about each judge;
- `review.py` — recording runs and reviewers' resolutions in the history.
"""
