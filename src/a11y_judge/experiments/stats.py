"""Paired statistics for A/B comparisons on the same items (plans nested in audits).

Every comparison is on per-item differences d = B - A. The interval is a paired bootstrap
(resampling whole audits when the items come from several, so plans of one audit stay together);
the cluster-robust standard error is the CR1 sandwich for a mean: with residuals e = d - mean(d)
summed per audit g, SE^2 = G/(G-1) * sum_g (sum_i e_gi)^2 / n^2. Tests: Wilcoxon signed-rank
(zero differences dropped) and the paired t-test; effect sizes: Cohen's d_z = mean / SD and the
matched-pairs rank-biserial correlation; Holm's step-down correction across criteria. The power
note uses the normal approximation at alpha 0.05 (two-sided) and 80% power.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

#: Fewer paired items than this: the verdict says the sample is too small to conclude.
MIN_ITEMS = 6
BOOTSTRAP = 4000
Z_ALPHA, Z_POWER = 1.959964, 0.841621  # alpha 0.05 two-sided; 80% power


@dataclass(frozen=True)
class Paired:
    """A comparison of B against A on n paired items."""

    n: int
    clusters: int
    mean_a: float
    mean_b: float
    mean_diff: float
    ci: tuple[float, float] | None
    se_cluster: float | None
    p_wilcoxon: float | None
    p_ttest: float | None
    effect_size: float | None  # Cohen's d_z
    rank_biserial: float | None
    mdd: float | None  # the smallest difference this n detects at 80% power
    n_needed: int | None  # items needed to detect the observed difference at 80% power
    p_holm: float | None = None

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["ci"] = list(self.ci) if self.ci else None
        return out


def bootstrap_ci(
    d: np.ndarray, clusters: Sequence[str], *, resamples: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float] | None:
    """95% percentile interval of the mean difference, resampling audits (or items, with one
    audit)."""
    if len(d) < 2:
        return None
    rng = np.random.default_rng(seed)
    groups = sorted(set(clusters))
    if len(groups) >= 2:
        members = [np.flatnonzero(np.asarray(clusters) == g) for g in groups]
        sums = np.array([d[m].sum() for m in members])
        sizes = np.array([len(m) for m in members])
        pick = rng.integers(0, len(groups), size=(resamples, len(groups)))
        means = sums[pick].sum(axis=1) / sizes[pick].sum(axis=1)
    else:
        pick = rng.integers(0, len(d), size=(resamples, len(d)))
        means = d[pick].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def cluster_se(d: np.ndarray, clusters: Sequence[str]) -> float | None:
    """CR1 cluster-robust standard error of the mean difference (None with one cluster)."""
    groups = sorted(set(clusters))
    g, n = len(groups), len(d)
    if g < 2:
        return None
    e = d - d.mean()
    labels = np.asarray(clusters)
    s = np.array([e[labels == k].sum() for k in groups])
    return float(math.sqrt(g / (g - 1) * float(np.sum(s**2)) / n**2))


def rank_biserial(d: np.ndarray) -> float | None:
    """Matched-pairs rank-biserial correlation: (R+ - R-) / (R+ + R-) over non-zero d."""
    from scipy.stats import rankdata

    nz = d[d != 0]
    if nz.size == 0:
        return None
    ranks = rankdata(np.abs(nz))
    plus, minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    return float((plus - minus) / (plus + minus))


def paired(a: Sequence[float], b: Sequence[float], clusters: Sequence[str]) -> Paired:
    """B against A on the same items (`clusters`: the audit of each item)."""
    from scipy import stats

    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = xb - xa
    n = len(d)
    sd = float(d.std(ddof=1)) if n >= 2 else 0.0
    mean = float(d.mean()) if n else 0.0
    p_w = p_t = None
    if n >= 2:
        if np.all(d == 0):
            p_w = p_t = 1.0
        else:
            p_w = float(stats.wilcoxon(d, zero_method="wilcox").pvalue)
            p_t = float(stats.ttest_rel(xb, xa).pvalue) if sd > 0 else 0.0
    return Paired(
        n=n,
        clusters=len(set(clusters)),
        mean_a=float(xa.mean()) if n else math.nan,
        mean_b=float(xb.mean()) if n else math.nan,
        mean_diff=mean,
        ci=bootstrap_ci(d, clusters),
        se_cluster=cluster_se(d, clusters),
        p_wilcoxon=p_w,
        p_ttest=p_t,
        effect_size=mean / sd if sd > 0 else None,
        rank_biserial=rank_biserial(d),
        mdd=(Z_ALPHA + Z_POWER) * sd / math.sqrt(n) if n >= 2 else None,
        n_needed=math.ceil(((Z_ALPHA + Z_POWER) * sd / abs(mean)) ** 2) if mean and sd else None,
    )


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm-Bonferroni adjusted p-values (None stays None)."""
    known = [(p, i) for i, p in enumerate(pvalues) if p is not None]
    m = len(known)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(known)):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def kendall_tau(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Kendall's tau-b between two variants' scores of one audit's plans."""
    from scipy.stats import kendalltau

    if len(a) < 2:
        return None
    tau = kendalltau(a, b).statistic
    return None if tau is None or math.isnan(tau) else float(tau)


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    from scipy.stats import spearmanr

    if len(a) < 3:
        return None
    rho = spearmanr(a, b).statistic
    return None if rho is None or math.isnan(rho) else float(rho)
