"""Human-written audit reports (Markdown, HTML, text, DOCX, PDF) → findings, and plan reading.

Every fixture here is written for these tests (tests/fixtures/reports/ or built in the test);
nothing is copied from the shared samples.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from a11y_judge.errors import IngestError
from a11y_judge.ingest import read_audit, read_plan, read_plans
from a11y_judge.ingest.detect import sniff
from a11y_judge.ingest.wcag import find_criteria, title_spans
from a11y_judge.models import AuditReport, Finding, Severity

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
TOOLS = Path(__file__).parents[1] / "fixtures" / "tools"


def by_id(audit: AuditReport) -> dict[str, Finding]:
    return {f.id: f for f in audit.findings}


# --------------------------------------------------------------------------------------------
# Markdown consultant report
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def consultant() -> AuditReport:
    return read_audit(REPORTS / "consultant-report.md")


def test_consultant_report_keeps_own_ids_in_order(consultant: AuditReport) -> None:
    assert consultant.source_format == "markdown"
    assert consultant.name == "consultant-report"
    assert [f.id for f in consultant.findings] == ["HBL-12", "HBL-13", "HBL-14", "HBL-15", "HBL-16"]


def test_consultant_report_titles_drop_the_id_prefix(consultant: AuditReport) -> None:
    found = by_id(consultant)
    assert found["HBL-12"].title == "Renewal dialog traps keyboard focus"
    assert found["HBL-14"].title == "Search filter toggles do not expose their state"


def test_consultant_report_severity_from_band_and_explicit(consultant: AuditReport) -> None:
    found = by_id(consultant)
    # Under "### Critical" with no Severity field: the band applies.
    assert found["HBL-12"].severity is Severity.CRITICAL
    # Under "*** High priority ***" but with "**Severity:** Critical": the explicit value wins.
    assert found["HBL-13"].severity is Severity.CRITICAL
    # Under "*** High priority ***" with no Severity field: high → serious.
    assert found["HBL-14"].severity is Severity.SERIOUS
    assert found["HBL-15"].severity is Severity.SERIOUS
    assert found["HBL-16"].severity is Severity.MINOR


def test_consultant_report_stated_sc_by_number_name_and_url(consultant: AuditReport) -> None:
    found = by_id(consultant)
    assert (found["HBL-12"].wcag, found["HBL-12"].wcag_source) == (["2.1.2"], "stated")
    assert (found["HBL-13"].wcag, found["HBL-13"].wcag_source) == (["1.4.3"], "stated")
    # "**WCAG:** Name, Role, Value" names the SC by its title only.
    assert (found["HBL-14"].wcag, found["HBL-14"].wcag_source) == (["4.1.2"], "stated")
    # "**WCAG:** https://www.w3.org/TR/WCAG22/#no-keyboard-trap" names it by URL slug.
    assert (found["HBL-15"].wcag, found["HBL-15"].wcag_source) == (["2.1.2"], "stated")


def test_version_number_in_report_is_not_a_success_criterion(consultant: AuditReport) -> None:
    viewer = by_id(consultant)["HBL-16"]
    assert "JupyterLab 3.4.3" in viewer.description
    assert "3.4.3" not in viewer.wcag
    # No SC is stated, so whatever it has is inferred from the wording ("no accessible names").
    assert viewer.wcag_source == "inferred"
    assert viewer.wcag == ["4.1.2"]


def test_consultant_report_locations_and_recommendation(consultant: AuditReport) -> None:
    found = by_id(consultant)
    due = found["HBL-13"]
    assert len(due.locations) == 2
    assert due.locations[0].endswith("— .due-date")
    assert due.locations[1].endswith("— .availability")
    assert "account/loans" in due.locations[0]
    assert due.recommendation == "Darken the grey text to #595959 so it reaches 4.5:1 on white."
    assert found["HBL-12"].description.startswith("Once the renewal dialog opens")
    assert found["HBL-12"].recommendation.startswith("Use the native dialog element")
    assert not any(f.needs_review for f in consultant.findings)


# Regression (was a bug): report._clean strips a leading '/' as decoration, so the location
# '/account/loans — `.due-date`' is stored as 'account/loans — .due-date' and the home page '/ —
# `.new-arrivals`' loses its path entirely
def test_location_keeps_leading_slash_of_url_path(consultant: AuditReport) -> None:
    found = by_id(consultant)
    assert found["HBL-13"].locations[0] == "/account/loans — .due-date"
    assert found["HBL-15"].locations == ["/ — .new-arrivals"]


def test_boilerplate_sections_produce_no_findings(consultant: AuditReport) -> None:
    titles = " ".join(f.title + " " + f.description for f in consultant.findings)
    # Executive summary ("fails badly"), Methodology bullets, Recommendations ("Fix the
    # critical issue first") and the Appendix table are not findings.
    assert len(consultant.findings) == 5
    assert "fails badly" not in titles
    assert "Train staff" not in titles
    assert "toolbar works well" not in titles
    assert "/account/loans" not in [f.title for f in consultant.findings]


def test_only_boilerplate_sections_means_no_findings() -> None:
    text = (
        "# Audit of the Example site\n\n"
        "## Executive summary\n\nThe site fails many checks and needs a lot of work.\n\n"
        "## Methodology\n\n- We could not test the checkout because it was broken.\n\n"
        "## Recommendations\n\n- Labels should be added to every form field.\n\n"
        "## Appendix B: glossary\n\n- Focus trap: focus cannot leave a component.\n"
    )
    with pytest.raises(IngestError, match="no findings found in this markdown file"):
        read_audit("summary-only.md", data=text.encode())


# --------------------------------------------------------------------------------------------
# Success criteria recognition
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.4.3", ["1.4.3"]),
        ("SC 2.4.7 and 1.4.10 Reflow", ["1.4.10", "2.4.7"]),
        ("fails Contrast (Minimum) on the footer", ["1.4.3"]),
        ("Name, Role, Value", ["4.1.2"]),
        ("https://www.w3.org/TR/WCAG22/#no-keyboard-trap", ["2.1.2"]),
        ("https://www.w3.org/WAI/WCAG21/Understanding/contrast-minimum.html", ["1.4.3"]),
        ("Tested with JupyterLab 3.4.3 in Chrome", []),
        ("NVDA 2024.1 and section 1.4.3.2 of the contract", []),
        ("9.9.9 is not a criterion", []),
    ],
)
def test_find_criteria(text: str, expected: list[str]) -> None:
    assert find_criteria(text) == expected


# Regression (was a bug): a title's words were found with no gap between them, so 'onfocus'
# read as 3.2.1 On Focus whenever the text also said 'on' on its own
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Contrast (Minimum) fails", [(0, 17, "1.4.3")]),  # at the very start of the text
        ("the onfocus handler, then on focus", [(26, 34, "3.2.1")]),
        ("café on focus", [(5, 13, "3.2.1")]),
        ("caféon focus", []),  # inside a word, a non-ASCII letter before it
        ("xon focus", []),
        (
            "Focus Not Obscured (Enhanced) and focus not obscured minimum",
            [(0, 28, "2.4.12"), (34, 60, "2.4.11")],  # the longest title wins
        ),
        ("text reflows; reflow", [(14, 20, "1.4.10")]),  # a one-word title, whole words only
    ],
)
def test_title_spans(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert title_spans(text.lower()) == expected


# Regression (was a bug): wcag.find_numbers accepts any d.d.d that is in the catalog, so a tool or
# product version that happens to equal an SC number is read as that SC
@pytest.mark.parametrize(
    "text", ["Scanned with axe-core 4.1.2", "Tested with JupyterLab 3.2.1 in Chrome"]
)
def test_version_numbers_equal_to_an_sc_are_not_criteria(text: str) -> None:
    assert find_criteria(text) == []


# --------------------------------------------------------------------------------------------
# Findings tables and bullet lists
# --------------------------------------------------------------------------------------------


def test_markdown_findings_table_one_finding_per_failing_row() -> None:
    audit = read_audit(REPORTS / "findings-table.md")
    assert [f.id for f in audit.findings] == ["KT-01", "KT-02", "KT-03", "KT-06"]  # Pass/Resolved
    found = by_id(audit)
    assert found["KT-01"].title == "Journey planner map has no text alternative"
    assert found["KT-01"].wcag == ["1.1.1"] and found["KT-01"].wcag_source == "stated"
    assert found["KT-01"].severity is Severity.SERIOUS
    assert found["KT-02"].severity is Severity.MODERATE
    assert found["KT-03"].severity is Severity.CRITICAL
    assert found["KT-03"].wcag == ["2.1.1"]
    assert found["KT-06"].wcag == ["3.3.1"]


def test_bullet_findings_one_per_problem_bullet() -> None:
    audit = read_audit(REPORTS / "bullet-findings.md")
    titles = [f.title for f in audit.findings]
    assert titles == [
        "Images in the news carousel have no alt text, so screen reader users hear the file name.",
        "The cookie banner cannot be dismissed with the keyboard.",
        "Form fields on the contact page have no visible label.",
    ]
    # Positive remarks are not findings.
    assert not any("works well" in t or "consistently" in t for t in titles)
    # No SC is stated anywhere; the lexicon infers one from the wording.
    assert all(f.wcag_source == "inferred" for f in audit.findings)
    images, cookie, fields = audit.findings
    assert "1.1.1" in images.wcag
    assert cookie.wcag == ["2.1.1"]
    assert "3.3.2" in fields.wcag
    # Generated ids are stable and unique.
    assert len({f.id for f in audit.findings}) == 3
    assert [f.id for f in read_audit(REPORTS / "bullet-findings.md").findings] == [
        f.id for f in audit.findings
    ]


# Regression (was a bug): report._fields appends every unlabelled paragraph to the last labelled
# field, even when that field already had its value on the same line ('**Severity:** High'), so
# the finding's description is lost (and no SC can be inferred from it)
def test_paragraph_after_inline_field_is_the_description() -> None:
    text = (
        "# Review\n\n## Findings\n\n### AB-1: Save button has no name\n\n"
        "**Severity:** High\n\nThe save button is an icon with no accessible name.\n\n"
        '**Recommendation:** Add aria-label="Save".\n'
    )
    (finding,) = read_audit("r.md", data=text.encode()).findings
    assert finding.severity is Severity.SERIOUS
    assert finding.description == "The save button is an icon with no accessible name."


def test_bullet_without_inferable_sc_has_source_none() -> None:
    text = "# Review\n\n## Findings\n\n- The opening hours page is confusing for everybody.\n"
    (finding,) = read_audit("r.md", data=text.encode()).findings
    assert finding.wcag == [] and finding.wcag_source == "none"


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


def _docx_bytes(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _museum_docx() -> bytes:
    d = docx.Document()
    d.add_heading("Accessibility Report: Otterburn Museum", level=1)
    d.styles.add_style("toc 4", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("Issue ID: OTB-Ghost-Entry\t4", style="toc 4")  # a contents line
    d.add_heading("Executive summary", level=2)
    d.add_paragraph("Several barriers remain. WCAG Reference: 1.4.3 is discussed below.")
    d.add_heading("Audit Results", level=2)
    d.add_heading("*** High priority ***", level=3)
    d.add_heading("Gallery toggle", level=3)
    d.add_paragraph("The gallery toggle is a span with a click handler and no role.")
    d.add_paragraph("WCAG Reference:")
    d.add_paragraph("4.1.2 Name, Role, Value (Level A)")
    d.add_heading("Issue ID: OTB-Gallery-Toggle", level=4)
    d.add_paragraph("URL: https://museum.example/gallery")
    d.add_paragraph("Solution:")
    d.add_paragraph("Use a native button element with aria-expanded.")
    d.add_heading("*** Medium priority ***", level=3)
    d.add_heading("Ticket form", level=3)
    d.add_paragraph("The ticket quantity field has no programmatic label.")
    d.add_paragraph("WCAG Reference:")
    d.add_paragraph("3.3.2 Labels or Instructions (Level A)")
    d.add_heading("Issue ID: OTB-Ticket-Qty", level=4)
    d.add_paragraph("Solution:")
    d.add_paragraph("Associate a visible label element with the input.")
    d.add_heading("End of Report", level=1)
    d.add_heading("Appendix I", level=2)
    d.add_heading("Legacy issue", level=3)
    d.add_paragraph("WCAG Reference:")
    d.add_paragraph("1.1.1 Non-text Content (Level A)")
    d.add_heading("Issue ID: OTB-Appendix-Only", level=4)
    d.add_paragraph("Solution:")
    d.add_paragraph("Add alt text.")
    return _docx_bytes(d)


def test_docx_report_ids_sc_band_and_solution() -> None:
    audit = read_audit("museum-report.docx", data=_museum_docx())
    assert audit.source_format == "docx"
    assert [f.id for f in audit.findings] == ["OTB-Gallery-Toggle", "OTB-Ticket-Qty"]
    toggle, ticket = audit.findings
    assert toggle.title == "Gallery toggle"
    assert toggle.wcag == ["4.1.2"] and toggle.wcag_source == "stated"
    assert toggle.severity is Severity.SERIOUS  # from "*** High priority ***"
    assert toggle.recommendation == "Use a native button element with aria-expanded."
    assert toggle.locations == ["https://museum.example/gallery"]
    assert toggle.description == "The gallery toggle is a span with a click handler and no role."
    assert ticket.wcag == ["3.3.2"]
    assert ticket.severity is Severity.MODERATE  # from "*** Medium priority ***"
    assert ticket.recommendation == "Associate a visible label element with the input."


def test_docx_contents_and_appendix_are_not_findings() -> None:
    audit = read_audit("museum-report.docx", data=_museum_docx())
    ids = {f.id for f in audit.findings}
    assert "OTB-Ghost-Entry" not in ids and "OTB-Appendix-Only" not in ids
    assert "OTB-Ghost-Entry" not in audit.text  # TOC paragraphs are dropped from the text
    assert "## Audit Results" in audit.text and "#### Issue ID: OTB-Gallery-Toggle" in audit.text


# Regression (was a bug): when an 'Issue ID:' heading sits directly under a priority-band heading,
# the finding's title becomes the band name ('High priority')
def test_docx_issue_directly_under_band_is_not_titled_by_the_band() -> None:
    d = docx.Document()
    d.add_heading("Audit Results", level=2)
    d.add_heading("*** High priority ***", level=3)
    d.add_heading("Issue ID: OTB-Gallery-Toggle", level=4)
    d.add_paragraph("The gallery toggle is a span with a click handler and no role.")
    d.add_paragraph("WCAG Reference:")
    d.add_paragraph("4.1.2 Name, Role, Value (Level A)")
    (finding,) = read_audit("r.docx", data=_docx_bytes(d)).findings
    assert finding.id == "OTB-Gallery-Toggle" and finding.severity is Severity.SERIOUS
    assert "priority" not in finding.title.lower()


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def _pdf(lines: list[str]) -> bytes:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


CLINIC_LINES = [
    "Accessibility Audit of the Fernhill Clinic Booking Site",
    "2.1 Appointment calendar is not keyboard operable",
    "Days in the calendar are div elements with click handlers only.",
    "WCAG: 2.1.1 Keyboard",
    "Severity: High",
    "2.2 Clinic photos lack text alternatives",
    "WCAG: 1.1.1",
    "Severity: Medium",
    "Recommendation: Add alt text describing each clinic entrance.",
]


def test_pdf_report_findings_with_sc() -> None:
    audit = read_audit("clinic-audit.pdf", data=_pdf(CLINIC_LINES))
    assert audit.source_format == "pdf"
    assert [f.wcag for f in audit.findings] == [["2.1.1"], ["1.1.1"]]
    assert all(f.wcag_source == "stated" for f in audit.findings)
    calendar, photos = audit.findings
    assert calendar.title == "Appointment calendar is not keyboard operable"
    assert calendar.severity is Severity.SERIOUS
    assert calendar.description == "Days in the calendar are div elements with click handlers only."
    assert photos.severity is Severity.MODERATE
    assert photos.recommendation == "Add alt text describing each clinic entrance."
    assert "Fernhill Clinic" in audit.text


# Regression (was a bug): blocks.text_blocks promotes any short all-capitals line to a heading, so
# the PDF line 'WCAG: 1.1.1' becomes a heading and the finding is titled 'Wcag: 1.1.1' instead of
# 'Clinic photos lack text alternatives'
def test_pdf_wcag_line_is_not_a_heading() -> None:
    audit = read_audit("clinic-audit.pdf", data=_pdf(CLINIC_LINES))
    assert [f.title for f in audit.findings] == [
        "Appointment calendar is not keyboard operable",
        "Clinic photos lack text alternatives",
    ]


# Regression (was a bug): a numbered top-level PDF heading such as '3. Recommendations' is read as
# a list item (markdown_blocks runs before the numbered-heading guess), so the boilerplate
# section's text is appended to the previous finding's recommendation
def test_pdf_numbered_top_level_heading_ends_the_finding() -> None:
    lines = [
        *CLINIC_LINES[:5],
        "Recommendation: Use buttons for the days.",
        "3. Recommendations",
        "Staff should be trained and forms need labels everywhere.",
    ]
    audit = read_audit("clinic-audit.pdf", data=_pdf(lines))
    (calendar,) = audit.findings
    assert "Staff should be trained" not in calendar.description + calendar.recommendation


def test_pdf_without_text_is_a_clear_error() -> None:
    with pytest.raises(IngestError, match=r"scan\.pdf: the PDF has no extractable text"):
        read_audit("scan.pdf", data=_pdf([]))


# --------------------------------------------------------------------------------------------
# HTML and plain text
# --------------------------------------------------------------------------------------------


def test_html_report_sections_and_table() -> None:
    audit = read_audit(REPORTS / "museum-report.html")
    assert audit.source_format == "html"
    found = by_id(audit)
    assert list(found)[:2] == ["LT-7", "LT-8"]
    assert found["LT-7"].title == "Seat map is not announced to screen readers"
    assert found["LT-7"].wcag == ["1.1.1"] and found["LT-7"].severity is Severity.SERIOUS
    assert found["LT-7"].recommendation.startswith("Provide a list of available seats")
    assert found["LT-8"].wcag == ["3.3.2"] and found["LT-8"].severity is Severity.MODERATE
    table = {f.title: f for f in audit.findings[2:]}
    assert set(table) == {
        "Performance times are conveyed by colour only",
        "Trailer video has no captions",
    }
    assert table["Trailer video has no captions"].wcag == ["1.2.2"]
    assert table["Trailer video has no captions"].severity is Severity.SERIOUS
    assert table["Performance times are conveyed by colour only"].severity is Severity.MINOR
    # Script and style content is never read; the executive summary is boilerplate.
    assert all("2.1.1" not in f.wcag for f in audit.findings)
    assert len(audit.findings) == 4
    assert "console.log" not in audit.text


def test_plain_text_report_with_numbered_capital_headings() -> None:
    audit = read_audit(REPORTS / "ferry-report.txt")
    assert audit.source_format == "text"
    assert [f.id for f in audit.findings] == ["TF-101", "TF-102"]
    timetable, timeout = audit.findings
    assert timetable.title == "Timetable table has no header cells"
    assert timetable.wcag == ["1.3.1"] and timetable.severity is Severity.SERIOUS
    assert timeout.wcag == ["2.2.1"] and timeout.severity is Severity.CRITICAL
    assert timeout.recommendation.startswith("Warn users 60 seconds")


# Regression (was a bug): blocks.text_blocks documents that a short line followed by a blank line
# and text is taken for a heading, but that rule is not implemented: a plain-text report with a
# 'Findings' line yields no findings
def test_plain_text_unnumbered_heading_line() -> None:
    text = (
        "Findings\n\n"
        "The search button cannot be reached with the keyboard.\n\n"
        "Images on the home page have no alt text.\n"
    )
    audit = read_audit("notes.txt", data=text.encode())
    assert len(audit.findings) == 2


# --------------------------------------------------------------------------------------------
# Sniffing by content
# --------------------------------------------------------------------------------------------


def test_markdown_report_with_misleading_extension(tmp_path: Path) -> None:
    content = (REPORTS / "consultant-report.md").read_bytes()
    for name in ("report.txt", "report.export", "report"):
        path = tmp_path / name
        path.write_bytes(content)
        audit = read_audit(path)
        assert audit.source_format == "markdown"
        assert [f.id for f in audit.findings][:2] == ["HBL-12", "HBL-13"]


def test_axe_json_saved_as_txt_is_axe(tmp_path: Path) -> None:
    path = tmp_path / "scan-results.txt"
    path.write_bytes((TOOLS / "axe4_result.json").read_bytes())
    audit = read_audit(path)
    assert audit.source_format == "axe"
    assert "axe-image-alt" in {f.id for f in audit.findings}
    assert audit.name == "scan-results"


def test_html_report_saved_as_md_is_html(tmp_path: Path) -> None:
    path = tmp_path / "theatre.md"
    path.write_bytes((REPORTS / "museum-report.html").read_bytes())
    assert read_audit(path).source_format == "html"


def test_docx_saved_without_extension_is_docx() -> None:
    assert sniff(_museum_docx(), "download").format == "docx"


def test_utf16_markdown_report_is_decoded() -> None:
    text = "# Findings\n\n## ABC-1: Images have no alt text\n\n**WCAG:** 1.1.1\n"
    audit = read_audit("utf16.md", data=text.encode("utf-16"))
    assert [(f.id, f.wcag) for f in audit.findings] == [("ABC-1", ["1.1.1"])]


# --------------------------------------------------------------------------------------------
# Malformed inputs
# --------------------------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.json", b"", "the file is empty"),
        ("blank.md", b"  \n\n\t\n", "the file is empty"),
        ("cut.json", b'{"violations": [{"id": "image-alt", ', "the JSON is malformed (line 1"),
        ("cut.txt", b'{"violations": [', "the JSON is malformed"),
        ("other.json", b'{"hello": "world"}', "this JSON is not an audit format"),
        ("numbers.json", b"[1, 2, 3]", "this JSON is not an audit format"),
        ("blob.bin", bytes([0, 1, 2, 255, 254, 0, 17]) * 20, "binary file of an unsupported kind"),
        ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old binary .doc"),
        ("broken.docx", b"PK\x03\x04" + b"garbage" * 20, "damaged Word/ZIP file"),
        ("nodoc.docx", _zip({"word/document.xml": b"<x/>"}), "not a readable Word document"),
        ("archive.zip", _zip({"a.txt": b"hello"}), "ZIP archives other than .docx"),
        ("broken.pdf", b"%PDF-1.4\n garbage garbage", "not a readable PDF"),
        ("broken.yaml", b"criteria:\n  - a: [\n", "the YAML is malformed"),
        (
            "notes.md",
            b"# Notes\n\nWe had a nice meeting about the site.\n\n## Next steps\n\n- Meet again.\n",
            "no findings found in this markdown file",
        ),
    ],
)
def test_malformed_audits_raise_clear_ingest_errors(name: str, data: bytes, message: str) -> None:
    with pytest.raises(IngestError) as info:
        read_audit(name, data=data)
    assert str(info.value).startswith(f"{name}: ")
    assert message in str(info.value)
    assert info.value.filename == name
    assert info.value.hint  # every error says what to do
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="file not found"):
        read_audit(tmp_path / "nope.md")
    with pytest.raises(IngestError, match="is a folder, not a file"):
        read_audit(tmp_path)


# Regression (was a bug): documents.docx_blocks catches BadZipFile/KeyError/ValueError but not
# lxml's XMLSyntaxError, so a .docx whose word/document.xml is malformed escapes as XMLSyntaxError
# instead of IngestError
def test_docx_with_malformed_document_xml_is_an_ingest_error() -> None:
    d = docx.Document()
    d.add_paragraph("A remediation plan with enough words in it to count.")
    good = zipfile.ZipFile(io.BytesIO(_docx_bytes(d)))
    bad = _zip(
        {
            n: (b"<w:document garbage" if n == "word/document.xml" else good.read(n))
            for n in good.namelist()
        }
    )
    with pytest.raises(IngestError, match=r"bad\.docx"):
        read_audit("bad.docx", data=bad)


# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------

PLAN_TEXT = "# Plan\n\n## Phase 1\n\n- Replace the checkout div with a native button element.\n"


def test_read_plans_gives_unique_names_for_duplicate_stems(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    first = tmp_path / "a" / "plan.md"
    second = tmp_path / "b" / "plan.txt"
    third = tmp_path / "c" / "plan.md"
    for p in (first, second, third):
        p.write_text(PLAN_TEXT, encoding="utf-8")
    plans = read_plans([(str(first), None), (str(second), None), (str(third), None)])
    assert [p.name for p in plans] == ["plan", "plan-2", "plan-3"]
    assert [p.filename for p in plans] == ["plan.md", "plan.txt", "plan.md"]
    assert all(p.text == PLAN_TEXT for p in plans)
    assert len({p.content_hash for p in plans}) == 1


def test_read_plans_from_bytes_keeps_stems() -> None:
    plans = read_plans([("fast.md", PLAN_TEXT.encode()), ("slow.md", PLAN_TEXT.encode())])
    assert [p.name for p in plans] == ["fast", "slow"]
    assert all(p.kind == "plan" and p.source_format == "markdown" for p in plans)


def test_json_audit_given_as_plan_is_rejected() -> None:
    data = (TOOLS / "axe4_result.json").read_bytes()
    with pytest.raises(IngestError, match=r"axe audit, not a remediation plan"):
        read_plan("axe.json", data=data)
    with pytest.raises(IngestError, match="this JSON is not an audit format"):
        read_plan("weird.json", data=json.dumps({"plan": "fix it all"}).encode())


def test_almost_empty_plan_is_rejected() -> None:
    with pytest.raises(IngestError, match="almost no text"):
        read_plan("tiny.md", data=b"# Plan\n\nFix it.\n")


def test_docx_plan_text_is_extracted() -> None:
    d = docx.Document()
    d.add_heading("Remediation plan", level=1)
    d.add_heading("Phase 1: blockers", level=2)
    d.add_paragraph("Replace the gallery span with a native button.", style="List Bullet")
    d.add_paragraph("Add a visible label to the ticket quantity field.")
    plan = read_plan("museum-plan.docx", data=_docx_bytes(d))
    assert plan.source_format == "docx" and plan.name == "museum-plan"
    assert "# Remediation plan" in plan.text
    assert "## Phase 1: blockers" in plan.text
    assert "- Replace the gallery span with a native button." in plan.text
    assert "Add a visible label to the ticket quantity field." in plan.text


def test_html_plan_text_is_extracted() -> None:
    html = (
        "<html><head><style>p{}</style></head><body><h1>Plan</h1><h2>Week 1</h2>"
        "<ul><li>Fix the seat map text alternative.</li><li>Label the promo code field.</li></ul>"
        "<script>var hidden = 1;</script></body></html>"
    )
    plan = read_plan("plan.html", data=html.encode())
    assert plan.source_format == "html"
    assert "# Plan" in plan.text and "## Week 1" in plan.text
    assert "- Fix the seat map text alternative." in plan.text
    assert "hidden" not in plan.text and "p{}" not in plan.text


def test_pdf_plan_text_is_extracted() -> None:
    data = _pdf(["Remediation plan for the clinic", "Fix the calendar keyboard support first."])
    plan = read_plan("clinic-plan.pdf", data=data)
    assert plan.source_format == "pdf"
    assert "Fix the calendar keyboard support first." in plan.text


@pytest.mark.parametrize(
    "plan", sorted(p.name for p in (Path(__file__).parents[2] / "data/demo/plans").glob("*.md"))
)
def test_demo_plan_given_as_audit_is_refused(plan: str) -> None:
    path = Path(__file__).parents[2] / "data" / "demo" / "plans" / plan
    with pytest.raises(IngestError, match=r"looks like a remediation plan .*not an audit"):
        read_audit(path)


def test_audit_titled_report_is_not_mistaken_for_a_plan() -> None:
    text = (
        "# Accessibility audit report and remediation advice\n\n## Findings\n\n"
        "### AB-1: Save button has no name\n\n**Severity:** High\n\n**WCAG:** 4.1.2\n"
    )
    (finding,) = read_audit("r.md", data=text.encode()).findings
    assert finding.id == "AB-1"
