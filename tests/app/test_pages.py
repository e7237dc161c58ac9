"""Every page through streamlit.testing AppTest, on an empty and a populated history."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import frames, no_exception, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.engine import evaluate
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.models import Run
from a11y_judge.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
EVALUATE = "views/evaluate.py"
HISTORY = "views/history.py"
SETTINGS = "views/settings.py"
EVERY_PAGE = [
    EVALUATE,
    HISTORY,
    "views/conflicts.py",
    "views/batch.py",
    "views/experiments.py",
    "views/performance.py",
    SETTINGS,
]
WINNER = "northwind-phased-roadmap"
TIMEOUT = 60


def demo_run(demo_dir: Path) -> Run:
    """The demo set evaluated through the package, as the CLI would."""
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    return evaluate(audit, plans, [create_judge("offline")], load_rubric())


@pytest.fixture
def populated(demo_dir: Path) -> list[Run]:
    """Two demo runs in history (so compare and trends have data), oldest first."""
    store = HistoryStore()
    runs = [demo_run(demo_dir), demo_run(demo_dir)]
    for run in runs:
        store.save_run(run)
    return runs


def app() -> AppTest:
    return AppTest.from_file(str(MAIN), default_timeout=TIMEOUT).run()


def on(page: str) -> AppTest:
    at = app()
    return at.switch_page(page).run()


# ---------------------------------------------------------------- every page renders


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_page_renders_on_empty_history(page: str) -> None:
    at = on(page)
    no_exception(at)
    assert not at.error
    assert "A11y Judge" in texts(at.title)
    sidebar = texts(at.sidebar.markdown) + texts(at.sidebar.caption)
    assert "offline" in sidebar
    assert "later release" not in sidebar
    assert sidebar.count("configure in Settings") == 3  # openai, gemini, openai-compatible
    assert "history.sqlite" in texts(at.sidebar.code)


def test_history_empty_points_to_evaluate() -> None:
    at = on(HISTORY)
    no_exception(at)
    assert "Evaluate" in texts(at.info)
    assert not at.dataframe and not at.table and not at.metric


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_page_renders_on_populated_history(page: str, populated: list[Run]) -> None:
    at = on(page)
    no_exception(at)
    assert not at.error
    assert "2 runs" in texts(at.sidebar.markdown)


def test_history_lists_runs_compares_and_trends(populated: list[Run]) -> None:
    at = on(HISTORY)
    no_exception(at)
    listing = at.dataframe[0].value
    assert list(listing["Run ID"]) == [r.run_id for r in reversed(populated)]
    assert set(listing["Winner"]) == {WINNER}
    # the newest run is open in the shared results view
    ranking = at.table[0].value
    assert ranking.iloc[0]["Plan"] == WINNER and ranking.iloc[0]["Rank"] == 1
    assert len(at.download_button) == 4
    # compare: two ranking tables and a delta table for the shared plans
    deltas = next(d.value for d in at.dataframe if "Change (B − A)" in d.value.columns)
    assert set(deltas["Plan"]) == {r.name for r in populated[0].results}
    assert (deltas["Change (B − A)"] == 0).all()
    # trends: all four plans recur, so no "appears once" note
    assert "evaluated twice" not in texts(at.info)


def test_history_reopens_a_chosen_run(populated: list[Run]) -> None:
    at = on(HISTORY)
    oldest = populated[0].run_id
    at.selectbox(key="history.open").set_value(oldest).run()
    no_exception(at)
    assert oldest in texts(at.caption)
    assert at.table[0].value.iloc[0]["Plan"] == WINNER


def test_history_search_and_status_filter(populated: list[Run]) -> None:
    at = on(HISTORY)
    at.text_input(key="history.search").set_value("no-such-plan").run()
    no_exception(at)
    assert "No run matches" in texts(at.info)
    at.text_input(key="history.search").set_value("roadmap").run()
    at.selectbox(key="history.status").set_value("failed").run()
    assert "No run matches" in texts(at.info)
    at.selectbox(key="history.status").set_value("ok").run()
    assert at.dataframe[0].value.shape[0] == 2


def test_history_trend_note_when_nothing_recurs(demo_dir: Path) -> None:
    HistoryStore().save_run(demo_run(demo_dir))
    at = on(HISTORY)
    no_exception(at)
    notes = texts(at.info)
    assert "evaluated twice" in notes
    assert "two runs" in notes  # compare needs two


def test_history_delete_needs_confirmation(populated: list[Run]) -> None:
    at = on(HISTORY)
    button = at.button(key="history.delete.button")
    assert button.disabled
    target = populated[0].run_id
    at.selectbox(key="history.delete.run").set_value(target).run()
    at.checkbox(key="history.delete.sure").check().run()
    at.button(key="history.delete.button").click().run()
    no_exception(at)
    assert [r.run_id for r in HistoryStore().list_runs()] == [populated[1].run_id]
    assert f"Deleted run {target}" in texts(at.success)
    assert at.button(key="history.delete.button").disabled  # confirmation is reset


def test_history_deleting_every_run_returns_to_the_empty_state(populated: list[Run]) -> None:
    at = on(HISTORY)
    for _ in populated:  # the newest first: it is also the run open in the results view
        at.checkbox(key="history.delete.sure").check().run()
        at.button(key="history.delete.button").click().run()
        no_exception(at)
    assert HistoryStore().count_runs() == 0
    assert "No runs yet" in texts(at.info)


# ---------------------------------------------------------------- evaluate


def run_demo(at: AppTest) -> AppTest:
    at.checkbox(key="evaluate.demo").check().run()
    no_exception(at)
    assert not at.button(key="evaluate.run_button").disabled
    return at.button(key="evaluate.run_button").click().run()


def test_evaluate_demo_shows_what_was_understood() -> None:
    at = app()
    at.checkbox(key="evaluate.demo").check().run()
    no_exception(at)
    findings = at.dataframe[0].value
    assert list(findings.columns) == ["ID", "SC", "Severity", "Title", "Status"]
    assert len(findings) == 15 and findings.iloc[0]["ID"] == "NW-01"
    plans = at.dataframe[1].value
    assert sorted(plans["Plan"]) == [
        "agency-quick-wins",
        "alphabetical-checklist",
        "northwind-phased-roadmap",
        "overlay-widget-plan",
    ]
    assert (plans["Words"] > 500).all()
    assert HistoryStore().count_runs() == 0  # nothing is saved before Run


def test_evaluate_demo_run_ranks_and_saves(demo_dir: Path) -> None:
    at = run_demo(app())
    no_exception(at)
    assert not at.error
    ranking = at.table[0].value
    assert ranking.iloc[0]["Plan"] == WINNER and ranking.iloc[0]["Rank"] == 1
    expected = [r.name for r in demo_run(demo_dir).results]
    assert list(ranking["Plan"]) == expected
    labels = [b.label for b in at.download_button]
    assert labels == [
        "Download CSV",
        "Download plan summary (CSV)",
        "Download JSON",
        "Download Markdown",
    ]
    runs = HistoryStore().list_runs()
    assert len(runs) == 1 and runs[0].winner == WINNER
    # the sidebar counts the run just recorded in the same rerun, not one click later
    assert "1 run, stored in" in [m.value for m in at.sidebar.markdown]
    # the results stay on screen across reruns (e.g. after a download click)
    at.run()
    assert at.table[0].value.iloc[0]["Plan"] == WINNER
    assert HistoryStore().count_runs() == 1


def test_evaluate_coverage_matrix_shows_three_states() -> None:
    """Addressed, mentioned (deferred by the agency plan) and missed, with the quotes."""
    at = run_demo(app())
    no_exception(at)
    tables = frames(at)
    matrix = next(f for f in tables if "Finding" in f.columns and "agency-quick-wins" in f.columns)
    agency = dict(zip(matrix["Finding"], matrix["agency-quick-wins"], strict=True))
    assert agency["NW-08"] == "mentioned" and agency["NW-01"] == "addressed"
    assert agency["NW-14"] == "missed"
    quotes = next(f for f in tables if "Plan's sentence" in f.columns)
    row = quotes[(quotes["Finding"] == "NW-08") & (quotes["Plan"] == "agency-quick-wins")]
    assert row.iloc[0]["State"] == "mentioned" and "platform team" in row.iloc[0]["Plan's sentence"]
    headers = [h.value for h in at.subheader]
    assert "Addressed by no plan" in headers


def test_evaluate_custom_weights_are_recorded() -> None:
    at = app()
    at.checkbox(key="evaluate.demo").check().run()
    for cid in (
        "strategic_prioritization",
        "technical_specificity",
        "comprehensiveness",
        "long_term_vision",
    ):
        at.number_input(key=f"evaluate.weight.{cid}").set_value(25).run()
    at.button(key="evaluate.run_button").click().run()
    no_exception(at)
    run = HistoryStore().get_run(HistoryStore().list_runs()[0].run_id)
    assert run.rubric.weights == {
        "strategic_prioritization": 0.25,
        "technical_specificity": 0.25,
        "comprehensiveness": 0.25,
        "long_term_vision": 0.25,
    }
    assert "+w" in run.rubric.version


def test_evaluate_weights_must_total_100() -> None:
    at = app()
    at.checkbox(key="evaluate.demo").check().run()
    at.number_input(key="evaluate.weight.strategic_prioritization").set_value(50).run()
    no_exception(at)
    assert len(at.error) == 1 and "110%" in at.error[0].value
    assert at.button(key="evaluate.run_button").disabled


def test_evaluate_results_marked_stale_when_inputs_change() -> None:
    at = run_demo(app())
    at.number_input(key="evaluate.weight.strategic_prioritization").set_value(35).run()
    at.number_input(key="evaluate.weight.long_term_vision").set_value(15).run()
    no_exception(at)
    assert "changed since the last run" in texts(at.info)
    assert not at.table


BAD_UPLOADS = {
    "empty file": ("audit.md", b"", "the file is empty"),
    "corrupt JSON": ("axe.json", b'{"violations": [', "JSON is malformed"),
    "plan given as audit": ("agency-quick-wins.md", None, "looks like a remediation plan"),
    "audit with no findings": ("notes.txt", b"Everything looked fine to us today.", "no findings"),
    "binary junk": ("report.bin", bytes(range(256)) * 4, "binary file"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_audit_upload_shows_one_error(case: str, demo_dir: Path) -> None:
    name, data, message = BAD_UPLOADS[case]
    if data is None:
        data = (demo_dir / "plans" / name).read_bytes()
    plan = demo_dir / "plans" / "agency-quick-wins.md"
    at = app()
    at.file_uploader(key="evaluate.audit").upload(name, data).run()
    at.file_uploader(key="evaluate.plans").upload(plan.name, plan.read_bytes()).run()
    no_exception(at)
    assert len(at.error) == 1, texts(at.error)
    assert message in at.error[0].value and name in at.error[0].value
    assert "Traceback" not in at.error[0].value
    assert at.button(key="evaluate.run_button").disabled
    assert HistoryStore().count_runs() == 0
    # the page keeps working: a good audit clears the error
    good = demo_dir / "northwind-audit.md"
    at.file_uploader(key="evaluate.audit").set_value((good.name, good.read_bytes(), "text/plain"))
    at.run()
    no_exception(at)
    assert not at.error
    assert not at.button(key="evaluate.run_button").disabled


def test_tool_report_given_as_plan_shows_one_error(demo_dir: Path) -> None:
    axe = REPO / "tests" / "fixtures" / "tools" / "axe4_result.json"
    audit = demo_dir / "northwind-audit.md"
    at = app()
    at.file_uploader(key="evaluate.audit").upload(audit.name, audit.read_bytes()).run()
    at.file_uploader(key="evaluate.plans").upload(axe.name, axe.read_bytes()).run()
    no_exception(at)
    assert len(at.error) == 1 and "not a remediation plan" in at.error[0].value
    assert at.button(key="evaluate.run_button").disabled


def test_uploaded_files_run_end_to_end(demo_dir: Path) -> None:
    audit = demo_dir / "northwind-audit.md"
    at = app()
    at.file_uploader(key="evaluate.audit").upload(audit.name, audit.read_bytes())
    plans = at.file_uploader(key="evaluate.plans")
    for p in sorted((demo_dir / "plans").glob("*.md")):
        plans.upload(p.name, p.read_bytes())
    at.run()
    at.button(key="evaluate.run_button").click().run()
    no_exception(at)
    assert at.table[0].value.iloc[0]["Plan"] == WINNER
    assert HistoryStore().count_runs() == 1


def test_sessions_do_not_share_results() -> None:
    first = run_demo(app())
    assert first.table
    second = app()
    no_exception(second)
    assert not second.table
    assert "Upload an audit" in texts(second.info)


def test_a_reopened_run_builds_and_offers_its_pdf_report(populated: list[Run]) -> None:
    at = on(HISTORY)
    build = next(b for b in at.button if b.label == "Build the PDF report")
    build.click().run()
    no_exception(at)
    labels = {b.label for b in at.get("download_button")}
    assert "Download PDF report" in labels
    assert not any(b.label == "Build the PDF report" for b in at.button)
