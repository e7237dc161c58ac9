"""axe-core JSON results (3.x and 4.x, one result or an array of them) → findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from a11y_judge.errors import IngestError
from a11y_judge.ingest._tools import axe_rule_wcag, dedupe, squash, worst_severity
from a11y_judge.ingest.severity import normalize_severity
from a11y_judge.models import Finding, Severity

_HINT = "Save the object returned by axe.run() (or an array of them) with JSON.stringify"
_CATEGORIES = (("violations", False), ("incomplete", True))
_RESULT_KEYS = ("passes", "incomplete", "inapplicable", "testEngine", "testRunner")


def _list(value: Any) -> list[Any]:
    """The value if it is a list, else an empty one (a damaged report's null, number, text)."""
    return value if isinstance(value, list) else []


def _is_result(obj: Any) -> bool:
    """An axe result object: a violations list plus one of axe's other top-level keys."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("violations"), list)
        and any(k in obj for k in _RESULT_KEYS)
    )


def looks_like(doc: Any) -> bool:
    """True for an axe result, an array of results, or {"results": <axe result>}."""
    if isinstance(doc, list):
        return bool(doc) and all(_is_result(r) for r in doc)
    if isinstance(doc, dict) and _is_result(doc.get("results")):
        return True
    return _is_result(doc)


def _results(doc: Any, filename: str) -> list[dict[str, Any]]:
    """The list of result objects in the document, validated."""
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict) and "violations" not in doc:
        doc = doc["results"]
    results = doc if isinstance(doc, list) else [doc]
    if not results:
        raise IngestError(filename, "the axe results array is empty", hint=_HINT)
    for i, res in enumerate(results):
        if not isinstance(res, dict) or not isinstance(res.get("violations"), list):
            where = f"item {i + 1} of the array" if isinstance(doc, list) else "the document"
            raise IngestError(
                filename, f"{where} is not an axe result (no 'violations' list)", hint=_HINT
            )
        if res.get("errored") is True and not res["violations"] and not res.get("incomplete"):
            msg = squash(res.get("errorMessage")) or "no message"
            raise IngestError(
                filename, f"the axe run reported an error ({msg})", hint="Re-run axe on the page"
            )
    return results


def _target(node: dict[str, Any]) -> str:
    """A node's selector; iframe / shadow-DOM paths (nested lists) are joined with ' >>> '."""
    target = node.get("target")
    if isinstance(target, str):
        return target
    if not isinstance(target, list):
        return squash(node.get("html"))[:120]
    parts = [" >>> ".join(map(str, p)) if isinstance(p, list) else str(p) for p in target]
    return " >>> ".join(parts)


def _summary(node: dict[str, Any]) -> str:
    """The node's failureSummary, or its check messages when axe gave none (3.x incomplete)."""
    lines = str(node.get("failureSummary") or "").strip().splitlines()
    if lines:
        return "\n".join(line.strip() for line in lines)
    checks = [c for key in ("any", "all", "none") for c in _list(node.get(key))]
    return "; ".join(dedupe(squash(c.get("message")) for c in checks if isinstance(c, dict)))


@dataclass
class _Acc:
    """One rule in one category, merged across results."""

    rule: dict[str, Any]
    review: bool
    severities: list[Severity] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    summary: str = ""


def _rule_severity(rule: dict[str, Any], nodes: list[Any]) -> Severity:
    """The rule's impact, or the worst impact of its nodes when the rule's is null/empty."""
    sev = normalize_severity(rule.get("impact"))
    if sev is Severity.UNKNOWN:
        sev = worst_severity(normalize_severity(n.get("impact")) for n in nodes)
    return sev


def _accumulate(results: list[dict[str, Any]], filename: str) -> dict[tuple[str, bool], _Acc]:
    """Merge rules by (rule id, needs review) across all results."""
    urls = {str(r.get("url") or "") for r in results}
    multi_page = len(urls) > 1
    merged: dict[tuple[str, bool], _Acc] = {}
    for res in results:
        prefix = f"{res.get('url') or '(no url)'} — " if multi_page else ""
        for key, review in _CATEGORIES:
            rules = res.get(key) or []
            if not isinstance(rules, list):
                raise IngestError(filename, f"'{key}' is not a list", hint=_HINT)
            for rule in rules:
                if not isinstance(rule, dict) or not rule.get("id"):
                    raise IngestError(filename, f"a rule in '{key}' has no id", hint=_HINT)
                nodes = [n for n in _list(rule.get("nodes")) if isinstance(n, dict)]
                acc = merged.setdefault((str(rule["id"]), review), _Acc(rule=rule, review=review))
                acc.severities.append(_rule_severity(rule, nodes))
                acc.tags.extend(t for t in _list(rule.get("tags")) if isinstance(t, str))
                acc.locations.extend(prefix + _target(n) for n in nodes)
                acc.snippets.extend(squash(n.get("html"))[:300] for n in nodes)
                if not acc.summary and nodes:
                    acc.summary = _summary(nodes[0])
    return merged


def _finding(rule_id: str, acc: _Acc) -> Finding:
    """Build the finding for one merged rule."""
    rule = acc.rule
    wcag, source = axe_rule_wcag(rule_id, acc.tags)
    summary = acc.summary
    description = str(rule.get("description") or "").strip()
    help_url = str(rule.get("helpUrl") or "").strip()
    recommendation = "\n".join(p for p in (summary, f"See {help_url}" if help_url else "") if p)
    return Finding(
        id=f"axe-{rule_id}-review" if acc.review else f"axe-{rule_id}",
        wcag=wcag,
        wcag_source=source,
        severity=worst_severity(acc.severities),
        title=str(rule.get("help") or description or rule_id).strip(),
        description="\n\n".join(p for p in (description, summary) if p),
        locations=dedupe(acc.locations),
        snippets=dedupe(acc.snippets)[:20],
        recommendation=recommendation,
        needs_review=acc.review,
        rule_id=rule_id,
    )


def parse(doc: Any, filename: str) -> list[Finding]:
    """One finding per axe rule in violations (failures) and incomplete (needs review)."""
    merged = _accumulate(_results(doc, filename), filename)
    ordered = sorted(merged.items(), key=lambda kv: kv[0][1])  # violations first, stable
    return [_finding(rule_id, acc) for (rule_id, _review), acc in ordered]
