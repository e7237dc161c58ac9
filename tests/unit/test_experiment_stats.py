"""Paired statistics against scipy and hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp

from a11y_judge.experiments import stats


def test_tests_and_effect_sizes_match_scipy_and_hand_work() -> None:
    a = [5.0, 6.0, 7.0, 4.0, 6.5, 5.5, 7.5, 6.0]
    b = [6.0, 6.5, 8.0, 5.5, 6.0, 7.0, 8.5, 7.5]
    p = stats.paired(a, b, ["x"] * 8)
    d = np.subtract(b, a)
    assert p.mean_diff == pytest.approx(d.mean())
    assert p.p_wilcoxon == pytest.approx(sp.wilcoxon(d).pvalue)
    assert p.p_ttest == pytest.approx(sp.ttest_rel(b, a).pvalue)
    assert p.effect_size == pytest.approx(d.mean() / d.std(ddof=1))
    # rank-biserial by hand: |d| = 1, .5, 1, 1.5, .5, 1.5, 1, 1.5 with the one negative (-.5)
    ranks = sp.rankdata(np.abs(d))
    minus = ranks[d < 0].sum()
    assert p.rank_biserial == pytest.approx((ranks.sum() - 2 * minus) / ranks.sum())
    assert p.ci is not None and p.ci[0] < d.mean() < p.ci[1]
    # power: MDD = (1.96 + 0.8416) sd / sqrt(n)
    assert p.mdd == pytest.approx(2.801585 * d.std(ddof=1) / math.sqrt(8))


def test_cluster_robust_se_against_the_formula() -> None:
    # two audits: d = [1, 2, 3] and [4, 6]; mean 3.2; residual sums -3.6 and 3.6
    d = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    se = stats.cluster_se(d, ["a", "a", "a", "b", "b"])
    assert se == pytest.approx(math.sqrt(2 / 1 * (3.6**2 + 3.6**2) / 25))
    assert stats.cluster_se(d, ["a"] * 5) is None  # one cluster: not defined


def test_holm_step_down() -> None:
    # p = .01, .04, .03 → sorted .01 x3 = .03, .03 x2 = .06, .04 x1 = .06 (monotone)
    assert stats.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([None, 0.2]) == [None, 0.2]


def test_identical_scores_and_tiny_samples_are_honest() -> None:
    same = stats.paired([5, 6, 7], [5, 6, 7], ["x"] * 3)
    assert same.p_wilcoxon == 1.0 and same.effect_size is None and same.rank_biserial is None
    one = stats.paired([5], [6], ["x"])
    assert one.p_wilcoxon is None and one.ci is None and one.mdd is None


def test_bootstrap_resamples_whole_audits() -> None:
    # every audit moves by a constant: resampling audits can only produce means of those
    d = np.array([1.0, 1.0, 3.0, 3.0])
    lo, hi = stats.bootstrap_ci(d, ["a", "a", "b", "b"], resamples=500)  # type: ignore[misc]
    assert 1.0 <= lo <= hi <= 3.0


def test_kendall_and_spearman() -> None:
    assert stats.kendall_tau([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert stats.kendall_tau([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert stats.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
