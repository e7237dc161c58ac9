"""The app's own accessibility on a fresh history, in a real Chromium: axe-core on every page
(no serious or critical violation), headings in order, the dark theme too, and the main flow
by keyboard alone — Tab to the file inputs, upload, run, read the results, download — with a
visible focus ring on every element the Tab key reaches."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import (
    DEMO,
    PAGES,
    REPO,
    RUN_MS,
    active_element,
    audit_page,
    chromium,
    csv_header,
    focus_ring,
    heading_problems,
    headings,
    needs_chromium,
    new_page,
    open_page,
    serious,
    settle,
    streamlit_server,
)

from a11y_judge.reports.csv_report import COLUMNS as RUN_COLUMNS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FileChooser, Page

pytestmark = [needs_chromium, pytest.mark.timeout(180)]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

MAX_TABS = 80  # Tab presses allowed to reach one control


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on an empty history (the keyboard test, last in this module, adds a run)."""
    root = tmp_path_factory.mktemp("fresh")
    with streamlit_server(root / "home", root / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_of_an_empty_history_passes_axe(fresh: str, browser: Browser, name: str) -> None:
    page = new_page(browser)
    try:
        open_page(page, fresh, name)
        page.get_by_test_id("stSidebar").get_by_text("0 runs, stored in").wait_for()
        found = audit_page(page, f"{name}-empty")
        assert serious(found) == [], "\n".join(serious(found))
        assert heading_problems(headings(page)) == []
    finally:
        page.context.close()


def test_the_dark_theme_passes_axe_too(fresh: str, browser: Browser) -> None:
    page = new_page(browser, colour_scheme="dark")
    try:
        open_page(page, fresh, "evaluate")
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
            ".backgroundColor"
        )
        assert background == "rgb(23, 22, 20)"  # [theme.dark] backgroundColor #171614
        found = audit_page(page, "evaluate-empty-dark")
        assert serious(found) == [], "\n".join(serious(found))
    finally:
        page.context.close()


def _tab_to(page: Page, is_target: str, rings: dict[str, str | None]) -> None:
    """Press Tab until the focused element satisfies the JS predicate `is_target`; record how
    each element on the way shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        here = active_element(page)
        ring = focus_ring(page)
        if ring is None:  # measured mid-repaint (the sidebar re-renders after a rerun): again
            page.wait_for_timeout(300)
            ring = focus_ring(page)
        if rings.get(here) is None:
            rings[here] = ring
        if page.evaluate(f"() => ({is_target})(document.activeElement)"):
            return
    pytest.fail(f"{MAX_TABS} Tab presses did not reach {is_target}; last: {here}")


def _upload_button(key: str) -> str:
    """The uploader's own button (not the help button beside its label)."""
    return (
        f"el => el.tagName === 'BUTTON' && !!el.closest('.st-key-{key}')"
        " && !!el.closest('[data-testid=\"stFileUploaderDropzone\"]')"
    )


class _Choosers:
    """Every file dialog the page opens, caught by one listener that lives as long as the page.

    Playwright intercepts file dialogs only while a listener exists, and turning interception
    on is asynchronous: with `expect_file_chooser` around each key press, about one press in
    five (measured: 47 of 60 caught) reached Chromium before interception was on, and its
    dialog was never seen. A listener added once, before the first press, catches them all
    (100 of 100)."""

    def __init__(self, page: Page) -> None:
        self.caught: list[FileChooser] = []
        page.on("filechooser", lambda chooser: self.caught.append(chooser))


def _choose_by_keyboard(
    page: Page, choosers: _Choosers, target: str, files: list[Path], rings: dict[str, str | None]
) -> None:
    """Enter on the focused upload button opens the file dialog (Playwright's chooser stands in
    for the operating system's). If a rerun took the focus away first, Tab back to the button
    and press again, as a user would."""
    before = len(choosers.caught)
    for _ in range(3):
        if not page.evaluate(f"() => ({target})(document.activeElement)"):
            _tab_to(page, target, rings)
        page.keyboard.press("Enter")
        deadline = time.monotonic() + 8
        while len(choosers.caught) == before and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        if len(choosers.caught) > before:
            choosers.caught[before].set_files([str(f) for f in files])
            return
        settle(page)
    pytest.fail(f"three presses of Enter on {target} opened no file dialog")


def _button(label: str) -> str:
    return f"el => el.tagName === 'BUTTON' && el.innerText.trim().endsWith({label!r})"


def test_the_main_flow_by_keyboard_alone_with_visible_focus(
    fresh: str, browser: Browser, tmp_path: Path
) -> None:
    page = new_page(browser)
    choosers = _Choosers(page)
    rings: dict[str, str | None] = {}
    try:
        open_page(page, fresh, "evaluate")
        main = page.get_by_test_id("stMainBlockContainer")

        _tab_to(page, _upload_button("evaluate-audit"), rings)
        _choose_by_keyboard(
            page, choosers, _upload_button("evaluate-audit"), [DEMO / "northwind-audit.md"], rings
        )
        main.get_by_text("15 findings").first.wait_for()
        settle(page)  # the rerun the upload started has finished

        plans = sorted((DEMO / "plans").glob("*.md"))
        _tab_to(page, _upload_button("evaluate-plans"), rings)
        _choose_by_keyboard(page, choosers, _upload_button("evaluate-plans"), plans, rings)
        main.get_by_text(f"{len(plans)} plans").first.wait_for()
        settle(page)

        _tab_to(page, _button("Run evaluation"), rings)
        page.keyboard.press("Enter")
        main.get_by_role("heading", name="Results", exact=True).wait_for(timeout=RUN_MS)

        # the results read as a real table: column headers, one row per plan, best first
        ranking = page.locator(".st-key-evaluate-ranking table")
        sync_api.expect(ranking.locator("tbody tr")).to_have_count(len(plans))
        header = [t.strip() for t in ranking.locator("thead th").all_inner_texts()]
        assert {"Rank", "Plan", "Weighted score"} <= set(header)
        assert ranking.locator("tbody tr").first.locator("td").first.inner_text() == "1"
        main.get_by_text("Best plan:").wait_for()
        settle(page)

        _tab_to(page, _button("Download CSV"), rings)
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        got = tmp_path / info.value.suggested_filename
        info.value.save_as(got)
        assert got.suffix == ".csv" and csv_header(got) == RUN_COLUMNS
    finally:
        page.context.close()
    out = REPO / "output" / "axe" / "keyboard-focus.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rings, indent=1), encoding="utf-8")
    invisible = [element for element, ring in rings.items() if ring is None]
    assert invisible == [], f"no visible focus on: {invisible}"
    assert len(rings) >= 15  # the walk went through the sidebar, the inputs and the results
