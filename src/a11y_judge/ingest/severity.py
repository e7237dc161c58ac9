"""Severity words from tools and human reports → normalized Severity."""

from __future__ import annotations

import re

from a11y_judge.models import Severity

_WORDS: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "blocker": Severity.CRITICAL,
    "blocking": Severity.CRITICAL,
    "urgent": Severity.CRITICAL,
    "p0": Severity.CRITICAL,
    "serious": Severity.SERIOUS,
    "high": Severity.SERIOUS,
    "major": Severity.SERIOUS,
    "severe": Severity.SERIOUS,
    "error": Severity.SERIOUS,
    "p1": Severity.SERIOUS,
    "moderate": Severity.MODERATE,
    "medium": Severity.MODERATE,
    "warning": Severity.MODERATE,
    "p2": Severity.MODERATE,
    "minor": Severity.MINOR,
    "low": Severity.MINOR,
    "trivial": Severity.MINOR,
    "notice": Severity.MINOR,
    "usability": Severity.MINOR,
    "advisory": Severity.MINOR,
    "best practice": Severity.MINOR,
    "p3": Severity.MINOR,
}
_WORD_RE = re.compile(
    r"(?<![a-z])("
    + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
    + r")(?![a-z])",
    re.IGNORECASE,
)


def normalize_severity(value: object) -> Severity:
    """Map a tool's impact or a report's severity word to Severity (unknown if unrecognised)."""
    if value is None:
        return Severity.UNKNOWN
    text = str(value).strip().lower()
    if not text:
        return Severity.UNKNOWN
    if text in _WORDS:
        return _WORDS[text]
    m = _WORD_RE.search(text)
    return _WORDS[m.group(1).lower()] if m else Severity.UNKNOWN


def severity_in_heading(text: str) -> Severity | None:
    """The band of a heading that only names a priority ('*** High priority ***', 'Critical')."""
    cleaned = re.sub(r"[^a-z ]", " ", text.lower())
    words = cleaned.split()
    if not words or len(words) > 5:
        return None
    filler = {
        "priority",
        "issues",
        "issue",
        "violations",
        "violation",
        "findings",
        "finding",
        "found",
        "severity",
        "impact",
        "problems",
        "level",
        "barriers",
        "items",
    }
    sev_words = [w for w in words if w in _WORDS or w == "best" or w == "practice"]
    rest = [w for w in words if w not in filler and w not in sev_words]
    if sev_words and not rest:
        return normalize_severity(" ".join(sev_words))
    return None
