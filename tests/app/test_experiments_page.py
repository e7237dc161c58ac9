"""The A/B page through AppTest: empty state, a no-key experiment of two rubric weightings on
a folder of sets from the page, its verdict, statistics, plots and downloads; a bad variant."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import no_exception, on, texts

from a11y_judge.experiments import service

PAGE = "views/experiments.py"
DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"

pytestmark = pytest.mark.timeout(180)


def make_sets(root: Path) -> Path:
    for a in range(3):
        (root / f"site-{a}" / "plans").mkdir(parents=True)
        (root / f"site-{a}" / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for plan in sorted((DEMO / "plans").glob("*.md")):
            text = plan.read_text(encoding="utf-8") + f"\n\nSite {a}.\n"
            (root / f"site-{a}" / "plans" / plan.name).write_text(text, encoding="utf-8")
    return root


def test_an_empty_history_offers_the_defaults() -> None:
    at = on(PAGE)
    no_exception(at)
    assert "No experiment yet" in texts(at.info)
    assert at.text_input(key="ab.variant.0").value == "base=offline"


def test_two_weightings_compared_from_the_page(tmp_path: Path) -> None:
    sets = make_sets(tmp_path / "sets")
    at = on(PAGE)
    at.radio(key="ab.where").set_value("A folder or manifest on the server").run()
    at.text_input(key="ab.items").set_value(str(sets)).run()
    next(b for b in at.button if b.label == "Run experiment").click().run()
    no_exception(at)
    [past] = service.past()
    assert past.n_items == 12
    shown = texts(at.info) + texts(at.success)
    assert "technical-first scores" in shown and "12 plans in 3 audits" in shown
    stats = next(d.value for d in at.dataframe if "Wilcoxon p" in d.value.columns)
    assert stats["Figure"].iloc[0] == "Weighted score" and len(stats) == 5
    assert all(stats["B − A"].iloc[1:] == 0)  # weights move no criterion score
    assert len(at.get("plotly_chart")) >= 3
    labels = {b.label for b in at.get("download_button")}
    assert {"Results (JSON)", "Scores (CSV)", "Report (Markdown)"} <= labels


def test_a_bad_variant_is_one_clear_error() -> None:
    at = on(PAGE)
    at.text_input(key="ab.variant.1").set_value("broken=offline+colour=red").run()
    next(b for b in at.button if b.label == "Run experiment").click().run()
    no_exception(at)
    assert "unknown override 'colour=red'" in texts(at.error)
    assert service.past() == []
