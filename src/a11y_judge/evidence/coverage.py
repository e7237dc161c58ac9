"""Which audit findings a plan addresses, which it only mentions, and the sentence behind each.

A plan sentence *identifies* a finding by, strongest first: the finding's own ID, its rule id or
technique code, a selector from its locations, one of its success criteria, or its problem area
(topic) — together with the element kinds and component words (the finding's own selectors,
snippets and title words) that say which element it is about. A sentence about another problem
or another kind of element does not identify it: 'add <label> elements to the form controls'
identifies the unlabelled select but not the empty icon link. Topic words alone ('test with the
keyboard') do not single out a finding.

An identified finding is then *addressed* when a sentence that identifies it proposes a fix,
*mentioned* when every such sentence only tests, monitors or defers it (see `intent`), and
*missed* when none identifies it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from a11y_judge.evidence.intent import (
    Intent,
    combine,
    defers,
    heading_intent,
    section_intent,
    sentence_intent,
)
from a11y_judge.evidence.profile import (
    FindingProfile,
    known_words,
    profiles,
    qualifiers,
    singular,
)
from a11y_judge.evidence.segments import Segment, plan_text
from a11y_judge.lexicon import ELEMENT_GROUPS, element_kinds, topics_in
from a11y_judge.models import Finding

CoverageState = Literal["addressed", "mentioned", "missed"]

ID_POINTS = 5
RULE_POINTS = 4
SELECTOR_POINTS = 3
SC_POINTS, UNSHARED_SC_POINTS = 2, 4  # an SC only this finding has names its problem
NARROW_TOPIC_POINTS, BROAD_TOPIC_POINTS, RELATED_TOPIC_POINTS = 4, 2, 2
ELEMENT_POINTS, ELEMENT_GROUP_POINTS, ELEMENT_CONFLICT = 2, 1, -2
MAX_WORD_POINTS = 3
TOPIC_CONFLICT = -10  # a sentence about another problem, whatever element it names
LOCUS_CONFLICT = -4
CONTESTED = -1  # the problem area alone, when other findings share it
IDENTIFIED_AT = 4
#: Sentences after a bare mention ('The basket buttons are silent.') that may hold its fix.
FOLLOW_UP = 3
#: An item this short that says nothing about a fix is a label for what follows it.
_LABEL_WORDS = 8
#: A section this short under its own heading is one work item (a ticket).
_TICKET_LINES = 10
#: A ticket's status line, or its labels ('Labels: content, wontfix-this-quarter').
_STATUS = re.compile(
    r"\W*(?:status|decision|resolution|outcome|state|priority|verdict|labels?|tags?)\b"
)
#: A code block that shows the markup as it is, not as it should be.
_CURRENT_CODE = re.compile(r"\b(?:current|currently|existing|before|today|problematic|bad|wrong)\b")
_GROUP_KINDS = frozenset(ELEMENT_GROUPS)
_FIXED_CODE = re.compile(r"\b(?:should be|fixed|after|correct|accessible|better|instead)\b")
#: Kinds that place a sentence but never contradict a finding ('on every page', 'the form').
_NEUTRAL_KINDS = frozenset({"page", "text", "form"})


@dataclass
class FindingMatch:
    """How a plan treats one finding."""

    finding_id: str
    points: int = 0
    segments: list[int] = field(default_factory=list)  # sentences that address it, in order
    mentions: list[int] = field(default_factory=list)  # sentences that only mention it
    best: int | None = None  # the quote behind the state

    @property
    def state(self) -> CoverageState:
        if self.segments:
            return "addressed"
        return "mentioned" if self.mentions else "missed"

    @property
    def covered(self) -> bool:
        """Addressed: the plan proposes a fix (mentioned findings are not covered)."""
        return bool(self.segments)


@lru_cache(maxsize=4096)
def _element_points(seg_kinds: frozenset[str], elements: frozenset[str]) -> int:
    """Agreement between the elements a sentence names and the finding's `elements`.

    A kind named exactly scores most; a group ('form fields') only when the sentence names no
    other specific kind ('the swap button between the airport fields' is about a button).
    """
    target = elements - _NEUTRAL_KINDS
    if not seg_kinds or not target:
        return 0
    if seg_kinds & target:
        return ELEMENT_POINTS
    specific = seg_kinds - _GROUP_KINDS - _NEUTRAL_KINDS
    if element_kinds(seg_kinds - specific) & target:
        return 0 if specific else ELEMENT_GROUP_POINTS
    return ELEMENT_CONFLICT if element_kinds(seg_kinds) - _NEUTRAL_KINDS else 0


def score(
    finding: FindingProfile,
    seg: Segment,
    context: Segment | None,
    explain: list[str] | None = None,
    contested: frozenset[str] = frozenset(),
    contested_sc: frozenset[str] = frozenset(),
    known: Callable[[Segment], frozenset[str]] | None = None,
) -> int:
    """How strongly one sentence identifies one finding (IDENTIFIED_AT or more: it does).

    `context` is the sentence's heading: it lends its element kinds and component words to the
    sentences under it ('### Delivery slot dropdown' → '- Add a visible <label>'). `contested`
    are the topics other findings of the audit share: naming one of them says too little on its
    own. `explain`, if given, collects the reasons.
    """
    parts: list[tuple[str, int]] = []
    words_of = known or (lambda s: s.words)
    own_words = words_of(seg)
    words = own_words if context is None else own_words | words_of(context)
    pinned = False  # the sentence names this very finding
    if finding.own_id is not None and finding.own_id in own_words:
        parts.append(("its id", ID_POINTS))
        pinned = True
    if finding.rule_tokens & own_words:
        parts.append(("its rule id", RULE_POINTS))
        pinned = True
    selector = any(s in seg.lower for s in finding.selectors)
    if selector:
        parts.append(("its selector", SELECTOR_POINTS))
    if finding.sc & seg.sc:
        own_sc = finding.sc_stated and not finding.sc & seg.sc & contested_sc
        parts.append(
            ("its SC", UNSHARED_SC_POINTS if own_sc else SC_POINTS if finding.sc_stated else 1)
        )
    kinds = seg.elements or (context.elements if context is not None else frozenset())
    element = _element_points(kinds, finding.elements)
    if (
        "text-alternative" in finding.topics
        and finding.elements >= {"image", "link"}
        and not (pinned or selector)
    ):
        # an image that is a link's only content: the sentence must be about links too
        near = kinds | (context.elements if context is not None else frozenset())
        if "link" not in near and "icon" not in near:
            element = min(element, 0)
            parts.append(("an image, but not one in a link", TOPIC_CONFLICT))
    shared = finding.words & words
    topic = finding.topics & seg.topics
    if finding.narrow & seg.topics:
        parts.append(("its problem area", NARROW_TOPIC_POINTS))
    elif topic:
        parts.append(("its broad problem area", BROAD_TOPIC_POINTS))
    elif finding.related & seg.topics and element > 0 and (len(shared) >= 2 or selector):
        parts.append(("a related problem area", RELATED_TOPIC_POINTS))
    elif seg.topics and not pinned:  # 'the arrow icon in button.voucher-apply gets 3:1'
        parts.append(("another problem area", TOPIC_CONFLICT))
    if (
        topic
        and topic <= contested
        and not (pinned or selector or shared or element > 0 or finding.sc & seg.sc)
    ):
        parts.append(("a problem area other findings share", CONTESTED))
    if element:
        parts.append(("its element kind" if element > 0 else "another element kind", element))
    if shared:
        parts.append((f"its words {', '.join(sorted(shared))}", min(MAX_WORD_POINTS, len(shared))))
    elif finding.places & words:
        parts.append((f"its page {', '.join(sorted(finding.places & words))}", 1))
    if not (pinned or selector or shared) and finding.words and finding.elements - {"page"}:
        others = qualifiers(seg.lower, seg.element_at)
        if others and not others & (finding.words | finding.places):  # 'travel blog photos'
            parts.append((f"other elements ({', '.join(sorted(others))})", LOCUS_CONFLICT))
    total = sum(points for _, points in parts)
    problem = any(p > 0 for label, p in parts if "problem" in label or label == "its SC")
    if not (pinned or problem):
        total = min(total, IDENTIFIED_AT - 1)  # elements, words or selectors, but no problem
        parts.append(("no problem named", 0))
    if explain is not None:
        explain.extend(f"{label} {points:+d}" for label, points in parts)
    return total


def _located(
    finding: FindingProfile,
    segments: list[Segment],
    i: int,
    known: Callable[[Segment], frozenset[str]] | None = None,
) -> bool:
    """Whether the sentence is about this finding's elements, not just its kind of problem.

    A finding whose audit names its elements (classes, ids, markup, title words) is addressed
    only where the sentence or its section names one of them, or covers every element of the
    kind ('all images', 'site-wide'); 'the AI fixes missing labels and empty buttons' does not.
    """
    seg = segments[i]
    if not finding.words or finding.elements <= {"page"} or finding.site_wide:
        return True
    near = [seg]
    if seg.heading is not None:
        near.append(segments[seg.heading])
    near += [
        s for s in segments[max(0, i - 3) : i + 4] if s.section == seg.section and s.index != i
    ]
    words_of = known or (lambda s: s.words)
    for s in near:  # the sentence or its section names the finding or one of its elements
        words = words_of(s)
        if (finding.own_id and finding.own_id in words) or finding.rule_tokens & words:
            return True
        if finding.words & words or any(sel in s.lower for sel in finding.selectors):
            return True
    return any(s.sweeps for s in near[:2])


def _about(finding: FindingProfile) -> Callable[[str], bool]:
    """Recognises the clauses of a sentence that talk about the finding."""
    keys = finding.topics | finding.related

    def about(clause: str) -> bool:
        words, topics = _clause_terms(clause)
        return bool(
            (finding.own_id and finding.own_id in words)
            or finding.words & words
            or finding.rule_tokens & words
            or topics & keys
            or any(sel in clause for sel in finding.selectors)
        )

    return about


_WORD_OR_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


@lru_cache(maxsize=16384)
def _clause_terms(clause: str) -> tuple[frozenset[str], frozenset[str]]:
    """A clause's words and topics (clauses recur for every finding a sentence identifies)."""
    words = set(_WORD_OR_ID.findall(clause))
    return frozenset(words | {singular(w) for w in words}), frozenset(topics_in(clause))


def intent_of(
    segments: list[Segment],
    i: int,
    finding: FindingProfile,
    deferred: dict[int, bool] | None = None,
) -> Intent:
    """Whether the plan proposes a fix where sentence i identifies the finding.

    A heading speaks through its section's sentences; a bare mention ('The trash-can buttons
    are silent for screen reader users.') through the next sentences of its section.
    `deferred` remembers, by heading, whether its ticket is declined (for a plan's findings).
    """
    seg = segments[i]
    section = section_intent(seg.headings[:-1] if seg.kind == "heading" else seg.headings)
    if seg.heading is not None:
        known = {} if deferred is None else deferred
        if seg.heading not in known:
            known[seg.heading] = _deferred(segments, segments[seg.heading])
        if known[seg.heading]:
            return "mention"  # a ticket whose status says 'won't do', 'out of scope this quarter'
    follow: list[Segment] = []
    if seg.kind == "heading":
        said = heading_intent(seg.text)
        own = said if said in ("fix", "mention") else "neutral"
        follow = _section_body(segments, seg)
    elif seg.kind == "code":  # proposed markup, unless it shows what is there today
        before = segments[i - 1].lower if i else ""
        current = _CURRENT_CODE.search(before + seg.lower[:80]) is not None
        own = "neutral" if current and not _FIXED_CODE.search(seg.lower) else "fix"
    else:
        own = sentence_intent(seg.lower, _about(finding))
        if seg.kind == "para" or len(seg.lower.split()) <= _LABEL_WORDS:
            # a paragraph, or an item that only names the problem ('The "Skip to content"
            # link'), may be followed by its fix; other items stand alone
            follow = _section_body(segments, seg, FOLLOW_UP, start=i + 1)
    if own == "neutral":
        own = next((x for s in follow if (x := sentence_intent(s.lower)) != "neutral"), "neutral")
    return combine(own, section)


def _deferred(segments: list[Segment], heading: Segment) -> bool:
    """A ticket-like section (a few lines under its own heading) whose status line declines or
    postpones it ('Status: Won't do – out of scope this quarter')."""
    body = _section_body(segments, heading)
    return len(body) <= _TICKET_LINES and any(_declining_status(s.lower) for s in body)


@lru_cache(maxsize=16384)
def _declining_status(lower: str) -> bool:
    """'Status: won't do' (asked of a ticket's lines for every finding it may be about)."""
    return _STATUS.match(lower) is not None and defers(lower)


def _section_body(
    segments: list[Segment], heading: Segment, limit: int = 12, start: int | None = None
) -> list[Segment]:
    """The sentences of a section after a heading (or after sentence `start`), until the next
    heading."""
    first = heading.index + 1 if start is None else start
    out = []
    for s in segments[first : first + limit]:
        if s.kind == "heading":
            break
        out.append(s)
    return out


def _candidates(finding: FindingProfile, by_key: dict[str, list[int]]) -> set[int]:
    keys = [f"t:{t}" for t in finding.topics]  # related topics count only with its words
    keys += [f"s:{sc}" for sc in finding.sc]
    keys += [f"w:{w}" for w in finding.words | finding.rule_tokens]
    if finding.own_id:
        keys.append(f"w:{finding.own_id}")
    out: set[int] = set()
    for k in keys:
        out.update(by_key.get(k, ()))
    return out


def _known_words(every: list[FindingProfile], segments: list[Segment]) -> list[frozenset[str]]:
    """Per sentence, the words of the audit's findings it contains (one scan of the plan)."""
    matcher = known_words(tuple(every))
    found: list[set[str]] = [set() for _ in segments]
    starts = [s.start for s in segments]
    text = plan_text(segments)
    for offset, ids in matcher.spans(text, overlap=True):
        words = found[bisect_right(starts, offset) - 1]
        words |= ids
        for word in ids:
            if "-" in word:  # 'delivery-slot' also says 'delivery' and 'slot'
                words.update(part for part in word.split("-") if part in matcher.ids)
    return [frozenset(w) for w in found]


def match_findings(
    findings: list[Finding],
    segments: list[Segment],
    every: list[FindingProfile] | None = None,
) -> dict[str, FindingMatch]:
    """For every finding: the sentences that address it (in plan order) or only mention it.

    Only sentences that share a topic, an SC or a word with a finding are scored (found through
    an index), and a finding's selectors are looked for in the whole plan at once. `every` is
    the findings' profiles when the caller has them.
    """
    every = profiles(findings) if every is None else every
    present = _known_words(every, segments)
    by_key: dict[str, list[int]] = {}
    for seg in segments:
        for t in seg.topics:
            by_key.setdefault(f"t:{t}", []).append(seg.index)
        for sc in seg.sc:
            by_key.setdefault(f"s:{sc}", []).append(seg.index)
        for w in present[seg.index]:
            by_key.setdefault(f"w:{w}", []).append(seg.index)

    def known(s: Segment) -> frozenset[str]:
        return present[s.index]

    plan_lower = "\n".join(s.lower for s in segments)
    out: dict[str, FindingMatch] = {}
    topic_count: dict[str, int] = {}
    for p in every:
        for t in p.topics:
            topic_count[t] = topic_count.get(t, 0) + 1
    contested = frozenset(t for t, n in topic_count.items() if n > 1)
    sc_count: dict[str, int] = {}
    for p in every:
        for sc in p.sc:
            sc_count[sc] = sc_count.get(sc, 0) + 1
    contested_sc = frozenset(sc for sc, n in sc_count.items() if n > 1)
    declined: dict[int, bool] = {}  # by heading: its ticket is declined ('Status: won't do')
    for profile in every:
        candidates = _candidates(profile, by_key)
        for sel in profile.selectors:
            if sel in plan_lower:
                candidates.update(s.index for s in segments if sel in s.lower)
        match = FindingMatch(profile.id)
        scored: dict[int, int] = {}
        for i in sorted(candidates):
            seg = segments[i]
            context = segments[seg.heading] if seg.heading not in (None, i) else None
            points = score(
                profile, seg, context, contested=contested, contested_sc=contested_sc, known=known
            )
            if points >= IDENTIFIED_AT:
                scored[i] = points
        best_fix: tuple[int, int] | None = None
        best_mention: tuple[int, int] | None = None
        for i, points in scored.items():
            intent = intent_of(segments, i, profile, declined)
            if intent != "mention" and not _located(profile, segments, i, known):
                continue  # a fix for some other element, or a generic promise
            if intent == "mention":
                match.mentions.append(i)
                if best_mention is None or points > best_mention[0]:
                    best_mention = (points, i)
            else:  # a fix, or a plan naming a problem without saying it will not fix it
                match.segments.append(i)
                if best_fix is None or points > best_fix[0]:
                    best_fix = (points, i)
        chosen = best_fix or best_mention
        if chosen is not None:
            match.points, match.best = chosen
        out[profile.id] = match
    return out


__all__ = ["CoverageState", "FindingMatch", "match_findings", "score"]
