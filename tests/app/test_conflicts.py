"""The Conflicts page through AppTest: no jury, a disagreeing jury of two LLM judges (real
openai client, loopback fake server) and the offline judge, escalation and resolution."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
from apptest import no_exception, on, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.consensus.review import record_run, resolve
from a11y_judge.engine import evaluate
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import Run
from a11y_judge.reports.consensus_report import consensus_markdown
from a11y_judge.rubric import load_rubric
from fakes.llm_server import FakeLLMServer, constant_responder

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
CONFLICTS = "views/conflicts.py"
HISTORY = "views/history.py"
TIMEOUT = 60

pytestmark = pytest.mark.timeout(120)


def _run(demo_dir: Path, specs: list[str]) -> Run:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    settings = JudgeSettings(use_cache=False)
    try:
        run = evaluate(audit, plans, [create_judge(s, settings) for s in specs], load_rubric())
    finally:
        settings.close()
    record_run(HistoryStore(), run)
    return run


@pytest.fixture
def jury_run(demo_dir: Path) -> Run:
    with FakeLLMServer(constant_responder(6.0, {"strict": 3.0, "lenient": 8.5})) as srv:
        url = srv.openai_base_url
        return _run(
            demo_dir,
            ["offline", f"openai-compatible:strict@{url}", f"openai-compatible:lenient@{url}"],
        )


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.table with this column."""
    return next(t.value for t in at.table if column in t.value.columns)


def by_label(elements: object, label: str):  # type: ignore[no-untyped-def]
    return next(e for e in elements if e.label == label)  # type: ignore[attr-defined]


def test_without_a_jury_the_page_says_what_a_jury_needs(demo_dir: Path) -> None:
    at = on(CONFLICTS)
    no_exception(at)
    assert "Conflicts need a jury" in texts(at.info)
    _run(demo_dir, ["offline"])
    at = on(CONFLICTS)
    no_exception(at)
    assert "OpenAI-compatible server such as Ollama or vLLM" in texts(at.info)


def test_the_page_shows_the_disagreement_and_the_strategys_reasoning(jury_run: Run) -> None:
    at = on(CONFLICTS)
    no_exception(at)
    headers = texts(at.subheader)
    for part in ("Escalation queue", "A run's conflicts", "One conflict, side by side"):
        assert part in headers
    queue = at.dataframe[0].value
    assert len(queue) == 16 and set(queue["Status"]) == {"escalated"}
    assert "16 conflict(s) across runs" in texts(at.caption)
    conflicts = _table(at, "Strategy")
    assert len(conflicts) == 16 and set(conflicts["Severity"]) == {"critical"}
    reasoning = texts(at.info)
    assert "the judges disagree too much for any rule to decide" in reasoning
    assert "Escalated to a reviewer" in reasoning
    shown = texts(at.markdown)
    assert "openai-compatible:strict" in shown and "Coverage claims" in shown
    assert any(m.label == "Score" for m in at.metric)
    assert "Judge reliability and calibration" in headers and "Agreement" in headers
    agreement = [t.value for t in at.table if "Krippendorff's alpha" in t.value.columns]
    assert len(agreement) == 2  # this run and across history
    assert agreement[0]["Items"].iloc[0] == "All criteria"


def test_a_reviewer_resolves_a_conflict_and_the_ranking_follows(jury_run: Run) -> None:
    at = on(CONFLICTS)
    picked = at.selectbox(key=f"conflicts.pick.{jury_run.run_id}").value
    plan, criterion = picked.split("\x1f")
    by_label(at.number_input, "Your score (0-10)").set_value(1.0)
    by_label(at.text_input, "Your name").set_value("Ana")
    by_label(at.text_area, "Why (kept in the audit trail)").set_value("It defers the blockers")
    resolve = next(b for b in at.button if b.label == "Resolve")
    resolve.click().run()
    no_exception(at)
    assert "scores, ranking, exports and history now use it" in texts(at.success)
    assert "The ranking now reads:" in texts(at.markdown)
    store = HistoryStore()
    trail = store.resolutions(jury_run.run_id)
    assert len(trail) == 1 and trail[0][3].reviewer == "Ana" and trail[0][3].score == 1.0
    assert trail[0][1:3] == (plan, criterion)
    after = store.get_run(jury_run.run_id)
    resolved = next(r for r in after.results if r.name == plan)
    assert resolved.criteria[criterion].score == 1.0
    before = next(r for r in jury_run.results if r.name == plan)
    assert resolved.score is not None and before.score is not None
    assert resolved.score < before.score
    assert len(store.conflict_queue("escalated")) == 15
    assert at.session_state["conflicts.reviewer"] == "Ana"  # remembered for the session
    assert "It defers the blockers" in texts(at.table)  # the audit trail


def test_a_resolution_without_a_note_is_one_error_and_writes_nothing(jury_run: Run) -> None:
    at = on(CONFLICTS)
    by_label(at.text_input, "Your name").set_value("Ana")
    next(b for b in at.button if b.label == "Resolve").click().run()
    no_exception(at)
    assert "a resolution needs a note" in texts(at.error)
    assert HistoryStore().resolutions() == []


def test_history_shows_provisional_results_and_links_to_conflicts(jury_run: Run) -> None:
    at = on(HISTORY)
    no_exception(at)
    assert list(at.dataframe[0].value["Awaiting review"]) == [16]
    warning = texts(at.warning)
    assert "Provisional ranking" in warning and "Conflicts page" in warning
    assert "Where the judges disagree" in texts(at.subheader)
    ranking = at.table[0].value
    assert all(name.endswith("(provisional)") for name in ranking["Plan"])


def test_the_page_offers_the_runs_reports_and_builds_its_pdf(jury_run: Run) -> None:
    at = on(CONFLICTS)
    labels = {b.label for b in at.get("download_button")}
    assert {
        "Download the consensus report (Markdown)",
        "Download scores with conflict status (CSV)",
    } <= labels
    next(b for b in at.button if b.label == "Build the PDF report").click().run()
    no_exception(at)
    assert "Download PDF report" in {b.label for b in at.get("download_button")}
    key = f"conflicts.pdf.{jury_run.run_id}.0"  # no resolution yet
    with pikepdf.open(io.BytesIO(at.session_state[key])) as pdf:
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "en"


def test_whole_plans_show_each_judges_weighted_score_and_who_puts_which_first(
    jury_run: Run,
) -> None:
    at = on(CONFLICTS)
    no_exception(at)
    plans = _table(at, "offline")
    by_plan = {c.plan: c for c in jury_run.plan_conflicts}
    assert sorted(plans["Plan"]) == sorted(by_plan) and len(by_plan) == 4
    for _, row in plans.iterrows():
        conflict = by_plan[row["Plan"]]
        assert row["Spread"] == conflict.spread and row["Severity"] == conflict.severity
        for judge, score in conflict.scores.items():
            assert row[judge] == score
    assert jury_run.rank_conflict is not None
    assert "First plan by each judge's own scores" in texts(at.caption)


def test_the_filters_narrow_the_conflicts_table(jury_run: Run) -> None:
    at = on(CONFLICTS)
    assert len(_table(at, "Strategy")) == 16
    at.multiselect(key="conflicts.status").set_value(["resolved"]).run()
    no_exception(at)
    assert not [t for t in at.table if "Strategy" in t.value.columns]  # none resolved yet
    at.multiselect(key="conflicts.status").set_value(["escalated"]).run()
    at.multiselect(key="conflicts.severity").set_value(["low", "medium"]).run()
    assert not [t for t in at.table if "Strategy" in t.value.columns]  # all are critical
    at.multiselect(key="conflicts.severity").set_value(["critical"]).run()
    strict = next(j.id for j in jury_run.judges if ":strict@" in j.id)
    at.multiselect(key="conflicts.judge").set_value([strict]).run()
    no_exception(at)
    assert len(_table(at, "Strategy")) == 16  # the strict judge scored every item


def test_the_consensus_report_holds_the_conflicts_plans_and_resolutions(jury_run: Run) -> None:
    store = HistoryStore()
    plan, criterion = jury_run.conflicts[0].plan, jury_run.conflicts[0].criterion
    resolve(store, jury_run.run_id, plan, criterion, 2.0, "Defers the blockers", "Ana")
    at = on(CONFLICTS)
    no_exception(at)
    labels = {b.label for b in at.get("download_button")}
    assert "Download the consensus report (Markdown)" in labels  # this text, built by the page:
    run = store.get_run(jury_run.run_id)
    md = consensus_markdown(run, store.resolutions(run.run_id), store.reliability())
    for part in ("## Agreement", "## Weighted scores by judge", "## Conflicts", "## Resolutions"):
        assert part in md
    assert "Resolved by Ana" in md and "Defers the blockers" in md
    assert "## Judge reliability" in md
    assert f"| {plan} |" in md


def test_agreement_over_time_appears_with_two_jury_runs(jury_run: Run, demo_dir: Path) -> None:
    at = on(CONFLICTS)
    assert "Agreement over time appears once history holds two runs" in texts(at.caption)
    charts = len(at.get("plotly_chart"))
    with FakeLLMServer(constant_responder(6.0, {"strict": 4.0, "lenient": 7.0})) as srv:
        url = srv.openai_base_url
        _run(demo_dir, [f"openai-compatible:strict@{url}", f"openai-compatible:lenient@{url}"])
    at = on(CONFLICTS)
    no_exception(at)
    assert "Agreement over time appears" not in texts(at.caption)
    assert len(at.get("plotly_chart")) == charts + 1  # the agreement lines
