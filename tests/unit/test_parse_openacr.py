"""OpenACR YAML parser: unsupported / partially supported / not evaluated criteria."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, openacr
from a11y_judge.models import Severity

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tools"


def load() -> Any:
    return yaml.safe_load((FIXTURES / "openacr_product.yaml").read_text(encoding="utf-8"))


def by_id(findings: list[Any]) -> dict[str, Any]:
    return {f.id: f for f in findings}


def test_only_non_supporting_wcag_criteria_become_findings() -> None:
    findings = openacr.parse(load(), "acr.yaml")
    # 2.1.1 supports, 1.4.11 not applicable, 302.1 is not WCAG
    assert [f.id for f in findings] == ["ACR-1.1.1", "ACR-1.3.1", "ACR-1.4.3", "ACR-1.4.6"]


def test_hidden_aaa_chapter_is_still_read() -> None:
    """`disabled: true` hides a chapter from the rendered ACR; its results still stand."""
    enhanced = by_id(openacr.parse(load(), "acr.yaml"))["ACR-1.4.6"]
    assert enhanced.title == "1.4.6 Contrast (Enhanced): partially supports (web)"
    assert "high-contrast theme" in enhanced.description
    assert "not shown in its report" in enhanced.description


def test_components_without_a_name() -> None:
    doc = {
        "title": "X",
        "chapters": {
            "success_criteria_level_aaa": {
                "criteria": [
                    {
                        "num": "2.4.9",
                        "components": [
                            {"adherence": {"level": "supports"}},
                            {"adherence": {"level": "partially-supports", "notes": "Some"}},
                        ],
                    }
                ]
            }
        },
    }
    (finding,) = openacr.parse(doc, "acr.yaml")
    assert finding.title == "2.4.9 Link Purpose (Link Only): partially supports (component 2)"
    assert finding.locations == ["component 2"]
    assert finding.description == "component 2: Some"


def test_partially_supports() -> None:
    alt = by_id(openacr.parse(load(), "acr.yaml"))["ACR-1.1.1"]
    assert alt.title == "1.1.1 Non-text Content: partially supports (web, authoring-tool)"
    assert alt.wcag == ["1.1.1"] and alt.wcag_source == "stated"
    assert alt.severity is Severity.MODERATE and not alt.needs_review
    assert alt.locations == ["web", "authoring-tool"]
    assert "web: Most images have alt text. Some icons in the calendar widget" in alt.description
    assert "authoring-tool: Authors are not prompted" in alt.description
    assert "https://" not in alt.description and "electronic-docs" not in alt.description


def test_does_not_support_wins_over_partial() -> None:
    tables = by_id(openacr.parse(load(), "acr.yaml"))["ACR-1.3.1"]
    assert tables.severity is Severity.SERIOUS
    assert tables.title == (
        "1.3.1 Info and Relationships: does not support (web); partially supports (authoring-tool)"
    )


def test_not_evaluated_needs_review() -> None:
    contrast = by_id(openacr.parse(load(), "acr.yaml"))["ACR-1.4.3"]
    assert contrast.needs_review and contrast.severity is Severity.UNKNOWN
    assert contrast.title == "1.4.3 Contrast (Minimum): not evaluated (web)"


def test_long_notes_are_capped_and_float_nums_handled() -> None:
    doc = load()
    note = "word " * 1000
    doc["chapters"]["success_criteria_level_a"]["criteria"][0]["components"][0]["adherence"][
        "notes"
    ] = note
    doc["chapters"]["success_criteria_level_a"]["criteria"].append(
        {"num": 2.1, "components": [{"name": "web", "adherence": {"level": "partially-supports"}}]}
    )
    found = by_id(openacr.parse(doc, "acr.yaml"))
    assert len(found["ACR-1.1.1"].description) <= 1500
    assert found["ACR-2.1"].wcag == [] and found["ACR-2.1"].wcag_source == "none"


def test_all_supported_gives_empty() -> None:
    doc = {
        "title": "X",
        "chapters": {
            "success_criteria_level_a": {
                "criteria": [
                    {
                        "num": "1.1.1",
                        "components": [{"name": "web", "adherence": {"level": "supports"}}],
                    }
                ]
            }
        },
    }
    assert openacr.parse(doc, "acr.yaml") == []


@pytest.mark.parametrize(
    "doc",
    [
        {"title": "X", "chapters": ["success_criteria_level_a"]},
        {"title": "X", "chapters": {"success_criteria_level_a": {"criteria": "1.1.1"}}},
        {
            "title": "X",
            "chapters": {
                "success_criteria_level_a": {"criteria": [{"num": "1.1.1", "components": "web"}]}
            },
        },
    ],
)
def test_malformed_shapes_raise(doc: Any) -> None:
    with pytest.raises(IngestError, match=r"bad\.yaml"):
        openacr.parse(doc, "bad.yaml")


def test_looks_like() -> None:
    assert openacr.looks_like(load())
    assert not openacr.looks_like({"chapters": {"success_criteria_level_a": {}}})  # no title etc.
    assert not openacr.looks_like({"title": "WCAG 2.2", "chapters": [{"id": "a"}]})  # a catalog
    assert not openacr.looks_like({"title": "Notes", "chapters": {"intro": "text"}})
    assert not axe.looks_like(load())
