"""The password gate of a demo deployment in a real Chromium: the sign-in page passes axe and
has its headings in order, a wrong password is refused, and the right one typed and submitted
by keyboard alone opens the app; the attempts are in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    RUN_MS,
    audit_page,
    chromium,
    heading_problems,
    headings,
    needs_chromium,
    new_page,
    serious,
    settle,
    streamlit_server,
)

from a11y_judge.history.audit import AuditLog
from a11y_judge.history.store import HistoryStore

pytestmark = [needs_chromium, pytest.mark.timeout(180)]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
PASSWORD = "demo-gate-7f3a"


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("gated")
    home = root / "home"
    env = {"A11Y_JUDGE_PASSWORD": PASSWORD}
    with streamlit_server(home, root / "streamlit.log", env) as url:
        yield url, home


def test_the_sign_in_page_is_accessible_and_works_by_keyboard(
    gated: tuple[str, Path],
) -> None:
    url, home = gated
    with chromium() as browser:
        page = new_page(browser)
        page.goto(url)
        main = page.get_by_test_id("stMainBlockContainer")
        main.get_by_role("heading", name="Sign in").wait_for()
        settle(page)
        assert main.get_by_role("button", name="Run evaluation").count() == 0
        found = audit_page(page, "sign-in", expand=False)
        assert serious(found) == [], "\n".join(serious(found))
        assert heading_problems(headings(page)) == []
        field = page.get_by_label("Password", exact=True)
        for attempt in ("not-it", PASSWORD):
            for _ in range(40):  # Tab until the password field has the focus
                if field.evaluate("el => el === document.activeElement"):
                    break
                page.keyboard.press("Tab")
            assert field.evaluate("el => el === document.activeElement")
            page.keyboard.press("Control+A")
            page.keyboard.type(attempt)
            page.keyboard.press("Enter")  # submits the form
            settle(page)
            if attempt != PASSWORD:
                main.get_by_text("Wrong password.").wait_for(timeout=RUN_MS)
        main.get_by_role("button", name="Run evaluation").wait_for(timeout=RUN_MS)
    actions = [e.action for e in AuditLog(HistoryStore(home / "history.sqlite")).entries()]
    assert actions == ["login", "failed login"]
