"""`make bench`: performance figures checked against the project's targets.

Offline judge throughput: plan evaluations per second for ~2,000-word plans against a
15-finding audit, on one core and on all cores (goal: >= 200/s on 2 cores).
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


def main() -> None:
    offline_throughput()


if __name__ == "__main__":
    main()
