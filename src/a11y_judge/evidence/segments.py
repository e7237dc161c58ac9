"""A plan as an ordered list of sentence-sized segments with their section and phase.

The plan's text is scanned once for topics, element kinds and success criteria; each segment
gets what falls inside it (scanning segment by segment cost most of the judge's time).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from a11y_judge.evidence.profile import SWEEP, singular
from a11y_judge.ingest import wcag
from a11y_judge.ingest.blocks import markdown_blocks
from a11y_judge.lexicon import element_matcher, topic_matcher

#: Patterns open with what they consume, and look behind after it: a pattern that opens with a
#: look-behind is tried at every position of the text, one that opens with a character class
#: only where that class matches (whitespace, digits).
_SENTENCE_SPLIT = re.compile(r"\s(?<=[.!?]\s)\s*(?=[A-Z0-9`<\"'(\[])")
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
_TOKENS = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
#: A contrast ratio ('4.5:1', '5 : 1') says the sentence is about contrast.
_RATIO = re.compile(r"\d(?<![\d.:]\d)\d?(?:\.\d{1,2})?\s?:\s?1\b")
_CONTRAST = frozenset({"contrast"})
_PLACES = frozenset({"page", "form", "text"})
#: Joins segments in the scanned text; no pattern crosses it (it holds no word character).
SEPARATOR = "\n\x00\n"


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
    elements: frozenset[str] = frozenset()
    heading: int | None = None  # index of the nearest heading above (or this one)
    headings: tuple[str, ...] = ()  # the section's heading chain, nearest last
    start: int = 0  # offset in the plan's scanned text
    element_at: tuple[int, ...] = ()  # where element words (not 'page') start, in the segment

    @cached_property
    def words(self) -> frozenset[str]:
        """Lower-case words and ids ('nw-01', 'delivery-slot' and its parts)."""
        tokens = set(_TOKENS.findall(self.lower))
        out = set(tokens)
        for token in tokens:
            if "-" in token or "_" in token:
                out.add(token.replace("-", "").replace("_", ""))  # 'off-canvas' = 'offcanvas'
                parts = re.split(r"[-_]", token)
                out.update(parts)
                out.update(singular(p) for p in parts if p[-1] == "s")
            elif token[-1] == "s":
                out.add(singular(token))
        return frozenset(out)

    @cached_property
    def sweeps(self) -> bool:
        """Says 'all images', 'every page', 'site-wide'…"""
        return SWEEP.search(self.lower) is not None


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


@dataclass
class _Piece:
    text: str
    kind: str
    section: str
    phase: int | None
    headings: tuple[str, ...]


_BOLD_LINE = re.compile(r"^\*\*([^*]{3,120})\*\*:?$|^__([^_]{3,120})__:?$")


def _pieces(text: str) -> list[_Piece]:
    blocks = markdown_blocks(text)
    for b in blocks:  # '**FC-101 · Basket buttons**' alone on its line is a heading
        m = _BOLD_LINE.match(b.text.strip()) if b.kind == "para" else None
        if m:
            b.kind, b.text, b.level = "heading", (m.group(1) or m.group(2)).strip(), 7
    pieces: list[_Piece] = []
    stack: list[tuple[int, str, int | None]] = []
    section = ""  # before the first heading
    phase: int | None = None
    chain: tuple[str, ...] = ()
    for b in blocks:
        if b.kind == "heading":  # the section changes only here
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, b.text, phase_of_heading(b.text)))
            section = " › ".join(h for _, h, _ in stack)
            phases = [p for _, _, p in stack if p is not None]
            phase = phases[-1] if phases else None
            chain = tuple(h for _, h, _ in stack)
        if b.kind == "heading":
            pieces.append(_Piece(b.text, "heading", section, phase, chain))
        elif b.kind == "table":
            pieces.extend(_Piece(" | ".join(r), "item", section, phase, chain) for r in b.rows)
        elif b.kind == "code":
            pieces.append(_Piece(b.text, "code", section, phase, chain))
        else:
            parts = _SENTENCE_SPLIT.split(b.text) if len(b.text) > 200 else [b.text]
            pieces.extend(_Piece(p, b.kind, section, phase, chain) for p in parts if p.strip())
    return pieces


def _assign(spans: list[tuple[int, frozenset[str]]], starts: list[int], n: int) -> list[set[str]]:
    """Per segment, the ids of the spans that start inside it."""
    out: list[set[str]] = [set() for _ in range(n)]
    for offset, ids in spans:
        out[bisect_right(starts, offset) - 1] |= ids
    return out


def segment_plan(text: str) -> list[Segment]:
    """Split a plan into segments, each knowing its heading, phase, SC numbers and topics."""
    pieces = _pieces(text)
    if not pieces:
        return []
    lowers = [p.text.lower() for p in pieces]
    starts: list[int] = []
    offset = 0
    for low in lowers:
        starts.append(offset)
        offset += len(low) + len(SEPARATOR)
    joined = SEPARATOR.join(lowers)
    n = len(pieces)
    topic_spans = topic_matcher().spans(joined)
    topic_spans += [(m.start(), _CONTRAST) for m in _RATIO.finditer(joined)]
    topics = _assign(topic_spans, starts, n)
    element_spans = element_matcher().spans(joined)
    elements = _assign(element_spans, starts, n)
    element_at: list[list[int]] = [[] for _ in range(n)]
    for offset, ids in element_spans:
        if ids <= _PLACES:
            continue  # 'product pages' places a sentence; it names no element
        i = bisect_right(starts, offset) - 1
        element_at[i].append(offset - starts[i])
    sc_spans = wcag.number_spans(joined) + [(s, num) for s, _e, num in wcag.title_spans(joined)]
    scs = _assign([(s, frozenset({num})) for s, num in sc_spans], starts, n)
    total = max(1, n - 1)
    segments: list[Segment] = []
    heading: int | None = None
    for i, piece in enumerate(pieces):
        if piece.kind == "heading":
            heading = i
        segments.append(
            Segment(
                index=i,
                text=piece.text,
                kind=piece.kind,
                position=i / total,
                section=piece.section,
                phase=piece.phase,
                sc=frozenset(scs[i]) if piece.kind != "code" else frozenset(),
                topics=frozenset(topics[i]),
                lower=lowers[i],
                elements=frozenset(elements[i]),
                heading=heading,
                headings=piece.headings,
                start=starts[i],
                element_at=tuple(sorted(element_at[i])),
            )
        )
    return segments


def plan_text(segments: list[Segment]) -> str:
    """The scanned text: the segments' lower-case text joined by SEPARATOR."""
    return SEPARATOR.join(s.lower for s in segments)
