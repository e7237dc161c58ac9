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
* a table whose header names issue/title and WCAG or severity columns gives one finding per row.
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
    r"|checklist|expected outcome|statistics|breakdown|page-by-page|resolved|retest results"
    r"|what works|positive|passed|disclaimer|contact|revision history|tasks$|user testing"
    r"|technical auditing|overall findings|how to read|legend",
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
)
_NUMBERING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|[A-Z][.)])\s+")
_SEVERITY_SUFFIX = re.compile(
    r"\s*[(\[](critical|serious|high|medium|moderate|low|minor)[)\]]\s*$", re.IGNORECASE
)
_LABEL = re.compile(
    r"^\W{0,3}(?:\*\*|__)?\s*([A-Za-z][A-Za-z ()/'’&-]{0,40}?)\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?\s*(.*)$"
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


def _clean(text: str) -> str:
    text = re.sub(r"[*_`]{1,3}", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"^[^\w\[(<\"'#./]+", "", text)  # leading emoji / decoration
    return re.sub(r"\s+", " ", text).strip(" *:-–—")


def _sections(blocks: list[Block]) -> list[_Section]:
    """Split blocks into heading sections; priority-band headings set severity context."""
    sections: list[_Section] = [_Section("", 0, [], None)]
    stack: list[tuple[int, str]] = []
    bands: list[tuple[int, Severity]] = []
    for b in blocks:
        if b.kind == "heading" and _ID_HEADING.match(_clean(b.text)):
            sections[-1].blocks.append(Block("para", _clean(b.text)))
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


def _fields(blocks: list[Block]) -> tuple[dict[str, list[str]], list[str], list[Block]]:
    """Labelled fields, unlabelled text and the list items of a section."""
    fields: dict[str, list[str]] = {}
    body: list[str] = []
    items: list[Block] = []
    current: str | None = None
    for b in blocks:
        if b.kind == "table":
            continue
        if b.kind == "code":
            if current is not None and current != "recommendation":
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
    if m:
        own_id = own_id or m.group(1)
        title = m.group(2)
    title = _NUMBERING.sub("", title)
    sev_suffix = _SEVERITY_SUFFIX.search(title)
    title = _clean(_SEVERITY_SUFFIX.sub("", title)) or own_id or "Untitled finding"
    severity = Severity.UNKNOWN
    if fields.get("severity"):
        severity = normalize_severity(" ".join(fields["severity"][:1]))
    if severity is Severity.UNKNOWN and sev_suffix:
        severity = normalize_severity(sev_suffix.group(1))
    if severity is Severity.UNKNOWN and s.severity is not None:
        severity = s.severity
    description = _clean(" ".join(body + fields.get("description", []) + fields.get("other", [])))
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
    """Every finding in a human-written report, with the report's own IDs kept."""
    sections = _sections(blocks)
    findings: list[Finding] = []
    for s in sections:
        trail = [*s.path, (s.level, s.heading)]
        if any(_is_boilerplate(level, h) for level, h in trail if h):
            continue
        for b in s.blocks:
            if b.kind == "table" and _is_table_of_findings(b.rows):
                findings.extend(rows_to_findings(b.rows))
        if severity_in_heading(s.heading) is not None and not s.blocks:
            continue
        fields, body, items = _fields(s.blocks)
        under_findings = any(_FINDINGS_HEADING.search(h) for _, h in s.path if h)
        has_fields = bool(_FINDING_FIELDS & {k for k, v in fields.items() if v or k != "other"})
        if has_fields and s.heading:
            findings.append(_finding_from_section(s, fields, body))
        elif (
            s.children == 0
            and (under_findings or s.severity is not None or _FINDINGS_HEADING.search(s.heading))
            and (items or body)
        ):
            texts = [i.text for i in items if i.level == 0] if items else body
            if items or len(body) > 1 or not s.heading or _FINDINGS_HEADING.search(s.heading):
                findings.extend(_item_findings(s, texts))
            else:
                findings.append(_finding_from_section(s, fields, body))
    return _assign_ids(findings)


def _assign_ids(findings: list[Finding]) -> list[Finding]:
    ids = [f.id or stable_id(slugify(f.title, 24), f.title, f.description) for f in findings]
    return [f.model_copy(update={"id": i}) for f, i in zip(findings, unique_ids(ids), strict=True)]
