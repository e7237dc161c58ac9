"""The engine judges large runs with the offline judge in worker processes, with equal results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from a11y_judge.engine import PROCESS_POOL_MIN_PLANS, evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges.offline import OfflineJudge
from a11y_judge.models import AuditReport, Judgment, Plan, Rubric, Run
from a11y_judge.rubric import load_rubric


def _inputs(demo_dir: Path) -> tuple[AuditReport, list[Plan], Rubric]:
    audit = read_audit(demo_dir / "northwind-audit.md")
    base = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    plans = [
        p.model_copy(update={"name": f"{p.name}-{i}", "text": f"{p.text}\n\nVariant {i}.\n"})
        for i, p in enumerate(base[i % len(base)] for i in range(PROCESS_POOL_MIN_PLANS + 2))
    ]
    return audit, plans, load_rubric()


def _comparable(run: Run) -> list[tuple[str, int, float | None, list[str]]]:
    return [(r.name, r.rank, r.score, r.coverage.covered) for r in run.results]


def test_worker_processes_give_the_same_results(demo_dir: Path) -> None:
    audit, plans, rubric = _inputs(demo_dir)
    seen: list[tuple[int, int]] = []
    pooled = evaluate(
        audit,
        plans,
        [OfflineJudge()],
        rubric,
        processes=2,
        progress=lambda done, total, _j: seen.append((done, total)),
    )
    local = evaluate(audit, plans, [OfflineJudge()], rubric, processes=1)
    assert _comparable(pooled) == _comparable(local)
    assert [j.scores for j in pooled.judgments] == [j.scores for j in local.judgments]
    assert [d for d, _ in seen] == list(range(1, len(plans) + 1))
    assert {t for _, t in seen} == {len(plans)}


class _DiesInWorkers(OfflineJudge):
    """Kills the worker process it runs in (as the OOM killer would); fine in the parent."""

    id = "offline-dies"

    def __init__(self) -> None:
        self.parent = os.getpid()  # pickled with the judge: workers see the parent's pid

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        if os.getpid() != self.parent:
            os._exit(1)
        return super().judge(audit, plan, rubric)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_dead_worker_costs_no_judgment(demo_dir: Path) -> None:
    audit, plans, rubric = _inputs(demo_dir)
    run = evaluate(audit, plans, [_DiesInWorkers()], rubric, processes=2)
    assert run.status == "ok"
    assert len(run.judgments) == len(plans)
    assert all(j.status == "ok" for j in run.judgments)


def test_workers_never_run_the_hosts_main_module(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the Streamlit server `__main__` is the app's page script: multiprocessing would run
    it again in every worker (a page run in bare mode). Workers start without it."""
    import sys
    import types

    from a11y_judge.parallel import discard_pool

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('main module ran')\n",
        encoding="utf-8",
    )
    host_main = types.ModuleType("__main__")
    host_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", host_main)
    discard_pool()  # new workers, started while this script is the host's main module
    try:
        audit, plans, rubric = _inputs(demo_dir)
        run = evaluate(audit, plans, [OfflineJudge()], rubric, processes=2)
    finally:
        discard_pool()
    assert all(j.status == "ok" for j in run.judgments)
    assert not marker.exists()


def test_chunks_stay_short_so_no_worker_idles_at_the_end() -> None:
    """300 plans go out in messages of at most MAX_CHUNK_PLANS; a small run still spreads over
    both workers; every plan is sent once, in order."""
    from a11y_judge.engine import MAX_CHUNK_PLANS, _chunks, _Tasks

    judge = OfflineJudge()
    for n in (5, 30, 300):
        plans = [
            Plan(name=f"p{i}", source_format="markdown", content_hash=str(i)) for i in range(n)
        ]
        chunks = _chunks(list(range(n)), _Tasks([judge], plans), 2)
        assert [i for c in chunks for i in c] == list(range(n))
        assert max(len(c) for c in chunks) <= MAX_CHUNK_PLANS
        assert len(chunks) >= min(n, 2)


def test_prepare_starts_the_workers_a_run_will_use_and_only_those(demo_dir: Path) -> None:
    """The CLI starts the worker processes while it reads the plans; evaluate then uses them."""
    from a11y_judge import parallel
    from a11y_judge.engine import prepare

    parallel.discard_pool()
    assert prepare(PROCESS_POOL_MIN_PLANS - 1, [OfflineJudge()], processes=2) is None  # few plans
    assert prepare(PROCESS_POOL_MIN_PLANS, [OfflineJudge()], processes=1) is None  # one core
    assert parallel._pool is None
    try:
        starting = prepare(PROCESS_POOL_MIN_PLANS, [OfflineJudge()], processes=2)
        assert starting is not None
        starting.join(60)
        started = parallel._pool
        assert started is not None and parallel._pool_size == 2
        audit, plans, rubric = _inputs(demo_dir)
        run = evaluate(audit, plans, [OfflineJudge()], rubric, processes=2)
        assert parallel._pool is started  # the run used the pool started for it
        assert all(j.status == "ok" for j in run.judgments)
    finally:
        parallel.discard_pool()


def test_plan_files_are_read_when_asked_for_with_the_names_read_plans_gives(
    tmp_path: Path, demo_dir: Path
) -> None:
    """The CLI hands evaluate a lazily read sequence, so the first plans are judged while the
    others are read: the same plans, names and errors as read_plans, each file read once."""
    from a11y_judge.errors import IngestError
    from a11y_judge.ingest import PlanFiles, read_plans

    demo = sorted((demo_dir / "plans").iterdir())
    (tmp_path / "a").mkdir()
    paths = [demo[0], demo[1], tmp_path / "a" / demo[0].name, tmp_path / "empty.md"]
    paths[2].write_bytes(demo[0].read_bytes())  # same stem: named '<stem>-2'
    paths[3].write_text("hi", encoding="utf-8")
    lazy = PlanFiles(paths)
    assert len(lazy) == 4
    assert lazy[0] == read_plans([(str(paths[0]), None)])[0] and lazy[0] is lazy[0]
    assert [p.name for p in lazy[:3]] == [
        p.name for p in read_plans((str(x), None) for x in paths[:3])
    ]
    assert lazy[2].name == f"{demo[0].stem}-2"
    with pytest.raises(IngestError, match="almost no text"):
        lazy[3]
    with pytest.raises(IndexError):
        lazy[4]
