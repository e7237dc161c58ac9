"""From history's figures to answers: latency percentiles, per-run and per-day figures,
threshold warnings, anomaly flags and recommendations, each citing the numbers behind it.

Anomalies use a rolling robust z-score on the log scale: the logarithm of each run's p95
latency (per model, from 10 requests) or cost is compared with the median of the `window` runs
before it, scaled by their median absolute deviation (MAD x 1.4826 estimates the standard
deviation of normal data, and one outlier cannot inflate it the way it inflates a standard
deviation), never less than log(1.1). A rise beyond `anomaly_z` (3.5 by default, Iglewicz &
Hoaglin's cut-off) is flagged; runs with fewer than 8 earlier runs are not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from a11y_judge.history.metrics import CALL_COLUMNS, RUN_COLUMNS
from a11y_judge.monitoring.thresholds import Thresholds

#: Earlier runs a value needs before it can be called an anomaly.
MIN_HISTORY = 8
#: MAD x 1.4826 estimates the standard deviation of normal data.
MAD_SCALE = 1.4826
#: The spread (of log values) is never taken below log(1.1): a few nearly equal runs would
#: otherwise make a 3% change look extreme.
LOG_FLOOR = float(np.log(1.1))
#: Requests a run needs before its p95 latency is judged (a p95 of a handful is noise).
MIN_REQUESTS = 10
#: Share of request time spent waiting for a concurrency slot that calls for more of them.
SLOT_WAIT_SHARE = 0.25
#: Retries per request that point at rate limits.
RETRY_RATE = 0.2
#: A model's p95 latency has "risen" when the recent half is this much above the earlier half.
LATENCY_RISE = 1.5


@dataclass(frozen=True)
class Finding:
    """A warning, anomaly or recommendation: what, and the numbers behind it."""

    kind: str  # "threshold" | "anomaly" | "recommendation"
    subject: str
    message: str


def _times(iso: pd.Series) -> pd.Series:
    """ISO timestamps as UTC datetimes, each distinct one parsed once (a run's judgments
    share its time)."""
    unique = iso.unique()
    parsed = pd.to_datetime(pd.Series(unique), utc=True, format="ISO8601")
    return iso.map(dict(zip(unique, parsed, strict=True))).astype(parsed.dtype)


def calls_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """MetricsStore.calls() as a frame, with `model_id` ('provider:model') and `when`."""
    frame = pd.DataFrame(list(rows), columns=list(CALL_COLUMNS))
    frame["when"] = _times(frame["created_at"])
    frame["model_id"] = frame["provider"] + ":" + frame["model"].fillna("")
    frame["llm"] = ~frame["provider"].isin(["", "offline"])
    frame["cache_hit"] = frame["cache_hit"].astype(bool)
    frame["latency_s"] = frame["latency_ms"] / 1000
    return frame


def runs_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    """MetricsStore.runs() as a frame, with `when` and judgments per minute."""
    frame = pd.DataFrame(list(rows), columns=list(RUN_COLUMNS))
    frame["when"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    wall = frame["wall_s"].where(frame["wall_s"] > 0)
    frame["judgments_per_min"] = 60 * frame["judgments"] / wall
    llm = frame["cache_hits"] + frame["cache_misses"]
    frame["cache_hit_rate"] = frame["cache_hits"] / llm.where(llm > 0)
    return frame


def percentiles(values: Sequence[float] | np.ndarray) -> tuple[float, float, float] | None:
    """(p50, p95, p99), numpy's linear interpolation; None without values."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return None
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def latency_table(calls: pd.DataFrame) -> pd.DataFrame:
    """Per LLM model: requests judged (cache hits apart), latency p50/p95/p99 in seconds,
    failures, retries per request and the cache hit rate."""
    rows = []
    for model_id, group in calls[calls["llm"]].groupby("model_id", sort=True):
        live = group[~group["cache_hit"]]
        pct = percentiles(live["latency_s"].to_numpy())
        requests = int(live["requests"].sum())
        rows.append(
            {
                "Model": model_id,
                "Judgments": len(group),
                "Requests": requests,
                "p50 (s)": None if pct is None else round(pct[0], 2),
                "p95 (s)": None if pct is None else round(pct[1], 2),
                "p99 (s)": None if pct is None else round(pct[2], 2),
                "Failed": int((group["status"] != "ok").sum()),
                "Error rate": round(float((group["status"] != "ok").mean()), 3),
                "Retries per request": round(int(live["retries"].sum()) / requests, 3)
                if requests
                else None,
                "Cache hit rate": round(float(group["cache_hit"].mean()), 3),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Model",
            "Judgments",
            "Requests",
            "p50 (s)",
            "p95 (s)",
            "p99 (s)",
            "Failed",
            "Error rate",
            "Retries per request",
            "Cache hit rate",
        ],
    )


def latency_by_run(calls: pd.DataFrame) -> pd.DataFrame:
    """Per LLM model and run: the run's time, the p50, p95 and p99 latency (s) of its live
    requests (numpy's linear interpolation, as pandas' quantile) and how many there were."""
    live = calls[calls["llm"] & ~calls["cache_hit"]]
    if live.empty:
        return pd.DataFrame(
            columns=["model_id", "run_id", "when", "p50_s", "p95_s", "p99_s", "requests"]
        )
    grouped = live.groupby(["model_id", "run_id"], sort=False)["latency_s"]
    out = pd.DataFrame(
        {
            "when": live.groupby(["model_id", "run_id"], sort=False)["when"].first(),
            "p50_s": grouped.quantile(0.50),
            "p95_s": grouped.quantile(0.95),
            "p99_s": grouped.quantile(0.99),
            "requests": grouped.size(),
        }
    ).reset_index()
    return out.sort_values(["model_id", "when"]).reset_index(drop=True)


def box_stats(calls: pd.DataFrame) -> pd.DataFrame:
    """Per LLM model, of its live requests' latency (s): 5th, 25th, 50th, 75th and 95th
    percentiles and the mean — what the distribution chart draws."""
    live = calls[calls["llm"] & ~calls["cache_hit"]]
    rows = []
    for model_id, group in live.groupby("model_id", sort=True):
        q = np.percentile(group["latency_s"].to_numpy(), [5, 25, 50, 75, 95])
        rows.append([model_id, *q.round(3), round(float(group["latency_s"].mean()), 3)])
    return pd.DataFrame(rows, columns=["Model", "p5", "p25", "p50", "p75", "p95", "Mean"])


def per_day(calls: pd.DataFrame) -> pd.DataFrame:
    """Per UTC day: judgments, LLM tokens (input, output) and cost."""
    if calls.empty:
        return pd.DataFrame(columns=["Day", "Judgments", "Input tokens", "Output tokens", "Cost"])
    day = calls["when"].dt.strftime("%Y-%m-%d")
    out = calls.groupby(day).agg(
        Judgments=("status", "size"),
        **{"Input tokens": ("input_tokens", "sum"), "Output tokens": ("output_tokens", "sum")},
        Cost=("cost_usd", lambda s: float(s.fillna(0).sum())),
    )
    return out.reset_index(names="Day")


def robust_z(values: Sequence[float] | np.ndarray, window: int, floor: float = 0.0) -> np.ndarray:
    """Each value's robust z-score against the `window` values before it: (x - median) /
    max(1.4826 x MAD, floor). NaN while fewer than MIN_HISTORY came before, or where the value
    is missing."""
    x = np.asarray(values, dtype=float)
    z = np.full(x.shape, np.nan)
    for i in range(len(x)):
        past = x[max(0, i - window) : i]
        past = past[~np.isnan(past)]
        if len(past) < MIN_HISTORY or np.isnan(x[i]):
            continue
        med = float(np.median(past))
        spread = max(MAD_SCALE * float(np.median(np.abs(past - med))), floor)
        if spread == 0:
            z[i] = 0.0 if x[i] == med else np.inf * np.sign(x[i] - med)
        else:
            z[i] = (x[i] - med) / spread
    return z


def _rises(values: pd.Series, limits: Thresholds) -> list[tuple[int, float, float]]:
    """(position, robust z, median before) of the values that rose beyond the cut-off,
    judged on the log scale (latency and cost vary by ratios, and their spread is skewed)."""
    logs = np.log(values.to_numpy(dtype=float))
    z = robust_z(logs, limits.anomaly_window, LOG_FLOOR)
    before = values.rolling(limits.anomaly_window, min_periods=1).median().shift(1).to_numpy()
    return [(i, float(z[i]), float(before[i])) for i in range(len(z)) if z[i] > limits.anomaly_z]


def anomalies(
    calls: pd.DataFrame,
    runs: pd.DataFrame,
    limits: Thresholds,
    by_run: pd.DataFrame | None = None,
) -> list[Finding]:
    """Runs whose p95 latency (per model, over at least MIN_REQUESTS requests) or cost rose
    well above the runs before them. Drops are not flagged: they are good news."""
    found: list[Finding] = []
    by_run = latency_by_run(calls) if by_run is None else by_run
    by_run = by_run[by_run["requests"] >= MIN_REQUESTS]
    for model_id, group in by_run.groupby("model_id", sort=True):
        group = group.reset_index(drop=True)
        for i, score, typical in _rises(group["p95_s"], limits):
            row = group.iloc[i]
            found.append(
                Finding(
                    "anomaly",
                    str(model_id),
                    f"run {row['run_id']}: p95 latency of {model_id} was {row['p95_s']:.2f} s "
                    f"against a median of {typical:.2f} s over the runs before it (robust z "
                    f"{score:+.1f} on the log scale, flagged beyond +{limits.anomaly_z:g})",
                )
            )
    priced = runs[(runs["llm_calls"] > 0) & (runs["cost_usd"] > 0)].reset_index(drop=True)
    for i, score, typical in _rises(priced["cost_usd"], limits):
        row = priced.iloc[i]
        found.append(
            Finding(
                "anomaly",
                "cost",
                f"run {row['run_id']}: cost ${row['cost_usd']:.4f} against a median of "
                f"${typical:.4f} over the runs before it (robust z {score:+.1f} on the log "
                "scale)",
            )
        )
    return found


def threshold_warnings(
    calls: pd.DataFrame,
    runs: pd.DataFrame,
    limits: Thresholds,
    table: pd.DataFrame | None = None,
) -> list[Finding]:
    """Every threshold the data in range crosses, with the figure and the threshold."""
    found: list[Finding] = []
    table = latency_table(calls) if table is None else table
    for _, row in table.iterrows():
        p95 = row["p95 (s)"]
        if p95 is not None and not pd.isna(p95) and p95 > limits.p95_latency_s:
            found.append(
                Finding(
                    "threshold",
                    row["Model"],
                    f"p95 latency of {row['Model']} is {p95:.2f} s over {row['Requests']} "
                    f"requests (threshold {limits.p95_latency_s:g} s)",
                )
            )
        if row["Error rate"] > limits.error_rate:
            found.append(
                Finding(
                    "threshold",
                    row["Model"],
                    f"{row['Model']} failed {row['Failed']} of {row['Judgments']} judgments "
                    f"({100 * row['Error rate']:.1f}%, threshold {100 * limits.error_rate:g}%)",
                )
            )
        if limits.min_cache_hit_rate and row["Cache hit rate"] < limits.min_cache_hit_rate:
            found.append(
                Finding(
                    "threshold",
                    row["Model"],
                    f"cache hit rate of {row['Model']} is {100 * row['Cache hit rate']:.1f}% "
                    f"(threshold {100 * limits.min_cache_hit_rate:g}%)",
                )
            )
    peak = runs["rss_mb_max"].max() if not runs.empty else None
    if peak is not None and not pd.isna(peak) and peak > limits.max_rss_mb:
        at = runs.loc[runs["rss_mb_max"].idxmax(), "run_id"]
        found.append(
            Finding(
                "threshold",
                "memory",
                f"run {at} peaked at {peak:.0f} MiB resident (threshold {limits.max_rss_mb:g} MiB)",
            )
        )
    for _, day in per_day(calls).iterrows():
        if limits.cost_per_day_usd and day["Cost"] > limits.cost_per_day_usd:
            found.append(
                Finding(
                    "threshold",
                    "cost",
                    f"{day['Day']}: ${day['Cost']:.2f} of LLM calls "
                    f"(threshold ${limits.cost_per_day_usd:g} a day)",
                )
            )
    return found


def recommendations(
    calls: pd.DataFrame,
    runs: pd.DataFrame,
    prompt_versions: int = 1,
    repeats: int = 0,
    by_run: pd.DataFrame | None = None,
) -> list[Finding]:
    """What to change, only where the data says so, with the numbers behind it."""
    found: list[Finding] = []
    by_run = latency_by_run(calls) if by_run is None else by_run
    for model_id, group in by_run.groupby("model_id", sort=True):
        recent = group.tail(20)
        if len(recent) < 6:
            continue
        half = len(recent) // 2
        before = float(recent["p95_s"].iloc[:half].median())
        after = float(recent["p95_s"].iloc[half:].median())
        if after >= LATENCY_RISE * before and after - before >= 1.0:
            found.append(
                Finding(
                    "recommendation",
                    str(model_id),
                    f"p95 latency of {model_id} rose from {before:.1f} s to {after:.1f} s over "
                    f"the last {len(recent)} runs: check the provider's status page, lower "
                    "the output length or move this judge to a faster model",
                )
            )
    waited = float(runs["slot_wait_s"].sum()) if not runs.empty else 0.0
    busy = float(runs["request_s"].sum()) if not runs.empty else 0.0
    if busy > 0 and waited / (waited + busy) >= SLOT_WAIT_SHARE:
        share = waited / (waited + busy)
        found.append(
            Finding(
                "recommendation",
                "concurrency",
                f"requests waited on the concurrency limit {100 * share:.0f}% of the time "
                f"({waited:.0f} s waiting against {busy:.0f} s of requests): raise "
                "--concurrency (Settings: parallel requests per provider) if the provider's "
                "rate limit allows",
            )
        )
    llm = calls[calls["llm"]]
    hits = int(llm["cache_hit"].sum())
    if repeats >= 10 and hits < repeats / 2:
        why = (
            f"the runs differ in prompt version ({prompt_versions} versions in range), which "
            "is part of the cache key"
            if prompt_versions > 1
            else "the cache is off or was cleared (Settings: reuse cached replies; "
            "--no-cache), or the judges' settings (temperature, samples) changed"
        )
        found.append(
            Finding(
                "recommendation",
                "cache",
                f"cache hit rate {100 * hits / len(llm):.0f}%: {repeats} LLM judgments repeated "
                f"an earlier one (same judge, audit and plan) but {hits} came from the cache; "
                f"{why}",
            )
        )
    for model_id, group in llm[~llm["cache_hit"]].groupby("model_id", sort=True):
        requests = int(group["requests"].sum())
        retries = int(group["retries"].sum())
        if requests >= 20 and retries / requests >= RETRY_RATE:
            found.append(
                Finding(
                    "recommendation",
                    str(model_id),
                    f"{model_id} needed {retries} retries for {requests} requests "
                    f"({retries / requests:.2f} per request): set a requests-per-minute limit "
                    "(--rpm) below the provider's, or lower the concurrency",
                )
            )
    return found


@dataclass(frozen=True)
class Analysis:
    """Everything the Performance page shows about a range, each computed once."""

    latency: pd.DataFrame
    by_run: pd.DataFrame
    warnings: list[Finding]
    anomalies: list[Finding]
    recommendations: list[Finding]


def analyse(
    calls: pd.DataFrame,
    runs: pd.DataFrame,
    limits: Thresholds,
    prompt_versions: int = 1,
    repeats: int = 0,
) -> Analysis:
    """The latency table, per-run p95, threshold warnings, anomalies and recommendations."""
    by_run = latency_by_run(calls)
    latency = latency_table(calls)
    return Analysis(
        latency=latency,
        by_run=by_run,
        warnings=threshold_warnings(calls, runs, limits, latency),
        anomalies=anomalies(calls, runs, limits, by_run),
        recommendations=recommendations(calls, runs, prompt_versions, repeats, by_run),
    )
