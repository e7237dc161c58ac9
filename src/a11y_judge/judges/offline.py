"""The offline evidence judge: transparent, deterministic expert heuristics grounded in the audit.

It needs no key and no network. Every score comes with a rationale that names what was counted
and with plan quotes as evidence. See README "How the offline judge scores" for the weights.
"""

from __future__ import annotations

import heapq
import re
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from a11y_judge import scanning
from a11y_judge.evidence import signals as sig
from a11y_judge.evidence.coverage import FindingMatch, match_findings
from a11y_judge.evidence.profile import FindingProfile, profiles
from a11y_judge.evidence.segments import Segment, plan_text, segment_plan
from a11y_judge.ingest import wcag
from a11y_judge.judges.base import register
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import (
    AntiPattern,
    AuditReport,
    Coverage,
    CriterionScore,
    Evidence,
    Finding,
    Judgment,
    Plan,
    Rubric,
    Severity,
)
from a11y_judge.safety.injection import without_injection

#: The patterns the criteria look for in the whole plan (`_Context.first`), indexed in one pass.
PLAN_WIDE = (
    sig.CRITICAL_PATHS,
    sig.RATIONALE,
    sig.OWNERS,
    sig.EFFORT,
    sig.AT_TESTING,
    sig.WRONG_CONTRAST,
    *(rx for _id, _label, rx, _points in sig.LONG_TERM),
)
#: Every pattern looked for in a plan by `_Context.first` or `hit`, indexed in one pass: also
#: the fix techniques, code, values and test steps asked of the sentences about each finding.
INDEXED = (
    *PLAN_WIDE,
    *sig.TOPIC_FIXES.values(),
    sig.CODE,
    sig.VALUE_OR_TECHNIQUE,
)
#: Where "early" ends when a plan has no phases: the first 40% of its segments.
EARLY = 0.4
_WINDOW = 6  # segments after a mention that still count as the fix for it


def _clip(x: float) -> float:
    return round(max(0.0, min(10.0, x)), 2)


def _quote(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _weight(f: Finding) -> float:
    return f.severity.weight * (0.5 if f.needs_review else 1.0)


@dataclass
class _Context:
    audit: AuditReport
    plan: Plan
    segments: list[Segment]
    matches: dict[str, FindingMatch]
    anti_patterns: list[AntiPattern]
    penalty: float
    profiles: dict[str, FindingProfile]
    _one: dict[tuple[int, int], bool] = field(default_factory=dict)
    _order: dict[str, tuple[int, float]] = field(default_factory=dict)
    _first: dict[int, Segment | None] = field(default_factory=dict)

    def hit(self, rx: re.Pattern[str], seg: Segment) -> bool:
        """Does the pattern match this segment? (Not where the one-pass index finds none of the
        literals its alternatives open with, else searched in the segment; memoised.)"""
        key = (id(rx), seg.index)
        if key not in self._one:
            index = self._index
            slot = None if index is None or index.rest.get(id(rx)) else index.slot.get(id(rx))
            if slot is not None and seg.index not in self._opening_sets[slot]:
                self._one[key] = False  # none of the words its matches open with is there
                return False
            lower = seg.lower
            self._one[key] = (
                sig.could_match(rx, lower) and scanning.prefixed(rx).search(lower) is not None
            )
        return self._one[key]

    def first(self, rx: re.Pattern[str], segments: list[Segment] | None = None) -> Segment | None:
        """The first segment (of `segments`, default all) the pattern matches: the words its
        matches open with (else the loose pattern) find candidates in the plan's text from the
        start, and the scan stops at the first candidate the pattern itself confirms."""
        if segments is self.segments:
            segments = None
        if segments is None and id(rx) in self._first:
            return self._first[id(rx)]
        allowed = None if segments is None else {s.index for s in segments}
        index = self._index
        if index is not None and id(rx) in index.slot:
            found = self._first_indexed(rx, index, allowed)
        else:
            found = self._first_scanned(rx, allowed)
        if segments is None:
            self._first[id(rx)] = found
        return found

    def _first_indexed(
        self, rx: re.Pattern[str], index: scanning.OpeningIndex, allowed: set[int] | None
    ) -> Segment | None:
        """`first` from the one-pass index of the plan-wide patterns' openings (and a scan for
        the alternatives that open otherwise), each candidate confirmed by the pattern."""
        streams: list[Iterable[int]] = [self._openings[index.slot[id(rx)]]]
        for loose, needs in index.rest[id(rx)]:  # every match holds one of `needs`
            streams.append(
                self._loose_segments(loose) if needs is None else sorted(self._segments_with(needs))
            )
        candidates = streams[0] if len(streams) == 1 else heapq.merge(*streams)
        return self._first_confirmed(rx, candidates, allowed)

    def _first_confirmed(
        self, rx: re.Pattern[str], candidates: Iterable[int], allowed: set[int] | None
    ) -> Segment | None:
        """The first of the candidate segments (in order, repeats allowed) that is allowed and
        that the pattern matches."""
        seen = -1
        for i in candidates:
            if i != seen and (allowed is None or i in allowed) and self.hit(rx, self.segments[i]):
                return self.segments[i]
            seen = i
        return None

    def _loose_segments(self, loose: re.Pattern[str]) -> Iterator[int]:
        """The segments where a pattern matches, in order, each once (searched lazily)."""
        text, starts, pos = self.scanned, self.starts, 0
        while (m := loose.search(text, pos)) is not None:
            i = bisect_right(starts, m.start()) - 1
            yield i
            if i + 1 >= len(starts):
                return
            pos = starts[i + 1]

    @cached_property
    def _index(self) -> scanning.OpeningIndex | None:
        return scanning.opening_index(INDEXED)

    @cached_property
    def _openings(self) -> list[list[int]]:
        """Per indexed pattern, the segments holding a literal its alternatives open with."""
        index = self._index
        return [] if index is None else index.scan(self.scanned, self.starts)

    @cached_property
    def _opening_sets(self) -> list[frozenset[int]]:
        return [frozenset(found) for found in self._openings]

    def _first_scanned(self, rx: re.Pattern[str], allowed: set[int] | None) -> Segment | None:
        """`first` by the pattern's opening words (str.find) or its loose form."""
        words = scanning.literals(rx)
        candidates = (
            self._first_with(words)
            if words is not None
            else self._loose_segments(scanning.loose(rx))
        )
        return self._first_confirmed(rx, candidates, allowed)

    def _first_with(self, words: tuple[str, ...]) -> Iterator[int]:
        """The segments containing one of the words, in plan order (each once)."""
        text, starts = self.scanned, self.starts
        at = {w: text.find(w) for w in words}
        while live := [p for p in at.values() if p >= 0]:
            i = bisect_right(starts, min(live)) - 1
            yield i
            if i + 1 >= len(starts):
                return
            after = starts[i + 1]
            for w, p in at.items():
                if 0 <= p < after:
                    at[w] = text.find(w, after)

    def _segments_with(self, words: tuple[str, ...]) -> set[int]:
        """Every segment containing one of the words."""
        text, starts, out = self.scanned, self.starts, set()
        for w in words:
            p = text.find(w)
            while p >= 0:
                i = bisect_right(starts, p) - 1
                out.add(i)
                p = text.find(w, starts[i + 1]) if i + 1 < len(starts) else -1
        return out

    @cached_property
    def starts(self) -> list[int]:
        """Where each segment starts in `scanned`."""
        return [s.start for s in self.segments]

    @cached_property
    def scanned(self) -> str:
        """The segments' lower-case text as one string (patterns never cross a separator)."""
        return plan_text(self.segments)

    @property
    def covered(self) -> list[Finding]:
        return [f for f in self.audit.findings if self.matches[f.id].covered]

    def treatment(self, f: Finding) -> Segment | None:
        """Where the plan schedules a finding: its first mention inside a phase if the plan has
        phases (an overview table is not the schedule), else its first mention."""
        m = self.matches[f.id]
        if not m.covered:
            return None
        mentions = [self.segments[i] for i in m.segments]
        phased = [s for s in mentions if s.phase is not None]
        return min(phased, key=lambda s: (s.phase, s.position)) if phased else mentions[0]

    def order_key(self, f: Finding) -> tuple[int, float]:
        """When the plan addresses a finding: (phase, position); unaddressed last."""
        if f.id not in self._order:
            seg = self.treatment(f)
            self._order[f.id] = (
                (99, 2.0)
                if seg is None
                else (seg.phase if seg.phase is not None else 50, seg.position)
            )
        return self._order[f.id]

    @cached_property
    def first_phase(self) -> int | None:
        """The plan's earliest phase number, if it has phases."""
        return min((s.phase for s in self.segments if s.phase is not None), default=None)

    def segment_is_early(self, seg: Segment) -> bool:
        """In the first phase, or (no phases) in the first 40% of the plan."""
        if self.first_phase is not None:
            return seg.phase is not None and seg.phase <= self.first_phase
        return seg.position <= EARLY

    def is_early(self, f: Finding) -> bool:
        seg = self.treatment(f)
        return seg is not None and self.segment_is_early(seg)

    def window(self, f: Finding) -> list[Segment]:
        """Where the plan deals with a finding: each mention and what follows it in its section."""
        parts: dict[int, Segment] = {}
        for i in self.matches[f.id].segments[:4]:
            section = self.segments[i].section
            for s in self.segments[i : i + _WINDOW]:
                if s.index != i and (s.kind == "heading" or s.section != section):
                    break
                parts[s.index] = s
        return list(parts.values())

    def evidence(self, f: Finding, note: str = "") -> Evidence:
        best = self.matches[f.id].best
        quote = self.segments[best].text if best is not None else ""
        return Evidence(quote=_quote(quote), finding_id=f.id, note=note)


def _prioritization(ctx: _Context) -> CriterionScore:
    findings = ctx.audit.findings
    urgent = [f for f in findings if f.severity in (Severity.CRITICAL, Severity.SERIOUS)]
    # 1. Order agrees with severity (pairs of findings of different severity): 4 points.
    concordant = discordant = 0
    ranked = [(f.severity.rank, ctx.order_key(f)) for f in findings]
    for i, (rank_a, key_a) in enumerate(ranked):
        for rank_b, key_b in ranked[i + 1 :]:
            if rank_a == rank_b:
                continue
            ka, kb = (key_a, key_b) if rank_a < rank_b else (key_b, key_a)
            if ka < kb:
                concordant += 1
            elif ka > kb:
                discordant += 1
    pairs = concordant + discordant
    agreement = concordant / pairs if pairs else 0.5
    order_pts = 4.0 * agreement
    # 2. Critical/serious findings handled early: 2 points.
    early = [f for f in urgent if ctx.is_early(f)]
    early_pts = 2.0 * (len(early) / len(urgent)) if urgent else 1.0
    # 3. Critical user paths named early: 1 point.
    path_seg = ctx.first(sig.CRITICAL_PATHS, [s for s in ctx.segments if ctx.segment_is_early(s)])
    path_pts = 1.0 if path_seg else 0.0
    # 4. Stated rationale: 1 point. 5. Phases, owners, effort: 2 points.
    rationale = ctx.first(sig.RATIONALE, ctx.segments)
    phases = sorted({s.phase for s in ctx.segments if s.phase is not None})
    owners = ctx.first(sig.OWNERS, ctx.segments)
    effort = ctx.first(sig.EFFORT, ctx.segments)
    structure_pts = (
        (1.0 if len(phases) >= 2 else 0.0) + (0.5 if owners else 0.0) + (0.5 if effort else 0.0)
    )
    score = order_pts + early_pts + path_pts + (1.0 if rationale else 0.0) + structure_pts
    if any(a.id == "overlay" for a in ctx.anti_patterns):
        score -= 2.0  # an overlay is offered as the first fix instead of prioritised repairs
    parts = [
        f"order agrees with severity in {concordant}/{pairs} finding pairs"
        if pairs
        else "too few findings addressed to judge their order",
        f"{len(early)}/{len(urgent)} critical or serious findings handled "
        f"{'in the first phase' if phases else 'in the first 40% of the plan'}"
        if urgent
        else "the audit has no critical or serious findings",
        f"{len(phases)} phase(s)" if phases else "no phases",
        "owners named" if owners else "no owners",
        "effort estimated" if effort else "no effort estimates",
        "rationale stated" if rationale else "no rationale for the order",
        "critical user path named early" if path_seg else "no critical user path named early",
    ]
    evidence = [ctx.evidence(f, "handled early") for f in early[:4]]
    evidence += [
        Evidence(quote=_quote(s.text), note=n)
        for s, n in (
            (rationale, "rationale"),
            (owners, "owner"),
            (effort, "effort"),
            (path_seg, "user path"),
        )
        if s is not None
    ]
    late = [f for f in urgent if ctx.matches[f.id].covered and not ctx.is_early(f)]
    evidence += [ctx.evidence(f, f"{f.severity.value} finding handled late") for f in late[:3]]
    return CriterionScore(score=_clip(score), rationale="; ".join(parts) + ".", evidence=evidence)


def _concreteness(ctx: _Context, f: Finding) -> tuple[float, list[str]]:
    window = ctx.window(f)
    profile = ctx.profiles[f.id]
    topics = profile.topics | profile.related
    got: list[str] = []
    score = 0.0
    fixes = [rx for t in topics if (rx := sig.TOPIC_FIXES.get(t)) is not None]
    if any(ctx.hit(rx, s) for rx in fixes for s in window):
        score += 0.45
        got.append("correct fix technique")
    for rx, points, label in (
        (sig.CODE, 0.25, "code"),
        (sig.VALUE_OR_TECHNIQUE, 0.2, "values/techniques"),
        (sig.AT_TESTING, 0.1, "test step"),
    ):
        if any(ctx.hit(rx, s) for s in window):
            score += points
            got.append(label)
    return min(score, 1.0), got


def _specificity(ctx: _Context) -> CriterionScore:
    covered = ctx.covered
    if not covered:
        return CriterionScore(
            score=0.0,
            rationale="The plan addresses none of the audit's findings, so no fix can "
            "be judged concrete.",
            evidence=[],
        )
    per = {f.id: _concreteness(ctx, f) for f in covered}
    mean = sum(_weight(f) * per[f.id][0] for f in covered) / sum(_weight(f) for f in covered)
    at = ctx.first(sig.AT_TESTING, ctx.segments)
    wrong = ctx.first(sig.WRONG_CONTRAST, ctx.segments)
    score = 8.5 * mean + (1.5 if at else 0.0) - ctx.penalty - (1.0 if wrong else 0.0)
    concrete = [f for f in covered if per[f.id][0] >= 0.65]
    vague = [f for f in covered if per[f.id][0] < 0.45]
    parts = [
        f"{len(concrete)}/{len(covered)} addressed findings have concrete fixes "
        f"(severity-weighted concreteness {mean:.0%})"
    ]
    parts.append(
        "names assistive technology or tools for testing"
        if at
        else "no test steps with named assistive technology"
    )
    if ctx.anti_patterns:
        parts.append(
            "anti-patterns: "
            + ", ".join(a.name for a in ctx.anti_patterns)
            + f" (−{ctx.penalty:g})"
        )
    if wrong:
        parts.append("states a contrast ratio below 4.5:1 for normal text (−1)")
    evidence = [ctx.evidence(f, "concrete: " + ", ".join(per[f.id][1])) for f in concrete[:4]]
    evidence += [ctx.evidence(f, "vague fix") for f in vague[:3]]
    evidence += [
        Evidence(quote=_quote(a.quote), note=f"anti-pattern: {a.name}") for a in ctx.anti_patterns
    ]
    if at:
        evidence.append(Evidence(quote=_quote(at.text), note="test step"))
    return CriterionScore(score=_clip(score), rationale="; ".join(parts) + ".", evidence=evidence)


def _comprehensiveness(ctx: _Context) -> CriterionScore:
    findings = ctx.audit.findings
    covered = ctx.covered
    total_w = sum(_weight(f) for f in findings)
    weighted = sum(_weight(f) for f in covered) / total_w if total_w else 0.0
    principles = {wcag.principle_of(sc) for f in findings for sc in f.wcag}
    touched = {wcag.principle_of(sc) for f in covered for sc in f.wcag}
    pour = len(touched & principles) / len(principles) if principles else (1.0 if covered else 0.0)
    headings = sum(1 for s in ctx.segments if s.kind == "heading")
    items = sum(1 for s in ctx.segments if s.kind == "item")
    roles = ctx.first(sig.OWNERS, ctx.segments)
    traceable = sum(
        1
        for f in covered
        if ctx.matches[f.id].points >= 3
        and (
            any(
                f.id.lower() in ctx.segments[i].lower or ctx.segments[i].sc & set(f.wcag)
                for i in ctx.matches[f.id].segments
            )
        )
    )
    structure = (
        (0.5 if headings >= 3 or items >= 5 else 0.0)
        + (0.5 if roles else 0.0)
        + (0.5 if covered and traceable >= len(covered) / 2 else 0.0)
    )
    score = 7.0 * weighted + 1.5 * pour + structure
    by_sev = []
    for sev in (Severity.CRITICAL, Severity.SERIOUS, Severity.MODERATE, Severity.MINOR):
        n = sum(1 for f in findings if f.severity is sev)
        if n:
            c = sum(1 for f in covered if f.severity is sev)
            by_sev.append(f"{c}/{n} {sev.value}")
    missed = [f for f in findings if not ctx.matches[f.id].covered]
    parts = [
        f"addresses {len(covered)}/{len(findings)} findings ({', '.join(by_sev)}); "
        f"severity-weighted coverage {weighted:.0%}",
        f"touches {len(touched & principles)}/{len(principles)} POUR principles present in the "
        "audit"
        if principles
        else "the audit names no success criteria",
        "structured for a mixed team" if structure >= 1.0 else "little structure for a team",
    ]
    if missed:
        parts.append(
            "misses " + ", ".join(f.id for f in missed[:8]) + ("…" if len(missed) > 8 else "")
        )
    evidence = [ctx.evidence(f, "covered") for f in covered[:6]]
    evidence += [
        Evidence(
            quote="", finding_id=f.id, note=f"missed ({f.severity.value}): {_quote(f.title, 120)}"
        )
        for f in missed[:6]
    ]
    return CriterionScore(score=_clip(score), rationale="; ".join(parts) + ".", evidence=evidence)


def _long_term(ctx: _Context) -> CriterionScore:
    got: list[tuple[str, Segment]] = []
    points = 0.0
    for _id, label, rx, pts in sig.LONG_TERM:
        seg = ctx.first(rx)
        if seg is not None:
            got.append((label, seg))
            points += pts
    score = points * (10.0 / sum(p for *_, p in sig.LONG_TERM))
    overlay = any(a.id == "overlay" for a in ctx.anti_patterns)
    if overlay:
        score -= 4.0
    missing = [label for _id, label, _rx, _p in sig.LONG_TERM if label not in {g for g, _ in got}]
    parts = [f"sustainment practices present: {', '.join(g for g, _ in got) or 'none'}"]
    if missing:
        parts.append("absent: " + ", ".join(missing))
    if overlay:
        parts.append("relies on an overlay instead of fixing the source (−4)")
    evidence = [Evidence(quote=_quote(s.text), note=label) for label, s in got]
    return CriterionScore(score=_clip(score), rationale="; ".join(parts) + ".", evidence=evidence)


class OfflineJudge:
    """Deterministic evidence judge; needs no key and no network."""

    id = "offline"
    provider = "offline"
    model: str | None = "evidence-heuristics-v1"
    cpu_bound = True  # the engine runs it in worker processes for large runs

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        """Score one plan on every rubric criterion this judge knows."""
        start = time.perf_counter()
        cleaned = without_injection(plan.text)  # text aimed at the judge never scores
        if cleaned != plan.text:
            plan = plan.model_copy(update={"text": cleaned})
        segments = segment_plan(plan.text)
        every = profiles(audit.findings)
        matches = match_findings(audit.findings, segments, every)
        anti, penalty = sig.find_anti_patterns(plan.text)
        by_id = {p.id: p for p in every}
        ctx = _Context(audit, plan, segments, matches, anti, penalty, by_id)
        scorers = {
            "strategic_prioritization": _prioritization,
            "technical_specificity": _specificity,
            "comprehensiveness": _comprehensiveness,
            "long_term_vision": _long_term,
        }
        unknown = [c.id for c in rubric.criteria if c.id not in scorers]
        scores = {c.id: scorers[c.id](ctx) for c in rubric.criteria if c.id in scorers}
        states = {f.id: matches[f.id].state for f in audit.findings}
        covered = [fid for fid, st in states.items() if st == "addressed"]
        coverage = Coverage(
            covered=covered,
            mentioned=[fid for fid, st in states.items() if st == "mentioned"],
            missed=[fid for fid, st in states.items() if st == "missed"],
            ratio=round(len(covered) / len(audit.findings), 4) if audit.findings else 0.0,
            evidence={
                fid: _quote(segments[m.best].text)
                for fid, m in matches.items()
                if m.best is not None
            },
        )
        return Judgment(
            judge_id=self.id,
            plan_name=plan.name,
            status="ok" if not unknown else "failed",
            scores=scores,
            coverage=coverage,
            anti_patterns=anti,
            error=f"the offline judge has no scorer for criteria {unknown}" if unknown else None,
            latency_ms=(time.perf_counter() - start) * 1000,
            provider=self.provider,
            model=self.model,
        )


@register("offline")
def _make_offline(rest: str, settings: JudgeSettings) -> OfflineJudge:
    return OfflineJudge()
