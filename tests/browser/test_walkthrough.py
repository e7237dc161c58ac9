"""Every page of the app in a real Chromium, with a populated history: the demo set evaluated
from the browser, a jury run whose judges disagree (two LLM judges on the loopback fake server
beside the offline judge), an A/B experiment and a batch job recorded before the server
starts. On each page: its content, its CSV and PDF downloads, a full-page screenshot in
output/screenshots/, and the app's own accessibility (axe-core: no serious or critical
violation; headings in order; every chart followed by its data table)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from harness import (
    DEMO,
    PAGES,
    RUN_MS,
    SCREENSHOTS,
    audit_page,
    build_and_download_pdf,
    charts_without_table,
    check_tagged_pdf,
    chromium,
    csv_header,
    download,
    full_page_screenshot,
    heading_problems,
    headings,
    needs_chromium,
    new_page,
    open_page,
    serious,
    streamlit_server,
)

from a11y_judge.batch import service as batch
from a11y_judge.consensus.review import record_run
from a11y_judge.engine import evaluate
from a11y_judge.experiments import service as ab
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import BatchSettings
from a11y_judge.reports.batch_report import CSV_COLUMNS as BATCH_COLUMNS
from a11y_judge.reports.csv_report import COLUMNS as RUN_COLUMNS
from a11y_judge.rubric import load_rubric
from fakes.llm_server import FakeLLMServer, constant_responder

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [needs_chromium, pytest.mark.timeout(240)]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

TECHNICAL_FIRST = (
    "offline+weights=strategic_prioritization:0.2,technical_specificity:0.5,"
    "comprehensiveness:0.2,long_term_vision:0.1"
)


def _sets(root: Path) -> Path:
    """Two sets (the demo audit and its plans, each plan with a line of its own)."""
    for a in range(2):
        (root / f"site-{a}" / "plans").mkdir(parents=True)
        (root / f"site-{a}" / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for plan in sorted((DEMO / "plans").glob("*.md")):
            text = plan.read_text(encoding="utf-8") + f"\n\nSite {a}.\n"
            (root / f"site-{a}" / "plans" / plan.name).write_text(text, encoding="utf-8")
    return root


def _record_history(sets: Path) -> dict[str, str]:
    """A jury run with real conflicts, an experiment and a finished batch job, in the current
    A11Y_JUDGE_HOME; their ids."""
    with FakeLLMServer(constant_responder(6.0, {"strict": 3.0, "lenient": 8.5})) as llm:
        specs = ["offline"]
        specs += [f"openai-compatible:{m}@{llm.openai_base_url}" for m in ("strict", "lenient")]
        settings = JudgeSettings(use_cache=False)
        try:
            judges = [create_judge(s, settings) for s in specs]
            audit = read_audit(DEMO / "northwind-audit.md")
            plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
            run = evaluate(audit, plans, judges, load_rubric())
        finally:
            settings.close()
    record_run(HistoryStore(), run)
    assert run.conflicts and run.escalated
    doc = ab.run(["base=offline", f"technical-first={TECHNICAL_FIRST}"], sets)
    job = batch.submit(sets, BatchSettings(), label="two-sites")
    assert batch.run(job.job_id).status == "completed"
    return {"jury_run": run.run_id, "experiment": doc["experiment_id"], "job": job.job_id}


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on a history holding a jury run, an experiment and a batch job."""
    root = tmp_path_factory.mktemp("walkthrough")
    home = root / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("A11Y_JUDGE_HOME", str(home))
        ids = _record_history(_sets(root / "sets"))
    with streamlit_server(home, root / "streamlit.log") as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = new_page(browser)
    yield p
    p.context.close()


#: Pages whose expanders hold the run results Evaluate already shows (and axe checks opened).
RESULTS_AGAIN = {"history", "batch"}


def _accessible(page: Page, name: str) -> dict[str, Any]:
    """The page's accessibility checks with a populated history; its screenshot."""
    shot = full_page_screenshot(page, SCREENSHOTS / f"{name}.png")
    assert shot.stat().st_size > 30_000
    found = audit_page(page, f"{name}-populated", expand=name not in RESULTS_AGAIN)
    assert serious(found) == [], "\n".join(serious(found))
    assert heading_problems(headings(page)) == []
    assert charts_without_table(page) == []
    return {"violations": found}


def test_evaluate_runs_the_demo_set_and_offers_csv_and_tagged_pdf(
    populated: tuple[str, dict[str, str]], page: Page, tmp_path: Path
) -> None:
    url, _ = populated
    open_page(page, url, "evaluate")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_test_id("stCheckbox").get_by_text("Use the demo set").click()
    main.get_by_text("15 findings").first.wait_for()
    run = page.get_by_role("button", name="Run evaluation")
    sync_api.expect(run).to_be_enabled()
    run.click()
    main.get_by_role("heading", name="Results", exact=True).wait_for(timeout=RUN_MS)
    rows = page.locator(".st-key-evaluate-ranking table tbody tr")
    sync_api.expect(rows).to_have_count(4)

    tidy = download(page, "Download CSV", tmp_path)
    assert tidy.name.startswith("a11y-judge-") and tidy.suffix == ".csv"
    assert csv_header(tidy) == RUN_COLUMNS
    wide = download(page, "Download plan summary (CSV)", tmp_path)
    assert wide.name == tidy.name.replace(".csv", "-summary.csv")
    criteria = [c.id for c in load_rubric().criteria]
    assert csv_header(wide)[: 5 + len(criteria)] == [
        *["run_id", "audit", "plan", "rank", "weighted_score"],
        *criteria,
    ]
    pdf = build_and_download_pdf(page, tmp_path)
    assert pdf.name == tidy.name.replace(".csv", ".pdf")
    check_tagged_pdf(pdf)
    _accessible(page, "evaluate")


def test_conflicts_shows_the_disagreement_and_offers_csv_and_tagged_pdf(
    populated: tuple[str, dict[str, str]], page: Page, tmp_path: Path
) -> None:
    url, ids = populated
    page.goto(f"{url}/{PAGES['conflicts'][0]}?run={ids['jury_run']}")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("heading", name="One conflict, side by side").wait_for()
    main.get_by_text("Escalated to a reviewer").first.wait_for()
    main.get_by_text("conflict(s) across runs").first.wait_for()

    scores = download(page, "Download scores with conflict status (CSV)", tmp_path)
    assert scores.name == f"a11y-judge-{ids['jury_run']}.csv"
    assert csv_header(scores) == RUN_COLUMNS
    assert "escalated" in scores.read_text(encoding="utf-8")
    pdf = build_and_download_pdf(page, tmp_path)
    assert pdf.name == f"a11y-judge-{ids['jury_run']}.pdf"
    check_tagged_pdf(pdf)
    _accessible(page, "conflicts")


def test_performance_charts_every_recorded_run(
    populated: tuple[str, dict[str, str]], page: Page
) -> None:
    url, _ = populated
    open_page(page, url, "performance")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("heading", name="Is anything wrong?").wait_for()
    sync_api.expect(main.get_by_role("tab")).to_have_count(7)
    main.get_by_role("tab", name="Latency").click()
    main.get_by_text("Latency distribution per request").wait_for()
    _accessible(page, "performance")


def _scores_csv_and_tagged_pdf(page: Page, folder: Path, stem: str, columns: list[str]) -> None:
    """The page's 'Scores (CSV)' download (named after the job or experiment, these columns)
    and its PDF report (same name, tagged)."""
    scores = download(page, "Scores (CSV)", folder)
    assert scores.name == f"{stem}.csv"
    assert csv_header(scores) == columns
    pdf = build_and_download_pdf(page, folder)
    assert pdf.name == f"{stem}.pdf"
    check_tagged_pdf(pdf)


def test_ab_shows_the_recorded_experiment_and_offers_csv_and_tagged_pdf(
    populated: tuple[str, dict[str, str]], page: Page, tmp_path: Path
) -> None:
    url, ids = populated
    open_page(page, url, "ab")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("heading", name=f"Experiment {ids['experiment']}").wait_for()
    main.get_by_role("heading", name="technical-first against base").wait_for()

    columns = ["experiment_id", "set", "plan", "variant", "weighted_score"]
    _scores_csv_and_tagged_pdf(page, tmp_path, ids["experiment"], columns)
    _accessible(page, "ab")


def test_batch_shows_the_finished_job_and_offers_csv_and_tagged_pdf(
    populated: tuple[str, dict[str, str]], page: Page, tmp_path: Path
) -> None:
    url, ids = populated
    open_page(page, url, "batch")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_text("Completed: 2/2 sets").first.wait_for()
    main.get_by_role("heading", name="Summary").wait_for()

    _scores_csv_and_tagged_pdf(page, tmp_path, ids["job"], BATCH_COLUMNS)
    _accessible(page, "batch")


def test_history_lists_and_opens_the_runs(
    populated: tuple[str, dict[str, str]], page: Page, tmp_path: Path
) -> None:
    url, _ = populated
    open_page(page, url, "history")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_text(" runs").first.wait_for()
    sync_api.expect(main.get_by_role("tab")).to_have_count(5)
    main.get_by_role("heading", name="Ranking").wait_for()
    tidy = download(page, "Download CSV", tmp_path)
    assert csv_header(tidy) == RUN_COLUMNS
    pdf = build_and_download_pdf(page, tmp_path)  # the opened run's report
    assert pdf.name == tidy.name.replace(".csv", ".pdf")
    check_tagged_pdf(pdf)
    _accessible(page, "history")
    main.get_by_role("tab", name="Audit log").click()  # who did what: the recorded runs
    main.get_by_text("entries, newest first").wait_for()
    found = audit_page(page, "history-audit-log-populated", expand=False)
    assert serious(found) == [], "\n".join(serious(found))


def test_settings_lists_every_provider(populated: tuple[str, dict[str, str]], page: Page) -> None:
    url, _ = populated
    open_page(page, url, "settings")
    main = page.get_by_test_id("stMainBlockContainer")
    for provider in ("OpenAI", "Google Gemini", "OpenAI-compatible server", "Run options"):
        main.get_by_role("heading", name=provider, exact=True).wait_for()
    _accessible(page, "settings")
