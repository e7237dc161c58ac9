"""The compiled term scanner (src/a11y_judge/_termscan.c) must give exactly what the term
matcher's regular expression gives: the same (start, ids) for every text, with and without
overlapping terms. Compared on the project's Markdown files and on random texts built from the
vocabularies' own terms, endings, punctuation and non-ASCII characters."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from a11y_judge import lexicon
from a11y_judge.evidence.profile import known_words, profiles
from a11y_judge.ingest import read_audit
from a11y_judge.lexicon import TermMatcher, element_matcher, topic_matcher

ROOT = Path(__file__).resolve().parents[2]
needs_scanner = pytest.mark.skipif(
    lexicon._termscan is None, reason="the C scanner was not built (no compiler at install)"
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
        assert lexicon._termscan is not None, "reinstall with `make setup` to build the scanner"
    assert lexicon.SCANNER.startswith("compiled" if lexicon._termscan else "pure Python")


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
