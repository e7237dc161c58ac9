"""OpenACR YAML (an Accessibility Conformance Report) → findings for unsupported WCAG criteria."""

from __future__ import annotations

from typing import Any

from a11y_judge.errors import IngestError
from a11y_judge.ingest._tools import dedupe, md_links_to_text, shorten, squash
from a11y_judge.ingest.ids import unique_ids
from a11y_judge.ingest.wcag import catalog
from a11y_judge.models import Finding, Severity

_HINT = "Use an OpenACR file: chapters → criteria → components → adherence {level, notes}"
_SC_CHAPTERS = (
    "success_criteria_level_a",
    "success_criteria_level_aa",
    "success_criteria_level_aaa",
)
#: Adherence levels that make a finding, worst first, with their severity.
_LEVELS = {
    "does-not-support": Severity.SERIOUS,
    "partially-supports": Severity.MODERATE,
    "not-evaluated": Severity.UNKNOWN,
}
_MAX_DESCRIPTION = 1500


def looks_like(doc: Any) -> bool:
    """True for an OpenACR mapping: a chapters mapping plus product, catalog or title."""
    if not isinstance(doc, dict) or not isinstance(doc.get("chapters"), dict):
        return False
    if not any(k in doc for k in ("product", "catalog", "title")):
        return False
    chapters = doc["chapters"]
    return any(isinstance(k, str) and k.startswith("success_criteria") for k in chapters) or any(
        isinstance(c, dict) and isinstance(c.get("criteria"), list) for c in chapters.values()
    )


def _level(component: dict[str, Any]) -> str:
    """'Partially Supports' / 'partially_supports' → 'partially-supports'."""
    adherence = component.get("adherence")
    raw = adherence.get("level") if isinstance(adherence, dict) else None
    return squash(raw).lower().replace(" ", "-").replace("_", "-")


def _notes(component: dict[str, Any]) -> str:
    """The component's adherence notes, one line, Markdown links reduced to their text."""
    adherence = component.get("adherence")
    notes = adherence.get("notes") if isinstance(adherence, dict) else None
    return squash(md_links_to_text(str(notes or ""), keep_url=False))


def _name(component: dict[str, Any], position: int) -> str:
    """The component's name; one without a name is called by its position."""
    return squash(component.get("name")) or f"component {position}"


def _finding(num: str, components: list[dict[str, Any]], hidden: bool) -> Finding | None:
    """The finding for one criterion, or None when every component supports it (or is N/A)."""
    flagged = [
        (_name(c, i), c, _level(c)) for i, c in enumerate(components, 1) if _level(c) in _LEVELS
    ]
    if not flagged:
        return None
    worst = min((lvl for _n, _c, lvl in flagged), key=list(_LEVELS).index)
    by_level = {lvl: dedupe(n for n, _c, lv in flagged if lv == lvl) for lvl in _LEVELS}
    status = "; ".join(
        f"{lvl.replace('-', ' ')} ({', '.join(names)})" for lvl, names in by_level.items() if names
    )
    sc = catalog().get(num)
    notes = [f"{name}: {n}" for name, c, _lvl in flagged if (n := _notes(c))]
    if hidden:
        notes.append("(The ACR records this in a chapter it marks as not shown in its report.)")
    return Finding(
        id=f"ACR-{num}",
        wcag=[num] if sc else [],
        wcag_source="stated" if sc else "none",
        severity=_LEVELS[worst],
        title=f"{num} {sc.title}: {status}" if sc else f"{num}: {status}",
        description=shorten("\n".join(notes), _MAX_DESCRIPTION),
        locations=dedupe(name for name, _c, _lvl in flagged),
        needs_review=worst == "not-evaluated",
    )


def _criteria(name: str, chapter: Any, filename: str) -> list[dict[str, Any]]:
    """The criteria of a chapter (validated).

    A chapter marked `disabled` is only hidden from the ACR's rendered report; the WCAG chapters'
    results are still the vendor's statements (Drupal's AAA chapter records 2.4.9 as partially
    supported), so they are read. Other disabled chapters (hardware, software…) are skipped.
    """
    if not isinstance(chapter, dict):
        return []
    if chapter.get("disabled") is True and name not in _SC_CHAPTERS:
        return []
    criteria = chapter.get("criteria") or []
    if not isinstance(criteria, list):
        raise IngestError(
            filename, f"chapter '{name}' has criteria that are not a list", hint=_HINT
        )
    return [c for c in criteria if isinstance(c, dict)]


def parse(doc: Any, filename: str) -> list[Finding]:
    """One finding per WCAG criterion that a component does not (fully) support or evaluate."""
    if not isinstance(doc, dict) or not isinstance(doc.get("chapters"), dict):
        raise IngestError(filename, "an OpenACR file needs a 'chapters' mapping", hint=_HINT)
    findings: list[Finding] = []
    for name, chapter in doc["chapters"].items():
        for criterion in _criteria(str(name), chapter, filename):
            num = squash(criterion.get("num"))
            if not num or (name not in _SC_CHAPTERS and num not in catalog()):
                continue
            components = criterion.get("components") or []
            if not isinstance(components, list):
                raise IngestError(
                    filename, f"criterion {num}: components is not a list", hint=_HINT
                )
            finding = _finding(
                num,
                [c for c in components if isinstance(c, dict)],
                hidden=chapter.get("disabled") is True,
            )
            if finding:
                findings.append(finding)
    ids = unique_ids([f.id for f in findings])
    return [f.model_copy(update={"id": i}) for f, i in zip(findings, ids, strict=True)]
