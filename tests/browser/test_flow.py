"""The main flow in a real Chromium against `streamlit run app/main.py`: upload, run, download."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    DEMO,
    REPO,
    RUN_MS,
    STEP_MS,
    chromium,
    csv_header,
    download,
    full_page_screenshot,
    needs_chromium,
    new_page,
    streamlit_server,
)

SCREENSHOT = REPO / "output" / "app-results.png"
#: Streamlit scrolls inside its main block: the screenshots grow the viewport up to this
TALL = 16_000

pytestmark = needs_chromium
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`streamlit run app/main.py` on a free loopback port, with its own A11Y_JUDGE_HOME."""
    with streamlit_server(tmp_path / "home", tmp_path / "streamlit.log") as url:
        yield url


def _cli_ranking(tmp_path: Path) -> list[str]:
    """Plan names in rank order, as `a11y-judge evaluate --json` gives them."""
    script = Path(sys.executable).with_name("a11y-judge")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "a11y_judge.cli"]
    args = ["evaluate", "--audit", str(DEMO / "northwind-audit.md")]
    args += ["--plans-dir", str(DEMO / "plans"), "--json", "--no-history"]
    done = subprocess.run(
        cli + args,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=os.environ | {"A11Y_JUDGE_HOME": str(tmp_path / "cli-home")},
    )
    plans = json.loads(done.stdout)["plans"]
    return [p["name"] for p in sorted(plans, key=lambda p: p["rank"])]


def test_upload_run_download(server: str, tmp_path: Path) -> None:
    expected = _cli_ranking(tmp_path)
    plans = sorted((DEMO / "plans").glob("*.md"))
    with chromium() as browser:
        page = new_page(browser)
        page.goto(server)
        main = page.get_by_test_id("stMainBlockContainer")

        uploads = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        sync_api.expect(uploads).to_have_count(2, timeout=STEP_MS)
        uploads.nth(0).set_input_files(str(DEMO / "northwind-audit.md"))
        main.get_by_text("15 findings").wait_for()
        uploads.nth(1).set_input_files([str(p) for p in plans])
        main.get_by_text(f"{len(plans)} plans").wait_for()

        run = page.get_by_role("button", name="Run evaluation")
        sync_api.expect(run).to_be_enabled()
        run.click()
        main.get_by_role("heading", name="Results").wait_for(timeout=RUN_MS)

        rows = page.locator(".st-key-evaluate-ranking table tbody tr")
        sync_api.expect(rows).to_have_count(len(plans))
        shown = [rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(4)]
        ranks = [rows.nth(i).locator("td").nth(0).inner_text().strip() for i in range(4)]
        assert shown == expected
        assert ranks[0] == "1"
        page.get_by_text("Addressed by no plan").wait_for()  # is_visible() did not wait
        page.get_by_text("◐ mentioned only").wait_for()  # the matrix legend

        csv_path = download(page, "Download CSV", tmp_path)
        assert csv_path.suffix == ".csv"
        assert ",".join(csv_header(csv_path)) == (
            "run_id,audit,plan,rank,criterion,criterion_name,weight,judge,score,status,"
            "provisional_score,error,coverage_ratio,covered,mentioned,missed,provisional,"
            "conflict_severity,conflict_status"
        )

        full_page_screenshot(page, SCREENSHOT, TALL)
        assert SCREENSHOT.stat().st_size > 50_000


def test_settings_adds_an_openai_compatible_judge_to_the_jury(server: str) -> None:
    """A new user adds a local OpenAI-compatible server in Settings and gets a jury result."""
    sys.path.insert(0, str(REPO / "tests"))
    from fakes.llm_server import FakeLLMServer, Raw, Status, constant_responder

    with FakeLLMServer(constant_responder(6.0)) as llm, chromium() as browser:
        page = new_page(browser)
        page.goto(f"{server}/settings")
        main = page.get_by_test_id("stMainBlockContainer")
        main.get_by_role("heading", name="OpenAI-compatible server").wait_for()
        main.get_by_text("Add OpenAI-compatible server judges to the jury").click()
        models = main.get_by_role("textbox", name="Model names", exact=True).nth(2)
        models.fill("fake-judge")
        models.press("Enter")
        url = main.get_by_role("textbox", name="Base URL (required)", exact=True)
        url.fill(llm.openai_base_url)
        url.press("Enter")
        spec = f"openai-compatible:fake-judge@{llm.openai_base_url}"
        main.get_by_text(spec).first.wait_for()

        main.get_by_role("button", name="Test connection").nth(2).click()
        main.get_by_text("Connection works").wait_for()
        assert llm.count("openai") == 1

        # the first three judging requests misbehave: rate limit, server error, HTML page
        llm.enqueue(
            Status(429, headers={"retry-after-ms": "100"}),
            Status(500),
            Raw("<html><body>502 Bad Gateway</body></html>"),
        )
        page.get_by_role("link", name="Evaluate").first.click()
        main.get_by_role("heading", name="Evaluate remediation plans").wait_for()
        main.get_by_test_id("stCheckbox").get_by_text("Use the demo set").click()
        run = page.get_by_role("button", name="Run evaluation")
        sync_api.expect(run).to_be_enabled()
        run.click()
        main.get_by_role("heading", name="Results").wait_for(timeout=RUN_MS)
        main.get_by_role("heading", name="Jury", exact=True).wait_for()
        judge_id = "openai-compatible:fake-judge@127.0.0.1"
        main.locator("table td", has_text=judge_id).first.wait_for()
        # the connection test, one request per plan, and the three re-sent
        seen = [f"{r.method} {r.path}" for r in llm.requests]  # said if it fails (seen once)
        assert llm.count("openai") == 1 + 4 + 3, f"{seen}\n{main.inner_text()[-1500:]}"
        main.get_by_text("LLM usage: 7 requests (3 retries, 0 repairs)").wait_for()
        endpoints = main.locator("table", has_text="Malformed replies")
        row = endpoints.locator("tbody tr").first
        cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
        assert cells[-7:] == ["7", "1", "1", "1", "8 / 8 / 8", "0", "0.0"], cells
        endpoints.scroll_into_view_if_needed()
        page.screenshot(path=str(REPO / "output" / "app-endpoints.png"))


def test_a_reviewer_settles_a_critical_conflict_on_the_conflicts_page(server: str) -> None:
    """Two LLM judges that disagree (loopback fake server); the reviewer resolves the first
    escalated conflict by keyboard-reachable form fields and sees the ranking follow."""
    sys.path.insert(0, str(REPO / "tests"))
    from a11y_judge.consensus.review import record_run
    from a11y_judge.engine import evaluate
    from a11y_judge.history.store import HistoryStore
    from a11y_judge.ingest import plan_files, read_audit, read_plans
    from a11y_judge.judges import create_judge
    from a11y_judge.judges.settings import JudgeSettings
    from a11y_judge.rubric import load_rubric
    from fakes.jury_responder import DisagreeingJury
    from fakes.llm_server import FakeLLMServer

    base = {"northwind-phased-roadmap": 8.0, "agency-quick-wins": 6.5}
    base |= {"alphabetical-checklist": 5.0, "overlay-widget-plan": 3.0}
    with FakeLLMServer(DisagreeingJury({"strict": -1.0, "lenient": 1.0}, base)) as llm:
        settings = JudgeSettings(use_cache=False)
        judges = [
            create_judge(f"openai-compatible:{m}@{llm.openai_base_url}", settings)
            for m in ("strict", "lenient")
        ]
        audit = read_audit(DEMO / "northwind-audit.md")
        plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
        run = evaluate(audit, plans, judges, load_rubric())
        settings.close()
    store = HistoryStore()  # the same A11Y_JUDGE_HOME as the app's
    record_run(store, run)
    assert len(run.escalated) == 4
    with chromium() as browser:
        page = new_page(browser)
        page.goto(f"{server}/conflicts?run={run.run_id}")
        main = page.get_by_test_id("stMainBlockContainer")
        main.get_by_role("heading", name="One conflict, side by side").wait_for()
        main.get_by_text("Escalated to a reviewer").first.wait_for()
        score = main.get_by_role("spinbutton", name="Your score (0-10)")
        score.fill("2")
        main.get_by_role("textbox", name="Your name").fill("Ana")
        why = main.get_by_role("textbox", name="Why (kept in the audit trail)")
        why.fill("It puts the decorative fixes before the blockers")
        main.get_by_role("button", name="Resolve", exact=True).click()
        main.get_by_text("history now use it").wait_for(timeout=RUN_MS)
        main.get_by_text("The ranking now reads:").wait_for()
        full_page_screenshot(page, REPO / "output" / "app-conflicts.png", TALL)
    trail = store.resolutions(run.run_id)
    assert [(r.score, r.reviewer) for *_, r in trail] == [(2.0, "Ana")]
    assert len(store.get_run(run.run_id).escalated) == 3


def test_a_zip_of_ten_sets_runs_on_the_batch_page_and_another_session_sees_it(
    server: str, tmp_path: Path
) -> None:
    """A reviewer uploads a ZIP of 10 sets; the batch runs in the server's background, the page
    shows it completed with its summary, and a second browser session sees the same job."""
    import zipfile

    archive = tmp_path / "sites.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(10):
            z.write(DEMO / "northwind-audit.md", f"sites/site-{i:02d}/audit.md")
            for plan in sorted((DEMO / "plans").glob("*.md")):
                text = plan.read_text(encoding="utf-8") + f"\n\nFor site {i}.\n"
                z.writestr(f"sites/site-{i:02d}/plans/{plan.name}", text)
    with chromium() as browser:
        page = new_page(browser)
        page.goto(f"{server}/batch")
        main = page.get_by_test_id("stMainBlockContainer")
        main.get_by_role("heading", name="Batch", exact=True).wait_for()
        main.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(archive)
        )
        start = main.get_by_role("button", name="Start batch")
        sync_api.expect(start).to_be_enabled()
        start.click()
        main.get_by_text("Started batch").wait_for(timeout=RUN_MS)
        main.get_by_text("Completed: 10/10 sets").first.wait_for(timeout=RUN_MS)
        main.get_by_role("heading", name="Summary").wait_for()
        main.get_by_text("Ranking consistency across 10 sets").wait_for()
        main.get_by_role("heading", name="Open a set's run").wait_for()
        main.get_by_text("Best plan:").first.wait_for()
        full_page_screenshot(page, REPO / "output" / "app-batch.png", TALL)

        other = new_page(browser)
        other.goto(f"{server}/batch")
        seen = other.get_by_test_id("stMainBlockContainer")
        seen.get_by_text("Completed: 10/10 sets").first.wait_for()
        picker = seen.get_by_role("combobox", name="Job")
        sync_api.expect(picker).to_have_value(re.compile(r"^batch-.* · sites\.zip$"))
