"""data/tool_rules.json: what axe-core, Lighthouse and HTML_CodeSniffer rules mean."""

from __future__ import annotations

import pytest

from a11y_judge.evidence.rules import catalog, htmlcs_key, lookup, rule_meaning
from a11y_judge.lexicon import TOPIC_BY_ID
from a11y_judge.models import Finding


def test_built_from_the_tools_own_releases() -> None:
    raw = catalog()
    assert raw["sources"]["axe-core"] == "4.10.3"
    assert raw["sources"]["lighthouse"] == "13.5.0"
    assert raw["sources"]["html_codesniffer"] == "2.5.1"
    assert len(raw["axe"]) == 104  # every rule of axe-core 4.10, not only those in samples
    assert len(raw["lighthouse"]) >= 70


@pytest.mark.parametrize("tool", ["axe", "lighthouse", "htmlcs"])
def test_every_topic_is_a_lexicon_topic(tool: str) -> None:
    for key, entry in catalog()[tool].items():
        assert set(entry["topics"]) <= TOPIC_BY_ID.keys(), key


def test_axe_rules_have_a_problem_area() -> None:
    without = [k for k, v in catalog()["axe"].items() if not v["topics"]]
    assert without == []


@pytest.mark.parametrize(
    ("tool", "rule", "topic", "element"),
    [
        ("axe", "select-name", "form-labels", "select"),
        ("axe", "button-name", "accessible-name", "button"),
        ("axe", "link-name", "accessible-name", "link"),
        ("axe", "image-alt", "text-alternative", "image"),
        ("axe", "label", "form-labels", "input"),
        ("axe", "html-has-lang", "language", "page"),
        ("axe", "target-size", "target-size", "button"),
        ("axe", "landmark-one-main", "main-landmark", "page"),
        ("lighthouse", "color-contrast", "contrast", "text"),
        ("lighthouse", "label", "form-labels", "input"),
        ("htmlcs", "H91.Select.Name", "form-labels", "select"),
        ("htmlcs", "H91.Textarea.Name", "form-labels", "textarea"),
        ("htmlcs", "H91.A.NoContent", "accessible-name", "link"),
        ("htmlcs", "F68", "form-labels", "input"),
        ("htmlcs", "H32.2", "submit-button", "form"),
        ("htmlcs", "H37", "text-alternative", "image"),
        ("htmlcs", "H30.2", "text-alternative", "link"),
        ("htmlcs", "H57.2", "language", "page"),
        ("htmlcs", "G18.Fail", "contrast", "text"),  # emitted as G18, catalogued G18_or_G145
    ],
)
def test_meanings(tool: str, rule: str, topic: str, element: str) -> None:
    meaning = lookup(tool, rule)
    assert meaning is not None
    assert topic in meaning.topics
    if element in ("input", "page"):
        assert element in meaning.elements or "field" in meaning.elements or not meaning.elements
    else:
        assert element in meaning.elements


def test_fixes_are_the_tools_own_words() -> None:
    meaning = lookup("axe", "select-name")
    assert meaning is not None
    assert any("label" in fix.lower() for fix in meaning.fixes)
    h91 = lookup("htmlcs", "H91.Select.Name")
    assert h91 is not None and "a <label> element" in h91.fixes


def test_htmlcs_codes_resolve_from_pa11y_output() -> None:
    code = "WCAG2AA.Principle4.Guideline4_1.4_1_2.H91.Select.Name"
    assert htmlcs_key(code) == "H91.Select.Name"
    assert lookup("htmlcs", "WCAG2AA.Principle3.Guideline3_1.3_1_1.H57.2.Lang") is not None
    finding = Finding(id="pa11y-x", title="t", rule_id=code)
    meaning = rule_meaning(finding)
    assert meaning is not None and meaning.tool == "htmlcs" and meaning.key == "H91.Select.Name"
    assert rule_meaning(Finding(id="axe-label", title="t", rule_id="label")) is not None
    assert rule_meaning(Finding(id="NW-01", title="t")) is None  # a report's own finding
