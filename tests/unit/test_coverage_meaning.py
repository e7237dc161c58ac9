"""Coverage by meaning: tool findings matched through their rule's problem area, element kind and
component words; three states (addressed / mentioned / missed); near misses stay missed."""

from __future__ import annotations

from typing import Any

import pytest

from a11y_judge.evidence.coverage import match_findings
from a11y_judge.evidence.intent import clauses, sentence_intent
from a11y_judge.evidence.segments import segment_plan
from a11y_judge.ingest import axe, pa11y
from a11y_judge.models import Finding

CONTACT_FORM = "html > body > main > section:nth-child(6) > form"


def _issue(code: str, selector: str, context: str) -> dict[str, Any]:
    return {
        "code": f"WCAG2AA.{code}",
        "type": "error",
        "typeCode": 1,
        "message": "HTML_CodeSniffer message",
        "context": context,
        "selector": selector,
        "runner": "htmlcs",
    }


@pytest.fixture(scope="module")
def pa11y_findings() -> list[Finding]:
    """The kinds of issues Pa11y reports for an unlabelled contact form and icon links."""
    return pa11y.parse(
        [
            _issue(
                "Principle4.Guideline4_1.4_1_2.H91.Select.Name",
                f"{CONTACT_FORM} > select",
                "<select name='topic'><option>Sales</option></select>",
            ),
            _issue(
                "Principle1.Guideline1_3.1_3_1.F68",
                f"{CONTACT_FORM} > input:nth-child(1)",
                '<input type="text" placeholder="Full Name">',
            ),
            _issue(
                "Principle3.Guideline3_2.3_2_2.H32.2",
                CONTACT_FORM,
                "<form><input type='text'></form>",
            ),
            _issue(
                "Principle4.Guideline4_1.4_1_2.H91.A.NoContent",
                "html > body > footer > a:nth-child(1)",
                '<a href="https://facebook.com/acme" class="icon facebook"></a>',
            ),
            _issue(
                "Principle1.Guideline1_2.1_2_2.G87,G93",
                "html > body > main > video",
                '<video src="/media/tour.mp4"></video>',
            ),
        ],
        "pa11y.json",
    )


def states(findings: list[Finding], plan: str) -> dict[str, str]:
    return {fid: m.state for fid, m in match_findings(findings, segment_plan(plan)).items()}


def by_rule(findings: list[Finding], tail: str) -> str:
    return next(f.id for f in findings if f.rule_id and f.rule_id.endswith(tail))


def test_labels_for_the_form_controls_address_select_and_field_findings(
    pa11y_findings: list[Finding],
) -> None:
    got = states(
        pa11y_findings,
        "# Plan\n\n- Add `<label>` elements associated with the form controls of the contact "
        "form.\n",
    )
    assert got[by_rule(pa11y_findings, "H91.Select.Name")] == "addressed"
    assert got[by_rule(pa11y_findings, "F68")] == "addressed"
    assert got[by_rule(pa11y_findings, "H91.A.NoContent")] == "missed"  # a link, not a control


def test_a_real_submit_button_addresses_the_form_without_one(
    pa11y_findings: list[Finding],
) -> None:
    got = states(
        pa11y_findings,
        '# Plan\n\n- Replace the `<div class="submit-btn">` with `<button type="submit">`.\n',
    )
    assert got[by_rule(pa11y_findings, "H32.2")] == "addressed"


def test_named_icon_links_address_links_without_text(pa11y_findings: list[Finding]) -> None:
    got = states(
        pa11y_findings,
        "# Plan\n\n- Give the footer's Facebook icon link an accessible name with "
        '`aria-label="Acme on Facebook"`.\n',
    )
    assert got[by_rule(pa11y_findings, "H91.A.NoContent")] == "addressed"


def test_read_more_links_are_a_near_miss_for_empty_icon_links(
    pa11y_findings: list[Finding],
) -> None:
    got = states(
        pa11y_findings,
        "# Plan\n\n- Rewrite the 'Read more' links on the news page so they say where they go.\n",
    )
    assert got[by_rule(pa11y_findings, "H91.A.NoContent")] == "missed"


def test_deferred_and_test_only_mentions(pa11y_findings: list[Finding]) -> None:
    video = by_rule(pa11y_findings, "G87,G93")
    assert states(
        pa11y_findings, "# Plan\n\n- Captions for the tour video are out of scope this quarter.\n"
    )[video] == ("mentioned")
    assert states(
        pa11y_findings,
        "# Plan\n\n## Testing\n\n- Check the tour video's captions with a screen reader.\n",
    )[video] == ("mentioned")
    assert states(
        pa11y_findings, "# Plan\n\n## Phase 3\n\n- Add WebVTT captions to the tour video.\n"
    )[video] == ("addressed")  # scheduled late is still addressed


def test_sections_and_tickets_that_exclude_the_work(pa11y_findings: list[Finding]) -> None:
    """A heading that leaves the work out ('What isn't included', 'Not in these sprints') and
    a ticket labelled won't-fix only mention what they name, whatever verbs they use."""
    video = by_rule(pa11y_findings, "G87,G93")
    for heading in ("What isn't included", "Not in these sprints"):
        plan = f"# Plan\n\n## {heading}\n\n- Add WebVTT captions to the tour video.\n"
        assert states(pa11y_findings, plan)[video] == "mentioned", heading
    ticket = (
        "# Backlog\n\n### #88 Tour video has no captions\n\n"
        "**Labels:** `media`, `wontfix-this-quarter`\n\n"
        "The tour video on the home page plays without captions.\n"
    )
    assert states(pa11y_findings, ticket)[video] == "mentioned"
    assert states(pa11y_findings, ticket.replace("wontfix-this-quarter", "sprint-12"))[video] == (
        "addressed"
    )


@pytest.fixture(scope="module")
def axe_findings() -> list[Finding]:
    def rule(rule_id: str, tags: list[str], html: str, target: str) -> dict[str, Any]:
        return {
            "id": rule_id,
            "impact": "critical",
            "tags": tags,
            "help": rule_id,
            "description": rule_id,
            "nodes": [{"html": html, "target": [target], "failureSummary": "Fix any of…"}],
        }

    return axe.parse(
        {
            "testEngine": {"name": "axe-core", "version": "4.10.3"},
            "violations": [
                rule(
                    "select-name",
                    ["wcag2a", "wcag412"],
                    '<select id="delivery-slot">',
                    "#delivery-slot",
                ),
                rule(
                    "button-name",
                    ["wcag2a", "wcag412"],
                    '<button class="icon-trash"><svg></svg></button>',
                    "button.icon-trash",
                ),
                rule(
                    "target-size",
                    ["wcag22aa", "wcag258"],
                    '<button class="qty-step">+</button>',
                    "button.qty-step",
                ),
            ],
            "passes": [],
        },
        "axe.json",
    )


def test_plans_in_their_own_words(axe_findings: list[Finding]) -> None:
    got = states(
        axe_findings,
        "# Sprint 1\n\n"
        "- The delivery-slot dropdown has no name: add a visible `<label for>`.\n"
        "- The trash-can icon buttons say nothing to a screen reader; give each one an "
        "aria-label such as 'Remove apples'.\n\n"
        "## Later\n\n- We will review target sizes later.\n",
    )
    assert got == {
        "axe-select-name": "addressed",
        "axe-button-name": "addressed",
        "axe-target-size": "mentioned",
    }


def test_the_matched_sentence_is_kept(axe_findings: list[Finding]) -> None:
    plan = "# Plan\n\n- The delivery-slot dropdown has no name: add a visible `<label for>`.\n"
    segments = segment_plan(plan)
    match = match_findings(axe_findings, segments)["axe-select-name"]
    assert match.best is not None and "delivery-slot" in segments[match.best].text


@pytest.mark.parametrize(
    ("sentence", "intent"),
    [
        ("add alt text to the product photos.", "fix"),
        ("captions are out of scope this quarter.", "mention"),
        ("we will review target sizes later.", "mention"),
        ("monitor contrast with lighthouse in ci.", "mention"),
        ("we'll test the forms with nvda and report back.", "mention"),
        ("status: won't do.", "mention"),
        ("consider adding captions next year.", "mention"),
        ("the voucher button becomes a text button 'apply'.", "fix"),
        ("after adding labels, test the form with nvda.", "fix"),
        ("the session timeout is set by the platform team; we will raise it with them.", "mention"),
    ],
)
def test_sentence_intent(sentence: str, intent: str) -> None:
    assert sentence_intent(sentence) == intent or any(i == intent for _c, i in clauses(sentence))


def test_a_clause_is_judged_by_its_own_verb() -> None:
    lower = "we will add the automated scan to our build pipeline and monitor colour contrast"
    assert sentence_intent(lower, lambda clause: "contrast" in clause) == "mention"
    assert sentence_intent(lower, lambda clause: "scan" in clause) == "fix"
