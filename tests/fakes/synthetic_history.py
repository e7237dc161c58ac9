"""A synthetic history for page tests and the benchmark: copies of one real offline run of the
demo set, each carrying LLM-shaped judgments with seeded latencies, tokens and costs. Test
data, never shown as results."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from a11y_judge.engine import evaluate
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import JudgeInfo, Judgment, ResourceUsage, Run, RunStats, utcnow
from a11y_judge.rubric import load_rubric
from fakes.plans import distinct_copies

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
MODELS = ("openai:gpt-4.1", "gemini:gemini-2.5-pro", "openai-compatible:llama3.1")


def demo_run(n_plans: int = 16) -> Run:
    """The demo audit and `n_plans` distinct copies of its plans, judged by the offline judge
    (a real run)."""
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = distinct_copies(read_plans((str(p), None) for p in plan_files(DEMO / "plans")), n_plans)
    settings = JudgeSettings(use_cache=False)
    try:
        return evaluate(audit, plans, [create_judge("offline", settings)], load_rubric())
    finally:
        settings.close()


def fill(store: HistoryStore, judgments: int, seed: int = 0) -> int:
    """Record runs of 16 plans x 3 LLM judges (one per provider) until exactly `judgments`
    judgments are in history (the last run may be cut short); returns the runs."""
    base = demo_run()
    rng = np.random.default_rng(seed)
    offline = base.judgments
    per_run = len(offline) * len(MODELS)
    n_runs = -(-judgments // per_run)
    start = utcnow() - timedelta(hours=n_runs)
    for k in range(n_runs):
        made: list[Judgment] = []
        for i in range(min(per_run, judgments - k * per_run)):
            spec = MODELS[i % len(MODELS)]
            provider, _, model = spec.partition(":")
            hit = bool(rng.random() < 0.3)
            made.append(
                offline[i // len(MODELS)].model_copy(
                    update={
                        "judge_id": spec,
                        "provider": provider,
                        "model": model,
                        "latency_ms": 2.0 if hit else float(rng.lognormal(1.2, 0.4) * 1000),
                        "input_tokens": 0 if hit else 3000,
                        "output_tokens": 0 if hit else 600,
                        "cost_usd": 0.0 if hit else 0.012,
                        "calls": 0 if hit else 1,
                        "cache_hit": hit,
                        "prompt_version": "v1",
                    }
                )
            )
        ids = sorted({j.judge_id for j in made})
        run = base.model_copy(
            update={
                "run_id": f"synthetic-{k:05d}",
                "created_at": start + timedelta(hours=k),
                "judgments": made,
                "judges": [
                    JudgeInfo(
                        id=j,
                        provider=j.split(":")[0],
                        calls=sum(m.judge_id == j for m in made),
                        cache_hits=sum(m.judge_id == j and m.cache_hit for m in made),
                    )
                    for j in ids
                ],
                "stats": RunStats(
                    calls=sum(j.calls for j in made),
                    cache_hits=sum(j.cache_hit for j in made),
                    cache_misses=sum(not j.cache_hit for j in made),
                    input_tokens=sum(j.input_tokens for j in made),
                    output_tokens=sum(j.output_tokens for j in made),
                    cost_usd=sum(j.cost_usd or 0 for j in made),
                ),
                "resources": ResourceUsage(
                    wall_s=float(rng.uniform(5, 12)),
                    samples=20,
                    cpu_pct_mean=float(rng.uniform(20, 60)),
                    cpu_pct_max=float(rng.uniform(60, 120)),
                    rss_mb_mean=float(rng.uniform(200, 260)),
                    rss_mb_max=float(rng.uniform(260, 320)),
                ),
            }
        )
        store.save_run(run)
    return n_runs
