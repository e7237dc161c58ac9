"""axe-core JSON parser: 3.x and 4.x shapes, merging, needs review, impact fallback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, lighthouse, openacr, pa11y
from a11y_judge.models import Severity

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tools"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def by_id(findings: list[Any]) -> dict[str, Any]:
    return {f.id: f for f in findings}


def test_axe4_violations_and_incomplete() -> None:
    findings = axe.parse(load("axe4_result.json"), "axe4.json")
    assert [f.id for f in findings] == [
        "axe-image-alt",
        "axe-avoid-inline-spacing",
        "axe-button-name",
        "axe-region",
        "axe-color-contrast-review",
    ]
    image = by_id(findings)["axe-image-alt"]
    assert image.wcag == ["1.1.1"] and image.wcag_source == "stated"
    assert image.severity is Severity.CRITICAL
    assert image.title == "Images must have alternate text"
    assert image.locations == ["img.hero", "#logo"]
    assert image.rule_id == "image-alt"
    assert image.description.startswith("Ensure <img> elements have alternate text")
    assert "Element does not have an alt attribute" in image.description
    assert "See https://dequeuniversity.com/rules/axe/4.9/image-alt" in image.recommendation
    assert not image.needs_review


def test_passes_are_not_findings() -> None:
    findings = axe.parse(load("axe4_result.json"), "axe4.json")
    assert all(f.rule_id != "document-title" for f in findings)


def test_wcag1412_tag_and_null_impact_takes_worst_node() -> None:
    spacing = by_id(axe.parse(load("axe4_result.json"), "a.json"))["axe-avoid-inline-spacing"]
    assert spacing.wcag == ["1.4.12"]
    assert spacing.severity is Severity.SERIOUS  # rule impact null, nodes moderate + serious


def test_no_wcag_tag_falls_back_to_rule_map_or_none() -> None:
    found = by_id(axe.parse(load("axe4_result.json"), "a.json"))
    button = found["axe-button-name"]
    assert button.wcag == ["4.1.2"] and button.wcag_source == "inferred"
    region = found["axe-region"]
    assert region.wcag == [] and region.wcag_source == "none"


def test_nested_targets_join_frames_and_shadow_dom() -> None:
    button = by_id(axe.parse(load("axe4_result.json"), "a.json"))["axe-button-name"]
    assert button.locations == ["iframe#checkout >>> pay-widget >>> button.pay"]


def test_incomplete_becomes_needs_review() -> None:
    review = by_id(axe.parse(load("axe4_result.json"), "a.json"))["axe-color-contrast-review"]
    assert review.needs_review and review.status == "needs review"
    assert review.wcag == ["1.4.3"]
    assert review.severity is Severity.SERIOUS


def test_axe3_array_merges_rules_across_pages() -> None:
    findings = axe.parse(load("axe3_pages.json"), "axe3.json")
    found = by_id(findings)
    assert set(found) == {"axe-link-name", "axe-html-has-lang", "axe-color-contrast-review"}
    link = found["axe-link-name"]
    assert link.wcag == ["2.4.4", "4.1.2"]
    assert link.locations == [
        "https://clinic.example.test/ — header > a.icon-link",
        "https://clinic.example.test/contact — footer a.map",
        "https://clinic.example.test/contact — header > a.icon-link",
    ]
    assert found["axe-html-has-lang"].wcag == ["3.1.1"]


def test_axe3_incomplete_without_failure_summary_uses_check_messages() -> None:
    review = by_id(axe.parse(load("axe3_pages.json"), "axe3.json"))["axe-color-contrast-review"]
    assert "background gradient" in review.description
    assert review.needs_review


def test_single_page_locations_have_no_url_prefix() -> None:
    findings = axe.parse(load("axe4_result.json"), "a.json")
    assert not any(loc.startswith("https://") for f in findings for loc in f.locations)


def test_results_wrapper_and_clean_run() -> None:
    doc = load("axe4_result.json")
    assert axe.parse({"results": doc}, "w.json")[0].id == "axe-image-alt"
    clean = copy.deepcopy(doc)
    clean["violations"], clean["incomplete"] = [], []
    assert axe.parse(clean, "clean.json") == []


def test_empty_impact_string_is_unknown_when_nodes_have_none() -> None:
    doc = load("axe4_result.json")
    rule = doc["violations"][3]
    rule["impact"] = ""
    for node in rule["nodes"]:
        node["impact"] = None
    region = by_id(axe.parse(doc, "a.json"))["axe-region"]
    assert region.severity is Severity.UNKNOWN


@pytest.mark.parametrize(
    "doc",
    [
        {"violations": "nope", "passes": []},
        [{"url": "https://x.test/"}],
        [],
        {"violations": [{"help": "no id"}], "passes": []},
        {"violations": [], "incomplete": [], "passes": [], "errored": True, "errorMessage": "boom"},
    ],
)
def test_malformed_shapes_raise(doc: Any) -> None:
    with pytest.raises(IngestError) as err:
        axe.parse(doc, "bad.json")
    assert "bad.json" in str(err.value)


def test_looks_like_is_specific() -> None:
    assert axe.looks_like(load("axe4_result.json"))
    assert axe.looks_like(load("axe3_pages.json"))
    assert axe.looks_like({"results": load("axe4_result.json")})
    assert not axe.looks_like([])
    assert not axe.looks_like({"violations": []})  # no other axe key: too vague
    for other in ("lighthouse_a11y.json", "pa11y_issues.json", "pa11y_ci.json"):
        assert not axe.looks_like(load(other)), other
    doc = load("axe4_result.json")
    assert not (lighthouse.looks_like(doc) or pa11y.looks_like(doc) or pa11y.looks_like_ci(doc))
    assert not openacr.looks_like(doc)
