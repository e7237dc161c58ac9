"""20 app sessions evaluating at once, and a batch beside them, against ONE new history file:
no session sees another's results, no 'database is locked', history counts what they did."""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y_judge.history.store import HistoryStore
from fakes.sessions import make_sets, run_load

pytestmark = pytest.mark.timeout(150)

SESSIONS = 20
SETS = 4
PLANS = 4  # the demo set, and each batch set


def test_twenty_sessions_and_a_batch_share_one_history_without_leaks_or_locks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sets = make_sets(tmp_path / "sets", SETS, PLANS)
    load = run_load(SESSIONS, sets)  # the history file does not exist before they start
    problems = [p for s in load.sessions for p in s.problems] + load.batch_problems
    assert problems == []
    assert not any("locked" in p for p in problems)
    # each session sees its own run, with the weights it chose, and no other
    runs = [s.run for s in load.sessions]
    assert all(r is not None for r in runs)
    ids = [r.run_id for r in runs if r is not None]
    assert len(set(ids)) == SESSIONS
    for s in load.sessions:
        assert s.run is not None
        chosen = {cid: pct / 100 for cid, pct in s.weights.items()}
        assert {c.id: c.weight for c in s.run.rubric.criteria} == pytest.approx(chosen)
        assert f"Run `{s.run.run_id}`" in s.shown
        others = [i for i in ids if i != s.run.run_id]
        assert not any(f"Run `{i}`" in s.shown for i in others)
        assert s.history_rows >= 1
    # history holds exactly what the sessions and the batch did, each run as it was judged
    store = HistoryStore()
    assert load.batch is not None and load.batch.status == "completed"
    batch_ids = [i.run_id for i in load.batch.items]
    assert all(batch_ids) and len(batch_ids) == SETS
    stored = {r.run_id for r in store.list_runs()}
    assert stored == set(ids) | set(batch_ids)
    assert store.count_runs() == SESSIONS + SETS
    assert store.judge_outcomes() == {"offline": ((SESSIONS + SETS) * PLANS, 0)}
    for s in load.sessions:
        assert s.run is not None
        again = store.get_run(s.run.run_id)
        assert again.rubric == s.run.rubric and len(again.judgments) == PLANS
        assert [r.score for r in again.results] == [r.score for r in s.run.results]
    p50, p95 = load.percentile(50), load.percentile(95)
    with capsys.disabled():
        print(
            f"\n{SESSIONS} sessions + a {SETS}-set batch on one history: {len(load.page_s)} page "
            f"runs, p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(load.page_s):.2f} s; "
            f"wall {load.wall_s:.1f} s"
        )
