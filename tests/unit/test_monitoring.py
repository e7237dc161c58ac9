"""Monitoring figures: percentiles against numpy, thresholds, anomaly flags and
recommendations on constructed data (regressions trigger them; stationary data does not)."""

from __future__ import annotations

import numpy as np
import pytest

from a11y_judge.monitoring import insights
from a11y_judge.monitoring.thresholds import Thresholds, load_thresholds, save_thresholds

LIMITS = Thresholds()


def _calls(latencies: list[list[float]], model: str = "m", **extra: object) -> list[tuple]:
    """One run per list of latencies (seconds), an hour apart; ok, live, one request each."""
    rows = []
    for k, run in enumerate(latencies):
        when = f"2026-11-{1 + k // 24:02d}T{k % 24:02d}:00:00+00:00"
        for lat in run:
            rows.append(
                (
                    f"run-{k:03d}",
                    when,
                    f"openai:{model}",
                    "openai",
                    model,
                    extra.get("status", "ok"),
                    lat * 1000,
                    1000,
                    200,
                    extra.get("cost", 0.01),
                    1,
                    extra.get("retries", 0),
                    extra.get("cache_hit", 0),
                )
            )
    return rows


def _runs(n: int, cost: list[float] | None = None, **extra: float) -> list[tuple]:
    rows = []
    for k in range(n):
        when = f"2026-11-{1 + k // 24:02d}T{k % 24:02d}:00:00+00:00"
        rows.append(
            (
                f"run-{k:03d}",
                when,
                "ok",
                4,
                8,
                10.0,
                8,
                0,
                8,
                8000,
                1600,
                (cost or [0.08] * n)[k],
                120.0,
                180.0,
                300.0,
                extra.get("rss", 350.0),
                extra.get("slot_wait", 0.0),
                extra.get("request_s", 40.0),
            )
        )
    return rows


def test_percentiles_match_numpy_per_model() -> None:
    rng = np.random.default_rng(7)
    a = rng.lognormal(0.5, 0.6, 500).round(3).tolist()
    b = rng.lognormal(1.2, 0.3, 300).round(3).tolist()
    calls = insights.calls_frame(_calls([a], "a") + _calls([b], "b"))
    table = insights.latency_table(calls).set_index("Model")
    for model, values in (("openai:a", a), ("openai:b", b)):
        expected = np.percentile(values, [50, 95, 99])
        got = table.loc[model, ["p50 (s)", "p95 (s)", "p99 (s)"]].to_numpy(dtype=float)
        assert got == pytest.approx(expected.round(2), abs=0.006)
    assert insights.percentiles([]) is None


def test_per_run_percentiles_over_time_match_numpy() -> None:
    rng = np.random.default_rng(11)
    runs = [rng.lognormal(0.4 + 0.1 * k, 0.5, 60).round(3).tolist() for k in range(3)]
    by_run = insights.latency_by_run(insights.calls_frame(_calls(runs, "a")))
    assert list(by_run["run_id"]) == ["run-000", "run-001", "run-002"]  # in time order
    for values, row in zip(runs, by_run.itertuples(index=False), strict=True):
        expected = np.percentile(values, [50, 95, 99])
        assert [row.p50_s, row.p95_s, row.p99_s] == pytest.approx(expected)
        assert row.requests == len(values)


def test_cache_hits_are_left_out_of_latency() -> None:
    rows = _calls([[2.0, 2.0, 2.0]]) + _calls([[0.001] * 3], cache_hit=1)
    table = insights.latency_table(insights.calls_frame(rows))
    assert table["p95 (s)"].iloc[0] == 2.0 and table["Cache hit rate"].iloc[0] == 0.5


def test_stationary_data_raises_no_flag() -> None:
    rng = np.random.default_rng(1)
    runs = [rng.normal(3.0, 0.2, 20).clip(0.5).tolist() for _ in range(40)]
    calls = insights.calls_frame(_calls(runs))
    costs = rng.normal(0.08, 0.004, 40).tolist()
    frame = insights.runs_frame(_runs(40, costs))
    assert insights.anomalies(calls, frame, LIMITS) == []
    assert insights.threshold_warnings(calls, frame, LIMITS) == []
    assert insights.recommendations(calls, frame) == []


def test_a_latency_regression_is_flagged_and_explained() -> None:
    rng = np.random.default_rng(2)
    runs = [rng.normal(4.0, 0.2, 20).tolist() for _ in range(14)]
    runs += [rng.normal(9.8, 0.3, 20).tolist() for _ in range(6)]
    calls = insights.calls_frame(_calls(runs, "gpt"))
    frame = insights.runs_frame(_runs(20))
    flagged = insights.anomalies(calls, frame, LIMITS)
    assert flagged and "run-014" in flagged[0].message and "p95 latency" in flagged[0].message
    assert all(f.subject == "openai:gpt" for f in flagged)
    advice = insights.recommendations(calls, frame)
    rose = [f for f in advice if "rose from" in f.message]
    assert len(rose) == 1 and "over the last 20 runs" in rose[0].message
    slow = insights.threshold_warnings(calls, frame, Thresholds(p95_latency_s=8.0))
    assert any("p95 latency of openai:gpt" in f.message for f in slow)


def test_a_cost_spike_is_an_anomaly() -> None:
    costs = [0.08 + 0.001 * (k % 3) for k in range(25)] + [0.9]
    frame = insights.runs_frame(_runs(26, costs))
    calls = insights.calls_frame(_calls([[1.0]] * 26))
    flagged = insights.anomalies(calls, frame, LIMITS)
    assert [f.subject for f in flagged] == ["cost"] and "run-025" in flagged[0].message


def test_thresholds_on_errors_memory_cost_and_cache() -> None:
    rows = _calls([[1.0] * 9], cost=5.0) + _calls([[1.0]], status="failed", cost=5.0)
    calls = insights.calls_frame(rows)
    frame = insights.runs_frame(_runs(1, rss=2048.0))
    messages = [f.message for f in insights.threshold_warnings(calls, frame, LIMITS)]
    assert any("failed 1 of 10 judgments (10.0%, threshold 5%)" in m for m in messages)
    assert any("2048 MiB resident" in m for m in messages)
    assert any("$50.00 of LLM calls" in m for m in messages)
    cache = Thresholds(min_cache_hit_rate=0.5)
    assert any(
        "cache hit rate" in f.message for f in insights.threshold_warnings(calls, frame, cache)
    )


def test_recommendations_only_when_their_condition_holds() -> None:
    calls = insights.calls_frame(_calls([[1.0] * 10] * 3, retries=1))
    waiting = insights.runs_frame(_runs(3, slot_wait=30.0, request_s=40.0))
    said = {f.subject: f.message for f in insights.recommendations(calls, waiting, 3, 20)}
    assert "waited on the concurrency limit 43% of the time" in said["concurrency"]
    assert "20 LLM judgments repeated an earlier one" in said["cache"]
    assert "differ in prompt version (3 versions" in said["cache"]
    assert "cache" not in {f.subject for f in insights.recommendations(calls, waiting, 3, 0)}
    assert "1.00 per request" in said["openai:m"]
    calm = insights.runs_frame(_runs(3, slot_wait=1.0, request_s=40.0))
    cached = insights.calls_frame(_calls([[1.0] * 10] * 3, cache_hit=1))
    assert insights.recommendations(cached, calm, 1, 30) == []  # the repeats were cache hits


def test_lognormal_latencies_of_a_steady_provider_are_rarely_flagged() -> None:
    rng = np.random.default_rng(3)
    runs = [rng.lognormal(1.2, 0.4, 14).tolist() for _ in range(300)]
    calls = insights.calls_frame(_calls(runs))
    flagged = insights.anomalies(calls, insights.runs_frame(_runs(300)), LIMITS)
    assert len(flagged) <= 3  # under 1% of 300 runs, on data with no change at all


def test_robust_z_needs_history_and_ignores_one_outlier_in_the_past() -> None:
    z = insights.robust_z([1, 1, 1, 1, 50, 1, 1, 1, 1, 1, 1, 9], window=20, floor=0.1)
    assert np.isnan(z[:8]).all()
    assert z[8] == 0.0 and z[10] == 0.0  # the earlier 50 does not make later 1s look odd
    assert z[11] == pytest.approx(80.0)  # (9 - 1) / (10% of 1)


def test_thresholds_load_defaults_and_the_users_edits() -> None:
    assert load_thresholds() == Thresholds()
    path = save_thresholds(Thresholds(p95_latency_s=12.5))
    assert path.exists() and load_thresholds().p95_latency_s == 12.5
    assert path.name == "thresholds.yaml"  # never the shipped data/monitoring.yaml
    path.write_text("p95_latency_s: -1\n", encoding="utf-8")
    with pytest.raises(Exception, match="p95_latency_s"):
        load_thresholds()


def test_samplers_running_at_once_share_one_reading_thread() -> None:
    """A batch runs many sets at once: one thread reads the process table for all of them, each
    gets every reading while it runs plus one last of its own, and the thread ends with them."""
    import threading
    import time

    from a11y_judge.monitoring.sampler import _READINGS, ResourceSampler

    def readers() -> int:
        return sum(t.name == "resource-sampler" for t in threading.enumerate())

    queue = iter(range(100))
    long_run = ResourceSampler(interval=0.05, queue=lambda: next(queue)).start()
    short_runs = [ResourceSampler(interval=0.05).start() for _ in range(5)]
    busy = time.perf_counter() + 0.1
    while time.perf_counter() < busy:
        sum(i * i for i in range(1000))  # CPU for the readings to see
    time.sleep(0.3)  # (readings are slow while a thread holds the GIL: /proc is many files)
    assert readers() == 1
    figures = [s.stop() for s in short_runs]
    usage = long_run.stop()
    assert usage.samples >= 3 and usage.cpu_pct_max is not None and usage.cpu_pct_max > 5
    assert usage.rss_mb_max is not None and usage.rss_mb_max > 20
    assert usage.queue_max == usage.samples - 1  # the queue was asked at each reading
    assert all(f.samples >= 3 for f in figures)
    assert long_run.stop() is usage  # final
    deadline = time.monotonic() + 2
    while _READINGS.running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _READINGS.running() and readers() == 0
    quick = ResourceSampler().start().stop()  # no tick came: its own reading still counts
    assert quick.samples == 1 and quick.rss_mb_max is not None
