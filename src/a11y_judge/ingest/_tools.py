"""Helpers shared by the parsers of machine-generated audits (axe, Lighthouse, pa11y, CSV, ACR)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

from a11y_judge.ingest.wcag import catalog, sc_from_axe_tag, sort_key
from a11y_judge.models import Severity, WcagSource
from a11y_judge.paths import data_dir

_MD_LINK_RE = re.compile(r"\[([^\[\]]*)\]\(([^()\s]+)\)")
_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def axe_rule_map() -> dict[str, list[str]]:
    """axe rule id → the success criteria its tags name in axe-core 4.10 (data/tool_rules.json)."""
    raw = json.loads((data_dir() / "tool_rules.json").read_text(encoding="utf-8"))
    return {str(k): [str(sc) for sc in v["wcag"]] for k, v in raw["axe"].items()}


def sort_criteria(nums: Iterable[str]) -> list[str]:
    """Known success criteria, deduplicated and sorted by number."""
    known = catalog()
    return sorted({n for n in nums if n in known}, key=sort_key)


def criteria_from_tags(tags: object) -> list[str]:
    """Success criteria named by axe tags ('wcag143' → '1.4.3'), sorted."""
    if not isinstance(tags, list):
        return []
    return sort_criteria(sc for t in tags if isinstance(t, str) and (sc := sc_from_axe_tag(t)))


def axe_rule_wcag(rule_id: str, tags: object = None) -> tuple[list[str], WcagSource]:
    """SCs for an axe rule: from its tags (stated), else the shipped rule map (inferred)."""
    stated = criteria_from_tags(tags)
    if stated:
        return stated, "stated"
    inferred = sort_criteria(axe_rule_map().get(rule_id, []))
    return (inferred, "inferred") if inferred else ([], "none")


def worst_severity(values: Iterable[Severity]) -> Severity:
    """The most urgent known severity, or unknown if none is known."""
    known = [v for v in values if v is not Severity.UNKNOWN]
    return min(known, key=lambda s: s.rank) if known else Severity.UNKNOWN


def squash(text: object) -> str:
    """A string with runs of whitespace collapsed to one space."""
    return _SPACE_RE.sub(" ", str(text or "")).strip()


def md_links_to_text(text: str, keep_url: bool = True) -> str:
    """'[Learn more](https://x)' → 'Learn more: https://x' (or just 'Learn more')."""
    if keep_url:
        return _MD_LINK_RE.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)
    return _MD_LINK_RE.sub(lambda m: m.group(1), text)


def first_md_link(text: str) -> str | None:
    """The URL of the first Markdown link in a text."""
    m = _MD_LINK_RE.search(text)
    return m.group(2) if m else None


def shorten(text: str, limit: int) -> str:
    """Cut a text at a word boundary so it fits in limit characters (ending with '…')."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def dedupe(items: Iterable[str]) -> list[str]:
    """Non-empty items in first-seen order without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)
