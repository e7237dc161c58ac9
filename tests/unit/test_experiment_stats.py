"""Paired statistics against scipy and hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp

from a11y_judge.experiments import analysis, stats


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


def test_bootstrap_ci_with_one_audit_matches_scipy_percentile_bootstrap() -> None:
    rng = np.random.default_rng(7)
    a = rng.normal(5, 1, 20)
    b = a + 0.4 + rng.normal(0, 0.8, 20)
    d = b - a
    ours = stats.bootstrap_ci(d, ["x"] * 20, resamples=20000, seed=3)
    # the same interval from scipy, resampling the pairs (a_i, b_i) together
    ref = sp.bootstrap(
        (b, a),
        lambda x, y, axis: np.mean(x - y, axis=axis),
        paired=True,
        vectorized=True,
        method="percentile",
        n_resamples=20000,
        rng=np.random.default_rng(11),
    ).confidence_interval
    # both are Monte Carlo estimates of the same percentiles: at 20,000 resamples each
    # endpoint's sampling error is about 0.005 points (SE of the mean here ~0.19)
    assert ours is not None
    assert ours[0] == pytest.approx(ref.low, abs=0.02)
    assert ours[1] == pytest.approx(ref.high, abs=0.02)


def test_power_figures_by_the_normal_approximation() -> None:
    # n = ceil(((z_{1-alpha/2} + z_{power}) * sd_d / |mean_d|)^2), MDD = (z + z) * sd_d / sqrt(n)
    # d = 0, 1, 2, 3: mean 1.5, sd^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
    z = sp.norm.ppf(0.975) + sp.norm.ppf(0.80)
    assert z == pytest.approx(1.959964 + 0.841621, abs=1e-6)
    p = stats.paired([5, 5, 5, 5], [5, 6, 7, 8], ["x"] * 4)
    assert p.mean_diff == 1.5
    # z^2 = 7.84888; 7.84888 * (5/3) / 1.5^2 = 5.814 -> 6 plans
    assert p.n_needed == 6
    assert p.n_needed == math.ceil(z**2 * (5 / 3) / 1.5**2)
    assert p.mdd == pytest.approx(z * math.sqrt(5 / 3) / 2)  # 1.808


def test_kendall_tau_b_with_ties_matches_scipy_and_hand_work() -> None:
    a, b = [1, 2, 2, 3], [1, 1, 2, 3]
    # 6 pairs: 4 concordant, 0 discordant, 1 tied in a only, 1 tied in b only
    # tau_b = (C - D) / sqrt((C + D + T_a) (C + D + T_b)) = 4 / sqrt(5 * 5) = 0.8
    assert stats.kendall_tau(a, b) == pytest.approx(0.8)
    assert stats.kendall_tau(a, b) == pytest.approx(sp.kendalltau(a, b).statistic)
    tied = [3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 4.0]
    other = [2.5, 1.0, 3.0, 2.0, 4.0, 4.0, 6.0]
    assert stats.kendall_tau(tied, other) == pytest.approx(sp.kendalltau(tied, other).statistic)
    assert stats.kendall_tau([1, 1, 1], [1, 2, 3]) is None  # one side all tied: undefined


def _verdict(a: list[float], b: list[float], clusters: list[str] | None = None) -> str:
    p = stats.paired(a, b, clusters or ["x"] * len(a))
    return analysis.verdict("A", "B", p, {})


def test_the_too_few_verdict_states_the_interval_and_the_power_note() -> None:
    a, b = [6.0, 5.0, 7.0, 6.5], [6.5, 4.8, 7.4, 6.4]
    p = stats.paired(a, b, ["x"] * 4)
    text = analysis.verdict("A", "B", p, {})
    assert p.ci is not None and p.mdd is not None and p.n_needed is not None
    assert text.startswith("Too few plans to conclude")
    assert f"95% CI {p.ci[0]:+.2f} to {p.ci[1]:+.2f}" in text
    assert "4 plans in 1 audit" in text and f"Wilcoxon p = {p.p_wilcoxon:.3g}" in text
    assert f"smallest difference detectable with 80% power is {p.mdd:.2f} points" in text
    assert f"would need about {p.n_needed} plans" in text


def test_every_verdict_states_the_interval_and_the_power_note() -> None:
    base = [5.0, 6.0, 7.0, 4.0, 6.5, 5.5, 7.5, 6.0]
    higher = [6.0, 6.5, 8.0, 5.5, 6.0, 7.0, 8.5, 7.5]  # seven of eight up
    mixed = [5.5, 5.5, 7.5, 3.5, 7.0, 5.0, 8.0, 5.5]  # up and down by 0.5
    for b, conclusion in ((higher, ": a real difference."), (mixed, ": no detectable")):
        p = stats.paired(base, b, ["x"] * 8)
        text = analysis.verdict("A", "B", p, {})
        assert p.ci is not None and p.mdd is not None
        assert conclusion in text
        assert f"95% CI {p.ci[0]:+.2f} to {p.ci[1]:+.2f}" in text
        assert (
            f"With 8 plans, the smallest difference detectable with 80% power is "
            f"{p.mdd:.2f} points" in text
        )
    # the mixed differences average exactly 0: no n detects that, and the verdict says so
    assert "exactly 0" in _verdict(base, mixed)


def test_verdicts_without_power_figures_say_why() -> None:
    one = _verdict([5.0], [6.0])
    assert "no interval" in one and "With one plan there is no power figure" in one
    shifted = _verdict([5.0, 6.0, 7.0], [6.0, 7.0, 8.0])  # every plan +1: the SD is 0
    assert "95% CI +1.00 to +1.00" in shifted and "power figures" in shifted
    assert "not defined" in shifted
