"""Metrics in history add up: per-judgment calls, tokens, cost and cache hits against the
run's own totals, for offline and fake-LLM runs; a batch records its usage."""

from __future__ import annotations

from pathlib import Path

from a11y_judge.batch import service
from a11y_judge.consensus.review import record_run
from a11y_judge.engine import evaluate
from a11y_judge.history.metrics import CALL_COLUMNS, RUN_COLUMNS, MetricsStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import BatchSettings
from a11y_judge.rubric import load_rubric
from fakes.llm_server import FakeLLMServer, constant_responder


def test_calls_tokens_cost_and_cache_hits_add_up(demo_dir: Path) -> None:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    store = HistoryStore()
    runs = []
    with FakeLLMServer(constant_responder(6.0), latency=0.02) as srv:
        for _ in range(2):  # the second is served from the cache
            settings = JudgeSettings()
            try:
                judges = [
                    create_judge("offline", settings),
                    create_judge(f"openai-compatible:gpt-4.1-mini@{srv.openai_base_url}", settings),
                ]
                run = evaluate(audit, plans, judges, load_rubric())
            finally:
                settings.close()
            record_run(store, run)
            runs.append(run)
        assert srv.count("openai") == len(plans)
    metrics = MetricsStore(store)
    calls = [dict(zip(CALL_COLUMNS, r, strict=True)) for r in metrics.calls()]
    by_run = [dict(zip(RUN_COLUMNS, r, strict=True)) for r in metrics.runs()]
    assert len(calls) == 2 * 2 * len(plans) and len(by_run) == 2
    for run, row in zip(runs, by_run, strict=True):
        mine = [c for c in calls if c["run_id"] == run.run_id]
        llm = [c for c in mine if c["provider"] != "offline"]
        assert sum(c["requests"] for c in llm) == run.stats.calls == row["llm_calls"]
        assert sum(c["input_tokens"] for c in llm) == run.stats.input_tokens == row["input_tokens"]
        assert sum(c["output_tokens"] for c in llm) == run.stats.output_tokens
        assert sum(c["cache_hit"] for c in llm) == run.stats.cache_hits == row["cache_hits"]
        assert abs(sum(c["cost_usd"] or 0 for c in llm) - row["cost_usd"]) < 1e-9
        assert row["judgments"] == len(run.judgments) and row["wall_s"] > 0
        assert row["cpu_pct_mean"] is not None and row["rss_mb_max"] > 20  # sampled
    first, second = by_run
    assert first["llm_calls"] == len(plans) and first["cache_hits"] == 0
    assert second["llm_calls"] == 0 and second["cache_hits"] == len(plans)
    assert first["input_tokens"] > 0 and first["cost_usd"] > 0  # a priced model name
    assert metrics.cache_context() == (1, len(plans))  # the second run repeated the first


def test_a_batch_records_its_usage(tmp_path: Path, demo_dir: Path) -> None:
    for name in ("north", "south"):
        (tmp_path / name / "plans").mkdir(parents=True)
        (tmp_path / name / "audit.md").write_bytes((demo_dir / "northwind-audit.md").read_bytes())
        for plan in sorted((demo_dir / "plans").glob("*.md")):
            (tmp_path / name / "plans" / plan.name).write_bytes(plan.read_bytes())
    job = service.submit(tmp_path, BatchSettings())
    service.run(job.job_id)
    [row] = MetricsStore().jobs()
    assert row[0] == job.job_id and row[3] == 2 and row[2] > 0  # job, sets, wall seconds
    assert len(MetricsStore().runs()) == 2


def test_a_batch_with_an_llm_judge_sums_its_calls_and_cache_hits(
    tmp_path: Path, demo_dir: Path
) -> None:
    plans = sorted((demo_dir / "plans").glob("*.md"))
    for name in ("north", "south"):  # the same set twice: the second can use the cache
        (tmp_path / name / "plans").mkdir(parents=True)
        (tmp_path / name / "audit.md").write_bytes((demo_dir / "northwind-audit.md").read_bytes())
        for plan in plans:
            (tmp_path / name / "plans" / plan.name).write_bytes(plan.read_bytes())
    with FakeLLMServer(constant_responder(6.0), latency=0.02) as srv:
        spec = f"openai-compatible:fake@{srv.openai_base_url}"
        job = service.submit(tmp_path, BatchSettings(judges=["offline", spec]))
        service.run(job.job_id)
        sent = srv.count("openai")
    [row] = MetricsStore().jobs()
    runs = [dict(zip(RUN_COLUMNS, r, strict=True)) for r in MetricsStore().runs()]
    calls, hits, misses, rate = row[7:11]
    assert calls == sent == sum(r["llm_calls"] for r in runs) and calls >= len(plans)
    assert hits == sum(r["cache_hits"] for r in runs)
    assert hits + misses == 2 * len(plans)  # one LLM judgment per plan per set
    assert rate == hits / (2 * len(plans))
