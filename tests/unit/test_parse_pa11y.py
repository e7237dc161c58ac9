"""pa11y and pa11y-ci JSON parsers: grouping, severities, titles, failed URLs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, lighthouse, pa11y
from a11y_judge.models import Severity

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tools"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def by_id(findings: list[Any]) -> dict[str, Any]:
    return {f.id: f for f in findings}


def test_identical_codes_become_one_finding_with_all_locations() -> None:
    findings = pa11y.parse(load("pa11y_issues.json"), "pa11y.json")
    assert len(findings) == 5  # 8 issues: 3×H37 and 2×H48 merged
    images = by_id(findings)["pa11y-1_1_1-H37"]
    assert images.locations == ["#team > img", "#visit > img", "header > img"]
    assert images.wcag == ["1.1.1"] and images.wcag_source == "stated"
    assert images.severity is Severity.SERIOUS and not images.needs_review
    assert images.description.startswith("Img element missing an alt attribute.")
    assert "3 occurrences" in images.description
    assert images.rule_id == "WCAG2AA.Principle1.Guideline1_1.1_1_1.H37"
    assert images.recommendation == "See https://www.w3.org/WAI/WCAG22/Techniques/html/H37"


def test_contrast_title_and_recommendation() -> None:
    contrast = by_id(pa11y.parse(load("pa11y_issues.json"), "p.json"))["pa11y-1_4_3-G18-Fail"]
    assert contrast.title == "1.4.3 Contrast (Minimum): insufficient contrast (G18)"
    assert contrast.recommendation.startswith("change text colour to #6b6b6b.")
    assert "Techniques/general/G18" in contrast.recommendation


def test_warnings_and_notices_need_review() -> None:
    found = by_id(pa11y.parse(load("pa11y_issues.json"), "p.json"))
    warning = found["pa11y-1_3_1-H48-warning"]
    assert warning.needs_review and warning.severity is Severity.MODERATE
    assert warning.locations == ["div.nav", "div.subnav"]
    notice = found["pa11y-2_4_2-H25-2-notice"]
    assert notice.needs_review and notice.severity is Severity.MINOR
    assert notice.wcag == ["2.4.2"]


def test_axe_runner_issue_uses_rule_map() -> None:
    label = by_id(pa11y.parse(load("pa11y_issues.json"), "p.json"))["pa11y-label"]
    assert label.wcag == ["4.1.2"] and label.wcag_source == "inferred"
    assert label.title == "4.1.2 Name, Role, Value: Form elements must have labels (label)"
    assert label.recommendation.startswith("See https://dequeuniversity.com/rules/axe/4.8/label")


def test_same_code_different_type_gets_distinct_ids() -> None:
    issues = load("pa11y_issues.json")[:1]
    issues.append({**issues[0], "type": "warning", "typeCode": 2})
    ids = [f.id for f in pa11y.parse(issues, "p.json")]
    assert ids == ["pa11y-1_1_1-H37", "pa11y-1_1_1-H37-warning"]


def test_ci_groups_across_pages_and_skips_failed_urls() -> None:
    findings = pa11y.parse_ci(load("pa11y_ci.json"), "ci.json")
    found = by_id(findings)
    assert set(found) == {
        "pa11y-4_1_2-H91-Button-Name",
        "pa11y-3_1_1-H57-2",
        "pa11y-2_4_1-G1-G123-G124-NoSuchID",
    }
    button = found["pa11y-4_1_2-H91-Button-Name"]
    assert button.title == "4.1.2 Name, Role, Value: Button has no accessible name (H91)"
    assert button.locations == [
        "https://library.example.test/ — header > button.menu",
        "https://library.example.test/catalogue — header > button.menu",
        "https://library.example.test/catalogue — #filters > button",
    ]
    assert "3 occurrences across 2 pages" in button.description
    skip = found["pa11y-2_4_1-G1-G123-G124-NoSuchID"]
    assert skip.wcag == ["2.4.1"]
    assert skip.title == "2.4.1 Bypass Blocks: skip link target missing (G1,G123,G124)"
    assert not any("ERR_CONNECTION" in f.description for f in findings)


def test_ci_with_only_failed_urls_raises() -> None:
    doc = {
        "total": 2,
        "passes": 0,
        "errors": 2,
        "results": {
            "https://a.test/": [{"message": "net::ERR_NAME_NOT_RESOLVED"}],
            "https://a.test/b": [{"message": "Timeout"}],
        },
    }
    with pytest.raises(IngestError, match="failed to load"):
        pa11y.parse_ci(doc, "ci.json")


def test_ci_all_pages_clean_is_empty() -> None:
    doc = {"total": 1, "passes": 1, "errors": 0, "results": {"https://a.test/": []}}
    assert pa11y.parse_ci(doc, "ci.json") == []


@pytest.mark.parametrize(
    ("parser", "doc"),
    [
        (pa11y.parse, {"code": "x"}),
        (pa11y.parse, [{"code": "WCAG2AA.x", "type": "error"}]),
        (pa11y.parse_ci, {"total": 1, "results": []}),
        (pa11y.parse_ci, {"total": 1, "results": {"https://a.test/": "oops"}}),
    ],
)
def test_malformed_shapes_raise(parser: Any, doc: Any) -> None:
    with pytest.raises(IngestError, match=r"bad\.json"):
        parser(doc, "bad.json")


def test_looks_like_functions_do_not_overlap() -> None:
    plain, ci = load("pa11y_issues.json"), load("pa11y_ci.json")
    assert pa11y.looks_like(plain) and not pa11y.looks_like_ci(plain)
    assert pa11y.looks_like_ci(ci) and not pa11y.looks_like(ci)
    assert not pa11y.looks_like([])
    for other in ("axe4_result.json", "axe3_pages.json", "lighthouse_a11y.json"):
        doc = load(other)
        assert not pa11y.looks_like(doc) and not pa11y.looks_like_ci(doc), other
    assert not axe.looks_like(ci) and not lighthouse.looks_like(ci)
