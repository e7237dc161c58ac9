"""The Markdown report escapes what documents and judges wrote: a hostile plan name, a
rationale or quote with `|`, backticks, raw HTML or line breaks cannot split a table row,
open a code span, inject HTML or start a block of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from a11y_judge.engine import evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.models import Run
from a11y_judge.reports.markdown_report import to_markdown
from a11y_judge.reports.text import md_escape, md_line
from a11y_judge.rubric import load_rubric

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
NAME = "a | b <script>"
RATIONALE = "Fine | `rm -rf` <img src=x onerror=alert(1)>\n\n# Injected heading\n| x | y |"
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def hostile() -> Run:
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))[:2]
    plans[0] = plans[0].model_copy(update={"name": NAME})
    run = evaluate(audit, plans, [create_judge("offline")], load_rubric(), processes=1)
    results = []
    for r in run.results:
        criteria = {
            cid: c.model_copy(update={"rationale": RATIONALE}) for cid, c in r.criteria.items()
        }
        results.append(r.model_copy(update={"criteria": criteria}))
    return run.model_copy(update={"results": results})


def test_a_hostile_plan_name_keeps_the_ranking_table_whole(hostile: Run) -> None:
    md = to_markdown(hostile)
    assert "a \\| b \\<script\\>" in md
    table = [line for line in md.splitlines() if line.startswith("| ")]
    header = len(UNESCAPED_PIPE.findall(table[0]))
    assert len(table) >= 1 + len(hostile.results)
    for line in table[:1] + table[1 : 1 + len(hostile.results)]:  # header and the plans' rows
        assert len(UNESCAPED_PIPE.findall(line)) == header, line
    [row] = [line for line in table if "a \\| b" in line]
    assert row.split(" | ")[1].startswith("a \\| b \\<script\\>")  # the plan's cell, whole


def test_no_raw_html_code_span_or_new_block_comes_from_the_texts(hostile: Run) -> None:
    md = to_markdown(hostile)
    assert re.search(r"(?<!\\)<", md) is None  # every '<' is escaped: no HTML at all
    assert "\\<img src=x onerror=alert(1)\\>" in md  # shown as text
    assert re.search(r"(?<!\\)`", md) is None  # no code span opened by a text (one judge: no
    # provisional note with its command)
    assert "\\`rm -rf\\`" in md
    lines = md.splitlines()
    assert not any(line.startswith("# Injected") for line in lines)
    assert not any(line.startswith("| x") for line in lines)
    bullets = [line for line in lines if "Injected heading" in line]
    assert bullets and all(line.startswith("- **") for line in bullets)  # stayed in its item
    assert f"## {hostile.results[0].rank}. {md_line(hostile.results[0].name)}" in md


def test_md_line_flattens_and_escapes_and_the_app_uses_the_same_escape() -> None:
    from app.components.text import md_escape as app_escape

    assert app_escape is md_escape  # one helper, shared
    assert md_line("a |\n\n# b") == "a \\| \\# b"
    assert md_escape("*x* _y_ [l](u) ~z~ $m$") == "\\*x\\* \\_y\\_ \\[l\\](u) \\~z\\~ \\$m\\$"
