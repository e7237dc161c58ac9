"""What a tool finding's rule id or technique code means (data/tool_rules.json).

axe-core rule ids, Lighthouse audit ids and HTML_CodeSniffer codes map to problem areas (lexicon
topics), affected element kinds and the fixes the tool names, so that a plan that never quotes
'H91' or 'select-name' can still be seen to address them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from a11y_judge.models import Finding
from a11y_judge.paths import data_dir

_SC_PART = re.compile(r"^\d_\d{1,2}_\d{1,2}$")


@dataclass(frozen=True)
class RuleMeaning:
    """A rule or technique as its tool documents it."""

    tool: str
    key: str
    text: str
    topics: frozenset[str]
    elements: frozenset[str]
    fixes: tuple[str, ...]


@lru_cache(maxsize=1)
def catalog() -> dict[str, Any]:
    """The shipped catalog: {'axe': {...}, 'lighthouse': {...}, 'htmlcs': {...}, 'sources'}."""
    raw: dict[str, Any] = json.loads((data_dir() / "tool_rules.json").read_text("utf-8"))
    aliases: dict[str, Any] = {}
    for key, entry in raw["htmlcs"].items():  # 'G18_or_G145.Fail' is emitted as 'G18.Fail' …
        head, _, tail = key.partition(".")
        if "_or_" in head:
            for technique in head.split("_or_"):
                aliases.setdefault(f"{technique}.{tail}" if tail else technique, entry)
    raw["htmlcs"] = {**aliases, **raw["htmlcs"]}
    return raw


def _meaning(tool: str, key: str, entry: dict[str, Any]) -> RuleMeaning:
    text = " ".join(
        str(entry.get(k) or "")
        for k in ("help", "failure_title", "description", "message", "technique_title")
    )
    return RuleMeaning(
        tool=tool,
        key=key,
        text=" ".join(text.split()),
        topics=frozenset(entry.get("topics") or ()),
        elements=frozenset(entry.get("elements") or ()),
        fixes=tuple(entry.get("fixes") or ()),
    )


def htmlcs_key(code: str) -> str:
    """'WCAG2AA.Principle4.Guideline4_1.4_1_2.H91.Select.Name' → 'H91.Select.Name'."""
    parts = code.split(".")
    for i, part in enumerate(parts):
        if _SC_PART.match(part):
            return ".".join(parts[i + 1 :])
    return code


def lookup(tool: str, rule_id: str) -> RuleMeaning | None:
    """The meaning of one rule of one tool ('axe', 'lighthouse', 'htmlcs'), if known."""
    table = catalog().get(tool, {})
    if tool != "htmlcs":
        entry = table.get(rule_id)
        return _meaning(tool, rule_id, entry) if entry else None
    key = htmlcs_key(rule_id)
    parts = key.split(".")
    for n in range(len(parts), 0, -1):  # 'H57.2.Lang' → 'H57.2' → 'H57'
        candidate = ".".join(parts[:n])
        if candidate in table:
            return _meaning(tool, candidate, table[candidate])
    return None


def rule_meaning(finding: Finding) -> RuleMeaning | None:
    """What the finding's rule means, from the tool that reported it."""
    if not finding.rule_id:
        return None
    rule = finding.rule_id.strip()
    order: tuple[str, ...]
    if finding.id.startswith("lh-"):
        order = ("lighthouse", "axe")
    elif finding.id.startswith("pa11y-") or re.search(r"\d_\d{1,2}_\d{1,2}\.", rule):
        order = ("htmlcs", "axe")
    else:
        order = ("axe", "lighthouse", "htmlcs")
    for tool in order:
        meaning = lookup(tool, rule)
        if meaning is not None:
            return meaning
    return None
