"""A findings table exported as CSV (comma, semicolon or tab separated) → findings."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from a11y_judge.errors import IngestError
from a11y_judge.ingest._tools import dedupe, shorten, squash
from a11y_judge.ingest.ids import unique_ids
from a11y_judge.ingest.severity import normalize_severity
from a11y_judge.ingest.wcag import find_criteria, find_numbers
from a11y_judge.lexicon import infer_sc
from a11y_judge.models import Finding, WcagSource

#: Field → header names that mean it (compared case-insensitively).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "issue id", "ref", "reference", "#", "key", "finding id", "no", "no."),
    "wcag": (
        "wcag",
        "sc",
        "success criterion",
        "success criteria",
        "wcag sc",
        "guideline",
        "criteria",
        "criterion",
        "wcag criterion",
        "wcag reference",
    ),
    "severity": ("severity", "impact", "priority", "level of impact"),
    "title": (
        "title",
        "issue",
        "summary",
        "finding",
        "name",
        "problem",
        "issue title",
        "barrier",
        "defect",
    ),
    "description": ("description", "details", "detail", "observation", "issue description"),
    "location": (
        "location",
        "locations",
        "url",
        "page",
        "pages",
        "selector",
        "element",
        "component",
        "where",
        "affected pages",
        "pages affected",
        "screen",
    ),
    "recommendation": (
        "recommendation",
        "fix",
        "solution",
        "remediation",
        "suggested fix",
        "how to fix",
    ),
    "status": ("status", "type", "result"),
}
_REVIEW_WORDS = (
    "needs review",
    "need review",
    "review",
    "manual",
    "warning",
    "incomplete",
    "potential",
    "to check",
    "cannot tell",
    "can't tell",
)
#: A status that says the row is no longer an open problem ('Resolved', 'Fixed – retested 3 May').
_SKIP_STATUS = re.compile(
    r"^(?:pass(?:ed|es)?|resolved|fixed|closed|done|ok|complete[d]?|remediated|"
    r"not applicable|n/?a|no longer (?:an issue|reproducible|applies))\b"
)
#: Cells that hold no ID ('—' in an ID column means the issue has none).
_NO_ID = re.compile(r"^(?:[-–—_?]+|n/?a|none|tbc|tbd)?$", re.IGNORECASE)
_DELIMITERS = (",", ";", "\t")
_HINT = (
    "Give the table a header row with at least a Title (or Issue/Summary) or Description "
    "column; optional: ID, WCAG, Severity, Location, Recommendation, Status"
)


def _norm(header: str) -> str:
    """'  Issue  Title: ' → 'issue title'."""
    return re.sub(r"\s+", " ", header.replace("\ufeff", "")).strip().strip(":").strip().lower()


def _field_of(header: str) -> tuple[str, bool] | None:
    """(field, exact?) for a header, matching synonyms exactly first, then as whole words."""
    name = _norm(header)
    if not name:
        return None
    for fld, names in SYNONYMS.items():
        if name in names:
            return fld, True
    best: tuple[int, str] | None = None
    for fld, names in SYNONYMS.items():
        for syn in names:
            if len(syn) < 3 or fld == "id":
                continue  # short/id synonyms ('sc', 'key') only count as the whole header
            if re.search(rf"(?<![a-z]){re.escape(syn)}s?(?![a-z])", name) and (
                best is None or len(syn) > best[0]
            ):
                best = (len(syn), fld)
    return (best[1], False) if best else None


def map_columns(headers: list[str]) -> dict[str, int]:
    """Field → column index; exact header matches win over partial ones, then leftmost."""
    found: dict[str, tuple[bool, int]] = {}
    for idx, header in enumerate(headers):
        hit = _field_of(header)
        if hit is None:
            continue
        fld, exact = hit
        if fld not in found or (exact and not found[fld][0]):
            found[fld] = (exact, idx)
    return {fld: idx for fld, (_exact, idx) in found.items()}


def _delimiter(text: str) -> str:
    """The candidate delimiter that splits the header line into the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier (comma)


def _rows(text: str) -> list[list[str]]:
    """Non-blank rows of the CSV text (BOM removed, delimiter sniffed or given by 'sep=')."""
    text = text.lstrip("\ufeff")
    m = re.match(r"sep=([^\"\r\n])\r?\n", text)  # Excel's delimiter line
    delimiter = m.group(1) if m else _delimiter(text)
    reader = csv.reader(io.StringIO(text[m.end() :] if m else text), delimiter=delimiter)
    return [row for row in reader if any(cell.strip() for cell in row)]


def _plain_header_is_not_a_table(text: str) -> bool:
    """True when the first line, parsed alone, is not a header of ≥2 recognised columns. Only
    for a first line without quotes or an Excel 'sep=' line, where it is the CSV's first row."""
    first = next((ln for ln in text.lstrip("\ufeff").split("\n", 50) if ln.strip()), "")
    first = first.removesuffix("\r")
    if not first or '"' in first or "\r" in first or "\n" in first or first.startswith("sep="):
        return False
    header = next(csv.reader([first], delimiter=_delimiter(first)), [])
    return len(header) < 2 or len(map_columns(header)) < 2


def looks_like(text: str) -> bool:
    """True for a header row with ≥2 recognised columns and rows of the header's width."""
    if not isinstance(text, str) or text.lstrip("\ufeff \n\r\t")[:1] in ("{", "[", "<", "|"):
        return False
    if _plain_header_is_not_a_table(text):
        return False  # decided on the first line alone (a plan's title, a paragraph)
    try:
        rows = _rows(text[:20000])
    except csv.Error:
        return False
    if not rows or len(rows[0]) < 2 or len(map_columns(rows[0])) < 2:
        return False
    width = len(rows[0])
    body = rows[1:-1] if len(text) > 20000 else rows[1:]  # the last row may be cut off
    return all(len(r) == width for r in body[:50])


def _cell(row: list[str], cols: dict[str, int], fld: str) -> str:
    """The stripped cell for a field ('' when the column is absent or the row is short)."""
    idx = cols.get(fld)
    return row[idx].strip() if idx is not None and idx < len(row) else ""


def _review_or_skip(status: str) -> bool | None:
    """True = needs review, False = failure, None = skip the row (passed/resolved)."""
    value = squash(status).lower()
    if _SKIP_STATUS.match(value):
        return None
    return any(w in value for w in _REVIEW_WORDS)


def _wcag(
    row: list[str], cols: dict[str, int], title: str, desc: str
) -> tuple[list[str], WcagSource]:
    """SCs from the WCAG column (stated), else numbers written in the title/description."""
    stated = find_criteria(_cell(row, cols, "wcag"))
    if stated:
        return stated, "stated"
    inferred = find_numbers(f"{title}\n{desc}") or infer_sc(f"{title}\n{desc}")
    return (inferred, "inferred") if inferred else ([], "none")


def _locations(cell: str) -> list[str]:
    """A location cell split on ';' and newlines."""
    return dedupe(squash(p) for p in re.split(r"[;\n\r]+", cell))


def _finding(row: list[str], cols: dict[str, int], number: int | None) -> Finding | None:
    """The finding for one data row, or None to skip it (passed, resolved or empty).

    A row without an ID of its own gets 'row-N', or '' when number is None (the caller names it).
    """
    review = _review_or_skip(_cell(row, cols, "status"))
    title, desc = _cell(row, cols, "title"), _cell(row, cols, "description")
    if review is None or not (title or desc):
        return None
    raw_id = "" if _NO_ID.match(_cell(row, cols, "id")) else _cell(row, cols, "id")
    wcag, source = _wcag(row, cols, title, desc)
    return Finding(
        id=re.sub(r"\s+", "-", raw_id) if raw_id else (f"row-{number}" if number else ""),
        wcag=wcag,
        wcag_source=source,
        severity=normalize_severity(_cell(row, cols, "severity")),
        title=squash(title) or shorten(squash(desc), 80),
        description=desc,
        locations=_locations(_cell(row, cols, "location")),
        recommendation=_cell(row, cols, "recommendation"),
        needs_review=review,
    )


def parse(doc: Any, filename: str) -> list[Finding]:
    """One finding per data row (passed/resolved rows skipped); columns found by header name."""
    if not isinstance(doc, str):
        raise IngestError(filename, "expected CSV text", hint=_HINT)
    try:
        rows = _rows(doc)
    except csv.Error as exc:
        raise IngestError(
            filename, f"the CSV could not be read ({' '.join(str(exc).split())})", hint=_HINT
        ) from exc
    if not rows:
        raise IngestError(filename, "the CSV file is empty", hint=_HINT)
    cols = map_columns(rows[0])
    if "title" not in cols and "description" not in cols:
        seen = ", ".join(repr(h.strip()) for h in rows[0] if h.strip()) or "none"
        raise IngestError(filename, f"no title or description column (headers: {seen})", hint=_HINT)
    return rows_to_findings(rows)


def rows_to_findings(rows: list[list[str]], row_ids: bool = True) -> list[Finding]:
    """Findings from table rows whose first row is the header (CSV files, report tables).

    Rows without an ID are 'row-N' (row_ids) or keep an empty id for the caller to name.
    """
    cols = map_columns(rows[0])
    built = [
        f
        for n, row in enumerate(rows[1:], start=1)
        if (f := _finding(row, cols, n if row_ids else None))
    ]
    if not row_ids:
        return built
    ids = unique_ids([f.id for f in built])
    return [f.model_copy(update={"id": i}) for f, i in zip(built, ids, strict=True)]
