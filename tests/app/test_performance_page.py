"""The Performance page through AppTest: empty history, real runs (offline and a fake LLM
judge), a synthetic history of 20,000 judgments, saving thresholds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from apptest import no_exception, on, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.consensus.review import record_run
from a11y_judge.engine import evaluate
from a11y_judge.history.metrics import BenchResult, MetricsStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.monitoring.thresholds import load_thresholds
from a11y_judge.rubric import load_rubric
from fakes import synthetic_history
from fakes.llm_server import FakeLLMServer, constant_responder

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
PAGE = "views/performance.py"

pytestmark = pytest.mark.timeout(240)


def on_page() -> AppTest:
    return on(PAGE)


def test_an_empty_history_says_how_to_fill_it() -> None:
    at = on_page()
    no_exception(at)
    assert "No runs in this range yet" in texts(at.info)


def test_real_runs_with_an_llm_judge_are_charted(demo_dir: Path) -> None:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    store = HistoryStore()
    with FakeLLMServer(constant_responder(6.0), latency=0.05) as srv:
        for _ in range(2):  # the second run is answered from the cache
            settings = JudgeSettings()
            judges = [
                create_judge(s, settings)
                for s in ("offline", f"openai-compatible:fake@{srv.openai_base_url}")
            ]
            try:
                record_run(store, evaluate(audit, plans, judges, load_rubric()))
            finally:
                settings.close()
        assert srv.count("openai") == len(plans)
    p99 = np.float64(0.8)  # as the bench computes it: numpy numbers, a numpy bool verdict
    MetricsStore(store).save_bench(
        "abc1234", [BenchResult("cache hit p99", p99, "ms", "<= 2 ms", p99 / 2.0, p99 <= 2.0)]
    )
    assert MetricsStore(store).bench()[0][5:] == ("<= 2 ms", 0.4, 1)  # numbers, not BLOBs
    at = on_page()
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Runs"] == "2" and metrics["Judgments"] == str(4 * len(plans))
    assert metrics["Cache hit rate"] == "50%"
    table = next(d.value for d in at.dataframe if "p95 (s)" in d.value.columns)
    row = table.iloc[0]
    assert row["Model"].startswith("openai-compatible:fake") and row["Requests"] == len(plans)
    assert row["Cache hit rate"] == 0.5 and 0.04 < row["p50 (s)"] < 5
    bench = next(d.value for d in at.dataframe if "Goal" in d.value.columns)
    assert list(bench["Figure"]) == ["cache hit p99"] and list(bench["Meets"]) == ["meets"]
    assert "**p95 latency per run, over time**" in texts(at.markdown)
    at.radio(key="performance.latency.percentile").set_value("p99").run()
    no_exception(at)
    assert "**p99 latency per run, over time**" in texts(at.markdown)


def test_twenty_thousand_judgments_render_and_thresholds_warn() -> None:
    runs = synthetic_history.fill(HistoryStore(), 20_000)
    at = on_page()
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Runs"] == f"{runs:,}" and metrics["Judgments"] == "20,000"
    assert "**Threshold**" not in texts(at.warning)  # the defaults hold on this history
    # a tighter p95 threshold, saved on the page, raises a warning with its numbers
    p95 = next(n for n in at.number_input if n.label == "p95 latency (s)")
    p95.set_value(2.0)
    next(b for b in at.button if b.label == "Save thresholds").click().run()
    no_exception(at)
    assert load_thresholds().p95_latency_s == 2.0
    warned = texts(at.warning)
    assert "p95 latency of gemini:gemini-2.5-pro is" in warned and "(threshold 2 s)" in warned
