"""The app's components without a browser: reading uploads, tables and figures."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from app.components import figures, tables
from app.components.inputs import demo_files, read_inputs, read_inputs_cached
from app.components.text import md_escape, md_quote

from a11y_judge.engine import evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.models import Run, Severity
from a11y_judge.rubric import load_rubric


@pytest.fixture
def run(demo_dir: Path) -> Run:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    return evaluate(audit, plans, [create_judge("offline")], load_rubric())


def test_demo_files_are_the_shipped_set() -> None:
    audit, plans = demo_files()
    assert audit[0] == "northwind-audit.md" and audit[1]
    assert [name for name, _ in plans] == [
        "agency-quick-wins.md",
        "alphabetical-checklist.md",
        "northwind-phased-roadmap.md",
        "overlay-widget-plan.md",
    ]


def test_read_inputs_understands_the_demo() -> None:
    inputs = read_inputs(*demo_files())
    assert inputs.ready and inputs.error is None
    assert inputs.audit is not None and len(inputs.audit.findings) == 15
    assert len(inputs.plans) == 4


@pytest.mark.parametrize(
    ("audit", "plans", "message"),
    [
        (("a.md", b""), [], "a.md: the file is empty"),
        (("a.json", b"{nope"), [], "a.json: the JSON is malformed"),
        (("a.txt", b"nothing to see here at all"), [], "a.txt: no findings found"),
        (None, [("p.md", b"")], "p.md: the file is empty"),
        (None, [("p.md", b"too short")], "p.md: the plan has almost no text"),
    ],
)
def test_read_inputs_turns_bad_bytes_into_one_message(
    audit: tuple[str, bytes] | None, plans: list[tuple[str, bytes]], message: str
) -> None:
    inputs = read_inputs(audit, plans)
    assert not inputs.ready
    assert inputs.error is not None and inputs.error.startswith(message)
    assert "\n" not in inputs.error


def test_read_inputs_cached_reuses_by_content() -> None:
    cache: dict[str, object] = {}
    audit, plans = demo_files()
    first = read_inputs_cached(audit, plans, cache)
    assert read_inputs_cached(audit, plans, cache) is first
    other = read_inputs_cached(audit, plans[:1], cache)
    assert other is not first and len(other.plans) == 1
    assert other.signature != first.signature


def test_ranking_frame_is_in_rank_order(run: Run) -> None:
    frame = tables.ranking_frame(run)
    assert list(frame.columns) == [
        "Rank",
        "Plan",
        "Weighted score",
        "Strategic Prioritization",
        "Technical Specificity",
        "Comprehensiveness",
        "Long-Term Vision",
        "Coverage %",
    ]
    assert list(frame["Rank"]) == sorted(frame["Rank"])
    assert frame.iloc[0]["Plan"] == "northwind-phased-roadmap"
    assert list(frame["Weighted score"]) == [r.score for r in run.results]


def test_coverage_frame_orders_findings_by_severity(run: Run) -> None:
    frame = tables.coverage_frame(run)
    ranks = [Severity(s).rank for s in frame["Severity"]]
    assert ranks == sorted(ranks) and frame.iloc[0]["Severity"] == "critical"
    assert set(frame["northwind-phased-roadmap"]) == {"addressed"}
    states = {s for plan in run.results for s in frame[plan.name]}
    assert states == {"addressed", "mentioned", "missed"}  # the demo has all three


def test_unaddressed_says_who_only_mentions(run: Run) -> None:
    assert tables.unaddressed(run) == []
    for r in run.results:
        for fid in ("NW-03", "NW-08"):  # the agency plan already only mentions these two
            if fid in r.coverage.covered:
                r.coverage.covered.remove(fid)
                r.coverage.missed.append(fid)
        if "NW-06" in r.coverage.covered:
            r.coverage.covered.remove("NW-06")
            r.coverage.mentioned.append("NW-06")
    found = {f.id: by for f, by in tables.unaddressed(run)}
    assert found["NW-03"] == ["agency-quick-wins"]
    assert found["NW-08"] == ["agency-quick-wins"]
    assert found["NW-06"] == [r.name for r in run.results]
    quotes = tables.coverage_quotes_frame(run)
    assert set(quotes["State"]) == {"addressed", "mentioned"}
    assert all(quotes["Plan's sentence"])


def test_deltas_frame_matches_plan_names(run: Run) -> None:
    other = run.model_copy(deep=True)
    other.results[0].score = (other.results[0].score or 0) - 1
    other.results = other.results[:2]
    deltas = tables.deltas_frame(run, other)
    assert list(deltas["Plan"]) == [r.name for r in other.results]
    assert list(deltas["Change (B − A)"]) == [-1.0, 0.0]


def test_coverage_heatmap_reads_without_colour(run: Run) -> None:
    fig = figures.coverage_heatmap(run)
    trace = fig.data[0]
    cells = {c for row in trace.text for c in row}
    assert cells == {"✓", "◐", "✗"}  # symbols, so the matrix reads without colour
    assert trace.y[0].startswith("NW-01 · critical")
    roadmap = run.results[0]
    quote = roadmap.coverage.evidence["NW-01"].split()[0]
    assert quote in trace.customdata[0][0]
    assert fig.layout.yaxis.autorange == "reversed"


def test_bar_charts_print_values_in_safe_colours(run: Run) -> None:
    bar = figures.weighted_score_bar(run).data[0]
    assert list(bar.text) == [f"{r.score:.2f}" for r in run.results]
    assert set(bar.marker.color) <= set(figures.OKABE_ITO)
    grouped = figures.criteria_grouped_bar(
        tables.criteria_long_frame(run),
        figures.plan_colours([r.name for r in run.results]),
    )
    assert len(grouped.data) == len(run.results)
    assert all(t.text is not None and len(t.text) == 4 for t in grouped.data)
    assert {t.marker.color for t in grouped.data} <= set(figures.OKABE_ITO)


def test_plot_labels_escape_markup() -> None:
    assert figures._wrap("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert figures._esc('say "hi"') == 'say "hi"'


def test_markdown_helpers_keep_text_literal() -> None:
    assert md_escape("plan_*v2*") == "plan\\_\\*v2\\*"
    assert md_quote("4. Keep focus\n  styles") == "> 4\\. Keep focus styles"
    assert md_quote("- Add `lang`") == "> \\- Add `lang`"
    assert md_quote("**Alt text.** Write it") == "> **Alt text.** Write it"
    assert md_quote("## Phase 1") == "> \\## Phase 1"
    assert md_quote("> nested") == "> \\> nested"


def test_series_over_one_instant_spans_an_hour_not_a_millisecond() -> None:
    """One run: the time axis shows an hour around it; a real span is left to plotly."""
    from app.components.perf_figures import series_lines

    at = pd.Timestamp("2026-12-02 12:44:46.16", tz="UTC")
    one = pd.DataFrame({"when": [at, at], "p95_s": [0.33, 0.34], "model": ["a", "b"]})
    window = series_lines(one, "when", "p95_s", "model", "p95 (s)").layout.xaxis.range
    assert [pd.Timestamp(t) for t in window] == [
        at - pd.Timedelta(minutes=30),
        at + pd.Timedelta(minutes=30),
    ]
    day = pd.DataFrame({"when": [at, at + pd.Timedelta(days=1)], "p95_s": [0.3, 0.4]})
    assert series_lines(day, "when", "p95_s", None, "p95 (s)").layout.xaxis.range is None


def test_a_chart_table_shows_text_on_one_line_escaped_and_missing_values_as_a_dash() -> None:
    from app.components.results import _plain

    frame = pd.DataFrame(
        {"Plan": ["a | b\n*c*", None], "Score": [7.123456, float("nan")], "Runs": [3, 4]}
    )
    html = _plain(frame).hide(axis="index").to_html()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells == ["a \\| b \\*c\\*", "7.123", "3", "—", "—", "4"]
