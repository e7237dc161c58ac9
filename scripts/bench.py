"""`make bench`: performance figures checked against the project's targets.

- Offline judge throughput: plan evaluations per second for ~2,000-word plans against a
  15-finding audit, on one core and on all cores (goal: >= 200/s on 2 cores).
- App pages: median render time of each page (Streamlit AppTest) with 1,000 runs in history
  (goal: <= 1 s).
- LLM jury: 100 plans x 2 LLM judges against a loopback OpenAI-compatible server answering in
  0.5 s, 16 requests in flight: goal within 1.15x of ceil(calls / 16) x 0.5 s; the identical
  second run is served by the cache (goal: 0 requests, <= 5% of the first run's time).
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges.offline import OfflineJudge
from a11y_judge.models import AuditReport, Plan
from a11y_judge.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
GOAL_PER_SECOND = 200.0
TARGET_WORDS = 2000


def _bench_inputs() -> tuple[AuditReport, list[Plan]]:
    """The 15-finding demo audit and the demo plans padded to ~2,000 words each."""
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
    padded = []
    for i, plan in enumerate(plans):
        text = plan.text
        donor = plans[(i + 1) % len(plans)].text.split()
        words = len(text.split())
        if words < TARGET_WORDS:
            text += "\n\n## Appendix: notes\n\n" + " ".join(donor[: TARGET_WORDS - words])
        padded.append(plan.model_copy(update={"text": text}))
    return audit, padded


def _evaluate_n(n: int) -> float:
    """Evaluate n plans (cycling through the demo set) and return the seconds taken."""
    audit, plans = _bench_inputs()
    judge, rubric = OfflineJudge(), load_rubric()
    judge.judge(audit, plans[0], rubric)  # warm caches (compiled patterns, catalog)
    start = time.perf_counter()
    for i in range(n):
        judge.judge(audit, plans[i % len(plans)], rubric)
    return time.perf_counter() - start


def offline_throughput() -> None:
    """Print single-core and all-core throughput of the offline judge."""
    audit, plans = _bench_inputs()
    words = statistics.mean(len(p.text.split()) for p in plans)
    n = 400
    single = [n / _evaluate_n(n) for _ in range(3)]
    best_single = max(single)
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(_evaluate_n, [20] * cores))  # start workers
        start = time.perf_counter()
        list(pool.map(_evaluate_n, [n] * cores))
        elapsed = time.perf_counter() - start
    parallel = cores * n / elapsed
    print("offline judge throughput")
    print(
        f"  inputs: {len(audit.findings)}-finding audit, {len(plans)} plans of ~{words:.0f} words"
    )
    print(
        f"  1 core : {best_single:7.1f} plan evaluations/s "
        f"(median {statistics.median(single):.1f}, {1000 / best_single:.2f} ms each)"
    )
    print(f"  {cores} cores: {parallel:7.1f} plan evaluations/s")
    ratio = parallel / GOAL_PER_SECOND
    verdict = "meets" if ratio >= 1 else "MISSES"
    print(f"  goal >= {GOAL_PER_SECOND:.0f}/s on {cores} cores: ratio {ratio:.2f} ({verdict})")


PAGE_GOAL_S = 1.0
HISTORY_RUNS = 1000


def _fill_history(n: int) -> None:
    """n runs in the history at $A11Y_JUDGE_HOME: the demo evaluation saved under n ids."""
    from datetime import timedelta

    from a11y_judge.engine import evaluate, new_run_id
    from a11y_judge.history.store import HistoryStore
    from a11y_judge.judges import create_judge

    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
    run = evaluate(audit, plans, [create_judge("offline")], load_rubric())
    store = HistoryStore()
    for i in range(n):
        store.save_run(
            run.model_copy(
                update={
                    "run_id": f"{new_run_id()}-{i:04d}",
                    "created_at": run.created_at - timedelta(minutes=i),
                }
            )
        )


def page_render_times(repeats: int = 5) -> None:
    """Median AppTest render time of each page with HISTORY_RUNS runs in history."""
    import logging
    import sys
    import tempfile

    from streamlit.testing.v1 import AppTest

    logging.disable(logging.WARNING)  # AppTest runs pages in bare mode, which warns each render

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as home:
        os.environ["A11Y_JUDGE_HOME"] = home
        _fill_history(HISTORY_RUNS)
        print(f"app page render (AppTest, {HISTORY_RUNS} runs in history, median of {repeats})")
        for label, page in (("Evaluate", None), ("History", "views/history.py")):
            times = []
            for _ in range(repeats):
                at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=60)
                if page is None:
                    start = time.perf_counter()
                    at.run()
                else:
                    at.run()  # land on the default page first, untimed
                    start = time.perf_counter()
                    at.switch_page(page).run()
                times.append(time.perf_counter() - start)
                if at.exception:
                    raise SystemExit(f"{label} page raised: {at.exception}")
            median = statistics.median(times)
            verdict = "meets" if median <= PAGE_GOAL_S else "MISSES"
            print(
                f"  {label:<9} {median:6.3f} s  (goal <= {PAGE_GOAL_S:.0f} s: ratio "
                f"{median / PAGE_GOAL_S:.2f}, {verdict})"
            )


LLM_LATENCY_S = 0.5
LLM_PLANS = 100
LLM_CONCURRENCY = 16
LLM_GOAL_RATIO = 1.15
CACHE_GOAL_RATIO = 0.05


def llm_jury_throughput() -> None:
    """Two LLM judges on one fake endpoint (0.5 s per reply), then the same run from the cache."""
    import math
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from a11y_judge.engine import evaluate
    from a11y_judge.judges import create_judge
    from a11y_judge.judges.settings import JudgeSettings
    from fakes.llm_server import FakeLLMServer, constant_responder

    audit, plans = _bench_inputs()
    many = [
        p.model_copy(
            update={
                "name": f"{p.name}-{i:03d}",
                "content_hash": f"{p.content_hash}-{i:03d}",
                "text": f"{p.text}\n\nVariant {i}.",
            }
        )
        for i, p in enumerate(plans[i % len(plans)] for i in range(LLM_PLANS))
    ]
    rubric = load_rubric()
    with (
        tempfile.TemporaryDirectory() as home,
        FakeLLMServer(constant_responder(6.0), LLM_LATENCY_S) as srv,
    ):
        os.environ["A11Y_JUDGE_HOME"] = home
        specs = [f"openai-compatible:judge-{x}@{srv.openai_base_url}" for x in "ab"]
        timings = []
        for _ in range(2):
            settings = JudgeSettings(concurrency=LLM_CONCURRENCY)  # one endpoint: 16 in flight
            judges = [create_judge(s, settings) for s in specs]
            before = srv.count()
            start = time.perf_counter()
            run = evaluate(audit, many, judges, rubric)
            timings.append((time.perf_counter() - start, srv.count() - before, run))
            settings.close()
    (first_s, first_req, first), (second_s, second_req, second) = timings
    calls = LLM_PLANS * len(specs)
    ideal = math.ceil(calls / LLM_CONCURRENCY) * LLM_LATENCY_S
    ratio = first_s / ideal
    print(
        f"LLM jury ({LLM_PLANS} plans x {len(specs)} judges, fake endpoint {LLM_LATENCY_S} s, "
        f"{LLM_CONCURRENCY} in flight)"
    )
    print(
        f"  first run : {first_s:6.2f} s, {first_req} requests, status {first.status}; ideal "
        f"{ideal:.2f} s: ratio {ratio:.3f} (goal <= {LLM_GOAL_RATIO}, "
        f"{'meets' if ratio <= LLM_GOAL_RATIO and first.status == 'ok' else 'MISSES'})"
    )
    cached = second_s / first_s
    ok = second_req == 0 and cached <= CACHE_GOAL_RATIO and second.stats.cache_hits == calls
    print(
        f"  cached run: {second_s:6.2f} s, {second_req} requests, {second.stats.cache_hits} "
        f"cache hits; {cached:.1%} of the first run (goal 0 requests and <= "
        f"{CACHE_GOAL_RATIO:.0%}: {'meets' if ok else 'MISSES'})"
    )


def main() -> None:
    offline_throughput()
    page_render_times()
    llm_jury_throughput()


if __name__ == "__main__":
    main()
