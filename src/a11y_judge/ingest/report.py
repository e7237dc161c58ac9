"""Findings from human-written reports (Markdown, text, HTML, DOCX, PDF) given as blocks.

A report is read the way a reviewer reads it:

* boilerplate sections (contents, executive summary, scope, methodology, appendices, general
  recommendations, verification checklists) are not findings;
* a heading that only names a priority band ('*** High priority ***', 'Critical issues') sets the
  severity of the sections that follow it;
* a section with finding fields ('WCAG Reference:', 'Severity:', 'Issue ID:', 'Solution:' …) is
  one finding; its own ID is kept;
* a section under a 'Findings' heading with a plain list (or plain lines) gives one finding per
  item that describes a problem;
* a table whose header names issue/title and WCAG or severity columns gives one finding per row;
  rows whose status says resolved or fixed (retest tables) are not open findings;
* sub-headings inside a finding's section ('Description', 'User impact', 'Steps to reproduce',
  'Current code', 'Recommendation' …) are parts of that finding, never findings of their own;
* one issue listed twice — a summary-table row and its detailed section (same ID, or the same
  title when there is none) — is one finding (see `merge_entries`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from a11y_judge.ingest import wcag
from a11y_judge.ingest.blocks import Block
from a11y_judge.ingest.csvtable import map_columns, rows_to_findings
from a11y_judge.ingest.ids import slugify, stable_id, unique_ids
from a11y_judge.ingest.severity import normalize_severity, severity_in_heading
from a11y_judge.lexicon import infer_sc
from a11y_judge.models import Finding, Severity

_BOILERPLATE = re.compile(
    r"^(?:table of )?contents$|document control|executive summary|^summary$|audit summary"
    r"|summary (?:graphs|statistics|report)|^overview$|background|^scope|methodolog|^method"
    r"|introduction|^about\b|appendix|references?$|resources$|glossary|classification"
    r"|the process|^criteria$|testing procedure|tested environments|environment|browser matrix"
    r"|assistive technolog|end of report|conclusion|recommend|next steps|verification"
    r"|checklist|expected outcome|statistics|breakdown|page-by-page"
    r"|what works|positive|passed|disclaimer|contact|revision history|tasks$|user testing"
    r"|technical auditing|overall findings|how to read|legend",
    re.IGNORECASE,
)
#: Sections about an earlier round: only their tables' open rows can be findings.
_RETEST = re.compile(
    r"previous(?:ly)? (?:reported|audit|round|issues)|\bretest|\bre-test|resolved|fixed issues|"
    r"from the (?:previous|last|first|earlier) (?:audit|round|report)|earlier audit",
    re.IGNORECASE,
)
_DOC_TITLE_BOILERPLATE = re.compile(r"appendix|end of report|^(?:table of )?contents$", re.I)


def _is_boilerplate(level: int, heading: str) -> bool:
    """Level-1 headings are usually the document's title: only a few of them are boilerplate."""
    if level <= 1:
        return bool(_DOC_TITLE_BOILERPLATE.search(heading))
    return bool(_BOILERPLATE.search(heading))


_FINDINGS_HEADING = re.compile(
    r"finding|issue|violation|barrier|problem|defect|audit result|results|observations|failure",
    re.IGNORECASE,
)
_ID_HEADING = re.compile(
    r"^(?:issue\s*id|finding\s*id|issue|id|ref(?:erence)?)\s*[:#]\s*(\S+)$", re.IGNORECASE
)
_ID_PREFIX = re.compile(
    r"^\[?([A-Z][A-Z0-9]{0,11}[-_][A-Za-z0-9][A-Za-z0-9_.-]*)\]?\s*(?:[:—–|]|-\s)\s*(.+)$"
    r"|^\[?([A-Z][A-Z0-9]{0,11}[-_][A-Za-z]{0,4}\d[A-Za-z0-9_.-]*)\]?\s+([A-Z\"'“].+)$"
)
_NUMBERING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|[A-Z][.)])\s+")
_SEVERITY_SUFFIX = re.compile(
    r"(?<!\s)\s*[(\[](critical|serious|high|medium|moderate|low|minor)[)\]]\s*$", re.IGNORECASE
)
_LABEL = re.compile(
    r"^\W{0,3}(?:\*\*|__)?\s*([A-Za-z][A-Za-z ()/'’&-]{0,40}?)\s*(?:(?:\*\*|__)\s*)?:"
    r"\s*(?:\*\*|__)?\s*(.*)$"
)

#: Sub-headings that are parts of a finding's section, not findings ('#### Steps to reproduce').
_PART_HEADING = re.compile(
    r"^(?:issue )?(?:description|details|summary|user impact|impact|who is affected|"
    r"affected users|steps(?: to reproduce)?|reproduction steps|how to reproduce|"
    r"(?:current|existing|sample|example|failing) (?:code|markup)|code(?: sample| example)?|"
    r"example|current behaviou?r|expected behaviou?r|actual behaviou?r|expected result|"
    r"actual result|recommendations?|recommended (?:fix|solution)|solution|suggested fix|"
    r"how to fix|fix|remediation|severity|priority|wcag(?: references?)?|"
    r"success criteri(?:on|a)|location|locations|affected pages|pages affected|elements?|"
    r"evidence|screenshots?|notes?|screen reader comments|comments|why it matters|"
    r"technical details|testing|how to test|test steps|status|resources)$",
    re.IGNORECASE,
)

_FIELD_OF_LABEL: dict[str, str] = {}
for _field, _labels in {
    "id": ("issue id", "finding id", "id", "issue ref", "ref", "reference id", "issue number"),
    "wcag": (
        "wcag",
        "wcag reference",
        "wcag references",
        "wcag reference(s)",
        "wcag sc",
        "success criterion",
        "success criteria",
        "wcag criterion",
        "wcag criteria",
        "sc",
        "guideline",
        "wcag 2.1",
        "wcag 2.2",
        "criteria",
    ),
    "severity": ("severity", "impact", "priority", "risk", "level of impact", "user impact"),
    "location": (
        "url",
        "urls",
        "location",
        "locations",
        "page",
        "pages",
        "pages affected",
        "affected pages",
        "selector",
        "element",
        "elements",
        "component",
        "where",
        "instances",
        "screen",
    ),
    "recommendation": (
        "solution",
        "recommendation",
        "recommendations",
        "how to fix",
        "fix",
        "remediation",
        "suggested fix",
        "suggested solution",
        "resolution",
        "should be",
        "action",
        "recommended fix",
    ),
    "description": (
        "issue",
        "description",
        "problem",
        "details",
        "observation",
        "observed",
        "what we found",
        "finding",
        "summary",
        "why it matters",
        "user impact description",
        "screen reader comments",
        "comments",
        "general conclusion",
        "new issues",
        "current behaviour",
        "current behavior",
        "expected behaviour",
        "expected behavior",
        "actual behaviour",
        "actual behavior",
        "steps to reproduce",
        "steps",
        "how to reproduce",
        "who is affected",
        "affected users",
    ),
    "code": (
        "current code",
        "existing code",
        "code",
        "code today",
        "code sample",
        "failing code",
        "markup",
    ),
    "status": ("status", "type", "result"),
}.items():
    for _label in _labels:
        _FIELD_OF_LABEL[_label] = _field

_PROBLEM = re.compile(
    r"\b(?:not|no|none|never|cannot|can't|can not|doesn't|does not|don't|isn't|aren't|won't|"
    r"unable|missing|lack|lacks|lacking|without|fail|fails|failed|failure|break|breaks|broken|"
    r"lost|hidden|chopped|unclear|confusing|inaccessible|unusable|poor|insufficient|"
    r"difficult|hard to|problem|issue|barrier|trap|traps|pixelates|overlap|overlaps|"
    r"too (?:small|large|much|many)|only|unknown|incorrect|wrong|improper|inconsistent|skip|"
    r"skips|need|needs|should)\b",
    re.IGNORECASE,
)


@dataclass
class _Section:
    heading: str
    level: int
    path: list[tuple[int, str]]
    severity: Severity | None
    blocks: list[Block] = field(default_factory=list)
    children: int = 0


_EMPHASIS = re.compile(r"[*_`]{1,3}")
_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]+\)")
_DECORATION = re.compile(r"^[^\w\[(<\"'#./]+")  # leading emoji / decoration
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    text = _EMPHASIS.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    return _SPACES.sub(" ", _DECORATION.sub("", text)).strip(" *:-–—")


def _sections(blocks: list[Block]) -> list[_Section]:
    """Split blocks into heading sections; priority-band headings set severity context."""
    sections: list[_Section] = [_Section("", 0, [], None)]
    stack: list[tuple[int, str]] = []
    bands: list[tuple[int, Severity]] = []
    for b in blocks:
        if b.kind == "heading" and _ID_HEADING.match(_clean(b.text)):
            sections[-1].blocks.append(Block("para", _clean(b.text)))
            continue
        current = sections[-1]
        if (
            b.kind == "heading"
            and current.heading
            and b.level > current.level
            and _PART_HEADING.match(_clean(b.text))
        ):
            current.blocks.append(Block("para", f"{_clean(b.text)}:"))  # a field of the finding
            continue
        if b.kind != "heading":
            sections[-1].blocks.append(b)
            continue
        title = _clean(b.text)
        while stack and stack[-1][0] >= b.level:
            stack.pop()
        # A band applies to later siblings and their subsections, until a heading above it.
        bands = [(lvl, sev) for lvl, sev in bands if lvl <= b.level]
        band = severity_in_heading(title)
        if band is not None:
            bands = [(lvl, sev) for lvl, sev in bands if lvl < b.level] + [(b.level, band)]
        for s in reversed(sections):
            if s.level < b.level and s.heading:
                s.children += 1
                break
        sections.append(_Section(title, b.level, list(stack), bands[-1][1] if bands else None))
        stack.append((b.level, title))
    return sections


_FIELD_SEPARATOR = re.compile(
    r"(?<!\s)\s+[·|•]\s+(?=(?:\*\*|__)?[A-Z][A-Za-z ()/]{0,30}(?:\*\*|__)?:)"
)


def _split_field_lines(blocks: list[Block]) -> list[Block]:
    """'**Priority:** High · **SC:** 2.1.1 · **Where:** Step 2' is three labelled fields."""
    out: list[Block] = []
    for b in blocks:
        if b.kind in ("para", "item") and _FIELD_SEPARATOR.search(b.text):
            out.extend(Block(b.kind, part, b.level) for part in _FIELD_SEPARATOR.split(b.text))
        else:
            out.append(b)
    return out


def _fields(blocks: list[Block]) -> tuple[dict[str, list[str]], list[str], list[Block]]:
    """Labelled fields, unlabelled text and the list items of a section."""
    fields: dict[str, list[str]] = {}
    body: list[str] = []
    items: list[Block] = []
    current: str | None = None
    for b in _split_field_lines(blocks):
        if b.kind == "table":
            continue
        if b.kind == "code":
            if current != "recommendation":  # the finding's own markup, not the fix
                fields.setdefault("code", []).append(b.text)
            continue
        text = b.text.strip()
        m = _LABEL.match(text)
        label = m.group(1).strip().lower() if m else ""
        if m and (label in _FIELD_OF_LABEL or (len(label.split()) <= 4 and not m.group(2))):
            current = _FIELD_OF_LABEL.get(label, "other")
            if m.group(2).strip():
                fields.setdefault(current, []).append(m.group(2).strip())
                if current in _ONE_LINE_FIELDS:
                    current = None  # '**Severity:** High' is complete; prose after it is body
            else:
                fields.setdefault(current, [])
            continue
        if current is not None:
            fields.setdefault(current, []).append(text)
        else:
            body.append(text)
            if b.kind == "item":
                items.append(b)
    return fields, body, items


_FINDING_FIELDS = {"wcag", "severity", "id", "recommendation"}
_ONE_LINE_FIELDS = {"id", "wcag", "severity", "status"}


def _finding_from_section(s: _Section, fields: dict[str, list[str]], body: list[str]) -> Finding:
    title = s.heading
    if severity_in_heading(title) is not None:  # 'Issue ID:' right under '*** High priority ***'
        title = body[0] if body else ""
    own_id = None
    if fields.get("id"):
        own_id = fields["id"][0].split()[0].strip(".,;")
    m = _ID_PREFIX.match(title)
    if m:  # 'GR-01: Title', 'GR-01 — Title', 'GR-01 Title' or 'A11Y-1. Title'
        own_id = own_id or (m.group(1) or m.group(3)).rstrip(".")
        title = m.group(2) or m.group(4)
    title = _NUMBERING.sub("", title)
    sev_suffix = _SEVERITY_SUFFIX.search(title)
    title = _clean(_SEVERITY_SUFFIX.sub("", title)) or own_id or "Untitled finding"
    severity = Severity.UNKNOWN
    severity_prose: list[str] = []  # '#### User impact' followed by sentences, not a rating
    for value in fields.get("severity", []):
        rated = normalize_severity(value) if len(value.split()) <= 4 else Severity.UNKNOWN
        if rated is Severity.UNKNOWN:
            severity_prose.append(value)
        elif severity is Severity.UNKNOWN:
            severity = rated
    if severity is Severity.UNKNOWN and sev_suffix:
        severity = normalize_severity(sev_suffix.group(1))
    if severity is Severity.UNKNOWN and s.severity is not None:
        severity = s.severity
    description = _clean(
        " ".join(body + fields.get("description", []) + severity_prose + fields.get("other", []))
    )
    recommendation = _clean(" ".join(fields.get("recommendation", [])))
    wcag_text = " ".join(fields.get("wcag", []))
    stated = wcag.find_criteria(wcag_text) if wcag_text else []
    if not stated:
        stated = wcag.find_criteria(" ".join([s.heading, *body, *fields.get("description", [])]))
    locations = [_clean(x) for x in fields.get("location", []) if _clean(x)]
    status = " ".join(fields.get("status", [])).lower()
    finding = Finding(
        id=own_id or "",
        title=title[:200],
        severity=severity,
        description=description[:2000],
        recommendation=recommendation[:2000],
        locations=locations[:50],
        snippets=[c.strip()[:400] for c in fields.get("code", []) if c.strip()][:10],
        needs_review=any(w in status for w in ("review", "manual", "verify", "potential")),
    )
    return _with_sc(finding, stated)


def _with_sc(finding: Finding, stated: list[str]) -> Finding:
    if stated:
        return finding.model_copy(update={"wcag": stated, "wcag_source": "stated"})
    inferred = infer_sc(f"{finding.title} {finding.description}")
    if inferred:
        return finding.model_copy(update={"wcag": inferred, "wcag_source": "inferred"})
    return finding


def _item_findings(s: _Section, texts: list[str]) -> list[Finding]:
    out = []
    context = s.heading if s.heading and not _FINDINGS_HEADING.search(s.heading) else ""
    for text in texts:
        clean = _clean(text)
        if len(clean) < 12 or not _PROBLEM.search(clean):
            continue
        title = clean if len(clean) <= 120 else clean[:117].rsplit(" ", 1)[0] + "…"
        finding = Finding(
            id="",
            title=title,
            description=clean if len(clean) > 120 or context == "" else f"{context}: {clean}",
            severity=s.severity or Severity.UNKNOWN,
        )
        out.append(_with_sc(finding, wcag.find_criteria(clean)))
    return out


def _is_table_of_findings(rows: list[list[str]]) -> bool:
    if len(rows) < 2:
        return False
    mapping = map_columns(rows[0])
    return ("title" in mapping or "description" in mapping) and (
        "wcag" in mapping or "severity" in mapping
    )


def findings_from_blocks(blocks: list[Block], filename: str) -> list[Finding]:
    """Every finding in a human-written report, once each, with the report's own IDs kept."""
    sections = _sections(blocks)
    entries: list[tuple[Finding, str]] = []  # (finding, where it came from: table/section/item)
    for s in sections:
        # Level-1 headings are usually the document's title lines, but numbered ones are its
        # main sections ('1. Executive summary', '5. Retest of previous issues').
        trail = [
            (2 if level == 1 and _NUMBERING.match(h) else level, h)
            for level, h in [*s.path, (s.level, s.heading)]
        ]
        if any(_is_boilerplate(level, h) for level, h in trail if h):
            continue
        for b in s.blocks:
            if b.kind == "table" and _is_table_of_findings(b.rows):
                entries.extend((f, "table") for f in rows_to_findings(b.rows, row_ids=False))
        if any(_RETEST.search(h) for level, h in trail if h and level > 1):
            continue  # 'The three issues above no longer occur' is not a finding
        if severity_in_heading(s.heading) is not None and not s.blocks:
            continue
        fields, body, items = _fields(s.blocks)
        under_findings = any(_FINDINGS_HEADING.search(h) for _, h in s.path if h)
        has_fields = bool(_FINDING_FIELDS & {k for k, v in fields.items() if v or k != "other"})
        if has_fields and s.heading:
            entries.append((_finding_from_section(s, fields, body), "section"))
        elif (
            s.children == 0
            and (under_findings or s.severity is not None or _FINDINGS_HEADING.search(s.heading))
            and (items or body)
        ):
            texts = [i.text for i in items if i.level == 0] if items else body
            if items or len(body) > 1 or not s.heading or _FINDINGS_HEADING.search(s.heading):
                entries.extend((f, "item") for f in _item_findings(s, texts))
            else:
                entries.append((_finding_from_section(s, fields, body), "section"))
    return _assign_ids(merge_entries(entries))


def _title_key(title: str) -> str:
    """'LO-01: Renew button is not keyboard-operable.' → 'renew button is not keyboard operable'."""
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


def merge_entries(entries: list[tuple[Finding, str]]) -> list[Finding]:
    """One finding per issue: entries with the same own ID, or a table row and a section with
    the same title when one of them has no ID, are merged (first position kept)."""
    merged: list[tuple[Finding, set[str]]] = []
    by_id: dict[str, int] = {}
    by_title: dict[str, list[int]] = {}
    for finding, origin in entries:
        fid = finding.id.lower()
        hit = by_id.get(fid) if fid else None
        if hit is None:
            for i in by_title.get(_title_key(finding.title), []):
                other, origins = merged[i]
                if origin not in origins and not (fid and other.id):
                    hit = i
                    break
        if hit is None:
            merged.append((finding, {origin}))
            hit = len(merged) - 1
        else:
            other, origins = merged[hit]
            merged[hit] = (_combine(other, origins, finding, origin), origins | {origin})
        if merged[hit][0].id:
            by_id[merged[hit][0].id.lower()] = hit
        by_title.setdefault(_title_key(finding.title), []).append(hit)
    return [f for f, _ in merged]


def _combine(first: Finding, first_origins: set[str], second: Finding, origin: str) -> Finding:
    """Two entries of one issue as one finding.

    The summary table gives severity and locations (it is the auditor's rating of the issue
    among all the others, the order a plan is judged against); the detailed section gives the
    title, description, markup and recommendation. When the two disagree on severity, the table
    wins and the description says so.
    """
    table, detail = (first, second) if "table" in first_origins else (second, first)
    if origin == "table" and "table" in first_origins:
        table, detail = first, second  # two tables (summary + retest): the first one rules
    severity = table.severity if table.severity is not Severity.UNKNOWN else detail.severity
    notes = []
    if Severity.UNKNOWN not in (table.severity, detail.severity) and (
        table.severity is not detail.severity
    ):
        notes.append(
            f"Severity: the summary table rates it {table.severity.value}, the detailed section "
            f"{detail.severity.value}; the table's rating is used."
        )
    stated = [f for f in (table, detail) if f.wcag_source == "stated"]
    wcag_from = stated or [f for f in (table, detail) if f.wcag]
    description = " ".join(_distinct(detail.description, table.description, *notes))
    return detail.model_copy(
        update={
            "id": first.id or second.id,
            "title": detail.title if len(detail.title) >= len(table.title) else table.title,
            "severity": severity,
            "wcag": sorted({sc for f in wcag_from for sc in f.wcag}, key=wcag.sort_key),
            "wcag_source": wcag_from[0].wcag_source if wcag_from else "none",
            "description": description[:2000],
            "locations": _distinct(*table.locations, *detail.locations)[:50],
            "snippets": _distinct(*detail.snippets, *table.snippets)[:10],
            "recommendation": detail.recommendation or table.recommendation,
            "needs_review": table.needs_review and detail.needs_review,
        }
    )


def _distinct(*texts: str) -> list[str]:
    """Non-empty texts without repeats, in order."""
    return list(dict.fromkeys(t for t in texts if t))


def _assign_ids(findings: list[Finding]) -> list[Finding]:
    ids = [f.id or stable_id(slugify(f.title, 24), f.title, f.description) for f in findings]
    return [f.model_copy(update={"id": i}) for f, i in zip(findings, unique_ids(ids), strict=True)]
