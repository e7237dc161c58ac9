"""CSV findings tables: header synonyms, delimiters, BOM, statuses, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y_judge.errors import IngestError
from a11y_judge.ingest import csvtable
from a11y_judge.models import Severity

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tools"


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_semicolons_bom_and_synonyms() -> None:
    findings = csvtable.parse(text("findings_semicolon.csv"), "audit.csv")
    assert [f.id for f in findings] == ["A-1", "A-2", "A-1-2"]  # resolved row skipped
    first = findings[0]
    assert first.title == "Carousel buttons have no name"
    assert first.wcag == ["4.1.2"] and first.wcag_source == "stated"
    assert first.severity is Severity.SERIOUS
    assert first.locations == ["/home", "/offers"]
    assert first.recommendation == "Add aria-label to each button"
    assert not first.needs_review


def test_sc_by_name_status_review_and_newline_locations() -> None:
    findings = csvtable.parse(text("findings_semicolon.csv"), "audit.csv")
    focus = findings[1]
    assert focus.wcag == ["2.4.7"]  # "Focus Visible" named, not numbered
    assert focus.needs_review
    assert findings[2].locations == ["/home", "/contact"]
    assert findings[2].severity is Severity.CRITICAL


def test_comma_table_without_ids() -> None:
    findings = csvtable.parse(text("findings_comma.csv"), "f.csv")
    assert [f.id for f in findings] == ["row-1", "row-2", "row-3"]  # 'passed' row skipped
    labels, video, animation = findings
    assert labels.wcag == ["1.3.1", "3.3.2"]
    assert labels.description.startswith("The email and phone inputs")
    assert video.wcag == ["1.2.2"] and video.wcag_source == "inferred"
    assert animation.needs_review and animation.severity is Severity.MINOR


def test_tab_delimited_with_description_only() -> None:
    csv_text = "Details\tLevel of impact\tURL\nSearch box has no label\tblocker\t/search\n"
    (finding,) = csvtable.parse(csv_text, "t.tsv")
    assert finding.title == "Search box has no label"
    assert finding.severity is Severity.CRITICAL
    assert finding.locations == ["/search"]


def test_missing_title_and_description_columns_names_headers() -> None:
    with pytest.raises(IngestError) as err:
        csvtable.parse("Ref,Severity,Page\n1,high,/home\n", "bad.csv")
    message = str(err.value)
    assert "'Ref', 'Severity', 'Page'" in message
    assert "Title" in message and "Description" in message


def test_empty_file_raises_and_header_only_is_empty() -> None:
    with pytest.raises(IngestError, match="empty"):
        csvtable.parse("\ufeff\n\n", "empty.csv")
    assert csvtable.parse("Title,Severity\n", "header.csv") == []


def test_looks_like() -> None:
    assert csvtable.looks_like(text("findings_semicolon.csv"))
    assert csvtable.looks_like(text("findings_comma.csv"))
    assert not csvtable.looks_like("Just a sentence, with a comma.\nAnother line.\n")
    assert not csvtable.looks_like('{"title": "x", "severity": "y"}')
    assert not csvtable.looks_like("| Title | Severity |\n|---|---|\n| a | b |\n")
    assert not csvtable.looks_like("Title,Severity\na,b,c,d\n")  # ragged rows
    # the header may be quoted, follow blank lines or an Excel 'sep=' line: read as a whole
    assert csvtable.looks_like('"Title","Severity"\n"a, b",c\n')
    assert csvtable.looks_like("\n\n\nTitle\tSeverity\nx\ty\n")
    assert csvtable.looks_like("sep=;\nTitle;Severity\nx;y\n")
    assert csvtable.looks_like('Title,"Severity\nlevel"\nx,y\n')  # a header cell on 2 lines


def test_map_columns_prefers_exact_headers() -> None:
    cols = csvtable.map_columns(["Issue Description", "Issue", "WCAG Success Criterion", "Key"])
    assert cols == {"description": 0, "title": 1, "wcag": 2, "id": 3}
