"""One finding per issue: summary tables, detailed sections, part sub-headings and retest tables."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from a11y_judge.ingest import read_audit
from a11y_judge.ingest.blocks import markdown_blocks
from a11y_judge.ingest.report import findings_from_blocks
from a11y_judge.models import Finding, Severity

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings}


def md(text: str) -> list[Finding]:
    return findings_from_blocks(markdown_blocks(text), "report.md")


@pytest.fixture(scope="module")
def larkspur() -> list[Finding]:
    return read_audit(REPORTS / "summary-table-report.md").findings


def test_table_and_sections_give_one_finding_per_issue(larkspur: list[Finding]) -> None:
    ids = [f.id for f in larkspur]
    assert ids[:4] == ["LO-01", "LO-02", "LO-03", "LO-04"]
    assert len(ids) == 5  # the fifth has no ID: table row '—' merged with its section by title
    assert larkspur[4].title == "Search results heading levels skip"
    assert larkspur[4].recommendation == "Use h2 for each result title."
    assert larkspur[4].severity is Severity.MINOR  # from the table row
    assert not any(i.endswith("-2") for i in ids)


def test_merged_finding_keeps_the_best_of_both(larkspur: list[Finding]) -> None:
    renew = by_id(larkspur)["LO-01"]
    assert renew.severity is Severity.CRITICAL and renew.wcag == ["2.1.1"]
    assert renew.locations == ["/account/loans `span.renew`"]  # the table's location
    assert "cannot be reached with Tab" in renew.description  # the section's description
    assert "Press Tab repeatedly" in renew.description  # steps to reproduce are part of it
    assert "Keyboard and switch users cannot renew" in renew.description  # user impact too
    assert renew.snippets == ['<span class="renew" onclick="renew(42)">Renew</span>']
    assert renew.recommendation.startswith("Use a native <button")


def test_table_severity_wins_and_the_disagreement_is_stated(larkspur: list[Finding]) -> None:
    """The table says High, the section's '#### Severity' says Medium: the summary table is the
    auditor's rating among all issues, which is what a plan's order is judged against."""
    contrast = by_id(larkspur)["LO-03"]
    assert contrast.severity is Severity.SERIOUS
    assert "the summary table rates it serious, the detailed section moderate" in (
        contrast.description
    )


def test_part_subheadings_are_never_findings(larkspur: list[Finding]) -> None:
    titles = {f.title.lower() for f in larkspur}
    assert not titles & {"description", "user impact", "steps to reproduce", "severity"}


def test_resolved_retest_rows_are_not_open_findings(larkspur: list[Finding]) -> None:
    assert not {"LO-R1", "LO-R2", "LO-R3"} & {f.id for f in larkspur}


def test_html_report_in_the_same_layout() -> None:
    findings = read_audit(REPORTS / "summary-table-report.html").findings
    assert [f.id for f in findings] == ["BF-1", "BF-2", "BF-3", "BF-4"]
    seats, radios = findings[0], findings[1]
    assert seats.locations == ["/book/seats div.seat"]
    assert seats.snippets == ['<div class="seat" data-seat="12A" onclick="pick(this)">12A</div>']
    assert "Tab never reaches a seat" in seats.description
    assert radios.severity is Severity.SERIOUS  # table 'Serious' over section 'Moderate'
    assert "detailed section moderate" in radios.description


def _docx_report() -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading("Accessibility audit: Oakmere Dental appointments", level=1)
    doc.add_heading("Executive summary", level=2)
    doc.add_paragraph("Three issues block or slow down booking an appointment.")
    doc.add_heading("Summary of issues", level=2)
    rows = [
        ("ID", "Issue", "WCAG", "Severity", "Location"),
        ("OD-1", "Date picker traps keyboard focus", "2.1.2", "Critical", "/book #date"),
        ("OD-2", "Reason for visit field has no label", "3.3.2", "High", "/book #reason"),
        ("OD-3", "Confirmation is not announced", "4.1.3", "Low", "/book"),
    ]
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_heading("Findings", level=2)
    for fid, title, recommendation in (
        ("OD-1", "Date picker traps keyboard focus", "Close the picker on Escape."),
        ("OD-2", "Reason for visit field has no label", "Add a visible <label for=reason>."),
        ("OD-3", "Confirmation is not announced", 'Put the message in role="status".'),
    ):
        doc.add_heading(f"{fid}: {title}", level=3)
        doc.add_heading("Description", level=4)
        doc.add_paragraph(f"{title} on the booking page.")
        doc.add_heading("Recommendation", level=4)
        doc.add_paragraph(recommendation)
    doc.add_heading("Retest of the previous audit", level=2)
    retest = doc.add_table(rows=2, cols=3)
    for c, text in enumerate(("ID", "Issue", "Status")):
        retest.cell(0, c).text = text
    for c, text in enumerate(("OD-0", "Logo has no alt text", "Fixed")):
        retest.cell(1, c).text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_docx_report_in_the_same_layout() -> None:
    findings = read_audit("oakmere.docx", data=_docx_report()).findings
    assert [f.id for f in findings] == ["OD-1", "OD-2", "OD-3"]
    trap = findings[0]
    assert trap.severity is Severity.CRITICAL and trap.wcag == ["2.1.2"]
    assert trap.locations == ["/book #date"]
    assert trap.recommendation == "Close the picker on Escape."
    assert findings[2].severity is Severity.MINOR


def test_an_open_retest_row_merges_with_its_section() -> None:
    findings = md(
        """# Audit
## Retest of round 1
| ID | Issue | Status | Severity |
|---|---|---|---|
| R-1 | Menu not keyboard accessible | Not fixed | High |
| R-2 | Missing alt text | Resolved | High |

## Findings
### R-1: Menu not keyboard accessible
**WCAG:** 2.1.1
**Recommendation:** Use buttons for the menu triggers.
"""
    )
    assert [f.id for f in findings] == ["R-1"]
    assert findings[0].severity is Severity.SERIOUS
    assert findings[0].recommendation == "Use buttons for the menu triggers."


def test_same_title_without_ids_in_two_sections_stays_two_findings() -> None:
    """Two sections that happen to share a title are two issues (different pages)."""
    findings = md(
        """# Audit
## Findings
### Missing alt text
**Location:** /home
**Recommendation:** Add alt to the hero image.

### Missing alt text
**Location:** /about
**Recommendation:** Add alt to the team photos.
"""
    )
    assert len(findings) == 2
    assert [f.locations for f in findings] == [["/home"], ["/about"]]


def test_user_impact_prose_is_description_not_severity() -> None:
    (finding,) = md(
        """# Audit
## Findings
### A-1: Carousel cannot be paused
#### User impact
People with attention disorders cannot read the slides.
#### Recommendation
Add a pause button.
"""
    )
    assert finding.severity is Severity.UNKNOWN
    assert "attention disorders" in finding.description


def test_dotted_ids_and_fields_on_one_line() -> None:
    """'### A11Y-1. Title' keeps 'A11Y-1'; '**Priority:** High · **SC:** 2.1.1' is two fields;
    a 'Barrier' column is the title of a summary table."""
    findings = md(
        """# Audit
## Summary of open barriers
| Ref | Barrier | Success criterion | Priority | Where |
|---|---|---|---|---|
| A11Y-1 | Calendar cannot be operated with a keyboard | 2.1.1 Keyboard | Critical | Step 2 |

## Detailed findings
### A11Y-1. Calendar cannot be operated with a keyboard
**Priority:** High · **SC:** 2.1.1 Keyboard (A) · **Where:** Step 2 *What happened*

**Observed:** The date field opens a pop-up that Tab never reaches.

**Code today:**

```html
<input readonly id="incident-date">
```

**Suggested fix:** Let people type the date into three labelled fields.
"""
    )
    (calendar,) = findings
    assert calendar.id == "A11Y-1"
    assert calendar.severity is Severity.CRITICAL  # the table's rating
    assert "the detailed section serious" in calendar.description
    assert calendar.wcag == ["2.1.1"] and calendar.wcag_source == "stated"
    assert "Tab never reaches" in calendar.description
    assert calendar.snippets == ['<input readonly id="incident-date">']
    assert calendar.recommendation.startswith("Let people type the date")


def test_numbered_level_one_sections_are_sections_not_titles() -> None:
    """A report whose main sections are level-1 headings ('1. Executive summary', '5. Retest
    …'): the retest section's prose is not a finding."""
    findings = md(
        """# Audit of the tenant portal
# 1. Executive summary
The portal has two open issues.
# 2. Findings
## HC-01: Tiles cannot be reached with the keyboard
**Recommendation:** Use buttons.
# 3. Retest of previously reported issues
The following issues from the first audit are fixed and need no action.
"""
    )
    assert [f.id for f in findings] == ["HC-01"]
