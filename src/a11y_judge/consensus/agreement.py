"""Inter-judge agreement: Krippendorff's alpha (interval), ICC(2,1), Kendall's tau-b, within 1.

Written with numpy and scipy (the PyPI packages for alpha and ICC are GPL). Each returns None
where the statistic is undefined — fewer than two judges, nothing pairable, no variance —
never a 0 or a 1 standing in for "cannot say"; `explain_*` says why.

Data is a judges x items matrix of scores with NaN where a judge gave no score.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

from a11y_judge.models import AgreementStats

Matrix = NDArray[np.float64]


def krippendorff_alpha(data: Matrix) -> float | None:
    """Krippendorff's alpha with the interval metric (squared differences), missing values
    allowed: 1 - (n - 1) * sum_u sum_{i!=j in u} d2 / (m_u - 1) / sum_{i!=j over all} d2, over
    the n values in units with at least two values (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability")."""
    values = np.asarray(data, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2:
        return None
    present = ~np.isnan(values)
    counts = present.sum(axis=0)
    pairable = counts >= 2
    if not pairable.any():
        return None
    cells = np.where(present, values, 0.0)[:, pairable]
    m = counts[pairable].astype(float)
    sums = cells.sum(axis=0)
    squares = np.square(cells).sum(axis=0)
    # per unit, the sum over ordered pairs i != j of (v_i - v_j)^2 is 2 m sum((v - mean)^2)
    # = 2 m (sum v^2 - (sum v)^2 / m): vectorised and linear in the number of values
    observed = float((2 * m * (squares - sums**2 / m) / (m - 1)).sum())
    pooled = values[:, pairable][present[:, pairable]]
    n = pooled.size
    expected = float(2 * n * np.square(pooled - pooled.mean()).sum())
    if expected == 0.0:
        return None  # every value the same: agreement cannot be told from chance
    return float(1.0 - (n - 1) * observed / expected)


def icc_2_1(data: Matrix) -> float | None:
    """ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, single
    rater, over the items every judge scored:
    (BMS - EMS) / (BMS + (k - 1) EMS + k (JMS - EMS) / n)."""
    values = np.asarray(data, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2:
        return None
    complete = values[:, ~np.isnan(values).any(axis=0)].T  # items x judges
    n, k = complete.shape
    if n < 2:
        return None
    grand = complete.mean()
    ss_items = k * float(((complete.mean(axis=1) - grand) ** 2).sum())
    ss_judges = n * float(((complete.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((complete - grand) ** 2).sum())
    ss_error = ss_total - ss_items - ss_judges
    bms = ss_items / (n - 1)
    jms = ss_judges / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    denominator = bms + (k - 1) * ems + k * (jms - ems) / n
    if denominator <= 0 or math.isclose(denominator, 0.0, abs_tol=1e-12):
        return None
    return float((bms - ems) / denominator)


def within(data: Matrix, points: float = 1.0) -> float | None:
    """Share of items (with two or more scores) whose spread (max - min) is at most `points`."""
    values = np.asarray(data, dtype=float)
    if values.ndim != 2 or values.size == 0:
        return None
    pairable = (~np.isnan(values)).sum(axis=0) >= 2
    if not pairable.any():
        return None
    kept = values[:, pairable]
    spreads = np.nanmax(kept, axis=0) - np.nanmin(kept, axis=0)
    return float((spreads <= points + 1e-9).mean())


def kendall_tau_b(a: list[float], b: list[float]) -> float | None:
    """Kendall's tau-b between two judges' scores of the same plans (ties handled); None with
    fewer than two plans or when either judge gave every plan the same score."""
    if len(a) != len(b) or len(a) < 2 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    from scipy.stats import kendalltau  # ~1 s to import: only when two judges ranked plans

    tau = kendalltau(a, b, variant="b").statistic
    return None if tau is None or math.isnan(tau) else float(tau)


def rank_taus(scores: dict[str, dict[str, float]]) -> dict[str, float | None]:
    """tau-b for each pair of judges over the plans both scored: {'a|b': tau} (judge -> plan ->
    weighted score)."""
    out: dict[str, float | None] = {}
    for a, b in itertools.combinations(sorted(scores), 2):
        common = sorted(set(scores[a]) & set(scores[b]))
        out[f"{a}|{b}"] = kendall_tau_b(
            [scores[a][p] for p in common], [scores[b][p] for p in common]
        )
    return out


def explain(data: Matrix) -> str:
    """Why alpha or ICC may be undefined for this matrix ('' when both can be computed)."""
    values = np.asarray(data, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2:
        return "one judge: agreement needs two or more"
    present = ~np.isnan(values)
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        return "no item was scored by two judges"
    pooled = values[:, pairable][present[:, pairable]]
    if np.ptp(pooled) == 0:
        return "every score is the same: agreement cannot be told from chance"
    if present.all(axis=0).sum() < 2:
        return "fewer than two items scored by every judge (ICC)"
    return ""


def summary(data: Matrix) -> AgreementStats:
    """Alpha, ICC(2,1) and within-1 of a judges x items matrix, with why any is undefined."""
    values = np.asarray(data, dtype=float)
    alpha, icc = krippendorff_alpha(values), icc_2_1(values)
    present = ~np.isnan(values) if values.size else np.zeros((0, 0), dtype=bool)
    return AgreementStats(
        alpha=None if alpha is None else round(alpha, 4) + 0.0,  # + 0.0: no "-0.000"
        icc=None if icc is None else round(icc, 4) + 0.0,
        within_1=within(values),
        items=int(present.any(axis=0).sum()) if values.size else 0,
        judges=int(present.any(axis=1).sum()) if values.size else 0,
        note=explain(values),
    )


def kendall_w(ranks: Matrix) -> float | None:
    """Kendall's coefficient of concordance W of m raters (rows) ranking the same n objects
    (columns), ties as average ranks and corrected: 12 S / (m^2 (n^3 - n) - m sum(t^3 - t)).
    None with fewer than two raters or objects, or when every rater ties everything."""
    values = np.asarray(ranks, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        return None
    m, n = values.shape
    totals = values.sum(axis=0)
    s = float(np.square(totals - totals.mean()).sum())
    ties = 0.0
    for row in values:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    if denominator <= 0:
        return None
    return float(12 * s / denominator)


def average_ranks(scores: list[float]) -> list[float]:
    """Rank 1 = highest score; tied scores share the mean of their ranks."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks
