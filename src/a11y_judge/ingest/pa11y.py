"""pa11y JSON (an array of issues) and pa11y-ci JSON ({total, results: {url: …}}) → findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from a11y_judge.errors import IngestError
from a11y_judge.ingest._tools import axe_rule_map, axe_rule_wcag, dedupe, shorten, squash
from a11y_judge.ingest.ids import unique_ids
from a11y_judge.ingest.wcag import get, sc_from_htmlcs_code
from a11y_judge.models import Finding, Severity, WcagSource

_HINT = "Save the output of `pa11y --reporter json <url>`"
_CI_HINT = "Save the output of `pa11y-ci --reporter json` (or `--json`)"
_SEVERITY = {"error": Severity.SERIOUS, "warning": Severity.MODERATE, "notice": Severity.MINOR}
_TYPE_CODES = {1: "error", 2: "warning", 3: "notice"}
_SC_PART_RE = re.compile(r"^\d_\d{1,2}_\d{1,2}$")
_URL_IN_PARENS_RE = re.compile(r"\s*\(https?://[^)]*\)\s*$")
#: Short phrases for common HTML_CodeSniffer techniques (used in titles shown in tables).
_PHRASES = {
    "G18": "insufficient contrast",
    "G145": "insufficient contrast (large text)",
    "H37": "image without alt attribute",
    "H30": "linked image without alt text",
    "H36": "image button without alt text",
    "H67": "decorative image has a title",
    "F68": "form field without a label",
    "F77": "duplicate id values",
    "H57": "page language not set",
    "H32": "form without a submit button",
    "H42": "empty or misused heading",
    "H25": "page title missing",
    "H64": "iframe without a title",
    "H44": "label for a missing field",
    "H93": "several labels for one field",
    "H71": "fieldset without a legend",
    "G1,G123,G124": "skip link target missing",
    "H91.A.NoContent": "link without text",
    "H91.A.EmptyNoId": "empty anchor without name or id",
    "H91.A.Empty": "empty anchor",
    "H91.A.Placeholder": "link placeholder without text",
}
_TECHNIQUE_DIRS = {
    "ARIA": "aria",
    "SCR": "client-side-script",
    "SVR": "server-side-script",
    "PDF": "pdf",
    "SM": "smil",
    "H": "html",
    "G": "general",
    "F": "failures",
    "C": "css",
    "T": "text",
}


def _is_issue(obj: Any) -> bool:
    """A pa11y issue: code, type and message strings."""
    return (
        isinstance(obj, dict)
        and all(isinstance(obj.get(k), str) for k in ("code", "message"))
        and ("type" in obj or "typeCode" in obj)
    )


def looks_like(doc: Any) -> bool:
    """True for plain pa11y JSON: a non-empty array whose items are all pa11y issues."""
    return isinstance(doc, list) and bool(doc) and all(_is_issue(i) for i in doc)


def looks_like_ci(doc: Any) -> bool:
    """True for pa11y-ci JSON: {total, results: {url: [issues or errors]}}."""
    return (
        isinstance(doc, dict)
        and "total" in doc
        and isinstance(doc.get("results"), dict)
        and all(isinstance(v, list) for v in doc["results"].values())
    )


@dataclass
class _Group:
    """All occurrences of one (code, type)."""

    code: str
    kind: str
    first: dict[str, Any]
    count: int = 0
    pages: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)


def _kind(issue: dict[str, Any]) -> str:
    """'error', 'warning' or 'notice' (from type, else typeCode)."""
    kind = str(issue.get("type") or "").strip().lower()
    type_code = issue.get("typeCode")
    return kind or (_TYPE_CODES.get(type_code, "error") if isinstance(type_code, int) else "error")


def _code_tail(code: str) -> list[str]:
    """'WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail' → ['1_4_3', 'G18', 'Fail'] ([] if no SC)."""
    parts = code.split(".")
    for i, part in enumerate(parts):
        if _SC_PART_RE.match(part):
            return parts[i:]
    return []


def _wcag(code: str, runner: str) -> tuple[list[str], WcagSource]:
    """The SC from the HTMLCS code (stated), or from the axe rule map for the axe runner."""
    sc = sc_from_htmlcs_code(code)
    if sc:
        return [sc], "stated"
    if runner == "axe" or code in axe_rule_map():
        return axe_rule_wcag(code)
    return [], "none"


def _first_sentence(message: str) -> str:
    """The message's first sentence without a trailing '(https://…)' help link."""
    text = _URL_IN_PARENS_RE.sub("", squash(message))
    sentence = re.split(r"(?<=[a-z0-9\"')])\.\s", text, maxsplit=1)[0].rstrip(".")
    return shorten(sentence, 60)


def _phrase(code: str, message: str) -> tuple[str, str]:
    """(short problem phrase, technique label) for a title."""
    tail = _code_tail(code)
    if not tail:
        return _first_sentence(message), code
    technique = tail[1] if len(tail) > 1 else ""
    detail = tail[2:]
    if technique == "H91" and detail and detail[-1] == "Name":
        return f"{detail[0]} has no accessible name", technique
    phrase = _PHRASES.get(".".join(tail[1:])) or _PHRASES.get(technique)
    return phrase or _first_sentence(message), technique


def _title(group: _Group, wcag: list[str]) -> str:
    """'1.4.3 Contrast (Minimum): insufficient contrast (G18)'."""
    phrase, technique = _phrase(group.code, str(group.first.get("message") or ""))
    sc = get(wcag[0]) if wcag else None
    head = f"{sc.num} {sc.title}: {phrase}" if sc else phrase
    return f"{head} ({technique})" if technique else head


def _short_id(code: str, kind: str) -> str:
    """'pa11y-1_4_3-G18-Fail' (plus '-warning'/'-notice' for non-errors)."""
    tail = _code_tail(code)
    short = ".".join(tail) if tail else code
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", short).strip("-")[:50].rstrip("-") or "issue"
    return f"pa11y-{slug}" + ("" if kind == "error" else f"-{kind}")


def _technique_url(code: str) -> str:
    """The W3C page of the HTMLCS technique, or '' when the code names none."""
    tail = _code_tail(code)
    technique = tail[1].split(",")[0] if len(tail) > 1 else ""
    m = re.match(r"^([A-Z]+)\d+$", technique)
    folder = _TECHNIQUE_DIRS.get(m.group(1)) if m else None
    return f"https://www.w3.org/WAI/WCAG22/Techniques/{folder}/{technique}" if folder else ""


def _recommendation(group: _Group) -> str:
    """HTMLCS's own 'Recommendation:' text, plus the technique or help link."""
    message = squash(group.first.get("message"))
    parts = []
    if "Recommendation:" in message:
        advice = message.split("Recommendation:", 1)[1].strip()
        parts.append(f"First occurrence: {advice}" if group.count > 1 else advice)
    link = re.search(r"\((https?://[^)]+)\)\s*$", message)
    url = link.group(1) if link else _technique_url(group.code)
    if url:
        parts.append(f"See {url}")
    return "\n".join(parts)


def _finding(fid: str, group: _Group, multi_page: bool) -> Finding:
    """Build the finding for one group of identical issues."""
    runner = str(group.first.get("runner") or "")
    wcag, source = _wcag(group.code, runner)
    message = squash(group.first.get("message"))
    pages = len(dedupe(group.pages))
    note = f"{group.count} occurrence{'s' if group.count != 1 else ''}"
    if multi_page:
        note += f" across {pages} page{'s' if pages != 1 else ''}"
    context = shorten(squash(group.first.get("context")), 200)
    description = "\n\n".join(
        p for p in (message, f"{note}.", f"Example: {context}" if context else "") if p
    )
    return Finding(
        id=fid,
        wcag=wcag,
        wcag_source=source,
        severity=_SEVERITY.get(group.kind, Severity.UNKNOWN),
        title=_title(group, wcag),
        description=description,
        locations=dedupe(group.locations),
        snippets=dedupe(group.snippets)[:20],
        recommendation=_recommendation(group),
        needs_review=group.kind != "error",
        rule_id=group.code,
    )


def _group(
    pages: list[tuple[str, list[Any]]], filename: str, hint: str
) -> dict[tuple[str, str], _Group]:
    """Group issues by (code, type), keeping locations (url-prefixed when url is given)."""
    groups: dict[tuple[str, str], _Group] = {}
    for url, issues in pages:
        for issue in issues:
            if not _is_issue(issue):
                raise IngestError(
                    filename,
                    "an item is not a pa11y issue (needs code, type and message)",
                    hint=hint,
                )
            kind = _kind(issue)
            code = issue["code"].strip()
            group = groups.setdefault((code, kind), _Group(code=code, kind=kind, first=issue))
            group.count += 1
            group.pages.append(url)
            where = squash(issue.get("selector")) or shorten(squash(issue.get("context")), 120)
            group.locations.append(f"{url} — {where}" if url and where else where or url)
            group.snippets.append(squash(issue.get("context"))[:300])
    return groups


def _build(groups: dict[tuple[str, str], _Group], multi_page: bool) -> list[Finding]:
    """Findings with unique short ids, in first-seen order."""
    ordered = list(groups.values())
    ids = unique_ids([_short_id(g.code, g.kind) for g in ordered])
    return [_finding(fid, g, multi_page) for fid, g in zip(ids, ordered, strict=True)]


def parse(doc: Any, filename: str) -> list[Finding]:
    """Plain pa11y JSON: identical (code, type) issues merged into one finding."""
    if not isinstance(doc, list):
        raise IngestError(filename, "pa11y JSON must be an array of issues", hint=_HINT)
    return _build(_group([("", doc)], filename, _HINT), multi_page=False)


def parse_ci(doc: Any, filename: str) -> list[Finding]:
    """pa11y-ci JSON: issues of every URL merged by (code, type); failed URLs are skipped."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
        raise IngestError(
            filename, "pa11y-ci JSON needs a 'results' object keyed by URL", hint=_CI_HINT
        )
    pages: list[tuple[str, list[Any]]] = []
    failed: list[str] = []
    for url, entries in doc["results"].items():
        if not isinstance(entries, list):
            raise IngestError(filename, f"results for {url} are not a list", hint=_CI_HINT)
        issues = [e for e in entries if isinstance(e, dict) and "code" in e]
        if len(issues) < len(entries) and not issues:
            failed.append(str(url))
        pages.append((str(url), issues))
    if failed and len(failed) == len(pages):
        raise IngestError(
            filename,
            f"the pa11y-ci run failed to load all {len(failed)} page(s) (e.g. {failed[0]})",
            hint="Check the URLs and re-run pa11y-ci",
        )
    return _build(_group(pages, filename, _CI_HINT), multi_page=True)
