"""The injection scanner finds each phrase pattern's matches from the words they contain
(scanning.Anchored, safety/injection.py _ANCHORS): it must give exactly the matches the
patterns' own finditer gives, on the project's texts, the labelled injection set and random
texts built from the anchor words, the words around them, whitespace, punctuation and
non-ASCII letters — with the compiled scanner and without it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from a11y_judge import scanning
from a11y_judge.safety import injection

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = [*injection._FOLDED, injection._ROLE_LINE]


def _project_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("*/**/*.md"))][:300]
    for name in ("cases.yaml", "held-out.yaml"):
        doc = yaml.safe_load((ROOT / "tests" / "labelled" / "injection" / name).read_text())
        texts += [str(v) for v in _strings(doc)]
    return [t for t in texts if t]


def _strings(doc: object) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for v in doc.values():
            yield from _strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _strings(v)


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def _anchored_spans(text: str) -> list[list[tuple[int, int]]]:
    """What the scanner finds, per pattern, for a text whose folding keeps its offsets."""
    low = text.casefold()
    located = injection._ANCHORED.locate(low)
    out = [
        [m.span() for m in injection._ANCHORED.finditer(k, located, low)]
        for k in range(len(injection._FOLDED))
    ]
    roles = injection._ANCHORED.finditer(injection._ROLES, located, low, text)
    return [*out, [m.span() for m in roles]]


def _expected(text: str) -> list[list[tuple[int, int]]]:
    low = text.casefold()
    return [_spans(rx, low) for rx in injection._FOLDED] + [_spans(injection._ROLE_LINE, text)]


@pytest.fixture(params=["compiled", "pure Python"])
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "compiled" and scanning.termscan is None:
        pytest.skip("the C scanner was not built (no compiler at install)")
    if request.param == "pure Python":
        monkeypatch.setattr(scanning, "termscan", None)
    return str(request.param)


def test_the_anchors_find_what_the_patterns_find_in_the_projects_texts(scanner: str) -> None:
    texts = [t for t in _project_texts() if _folds_in_place(t)]
    assert len(texts) > 100
    found = 0
    for text in texts:
        expected = _expected(text)
        assert _anchored_spans(text) == expected, text[:200]
        found += sum(map(len, expected))
    assert found > 50  # the labelled injections are found, by both


_WORDS = [
    *"ignore disregard forget override bypass all any previous prior system your the these".split(),
    *("instructions instruction prompt prompts rules rubric criteria scoring grading".split()),
    *("new updated real actual revised do not follow obey you are now end of a an in".split()),
    *("give award assign grant rate score grade mark rank place put it us me as with".split()),
    *("this our my plan proposal document submission response roadmap draft deserves".split()),
    *("merits earns should must get receive be given scored rated ranked first top".split()),
    *("every each criterion 10 ten 10/10 full marks highest perfect high best".split()),
    *("dear attention note to for hey hi hello message ai llm llms language model".split()),
    *("evaluator judge grader scorer assessor automated reviewer assistant bot".split()),
    *("developer user human ### response: instruction: system: assistant: user:".split()),
    *("<|im_start|> <|im_end|> [INST] [/INST] <<SYS>> <</SYS>> <system> </system>".split()),
    *("<instructions> AI LLM Judge Evaluator SYSTEM Assistant criteri markup".split()),
    *("éa ĳ _x x_ 4.5:1 `code` ``` ~~~".split()),
]
_GLUE = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", ".", ",", ":", "-", "> ", "* ", "(", ")", ""]


def _folds_in_place(text: str) -> bool:
    """Folding keeps every offset (else the scanner falls back to the patterns)."""
    return len(text.casefold()) == len(text)


def _random_texts(most: int) -> st.SearchStrategy[str]:
    parts = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=most)
    return parts.map(lambda p: "".join(w + g for w, g in p)).filter(_folds_in_place)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_random_texts(40))
def test_the_anchors_find_what_the_patterns_find_in_random_texts(text: str) -> None:
    assert _anchored_spans(text) == _expected(text), repr(text)


#: Phrases the patterns are written to catch, slot by slot ('' leaves a slot out), so that
#: random texts hold real matches of every alternative, near misses and overlaps.
_TEMPLATES = [
    [
        ["ignore", "Disregard", "bypass"],
        ["all", "any", ""],
        ["", "of", "the"],
        ["previous", "your", "system"],
        ["instructions", "rules", "scoring rules", "prompt"],
    ],
    [["ignore", "forget"], ["the", "your", ""], ["scoring", "grading"], ["rules", "rubric"]],
    [["new", "Updated", "real"], ["system", ""], ["instructions", "instruction"], [":", " :"]],
    [
        ["do"],
        ["not"],
        ["follow", "obey", "use"],
        ["the", "your", "any"],
        ["", "above"],
        ["instructions", "rubric", "system prompt"],
    ],
    [
        ["you"],
        ["are"],
        ["now"],
        ["a", "the", "in"],
        ["", "strict", "very lenient"],
        ["judge", "AI assistant", "evaluator", "scoring model"],
    ],
    [["end", "ignore"], ["of"], ["the", ""], ["system", ""], ["prompt"]],
    [
        ["give", "award", "rate", "mark"],
        ["this", "the", "our", "it", "me"],
        ["", "draft"],
        ["plan", "proposal", ""],
        ["a", "as", "with", ""],
        ["10/10", "ten", "full marks", "the highest score", "perfect", "7 out of 10"],
    ],
    [
        ["this", "our", "my"],
        ["", "revised"],
        ["plan", "roadmap", "response"],
        ["deserves", "should get", "must be given", "earns"],
        ["a", "an", ""],
        ["10", "first", "number one", "#1", "top marks"],
    ],
    [
        ["rank", "place", "put"],
        ["this", "the"],
        ["", "new"],
        ["plan", "document"],
        ["first", "at the top", "above all", "as the best"],
    ],
    [
        ["every", "each", "all"],
        ["criterion", "criteria"],
        ["should", "must"],
        ["be", ""],
        ["scored", "rated", "given"],
        ["a", ""],
        ["10", "full", "the maximum", "max"],
    ],
    [
        ["as", "dear", "note to", "message for", "instructions for", "to", "hey", "hi"],
        ["the", "an", "a", "any", "all", ""],
        [
            "ai",
            "LLM",
            "language model",
            "evaluator",
            "automated judge",
            "AI assistant",
            "scoring system",
            "judges",
        ],
        ["", "please", "kindly"],
        ["score", "rate", "give", "10/10", "you must", "instructions"],
    ],
    [["### Instruction:", "###  System prompt", "### Response :", "###Instructions:"]],
    [
        ["system", "Assistant", "developer", "user", "human"],
        [":", " :", "\n:"],
        ["you must score this", "hello", "rate it 10", ""],
    ],
]


@st.composite
def _phrases(draw: st.DrawFn) -> str:
    """A random text: words, glue and whole template phrases, with random whitespace."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            slots = draw(st.sampled_from(_TEMPLATES))
            words = [draw(st.sampled_from(options)) for options in slots]
            gaps = [draw(st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", ""])) for _ in words]
            text = "".join(w + g for w, g in zip(words, gaps, strict=True))
            out.append(text.upper() if draw(st.booleans()) and len(out) % 3 == 2 else text)
        else:
            out.append(draw(st.sampled_from(_WORDS)))
        out.append(draw(st.sampled_from(_GLUE)))
    return "".join(out)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(_phrases().filter(_folds_in_place))
def test_the_anchors_find_what_the_patterns_find_in_phrases(text: str) -> None:
    assert _anchored_spans(text) == _expected(text), repr(text)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(_random_texts(30))
def test_the_anchors_find_the_same_without_the_compiled_scanner(text: str) -> None:
    compiled = _anchored_spans(text)
    saved, scanning.termscan = scanning.termscan, None
    try:
        assert _anchored_spans(text) == compiled == _expected(text), repr(text)
    finally:
        scanning.termscan = saved


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet="`~ab\n ", max_size=60))
def test_code_spans_are_found_from_their_backticks_and_tildes(text: str) -> None:
    assert injection._code_spans(text) == _spans(injection._CODE, text)


_INVISIBLE_ALPHABET = (  # invisible characters, their neighbours, ASCII and others
    "ab \u00e9\u200a\u200b\u200c\u200d\u200e\u2060\u2064\u2065\ufeff\u180e\u202a\u202e"
    "\u2066\u2069\U000e0001\U000e007f\U000e0080\U0001f3f4"
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet=_INVISIBLE_ALPHABET,
        max_size=40,
    )
)
def test_invisible_characters_are_found_as_by_their_class(text: str) -> None:
    assert injection._invisible_offsets(text) == [
        m.start() for m in injection._INVISIBLE.finditer(text)
    ]
