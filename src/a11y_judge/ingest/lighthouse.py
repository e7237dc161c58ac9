"""Lighthouse JSON reports → findings for the failing accessibility audits."""

from __future__ import annotations

from typing import Any

from a11y_judge.errors import IngestError
from a11y_judge.ingest._tools import (
    axe_rule_wcag,
    criteria_from_tags,
    dedupe,
    first_md_link,
    md_links_to_text,
    shorten,
    squash,
)
from a11y_judge.ingest.severity import normalize_severity
from a11y_judge.models import Finding

_HINT = "Export the report with `lighthouse <url> --output json` (accessibility category included)"
_SCORED_MODES = {"binary", "numeric"}


def looks_like(doc: Any) -> bool:
    """True for a Lighthouse result: lighthouseVersion plus an audits mapping."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("lighthouseVersion"), str)
        and isinstance(doc.get("audits"), dict)
    )


def _failing(audit: Any) -> bool:
    """A scored audit (binary or numeric) whose score is below 1."""
    mode = audit.get("scoreDisplayMode") if isinstance(audit, dict) else None
    if not isinstance(mode, str) or mode not in _SCORED_MODES:
        return False
    score = audit.get("score")
    return isinstance(score, int | float) and not isinstance(score, bool) and score < 1


def _dict(value: Any) -> dict[str, Any]:
    """The value if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """The value if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def _nodes(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The node objects of a table's items (items can be nodes themselves)."""
    nodes = []
    for item in _list(details.get("items")):
        node = _dict(item.get("node")) or _dict(item) if isinstance(item, dict) else {}
        if node.get("type") == "node" or "selector" in node:
            nodes.append(node)
    return nodes


def _location(node: dict[str, Any]) -> str:
    """'selector — <snippet>' (either part may be missing)."""
    selector = squash(node.get("selector"))
    snippet = shorten(squash(node.get("snippet")), 100)
    return " — ".join(p for p in (selector, snippet) if p)


def _finding(audit_id: str, audit: dict[str, Any]) -> Finding:
    """Build the finding for one failing audit."""
    details = _dict(audit.get("details"))
    debug = _dict(details.get("debugData"))
    stated = criteria_from_tags(debug.get("tags"))
    wcag, source = (stated, "stated") if stated else axe_rule_wcag(audit_id)
    nodes = _nodes(details)
    raw_description = str(audit.get("description") or "")
    explanation = str(nodes[0].get("explanation") or "").strip() if nodes else ""
    link = first_md_link(raw_description)
    recommendation = "\n".join(p for p in (explanation, f"See {link}" if link else "") if p)
    return Finding(
        id=f"lh-{audit_id}",
        wcag=wcag,
        wcag_source=source,
        severity=normalize_severity(debug.get("impact")),
        title=squash(audit.get("title")) or audit_id,
        description=md_links_to_text(raw_description).strip(),
        locations=dedupe(_location(n) for n in nodes),
        snippets=dedupe(squash(n.get("snippet"))[:300] for n in nodes)[:20],
        recommendation=recommendation,
        rule_id=audit_id,
    )


def parse(doc: Any, filename: str) -> list[Finding]:
    """One finding per accessibility audit with a score below 1 (manual/N/A audits skipped)."""
    if not looks_like(doc):
        raise IngestError(
            filename, "not a Lighthouse report (no lighthouseVersion/audits)", hint=_HINT
        )
    categories = doc.get("categories")
    category = categories.get("accessibility") if isinstance(categories, dict) else None
    refs = category.get("auditRefs") if isinstance(category, dict) else None
    if not isinstance(refs, list):
        raise IngestError(
            filename, "the Lighthouse report has no accessibility category", hint=_HINT
        )
    audits = doc["audits"]
    ids = dedupe(str(r.get("id") or "") for r in refs if isinstance(r, dict))
    return [_finding(i, audits[i]) for i in ids if _failing(audits.get(i))]
