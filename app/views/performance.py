"""Performance: how fast, how much, is anything wrong — from the runs, batches and benchmark
results kept in history."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from app.components import perf_figures
from app.components.access import read_only
from app.components.layout import page_intro
from app.components.results import data_table
from app.components.text import md_escape

from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.audit import AuditLog
from a11y_judge.history.metrics import MetricsStore
from a11y_judge.models import utcnow
from a11y_judge.monitoring import insights
from a11y_judge.monitoring.thresholds import Thresholds, load_thresholds, save_thresholds

KEY = "performance"
#: Anomalies shown as warnings (the rest are in a table).
SHOWN = 5
FLASH = f"{KEY}.flash"
RANGES = {
    "Last 24 hours": timedelta(days=1),
    "Last 7 days": timedelta(days=7),
    "Last 30 days": timedelta(days=30),
    "All history": None,
}


def _since(label: str) -> str | None:
    delta = RANGES[label]
    return None if delta is None else (utcnow() - delta).isoformat()


def _headline(calls: pd.DataFrame, runs: pd.DataFrame) -> None:
    llm = calls[calls["llm"]]
    live = llm[~llm["cache_hit"]]
    pct = insights.percentiles(live["latency_s"].to_numpy())
    cols = st.columns(6)
    cols[0].metric("Runs", f"{len(runs):,}")
    cols[1].metric("Judgments", f"{len(calls):,}")
    cols[2].metric("LLM p95 latency", "—" if pct is None else f"{pct[1]:.2f} s")
    cols[3].metric("LLM cost", f"${calls['cost_usd'].fillna(0).sum():.2f}")
    rate = llm["cache_hit"].mean() if len(llm) else None
    cols[4].metric("Cache hit rate", "—" if rate is None else f"{100 * rate:.0f}%")
    peak = runs["rss_mb_max"].max() if len(runs) else None
    cols[5].metric("Peak memory", "—" if peak is None or pd.isna(peak) else f"{peak:.0f} MiB")


def _findings(found: insights.Analysis, limits: Thresholds) -> None:
    st.subheader("Is anything wrong?")
    warned, flagged, advice = found.warnings, found.anomalies, found.recommendations
    for f in warned:
        st.warning(f"**Threshold** — {md_escape(f.message)}", icon=":material/warning:")
    for f in flagged[-SHOWN:]:
        st.warning(f"**Anomaly** — {md_escape(f.message)}", icon=":material/monitoring:")
    if len(flagged) > SHOWN:
        st.caption(f"{len(flagged)} anomalies in this range; the latest {SHOWN} are shown.")
        data_table(
            pd.DataFrame([(f.subject, f.message) for f in flagged], columns=["About", "Anomaly"]),
            "Every anomaly",
        )
    for f in advice:
        st.info(f"**Recommendation** — {md_escape(f.message)}", icon=":material/lightbulb:")
    if not (warned or flagged or advice):
        st.success(
            "No threshold crossed, no anomaly, nothing to recommend in this range.",
            icon=":material/check_circle:",
        )
    with st.expander("How anomalies are found"):
        st.markdown(
            "Each run's p95 latency (per model, from runs with at least 10 live requests) "
            "and cost is compared, **on the log scale** (latency and cost vary by ratios), "
            f"with the **median of the {limits.anomaly_window} runs before it**, divided by "
            "their spread: the median absolute deviation × 1.4826, which estimates the "
            "standard deviation of normal data but cannot be inflated by one earlier outlier, "
            "and never less than log(1.1). A **rise** whose robust z-score passes "
            f"+{limits.anomaly_z:g} is flagged (drops are good news). Runs with fewer than 8 "
            "runs before them are not judged. On a steady provider under 1% of runs are "
            "flagged by chance. The thresholds and the window are set in the **Thresholds** "
            "tab."
        )


def _latency(calls: pd.DataFrame, found: insights.Analysis) -> None:
    if found.latency.empty:
        st.info("No LLM judgments in this range: latency is measured for LLM requests.")
        return
    st.markdown("**Per model** (cache hits are left out of the latency figures)")
    st.dataframe(found.latency, hide_index=True, key=f"{KEY}.latency.table")
    st.markdown(
        "**Latency distribution per request** (box: 25th to 75th percentile with the median; "
        "whiskers: 5th and 95th percentiles; ◆ the mean)"
    )
    boxes = insights.box_stats(calls)
    st.plotly_chart(perf_figures.latency_boxes(boxes), key=f"{KEY}.latency.box")
    data_table(boxes)
    which = st.radio(
        "Percentile over time",
        ["p50", "p95", "p99"],
        index=1,
        horizontal=True,
        key=f"{KEY}.latency.percentile",
    )
    st.markdown(f"**{which} latency per run, over time**")
    st.plotly_chart(
        perf_figures.series_lines(
            found.by_run, "when", f"{which}_s", "model_id", f"{which} latency (s)"
        ),
        key=f"{KEY}.latency.{which}",
    )
    data_table(
        found.by_run.rename(
            columns={
                "model_id": "Model",
                "when": "Run time",
                "p50_s": "p50 (s)",
                "p95_s": "p95 (s)",
                "p99_s": "p99 (s)",
            }
        )
    )


def _throughput(runs: pd.DataFrame) -> None:
    frame = runs.dropna(subset=["judgments_per_min"])
    st.markdown("**Judgments per minute, per run** (judgments ÷ the run's wall time)")
    st.plotly_chart(
        perf_figures.series_lines(
            frame, "when", "judgments_per_min", None, "Judgments / min", ".0f"
        ),
        key=f"{KEY}.throughput",
    )
    data_table(frame[["run_id", "when", "judgments", "wall_s", "judgments_per_min"]])


def _cost(calls: pd.DataFrame, runs: pd.DataFrame) -> None:
    days = insights.per_day(calls)
    st.markdown("**Cost per day (USD)**")
    st.plotly_chart(perf_figures.value_bars(days, "Day", "Cost", "USD", ".2f"), key=f"{KEY}.cost")
    st.markdown("**Tokens per day** (input + output)")
    days["Tokens"] = days["Input tokens"] + days["Output tokens"]
    st.plotly_chart(
        perf_figures.value_bars(days, "Day", "Tokens", "Tokens", ",.0f"), key=f"{KEY}.tok"
    )
    data_table(days)
    per_run = runs[["run_id", "when", "llm_calls", "input_tokens", "output_tokens", "cost_usd"]]
    data_table(per_run, "Tokens and cost per run")


def _cache(runs: pd.DataFrame) -> None:
    frame = runs.dropna(subset=["cache_hit_rate"])
    if frame.empty:
        st.info("No LLM judgments in this range: the cache holds LLM replies only.")
        return
    st.markdown("**Cache hit rate per run** (share of LLM judgments answered from the cache)")
    st.plotly_chart(
        perf_figures.series_lines(frame, "when", "cache_hit_rate", None, "Hit rate", ".0%"),
        key=f"{KEY}.cache",
    )
    data_table(frame[["run_id", "when", "cache_hits", "cache_misses", "cache_hit_rate"]])


def _resources(runs: pd.DataFrame, store: MetricsStore) -> None:
    sampled = runs.dropna(subset=["cpu_pct_mean"])
    if sampled.empty:
        st.info("No run in this range was sampled (runs recorded before sampling existed).")
    else:
        st.markdown(
            "**CPU per run** (% of one core; the offline judge's worker processes included)"
        )
        long = sampled.melt(
            id_vars=["when"], value_vars=["cpu_pct_mean", "cpu_pct_max"], var_name="Figure"
        )
        long["Figure"] = long["Figure"].map({"cpu_pct_mean": "mean", "cpu_pct_max": "peak"})
        st.plotly_chart(
            perf_figures.series_lines(long, "when", "value", "Figure", "CPU %", ".0f"),
            key=f"{KEY}.cpu",
        )
        st.markdown("**Resident memory per run** (MiB, peak)")
        st.plotly_chart(
            perf_figures.series_lines(sampled, "when", "rss_mb_max", None, "MiB", ".0f"),
            key=f"{KEY}.rss",
        )
        data_table(sampled[["run_id", "when", "cpu_pct_mean", "cpu_pct_max", "rss_mb_max"]])
    jobs = pd.DataFrame(
        store.jobs(),
        columns=[
            "Job",
            "Recorded",
            "Wall (s)",
            "Sets",
            "CPU % mean",
            "Peak MiB",
            "Queue max",
            "LLM calls",
            "Cache hits",
            "Cache misses",
            "Cache hit rate",
        ],
    )
    if not jobs.empty:
        st.markdown("**Batches** (queue: LLM requests the sets in flight still owed)")
        st.dataframe(jobs, hide_index=True, key=f"{KEY}.jobs")


def _bench(store: MetricsStore) -> None:
    rows = pd.DataFrame(
        store.bench(),
        columns=["Recorded", "Commit", "Figure", "Value", "Unit", "Goal", "Ratio", "Meets"],
    )
    if rows.empty:
        st.info("`make bench` records its figures here; none recorded in this history yet.")
        return
    latest = rows[rows["Recorded"] == rows["Recorded"].max()].copy()
    latest["Meets"] = latest["Meets"].map({1: "meets", 0: "misses"}).fillna("—")
    st.markdown(f"**Latest `make bench`** (commit `{latest['Commit'].iloc[0]}`)")
    st.dataframe(latest.drop(columns=["Recorded"]), hide_index=True, key=f"{KEY}.bench")
    ratios = rows.dropna(subset=["Ratio"])
    if ratios["Recorded"].nunique() > 1:
        st.markdown("**Ratio to goal across benchmark runs** (by commit)")
        st.plotly_chart(
            perf_figures.series_lines(ratios, "Recorded", "Ratio", "Figure", "Ratio to goal"),
            key=f"{KEY}.bench.trend",
        )
        data_table(ratios)


def _thresholds(limits: Thresholds) -> None:
    st.markdown("Warnings appear above when a figure in the chosen range crosses these.")
    with st.form(f"{KEY}.thresholds"):
        cols = st.columns(3)
        p95 = cols[0].number_input("p95 latency (s)", 0.1, 3600.0, limits.p95_latency_s)
        err = cols[1].number_input("Error rate (%)", 0.0, 100.0, 100 * limits.error_rate)
        hit = cols[2].number_input(
            "Lowest cache hit rate (%, 0 = off)", 0.0, 100.0, 100 * limits.min_cache_hit_rate
        )
        rss = cols[0].number_input("Peak memory (MiB)", 1.0, 1e6, limits.max_rss_mb)
        cost = cols[1].number_input(
            "Cost per day (USD, 0 = off)", 0.0, 1e6, limits.cost_per_day_usd
        )
        window = cols[2].number_input("Anomaly window (runs)", 5, 500, limits.anomaly_window)
        z = cols[0].number_input("Anomaly robust z beyond", 0.5, 20.0, limits.anomaly_z)
        if st.form_submit_button("Save thresholds", icon=":material/save:", disabled=read_only()):
            values = Thresholds(
                p95_latency_s=p95,
                error_rate=err / 100,
                min_cache_hit_rate=hit / 100,
                max_rss_mb=rss,
                cost_per_day_usd=cost,
                anomaly_window=int(window),
                anomaly_z=z,
            )
            path = save_thresholds(values)
            AuditLog().record("settings", str(path), f"performance thresholds: {values}")
            st.session_state[FLASH] = f"Thresholds saved to {path}."
            st.rerun()


page_intro(
    "Performance",
    "How fast runs go, what they cost and whether anything is wrong, from every run, batch and "
    "benchmark kept in history.",
    FLASH,
)

try:
    store = MetricsStore()
    limits = load_thresholds()
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()

left, right = st.columns([1, 2])
span = left.selectbox("Time range", list(RANGES), index=3, key=f"{KEY}.range")
since = _since(span) or ""
calls = insights.calls_frame(store.calls(since))
runs = insights.runs_frame(store.runs(since))
providers = sorted(set(calls["provider"]))
chosen = (  # no judgment yet: no filter (an empty, disabled one has an unreadable label)
    right.multiselect(
        "Providers",
        providers,
        default=providers,
        key=f"{KEY}.providers",
        help="Filters the judgments (latency, cost, cache); run-level figures cover whole runs.",
    )
    if providers
    else []
)
calls = calls[calls["provider"].isin(chosen)]

if runs.empty:
    st.info(
        "No runs in this range yet. Evaluate on the **Evaluate** page or run a batch; every "
        "run's latency, tokens, cost, cache hits, CPU and memory are recorded and charted here."
    )
    _bench(store)
    st.stop()

versions, repeats = store.cache_context(since)
found = insights.analyse(calls, runs, limits, versions, repeats)
_headline(calls, runs)
_findings(found, limits)
tabs = st.tabs(
    [
        "Latency",
        "Throughput",
        "Tokens and cost",
        "Cache",
        "CPU and memory",
        "Benchmark",
        "Thresholds",
    ]
)
with tabs[0]:
    _latency(calls, found)
with tabs[1]:
    _throughput(runs)
with tabs[2]:
    _cost(calls, runs)
with tabs[3]:
    _cache(runs)
with tabs[4]:
    _resources(runs, store)
with tabs[5]:
    _bench(store)
with tabs[6]:
    _thresholds(limits)
