"""Which audit findings a plan addresses, where, and with which sentence as evidence.

A plan sentence is matched to a finding by, strongest first: the finding's own ID, a selector or
path from its locations, one of its success criteria (by number or name), and the problem area
(topic) together with the finding's distinctive words. Topic words alone ('test with the
keyboard') never count as addressing a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from a11y_judge.evidence.segments import Segment
from a11y_judge.lexicon import TOPICS, topics_for_sc, topics_in
from a11y_judge.models import Finding

ID_POINTS, SELECTOR_POINTS, SC_POINTS, INFERRED_SC_POINTS, TOPIC_POINTS = 5, 3, 3, 2, 2
NARROW_TOPIC_POINTS = 3
COVERED_AT = 3

#: Problem areas broad enough that naming them does not single out one finding.
BROAD_TOPICS = frozenset(
    {
        "keyboard",
        "labels",
        "name-role-value",
        "structure",
        "sequence",
        "modal-dialog",
        "headings-labels",
        "on-focus-input",
    }
)

_STOP = frozenset(
    """
    a an the and or of to in on for with without by from at as is are be been being was were
    this that these those it its not no any all every each some more most less than then there
    their they them our your we you i he she his her can cannot can't could should would will
    must may might do does did has have had when where which who what how why into onto out up
    over under about after before while also only very just other same such page pages site
    website element elements issue issues problem missing user users use used using make made
    fix fixed add added need needs via per level wcag sc criterion criteria success failure
    fails fail found one two three all
    """.split()
)
_TOPIC_WORDS = frozenset(
    w for t in TOPICS for term in t.terms for w in re.findall(r"[a-z]{3,}", term.lower())
)
_SELECTOR = re.compile(r"(?<![\w-])[a-z0-9]*([#.][A-Za-z][\w-]{2,}|/[a-z][\w/-]{2,})")
_NOT_SELECTOR = re.compile(
    r"\.(?:html?|php|aspx?|jsx?|tsx?|css|json|md|pdf|png|jpe?g|svg|com|org|net|io)$"
)


@dataclass
class FindingMatch:
    """How a plan addresses one finding."""

    finding_id: str
    points: int = 0
    segments: list[int] = field(default_factory=list)
    best: int | None = None

    @property
    def covered(self) -> bool:
        return self.points >= COVERED_AT


@dataclass(frozen=True)
class _FindingKeys:
    own_id: str | None
    selectors: tuple[str, ...]
    sc: frozenset[str]
    sc_points: int
    topics: frozenset[str]
    narrow: frozenset[str]
    words: frozenset[str]


def _distinctive_words(text: str) -> frozenset[str]:
    words = {w for w in re.findall(r"[a-z][a-z0-9-]{2,}", text.lower())}
    return frozenset(w for w in words if w not in _STOP and w not in _TOPIC_WORDS)


@lru_cache(maxsize=4096)
def _keys(finding_json: str) -> _FindingKeys:
    f = Finding.model_validate_json(finding_json)
    own_id = f.id if re.search(r"\d|[A-Z]{2,}", f.id) and len(f.id) >= 3 else None
    selectors = tuple(
        sorted(
            {
                m.group(1).lower()
                for loc in f.locations[:20]
                for m in _SELECTOR.finditer(loc)
                if not _NOT_SELECTOR.search(m.group(1).lower())
            }
        )
    )
    primary = set(topics_in(f"{f.title} {f.rule_id or ''}"))
    for sc in f.wcag:
        primary |= topics_for_sc(sc)
    topics = primary | topics_in(f.description[:400])
    return _FindingKeys(
        own_id=own_id.lower() if own_id else None,
        selectors=selectors,
        sc=frozenset(f.wcag),
        sc_points=SC_POINTS if f.wcag_source == "stated" else INFERRED_SC_POINTS,
        topics=frozenset(topics),
        narrow=frozenset(primary - BROAD_TOPICS),
        words=_distinctive_words(f"{f.title} {f.rule_id or ''}"),
    )


_TOKEN = re.compile(r"[a-z0-9][\w.-]*[a-z0-9]|[a-z0-9]")


def _segment_words(seg: Segment) -> frozenset[str]:
    """Lower-case tokens of a segment: words and ids such as 'nw-01' or 'dac-carousel'."""
    return frozenset(_TOKEN.findall(seg.lower))


def match_points(keys: _FindingKeys, seg: Segment, seg_words: frozenset[str]) -> int:
    """Strength of the evidence that a segment addresses a finding."""
    points = 0
    if keys.own_id is not None and keys.own_id in seg_words:
        points += ID_POINTS
    if any(s in seg.lower for s in keys.selectors):
        points += SELECTOR_POINTS
    if keys.sc & seg.sc:
        points += keys.sc_points
    topic_points = NARROW_TOPIC_POINTS if keys.narrow & seg.topics else 0
    if keys.topics & seg.topics:
        shared = len(keys.words & seg_words)
        if shared:
            topic_points = max(topic_points, TOPIC_POINTS + min(shared, 3))
    return points + topic_points


def match_findings(findings: list[Finding], segments: list[Segment]) -> dict[str, FindingMatch]:
    """For every finding: its matching segments, best one first.

    Every way of scoring needs the finding's ID, a selector, an SC or a topic in the segment, so
    only segments that share one of those (found through an index) are scored.
    """
    seg_words = [_segment_words(s) for s in segments]
    plan_lower = "\n".join(s.lower for s in segments)
    by_topic: dict[str, list[int]] = {}
    by_sc: dict[str, list[int]] = {}
    for seg in segments:
        if seg.kind == "code":
            continue
        for t in seg.topics:
            by_topic.setdefault(t, []).append(seg.index)
        for sc in seg.sc:
            by_sc.setdefault(sc, []).append(seg.index)
    out: dict[str, FindingMatch] = {}
    for f in findings:
        keys = _keys(f.model_dump_json())
        candidates: set[int] = set()
        for t in keys.topics:
            candidates.update(by_topic.get(t, ()))
        for sc in keys.sc:
            candidates.update(by_sc.get(sc, ()))
        own_id = keys.own_id if keys.own_id and keys.own_id in plan_lower else None
        selectors = [x for x in keys.selectors if x in plan_lower]
        if own_id or selectors:
            candidates.update(
                s.index
                for s in segments
                if s.kind != "code"
                and (own_id in seg_words[s.index] or any(x in s.lower for x in selectors))
            )
        match = FindingMatch(f.id)
        scored: list[tuple[int, int]] = []
        for i in sorted(candidates):
            p = match_points(keys, segments[i], seg_words[i])
            if p >= COVERED_AT:
                scored.append((p, i))
        if scored:
            match.points = max(p for p, _ in scored)
            match.segments = [i for _, i in scored]
            match.best = max(scored, key=lambda x: (x[0], -x[1]))[1]
        out[f.id] = match
    return out
