"""A plan as an ordered list of sentence-sized segments with their section and phase."""

from __future__ import annotations

import re
from dataclasses import dataclass

from a11y_judge.ingest import wcag
from a11y_judge.ingest.blocks import markdown_blocks
from a11y_judge.lexicon import topics_in

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`<\"'(\[])")
_PHASE_NUM = re.compile(
    r"\b(?:phase|sprint|stage|step|wave|milestone|tier|priority|p)\s*[-#]?\s*(\d{1,2})\b"
    r"|\bweeks?\s*(\d{1,2})\b|\bmonth\s*(\d{1,2})\b|\bday\s*(\d{1,3})\b",
    re.IGNORECASE,
)
_PHASE_WORDS = (
    (
        re.compile(
            r"\b(?:immediate(?:ly)?|urgent|quick wins?|first|now|critical fixes|"
            r"must fix|blockers?)\b",
            re.I,
        ),
        1,
    ),
    (re.compile(r"\b(?:short[- ]term|next|second|soon|high priority)\b", re.I), 2),
    (re.compile(r"\b(?:medium[- ]term|mid[- ]term|third|medium priority)\b", re.I), 3),
    (re.compile(r"\b(?:long[- ]term|later|ongoing|future|backlog|low priority|final)\b", re.I), 4),
)


@dataclass
class Segment:
    """One sentence, list item, heading or code block of a plan."""

    index: int
    text: str
    kind: str
    position: float
    section: str
    phase: int | None
    sc: frozenset[str]
    topics: frozenset[str]
    lower: str


def phase_of_heading(heading: str) -> int | None:
    """The phase a heading announces ('Phase 2', 'Week 3-4', 'Immediate'), if any."""
    m = _PHASE_NUM.search(heading)
    if m:
        value = int(next(g for g in m.groups() if g is not None))
        if m.group(2) is not None:  # weeks: 1-2 → phase 1, 3-4 → 2 …
            return 1 + (value - 1) // 2
        if m.group(4) is not None:  # days
            return 1 + (value - 1) // 14
        return value
    for rx, phase in _PHASE_WORDS:
        if rx.search(heading):
            return phase
    return None


def segment_plan(text: str) -> list[Segment]:
    """Split a plan into segments, each knowing its heading, phase, SC numbers and topics."""
    blocks = markdown_blocks(text)
    pieces: list[tuple[str, str, str, int | None]] = []
    heading_stack: list[tuple[int, str, int | None]] = []
    for b in blocks:
        if b.kind == "heading":
            while heading_stack and heading_stack[-1][0] >= b.level:
                heading_stack.pop()
            heading_stack.append((b.level, b.text, phase_of_heading(b.text)))
        section = " › ".join(h for _, h, _ in heading_stack)
        phases = [p for _, _, p in heading_stack if p is not None]
        phase = phases[-1] if phases else None
        if b.kind == "heading":
            pieces.append((b.text, "heading", section, phase))
        elif b.kind == "table":
            pieces.extend((" | ".join(r), "item", section, phase) for r in b.rows)
        elif b.kind == "code":
            pieces.append((b.text, "code", section, phase))
        else:
            parts = _SENTENCE_SPLIT.split(b.text) if len(b.text) > 200 else [b.text]
            pieces.extend((p, b.kind, section, phase) for p in parts if p.strip())
    total = max(1, len(pieces) - 1)
    titles = set(wcag.title_mentions(text))  # one pass over the plan, then substring checks
    segments = []
    for i, (t, kind, section, phase) in enumerate(pieces):
        lower = t.lower()
        segments.append(
            Segment(
                index=i,
                text=t,
                kind=kind,
                position=i / total,
                section=section,
                phase=phase,
                sc=frozenset(wcag.find_numbers(t) + [n for m, n in titles if m in lower])
                if kind != "code"
                else frozenset(),
                topics=frozenset(topics_in(lower)),
                lower=lower,
            )
        )
    return segments
