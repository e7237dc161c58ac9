"""The compiled scanner (src/a11y_judge/_termscan.c) must give exactly what the patterns give:
the term matcher the same (start, ids) as its regular expression for every text, with and
without overlapping terms (on the project's Markdown files and on random texts built from the
vocabularies' own terms, endings, punctuation and non-ASCII characters); and the one-pass index
of the plan-wide patterns' openings the same first sentence as the patterns themselves."""

from __future__ import annotations

import re
import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from a11y_judge import lexicon, scanning, tries
from a11y_judge.evidence.profile import known_words, profiles
from a11y_judge.ingest import read_audit
from a11y_judge.lexicon import TermMatcher, element_matcher, topic_matcher

ROOT = Path(__file__).resolve().parents[2]
needs_scanner = pytest.mark.skipif(
    tries.termscan is None, reason="the C scanner was not built (no compiler at install)"
)


def _matchers() -> dict[str, TermMatcher]:
    audit = read_audit(ROOT / "data" / "demo" / "northwind-audit.md")
    return {
        "topics": topic_matcher(),
        "elements": element_matcher(),
        "known words": known_words(tuple(profiles(audit.findings))),
        "small": TermMatcher(
            {
                "alt": frozenset({"a"}),
                "alt text": frozenset({"b"}),
                "text": frozenset({"c"}),
                "<img": frozenset({"d"}),
                "4.5:1": frozenset({"e"}),
                "a×b": frozenset({"f"}),
                "label-": frozenset({"g"}),
            }
        ),
    }


MATCHERS = _matchers()


def test_the_scanner_is_built_where_a_compiler_is_found() -> None:
    """`pip install` (make setup) compiles it whenever the machine has a C compiler and the
    Python headers; only then is the pure-Python matcher the one in use."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths()["include"], "Python.h").exists()
    if shutil.which(compiler) and headers:
        assert tries.termscan is not None, "reinstall with `make setup` to build the scanner"
    assert tries.SCANNER.startswith("compiled" if tries.termscan else "pure Python")


@needs_scanner
@pytest.mark.parametrize("overlap", [False, True])
def test_the_scanner_finds_what_the_pattern_finds_in_the_projects_texts(overlap: bool) -> None:
    texts = [p.read_text(encoding="utf-8").lower() for p in sorted(ROOT.glob("*/**/*.md"))]
    texts = [t for t in texts if t][:400]
    assert len(texts) > 50
    for name, matcher in MATCHERS.items():
        for text in texts:
            assert matcher.spans(text, overlap) == matcher.pattern_spans(text, overlap), name


def _pieces() -> st.SearchStrategy[str]:
    terms = sorted({t for m in MATCHERS.values() for t in m.ids})
    endings = sorted(lexicon._SUFFIXES)
    other = [
        " ",
        "  ",
        "-",
        ".",
        ",",
        "\n",
        "\x00",
        "é",
        "×",
        "—",
        "x",
        "9",
        "a",
        "s",
        "<",
        "\U0001f600",
    ]
    return st.one_of(st.sampled_from(terms), st.sampled_from(endings), st.sampled_from(other))


@needs_scanner
@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(_pieces(), max_size=12).map("".join), st.booleans())
def test_the_scanner_finds_what_the_pattern_finds_in_random_texts(text: str, overlap: bool) -> None:
    for name, matcher in MATCHERS.items():
        assert matcher.spans(text, overlap) == matcher.pattern_spans(text, overlap), name


def test_spans_take_the_longest_term_and_its_known_endings() -> None:
    """What both scanners must give (the pattern is checked here, the scanner above)."""
    small = MATCHERS["small"]
    text = "the alt texts, alternative alt; <img src> 4.5:1 a×b label-ish alts"
    expected = [
        (4, {"b"}),
        (27, {"a"}),
        (32, {"d"}),
        (42, {"e"}),
        (48, {"f"}),
        (52, {"g"}),
        (62, {"a"}),
    ]
    for spans in (small.spans(text), small.pattern_spans(text)):
        assert [(start, set(ids)) for start, ids in spans] == expected
    assert [s for s, _ in small.pattern_spans(text, overlap=True)][:2] == [4, 8]


def _contexts() -> list[object]:
    from a11y_judge.evidence.segments import segment_plan
    from a11y_judge.ingest import read_plan
    from a11y_judge.judges.offline import _Context

    audit = read_audit(ROOT / "data" / "demo" / "northwind-audit.md")
    paths = sorted((ROOT / "tests").glob("labelled/coverage/*/*/plans/*.md"))
    paths += sorted((ROOT / "data" / "demo" / "plans").glob("*.md"))
    contexts = []
    for path in paths:
        plan = read_plan(path)
        contexts.append(_Context(audit, plan, segment_plan(plan.text), {}, [], 0.0, {}))
    return contexts


@pytest.mark.parametrize("way", ["one-pass index", "pattern scans"])
def test_first_finds_each_patterns_first_sentence(
    way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_Context.first` and `hit`, through the one-pass index of the patterns' openings (the
    compiled scanner) or through their own scans (without it), give what the pattern itself
    finds sentence by sentence: the first sentence it matches, in the whole plan and in a part,
    and whether it matches each sentence."""
    from a11y_judge.judges.offline import INDEXED, PLAN_WIDE

    if way == "pattern scans":
        monkeypatch.setattr(scanning, "opening_index", lambda _patterns: None)
    elif tries.termscan is None:
        pytest.skip("the C scanner was not built (no compiler at install)")
    else:
        index = scanning.opening_index(PLAN_WIDE)
        assert index is not None and len(index.slot) == len(PLAN_WIDE)
    contexts = _contexts()
    assert len(contexts) > 30
    for ctx in contexts:
        part = ctx.segments[1::2]
        for rx in PLAN_WIDE:
            expected = next((s for s in ctx.segments if rx.search(s.lower)), None)
            assert ctx.first(rx) is expected, rx.pattern[:60]
            expected = next((s for s in part if rx.search(s.lower)), None)
            assert ctx.first(rx, part) is expected, rx.pattern[:60]
    for ctx in contexts[::3]:  # and each sentence as the pattern finds it (the fix techniques …)
        for rx in INDEXED:
            for seg in ctx.segments:
                assert ctx.hit(rx, seg) == bool(rx.search(seg.lower)), rx.pattern[:60]


@needs_scanner
def test_the_index_lists_every_segment_an_opening_literal_is_in() -> None:
    rx = re.compile(r"\bci\b|pipeline|\d+ days|log ?in")
    index = scanning.opening_index((rx,))
    assert index is not None
    text = "specific ci.\n\x00\nno match here\n\x00\nthe pipeline and login\n\x00\n3 days"
    starts = [0, 15, 31, 56]
    assert [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)][3] == "3 days"
    assert index.scan(text, starts) == [[0, 2]]  # 'ci' inside 'specific' opens no word
    ((loose, needs),) = index.rest[id(rx)]  # '\d+ days' opens with no literal: scanned for
    assert loose.search("3 days") and needs == (" days",)


@needs_scanner
def test_the_clause_gate_never_rules_out_a_pattern_that_matches() -> None:
    """`scanning.Gate` says False only where the pattern cannot match, so a clause's intent is
    the same with the gate as without it (every clause of 40+ plans)."""
    from a11y_judge.evidence import intent

    gate = intent._GATE
    assert gate is not None
    patterns = (intent.DEFER, intent.FIX, intent._WEAK_FIX, intent.OBSERVE)
    clauses = {
        part
        for ctx in _contexts()
        for seg in ctx.segments  # type: ignore[attr-defined]
        for part, _intent in intent.clauses(seg.lower)
    }
    assert len(clauses) > 1000
    ruled_out = 0
    for clause in clauses:
        for may, rx in zip(gate.may_match(clause), patterns, strict=True):
            if not may:
                ruled_out += 1
                assert rx.search(clause) is None, (rx.pattern[:40], clause)
    assert ruled_out > len(clauses)  # it does rule out: most clauses need one search or two
    with_gate = {c: intent.clause_intent(c) for c in clauses}
    intent.clause_intent.cache_clear()
    try:
        intent._GATE = None
        assert {c: intent.clause_intent(c) for c in clauses} == with_gate
    finally:
        intent._GATE = gate
        intent.clause_intent.cache_clear()
