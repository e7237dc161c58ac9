"""Lighthouse JSON parser: failing accessibility audits only, SCs from tags or the rule map."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, lighthouse, pa11y
from a11y_judge.models import Severity

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tools"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_only_failing_scored_accessibility_audits() -> None:
    findings = lighthouse.parse(load("lighthouse_a11y.json"), "lh.json")
    # document-title passed (score 1), manual / notApplicable skipped, performance not referenced
    assert [f.id for f in findings] == ["lh-color-contrast", "lh-image-alt", "lh-landmark-one-main"]


def test_tags_give_stated_sc_and_impact() -> None:
    contrast = lighthouse.parse(load("lighthouse_a11y.json"), "lh.json")[0]
    assert contrast.wcag == ["1.4.3"] and contrast.wcag_source == "stated"
    assert contrast.severity is Severity.SERIOUS
    assert contrast.rule_id == "color-contrast"
    assert contrast.title.startswith("Background and foreground colors")
    assert contrast.locations == [
        'nav.top > a.login — <a class="login" href="/login">',
        'footer p.small — <p class="small">',
    ]
    assert "[Learn" not in contrast.description
    assert "Learn how to provide sufficient color contrast: https://dequeuniversity.com" in (
        contrast.description
    )
    assert "insufficient color contrast of 3.1" in contrast.recommendation
    assert (
        "See https://dequeuniversity.com/rules/axe/4.10/color-contrast" in contrast.recommendation
    )


def test_without_tags_falls_back_to_rule_map() -> None:
    image = lighthouse.parse(load("lighthouse_a11y.json"), "lh.json")[1]
    assert image.wcag == ["1.1.1"] and image.wcag_source == "inferred"
    assert image.severity is Severity.UNKNOWN
    assert image.locations == ['article img.lead — <img class="lead" src="storm.jpg">']


def test_best_practice_audit_has_no_sc() -> None:
    main = lighthouse.parse(load("lighthouse_a11y.json"), "lh.json")[2]
    assert main.wcag == [] and main.wcag_source == "none"
    assert main.severity is Severity.MODERATE


def test_numeric_audit_below_one_counts_and_all_passing_gives_empty() -> None:
    doc = load("lighthouse_a11y.json")
    doc["audits"]["uses-long-cache-ttl"]["id"] = "uses-long-cache-ttl"
    doc["categories"]["accessibility"]["auditRefs"].append({"id": "uses-long-cache-ttl"})
    ids = [f.id for f in lighthouse.parse(doc, "lh.json")]
    assert "lh-uses-long-cache-ttl" in ids
    clean = copy.deepcopy(doc)
    for audit in clean["audits"].values():
        if audit["score"] is not None:
            audit["score"] = 1
    assert lighthouse.parse(clean, "clean.json") == []


def test_large_report_with_screenshots_is_fast() -> None:
    doc = load("lighthouse_a11y.json")
    blob = "data:image/jpeg;base64," + "A" * 400_000
    doc["fullPageScreenshot"] = {"screenshot": {"data": blob}}
    doc["audits"]["screenshot-thumbnails"] = {"details": {"items": [{"data": blob}] * 10}}
    start = time.perf_counter()
    findings = lighthouse.parse(doc, "big.json")
    assert time.perf_counter() - start < 0.5
    assert len(findings) == 3


def test_missing_accessibility_category_raises() -> None:
    doc = load("lighthouse_a11y.json")
    del doc["categories"]["accessibility"]
    with pytest.raises(IngestError, match="no accessibility category"):
        lighthouse.parse(doc, "perf-only.json")


@pytest.mark.parametrize("doc", [{"audits": {}}, {"lighthouseVersion": "12", "audits": []}, []])
def test_not_a_lighthouse_report_raises(doc: Any) -> None:
    with pytest.raises(IngestError, match=r"bad\.json"):
        lighthouse.parse(doc, "bad.json")


def test_looks_like() -> None:
    doc = load("lighthouse_a11y.json")
    assert lighthouse.looks_like(doc)
    assert not (axe.looks_like(doc) or pa11y.looks_like(doc) or pa11y.looks_like_ci(doc))
    assert not lighthouse.looks_like(load("axe4_result.json"))
    assert not lighthouse.looks_like({"audits": {}})
