"""What the browser tests share: `streamlit run app/main.py` on a loopback port with its own
A11Y_JUDGE_HOME, Debian's Chromium through Playwright, screenshots, downloads, and the app's
own accessibility checks (axe-core, headings, visible focus, chart text alternatives)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Download, Page

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / ".venv" / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"  # scripts/fetch_axe.py pins the same
SCREENSHOTS = REPO / "output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 60
STEP_MS = 30_000
RUN_MS = 90_000

#: The app's pages: (path, the page's h2) as the navigation lists them.
PAGES = {
    "evaluate": ("", "Evaluate remediation plans"),
    "history": ("history", "History"),
    "conflicts": ("conflicts", "Conflicts"),
    "batch": ("batch", "Batch"),
    "ab": ("experiments", "A/B experiments"),
    "performance": ("performance", "Performance"),
    "settings": ("settings", "Settings"),
}

#: `make test` sets it: there a missing browser fails the browser suite instead of skipping it.
REQUIRE_BROWSER = bool(os.environ.get("A11Y_JUDGE_REQUIRE_BROWSER"))

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRE_BROWSER,
    reason="needs Debian's Chromium at /usr/bin/chromium (run `make browser-deps`)",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit did not answer within {SERVER_START_S}s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def streamlit_server(
    home: Path, log: Path, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """`streamlit run app/main.py` on a free loopback port against `home`; its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {"A11Y_JUDGE_HOME": str(home)} | (extra_env or {})
    cmd = [sys.executable, "-m", "streamlit", "run", "app/main.py"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd += ["--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, closed afterwards."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Debian's Chromium missing at {CHROMIUM}: run `make browser-deps`")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, colour_scheme: str = "light") -> Page:
    """A 1400 x 1000 page in its own context (own Streamlit session), downloads accepted."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
        color_scheme=colour_scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    from playwright.sync_api import expect

    expect.set_options(timeout=STEP_MS)  # the machine may be busy: assertions wait like steps
    return page


def open_page(page: Page, url: str, name: str) -> None:
    """Go to one of PAGES and wait for its heading."""
    path, heading = PAGES[name]
    page.goto(f"{url}/{path}")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("heading", name=heading, exact=True, level=2).wait_for()
    settle(page)  # the whole script ran: every element and the focus style are in place


def settle(page: Page) -> None:
    """Wait until Streamlit has finished its rerun (no element left stale)."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=RUN_MS,
    )
    page.wait_for_timeout(200)


def full_page_screenshot(page: Page, path: Path, max_height: int = 3_200) -> Path:
    """Streamlit scrolls inside its main block, so grow the viewport to the content first (up
    to `max_height`: taller pages are cut, as a screenshot of them would take long)."""
    with whole_page_on_screen(page, max_height):
        page.mouse.move(0, 0)
        page.wait_for_timeout(800)  # let plotly re-layout at the new size
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    return path


@contextlib.contextmanager
def whole_page_on_screen(page: Page, max_height: int | None = None) -> Iterator[None]:
    """A viewport as tall as the main area's content (up to `max_height`), scrolled to the
    top, for as long as the block runs: Streamlit scrolls inside its main block, and axe's
    colour-contrast check leaves out text scrolled out of view there, so without this it would
    check only the first screenful."""
    main = "document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
    height = int(page.evaluate(f"() => {main}.scrollHeight")) + 120
    page.set_viewport_size(
        {"width": 1400, "height": height if max_height is None else min(height, max_height)}
    )
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    try:
        yield
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def download(page: Page, button: str, folder: Path, *, exact: bool = True) -> Path:
    """Click a download button; the saved file, under the name the app suggested."""
    with page.expect_download(timeout=STEP_MS) as info:
        page.get_by_role("button", name=button, exact=exact).first.click()
    got: Download = info.value
    path = folder / got.suggested_filename
    got.save_as(path)
    return path


def csv_header(path: Path) -> list[str]:
    """The first row of a downloaded CSV (parsed, so quoting is honoured) after checking
    that the whole file parses with one column count."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) >= 2, f"{path.name} has no data rows"
    assert {len(r) for r in rows} == {len(rows[0])}, f"{path.name} has ragged rows"
    return rows[0]


def check_tagged_pdf(path: Path) -> None:
    """A PDF, tagged (a structure tree) and with a document language."""
    import pikepdf

    assert path.read_bytes()[:5] == b"%PDF-", f"{path.name} is not a PDF"
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root, f"{path.name} is not tagged"
        assert str(pdf.Root.get("/Lang", "")).startswith("en"), f"{path.name} has no /Lang"
        assert pdf.Root.MarkInfo.Marked


def build_and_download_pdf(page: Page, folder: Path) -> Path:
    """The shared 'Build the PDF report' button, then its download."""
    page.get_by_role("button", name="Build the PDF report").first.click()
    page.get_by_role("button", name="Download PDF report").first.wait_for(timeout=RUN_MS)
    return download(page, "Download PDF report", folder)


def expand_all(page: Page) -> None:
    """Open every visible expander in the main area, so axe checks their content too (after
    any rerun: one still running would close them again)."""
    settle(page)
    closed = page.locator('[data-testid="stMain"] details:not([open]) > summary >> visible=true')
    for _ in range(2 * closed.count()):  # one click each; a click lost to a moving layout again
        if not closed.count():
            break
        closed.first.click()
        still(page)
    assert closed.count() == 0, f"{closed.count()} expanders would not open"


def still(page: Page) -> None:
    """Wait until no CSS animation or transition runs (an opening expander clips its content
    while it grows, and axe skips or mismeasures what it cannot see)."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=STEP_MS
    )


def audit_page(page: Page, label: str, *, expand: bool = True) -> list[dict[str, Any]]:
    """axe on the page (every expander open unless `expand` is False), once per tab of the main
    area; the findings are also written to output/axe/LABEL.json."""
    import json

    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    found: list[dict[str, Any]] = []
    if expand:
        expand_all(page)
    with whole_page_on_screen(page):
        still(page)
        found += axe_violations(page)  # the whole page with its first tab
    panel = '[data-testid="stMain"] [role="tabpanel"]:not([hidden])'
    for i in range(1, tabs.count()):
        tabs.nth(i).click()
        page.locator(panel).nth(0).wait_for()
        if expand:
            expand_all(page)
        with whole_page_on_screen(page):
            still(page)
            found += axe_violations(page, panel)  # then only what each other tab shows
    found = _unique_nodes(found)
    out = REPO / "output" / "axe" / f"{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"counts": impact_counts(found), "violations": found}, indent=1))
    return found


# ---- axe-core -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    """A violation that comes from Streamlit's own markup: its rule and the element it is on."""

    rule: str
    selector: str  # the violating node matches it (Element.matches)
    upstream: str  # the Streamlit issue that tracks it
    why: str


#: Streamlit-side violations the project cannot change (serious or critical ones only matter;
#: the README lists these with their upstream issues). Empty: none was found.
EXCLUSIONS: tuple[Exclusion, ...] = ()

SERIOUS = ("serious", "critical")


def axe_violations(page: Page, context: str = "body") -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.x A/AA and best practices), each node marked
    `excluded` when an Exclusion covers it."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make browser-deps`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
        assert page.evaluate("() => axe.version") == AXE_VERSION
    rules = [{"rule": e.rule, "selector": e.selector} for e in EXCLUSIONS]
    result: list[dict[str, Any]] = page.evaluate(
        """async ([context, rules]) => {
          const r = await axe.run({include: [...document.querySelectorAll(context)]},
                                  {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => {
              const el = document.querySelector(n.target[0]);
              const excluded = !!el && rules.some(x => x.rule === v.id && el.matches(x.selector));
              return {target: n.target, html: n.html.slice(0, 200), excluded,
                      summary: (n.failureSummary || '').slice(0, 300)};
            })}));
        }""",
        [context, rules],
    )
    return result


def _unique_nodes(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per rule with each violating node once (tabs share the sidebar)."""
    merged: dict[str, dict[str, Any]] = {}
    for v in violations:
        into = merged.setdefault(v["id"], {**v, "nodes": []})
        seen = {str(n["target"]) for n in into["nodes"]}
        into["nodes"] += [n for n in v["nodes"] if str(n["target"]) not in seen]
    return list(merged.values())


def impact_counts(violations: list[dict[str, Any]]) -> dict[str, int]:
    """Violating nodes by impact (excluded ones left out)."""
    counts: dict[str, int] = {}
    for v in violations:
        n = sum(not node["excluded"] for node in v["nodes"])
        if n:
            counts[v["impact"]] = counts.get(v["impact"], 0) + n
    return counts


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations no exclusion covers, readable."""
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {node['target']} {node['html']} "
        f"— {node['summary']}"
        for v in violations
        if v["impact"] in SERIOUS
        for node in v["nodes"]
        if not node["excluded"]
    ]


# ---- structure: headings, charts ------------------------------------------------------------


def headings(page: Page) -> list[tuple[int, str, str]]:
    """Every heading in document order: (level, text, 'sidebar' or 'main')."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
            .filter(h => h.textContent.trim())
            .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60),
                       h.closest('[data-testid="stSidebar"]') ? 'sidebar' : 'main'])"""
    )
    return [(int(level), str(text), str(where)) for level, text, where in rows]


def heading_problems(found: list[tuple[int, str, str]]) -> list[str]:
    """In document order (the sidebar comes first): the app's title is the first heading and the
    only h1, and no heading is more than one level below the one before it."""
    problems = []
    if [t for lvl, t, _ in found if lvl == 1] != ["A11y Judge"]:
        problems.append(f"expected one h1 'A11y Judge', got {found}")
    if found and found[0][0] != 1:
        problems.append(f"the first heading is h{found[0][0]} '{found[0][1]}', not the h1")
    previous = 0
    for level, text, where in found:
        if level > previous + 1:
            problems.append(f"{where}: h{level} '{text}' follows h{previous}")
        previous = level
    return problems


def charts_without_table(page: Page) -> list[str]:
    """Charts with no data table after them in their section (before the next heading)."""
    missing: list[str] = page.evaluate(
        """() => {
          const table = '[data-testid="stDataFrame"], [data-testid="stTable"], table';
          const heading = 'h1, h2, h3, h4, h5, h6';
          const stop = document.querySelector('[data-testid="stMainBlockContainer"]');
          const out = [];
          for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
            let found = false, ended = false;
            for (let node = chart; node && node !== stop && !found && !ended;
                 node = node.parentElement) {
              for (let sib = node.nextElementSibling; sib; sib = sib.nextElementSibling) {
                if (sib.matches(table) || sib.querySelector(table)) { found = true; break; }
                if (sib.matches(heading) || sib.querySelector(heading)) { ended = true; break; }
              }
            }
            if (!found) out.push(chart.closest('[class*="st-key-"]')?.className || 'chart');
          }
          return out;
        }"""
    )
    return missing


# ---- keyboard focus -------------------------------------------------------------------------

_FOCUS_STYLE = """(el) => {
  const shown = (n) => {  // n's box as its clipping ancestors let it show, at least 4 x 4 px
    let r = n.getBoundingClientRect(), [l, t, rt, b] = [r.left, r.top, r.right, r.bottom];
    for (let a = n.parentElement; a; a = a.parentElement) {
      const c = getComputedStyle(a);
      if (c.overflow !== 'visible' || c.clip !== 'auto' || c.clipPath !== 'none') {
        const q = a.getBoundingClientRect();
        if (c.clipPath.startsWith('inset(50%') || c.clip === 'rect(0px, 0px, 0px, 0px)') {
          return false;
        }
        [l, t, rt, b] = [Math.max(l, q.left), Math.max(t, q.top), Math.min(rt, q.right),
                         Math.min(b, q.bottom)];
      }
    }
    return rt - l >= 4 && b - t >= 4;
  };
  const out = [];
  for (let n = el, i = 0; n && i < 5; n = n.parentElement, i++) {
    const c = getComputedStyle(n);
    out.push([c.outlineStyle, parseFloat(c.outlineWidth) || 0, c.outlineColor, c.boxShadow,
              shown(n)]);
  }
  return out;
}"""


def focus_ring(page: Page) -> str | None:
    """How the focused element shows its focus: an outline or box-shadow on it (or on one of
    its four nearest ancestors, for inputs their widget hides) that is there while it has the
    focus and gone once the focus moves on, on a box not clipped away (a visually hidden
    input's own ring does not count). None if nothing visible changes."""
    element = page.evaluate_handle("() => document.activeElement")
    focused = element.evaluate(_FOCUS_STYLE)
    page.evaluate("() => document.activeElement.blur()")
    blurred = element.evaluate(_FOCUS_STYLE)
    element.evaluate("(el) => el.focus({focusVisible: true})")
    for depth, (now, before) in enumerate(zip(focused, blurred, strict=False)):
        style, width, colour, shadow, shown = now
        if not shown:  # a visually hidden input: its own ring would not show
            continue
        if style != "none" and width >= 2 and now[:3] != before[:3]:
            return f"outline {width:g}px {style} {colour} (depth {depth})"
        if shadow != "none" and shadow != before[3]:
            return f"box-shadow {shadow} (depth {depth})"
    return None


def active_element(page: Page) -> str:
    """The focused element, described: tag, role or type, and accessible-ish name."""
    return str(
        page.evaluate(
            """() => { const e = document.activeElement;
              const name = e.getAttribute('aria-label') || e.innerText || e.value || '';
              return `${e.tagName.toLowerCase()}[${e.getAttribute('type') || e.getAttribute('role')
                || ''}] ${name.trim().replace(/\\s+/g, ' ').slice(0, 60)}`; }"""
        )
    )
