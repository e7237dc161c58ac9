r"""Faster ways for the regular-expression engine to find what a pattern matches, each giving
exactly the pattern's own matches: a pattern whose matches open with a few words is looked for
with str.find on those words and confirmed at each candidate, and a leading word boundary is
checked behind the first letter, so the engine skips to the letters the pattern opens with.
(Python's engine skips ahead only for a pattern that opens with a literal or a character set; a
leading '\b' or look-behind makes it try every position.)"""

from __future__ import annotations

import _sre
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from a11y_judge.tries import termscan, trie_tables


@lru_cache(maxsize=512)
def loose(rx: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without \\b anchors: a superset that the regex engine scans many times
    faster (a leading \\b defeats its prefix search); its matches are then checked with rx."""
    return re.compile(rx.pattern.replace(r"\b", ""), rx.flags)


#: '\b' before a letter or digit that no quantifier follows.
_BOUNDARY_BEFORE_LITERAL = re.compile(r"(?<!\\)\\b([a-z0-9])(?![?*+{])")


@lru_cache(maxsize=512)
def prefixed(rx: re.Pattern[str]) -> re.Pattern[str]:
    r"""The same pattern written so that the regex engine can skip to where it may match.

    '\bci' matches what 'c(?<!\wc)i' matches: the word boundary is checked behind the first
    letter instead of before it. A pattern whose every alternative then opens with a letter
    is tried only where one of those letters is (the engine's first-character set); with a
    leading '\b' it is tried at every position, several times slower on a sentence. Patterns
    that would not gain that set are returned as they are.
    """
    source = _behind_first_letter(_distribute_boundaries(rx.pattern))
    if source == rx.pattern or not all(
        _opens_with_letter(alt) for alt in _top_level_alternatives(source)
    ):
        return rx
    return re.compile(source, rx.flags)


def _behind_first_letter(source: str) -> str:
    r"""'ci' written 'c(?<!\wc)i', wherever a '' stands before a letter or digit."""
    return _BOUNDARY_BEFORE_LITERAL.sub(lambda m: f"{m.group(1)}(?<!\\w{m.group(1)})", source)


#: A word boundary before a non-capturing group: '(?:as|dear|to)'.
_BOUNDARY_BEFORE_GROUP = "\\b(?:"


def _distribute_boundaries(source: str) -> str:
    r"""'(?:as|to)' written '(?:as|to)' where every alternative of the group opens with
    a letter or digit that no quantifier follows (the same matches: the boundary is checked
    where each alternative opens), so that each can then check it behind its first letter."""
    out, i = [], 0
    while (at := source.find(_BOUNDARY_BEFORE_GROUP, i)) >= 0:
        if at > 0 and source[at - 1] == "\\":  # an escaped backslash, then 'b'
            out.append(source[i : at + 2])
            i = at + 2
            continue
        body_start = at + len(_BOUNDARY_BEFORE_GROUP)
        end = _closing_paren(source, body_start)
        alternatives = _top_level_alternatives(source[body_start:end]) if end > 0 else []
        if alternatives and all(_BOUNDARY_BEFORE_LITERAL.match("\\b" + a) for a in alternatives):
            out.append(source[i:at] + "(?:" + "|".join("\\b" + a for a in alternatives))
            i = end
        else:
            out.append(source[i : at + 2])
            i = at + 2
    out.append(source[i:])
    return "".join(out)


def _closing_paren(source: str, start: int) -> int:
    """Where the group whose body starts at `start` closes (-1 if it does not)."""
    return next((i for i, ch, depth in _structure(source, start, 1) if depth == 0), -1)


def _opens_with_letter(alternative: str) -> bool:
    """The alternative opens with a letter or digit, or with a non-capturing group whose every
    alternative does (the engine's first-character set then covers it)."""
    if alternative[:1].isalnum():
        return True
    if not alternative.startswith("(?:"):
        return False
    end = _closing_paren(alternative, 3)
    return end > 0 and all(a[:1].isalnum() for a in _top_level_alternatives(alternative[3:end]))


#: Characters with a meaning in a pattern: a literal run ends before one.
_SPECIAL = frozenset("\\.^$*+?{}[]()|")
#: Literal runs shorter than this occur inside too many words to find candidates with.
MIN_LITERAL = 3
#: With more words than this, looking for each costs more than one scan with the pattern
#: (measured on the benchmark's plans: 5-10 words 1.2-5 x faster, 16-18 words 1.6-2 x slower).
MAX_LITERALS = 10
#: For `finditer`, where a candidate costs one anchored match: shorter and more words pay.
FINDITER_SHORTEST, FINDITER_MOST = 2, 40


@lru_cache(maxsize=512)
def literals(
    rx: re.Pattern[str], shortest: int = MIN_LITERAL, most: int = MAX_LITERALS
) -> tuple[str, ...] | None:
    r"""Strings one of which starts every match of the pattern (each alternative's opening
    literal run, a leading '\b' skipped and an optional letter written both ways: 're-?test'
    gives 're-test' and 'retest', a leading group of words gives each), or None when an
    alternative opens otherwise, a run is shorter than `shortest` or there are more than
    `most`. Finding a few words with str.find is several times faster than a regex scan;
    the pattern then confirms each candidate."""
    if rx.flags & re.IGNORECASE:
        return None
    return _opening_words(rx.pattern, shortest, most)


def _opening_words(source: str, shortest: int, most: int) -> tuple[str, ...] | None:
    """`literals` of a pattern's source."""
    out: list[str] = []
    for alt in _top_level_alternatives(source):
        alt = alt[2:] if alt.startswith("\\b") else alt
        runs, i = [""], 0
        if alt.startswith("(?:"):  # '(?:usability|user) test': each word opens a run
            end = alt.find(")")
            options = alt[3:end].split("|") if end > 0 else []
            if not options or any(_SPECIAL & set(o) for o in options):
                return None
            runs, i = options, end + 1
            if alt[i : i + 1] in ("?", "*", "+", "{"):
                return None
        while i < len(alt) and alt[i] not in _SPECIAL:
            if alt[i + 1 : i + 2] == "?":  # 'x?': with and without it
                runs = [r + alt[i] for r in runs] + runs
                i += 2
            elif alt[i + 1 : i + 2] in ("*", "+", "{"):
                break  # repeated: the run ends before it
            else:
                runs = [r + alt[i] for r in runs]
                i += 1
        if min(len(r) for r in runs) < shortest:
            return None
        out.extend(runs)
    words = tuple(dict.fromkeys(out))
    return words if len(words) <= most else None


def _top_level_alternatives(source: str) -> list[str]:
    """A pattern's alternatives outside any group or character class."""
    parts, start = [], 0
    for i, ch, depth in _structure(source, 0):
        if ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    parts.append(source[start:])
    return parts


def _structure(source: str, start: int, depth: int = 0) -> Iterator[tuple[int, str, int]]:
    """(offset, character, group depth after it) of each character of a pattern's source from
    `start` that is neither escaped nor inside a character class."""
    i, in_class = start, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def finditer(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """rx.finditer(text), found from the words its matches open with when it has a few: each
    occurrence of one, left to right, is tried with rx.match and a match resumes the search
    after its end, as finditer does (a match cannot open anywhere else). Each candidate costs
    one anchored match, so short and many words still pay (unlike confirming a sentence).
    Without such words, the pattern's `prefixed` form scans the text."""
    words = literals(rx, FINDITER_SHORTEST, FINDITER_MOST)
    if words is None:
        yield from prefixed(rx).finditer(text)
        return
    yield from confirm(rx, text, sorted({p for w in words for p in occurrences(text, w)}))


def confirm(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """rx.finditer(text), given (sorted) every offset where a match of rx may open: each is
    tried with rx.match, left to right, and a match resumes the search after its end, as
    finditer does."""
    end = 0
    for p in starts:
        if p < end:
            continue
        m = rx.match(text, p)
        if m is not None:
            yield m
            end = max(m.end(), p + 1)


#: An Anchor's `back` for "the start of the anchor word's line" (a pattern opening with '^').
LINE = -1


@dataclass(frozen=True)
class Anchor:
    r"""Words one of which every match of a pattern (or of some of its alternatives) contains,
    and where such a match opens, from an occurrence at q: 0 at q itself; k >= 1 at the start
    of the k-th word before q, counting runs of \w characters separated by whitespace only
    (q itself preceded by whitespace); LINE at the start of q's line. Whoever writes one reads
    it off the pattern; tests compare the patterns' finditer on many texts."""

    words: tuple[str, ...]
    back: tuple[int, ...] = (0,)


class Strings:
    """Where any of some strings opens in a text, in order, each offset once: one pass of the
    compiled scanner (str.find per string without it)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._sets = _WordSets([[(w, False) for w in words]])

    def positions(self, text: str) -> list[int]:
        return self._sets.positions(text)[0]


class Anchored:
    """rx.finditer for several patterns, each from its anchors' occurrences, found for all of
    them in one pass of the text (the compiled scanner, or str.find without it). For patterns
    that would otherwise scan the whole text, often for nothing."""

    def __init__(self, specs: tuple[tuple[re.Pattern[str], tuple[Anchor, ...]], ...]) -> None:
        self._specs = specs
        words = sorted({w for _rx, anchors in specs for a in anchors for w in a.words})
        self._slot = {w: i for i, w in enumerate(words)}
        self._sets = _WordSets([[(w, False)] for w in words])

    def locate(self, text: str) -> list[list[int]]:
        """Every anchor word's offsets in text (one pass), for `finditer`."""
        return self._sets.positions(text)

    def finditer(
        self, k: int, located: list[list[int]], text: str, target: str | None = None
    ) -> Iterator[re.Match[str]]:
        """Pattern k's finditer over `target` (default: `text`, where `located` was found; a
        target must have the same offsets, e.g. the text before case folding)."""
        rx, anchors = self._specs[k]
        starts: set[int] = set()
        for anchor in anchors:
            for word in anchor.words:
                for q in located[self._slot[word]]:
                    starts.update(_anchor_starts(text, q, anchor.back))
        yield from confirm(rx, text if target is None else target, sorted(starts))


def _anchor_starts(text: str, q: int, back: tuple[int, ...]) -> list[int]:
    """Where a match with an anchor word at q may open (Anchor.back)."""
    out = [q] if 0 in back else []
    if LINE in back:
        out.append(text.rfind("\n", 0, q) + 1)
    most = max(back)
    i, k = q, 0
    while k < most:
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if j == i:
            break  # no whitespace before: no word before it counts
        e = j
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_"):
            j -= 1
        if j == e:
            break
        k += 1
        if k in back:
            out.append(j)
        i = j
    return out


def occurrences(text: str, word: str) -> Iterator[int]:
    """Every offset of `word` in text, overlapping ones included."""
    p = text.find(word)
    while p >= 0:
        yield p
        p = text.find(word, p + 1)


#: Strings shorter than this rule out too little to be worth looking for.
MIN_REQUIRED = 2


@lru_cache(maxsize=512)
def required(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which occurs in every match of the pattern, read from its parse tree
    (each alternative's longest mandatory literal run, wherever it stands: 're-?test' needs
    'test', 'won'?t fix' needs 't fix'), or None when some alternative needs none at least
    MIN_REQUIRED long, or the pattern ignores case. `any(w in text for w in ...)` False means
    the pattern cannot match the text: a test of a few string searches, where a pattern of
    many alternatives costs its engine a try at every character."""
    if rx.flags & re.IGNORECASE:
        return None
    found = _required_sequence(list(_parser.parse(rx.pattern, rx.flags)))
    return tuple(sorted(found)) if found else None


def _required_sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best requirement of a sequence: every item is matched, so any item's will do."""
    options: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        if op is _constants.LITERAL:
            run += chr(arg)
            continue
        if len(run) >= MIN_REQUIRED:
            options.append(frozenset({run}))
        run = ""
        if (found := _required_item(op, arg)) is not None:
            options.append(found)
    if len(run) >= MIN_REQUIRED:
        options.append(frozenset({run}))
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _required_item(op: Any, arg: Any) -> frozenset[str] | None:
    if op is _constants.SUBPATTERN:
        _group, add_flags, _del_flags, body = arg
        if add_flags & re.IGNORECASE:
            return None
        return _required_sequence(list(body))
    if op is _constants.BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            found = _required_sequence(list(alternative))
            if found is None:
                return None  # this alternative matches without any of them
            union |= found
        return frozenset(union)
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        least, _most, body = arg
        return _required_sequence(list(body)) if least >= 1 else None
    if op is _constants.ATOMIC_GROUP:
        return _required_sequence(list(arg))
    return None  # a class, any character, an assertion or a reference needs no literal


#: A group distributed over the alternative it opens ('(?:a|b)x' → 'ax|bx') has at most this
#: many alternatives, so the pattern stays small.
MAX_DISTRIBUTED = 16


@lru_cache(maxsize=512)
def factored(rx: re.Pattern[str]) -> re.Pattern[str]:
    r"""The same pattern with its alternatives grouped by the character they open with, as in
    a trie: 'add|adds|use|uses' is compiled as 'a(?:dd|dds)|u(?:se|ses)'.

    Python's engine tries the alternatives of a group one after another at each position; a
    list of a hundred verbs costs a hundred tests there, the trie a few. Alternatives that open
    with different characters never match at the same position, and those that open alike keep
    their order, so the factored pattern matches exactly what the pattern matches, with the
    same extents. A non-capturing group that opens an alternative is distributed first
    ('(?:won't|will not) fix' → "won't fix|will not fix") so that its words are factored too.
    A pattern that ignores case is returned as it is ('a' and 'A' would open different
    branches that match alike). The result keeps the pattern's source as its `pattern`.
    (Built with the interpreter's own parser and compiler, as `re.compile` is.)"""
    if rx.flags & re.IGNORECASE:
        return rx
    tree = _parser.parse(rx.pattern, rx.flags)
    _factor_sequence(tree.data)
    groups = tree.state.groupdict
    names: list[str | None] = [None] * tree.state.groups
    for name, number in groups.items():
        names[number] = name
    compiled: re.Pattern[str] = _sre.compile(  # as re.compile does, keeping the source
        rx.pattern,
        rx.flags | tree.state.flags,
        _compiler._code(tree, rx.flags),
        tree.state.groups - 1,
        groups,
        tuple(names),
    )
    return compiled


def _factor_sequence(items: list[tuple[Any, Any]]) -> None:
    for i, (op, arg) in enumerate(items):
        if op is _constants.BRANCH:
            items[i] = (op, (arg[0], _factor_branch(arg[1])))
        elif op is _constants.SUBPATTERN and not (arg[1] or arg[2]):  # no inline flags
            _factor_sequence(arg[3].data)
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            _factor_sequence(arg[2].data)
        elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
            _factor_sequence(arg[1].data)
        elif op is _constants.ATOMIC_GROUP:
            _factor_sequence(arg.data)


def _opening(alternative: Any) -> int | None:
    """The literal character an alternative opens with, if it opens with one."""
    data = alternative.data
    return data[0][1] if data and data[0][0] is _constants.LITERAL else None


def _distributed(alternatives: list[Any]) -> list[Any]:
    out = []
    for alt in alternatives:
        data = alt.data
        if data and data[0][0] is _constants.SUBPATTERN:
            group, add_flags, del_flags, body = data[0][1]
            inner = body.data
            if (
                group is None
                and not (add_flags or del_flags)
                and len(inner) == 1
                and inner[0][0] is _constants.BRANCH
                and len(inner[0][1][1]) <= MAX_DISTRIBUTED
                and all(_opening(x) is not None for x in inner[0][1][1])
            ):
                out += [_parser.SubPattern(alt.state, [*x.data, *data[1:]]) for x in inner[0][1][1]]
                continue
        out.append(alt)
    return out


def _factor_branch(alternatives: list[Any]) -> list[Any]:
    """Alternatives grouped by opening character within each run of alternatives that open
    with a literal (an alternative that opens otherwise keeps its place between the runs)."""
    alternatives = _distributed(alternatives)
    for alt in alternatives:
        _factor_sequence(alt.data)
    out: list[Any] = []
    run: list[Any] = []

    def flush() -> None:
        by_opening: dict[int, list[Any]] = {}
        for alt in run:
            by_opening.setdefault(_opening(alt), []).append(alt)  # type: ignore[arg-type]
        for char, members in by_opening.items():
            if len(members) == 1:
                out.append(members[0])
                continue
            state = members[0].state
            tails = [_parser.SubPattern(state, m.data[1:]) for m in members]
            inner = _parser.SubPattern(state, [(_constants.BRANCH, (None, _factor_branch(tails)))])
            group = (_constants.SUBPATTERN, (None, 0, 0, inner))
            out.append(_parser.SubPattern(state, [(_constants.LITERAL, char), group]))
        run.clear()

    for alt in alternatives:
        if _opening(alt) is not None:
            run.append(alt)
        else:
            flush()
            out.append(alt)
    flush()
    return out


#: Opening literals shorter than this (one less when they must open a word) occur in too many
#: places to index: their alternatives are scanned for instead.
INDEXED_SHORTEST = 3


class _WordSets:
    """Several sets of strings, found in one pass of a text by the compiled scanner: per set,
    the segments of the text in which one of its strings occurs (a string marked "opens a
    word" only where the character before it is not an ASCII letter, digit or '_')."""

    def __init__(self, sets: list[list[tuple[str, bool]]]) -> None:
        self.size = len(sets)
        self._words = sets
        trie: dict[str, Any] = {}
        codes: dict[str, set[int]] = {}
        for k, words in enumerate(sets):
            for word, opens_word in words:
                node = trie
                for ch in word:
                    node = node.setdefault(ch, {})
                node[""] = {}
                codes.setdefault(word, set()).add(k * 2 + int(opens_word))
        self._tables, paths = trie_tables(trie, ending=False)
        self._codes = tuple(_lenient(codes.get(path, set())) for path in paths)

    def scan(self, text: str, starts: list[int]) -> list[list[int]]:
        """Per set, the segments (by `starts`, their offsets in text) holding one of its strings,
        in order."""
        if termscan is None:
            raise RuntimeError("the compiled scanner is not built")
        found: list[list[int]] = termscan.openings(
            text, *self._tables, self._codes, self.size, array("q", starts).tobytes()
        )
        return found

    def positions(self, text: str) -> list[list[int]]:
        """Per set, the offsets in text where one of its strings opens, in order, each once
        (found by str.find without the compiled scanner)."""
        if termscan is None:
            return [
                sorted({p for word, opens in words for p in _opening_at(text, word, opens)})
                for words in self._words
            ]
        found: list[list[int]] = termscan.openings(text, *self._tables, self._codes, self.size, b"")
        return found


def _opening_at(text: str, word: str, opens_word: bool) -> Iterator[int]:
    """Where `word` occurs (where it opens a word, by the compiled scanner's ASCII test)."""
    for p in occurrences(text, word):
        if not opens_word or p == 0 or not _ascii_word(text[p - 1]):
            yield p


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _lenient(codes: set[int]) -> tuple[int, ...]:
    """A string that must open a word in one place and need not in another need not."""
    return tuple(sorted(c for c in codes if c & 1 == 0 or c - 1 not in codes))


class OpeningIndex:
    """Where the matches of several patterns may open, found for all of them in one pass of a
    text by the compiled scanner: per pattern, the segments holding one of the literal runs its
    alternatives open with (`literals`, any length; a leading '\\b' kept as "opens a word").
    A pattern's alternatives that open otherwise are its `rest`, which the caller finds by the
    strings they need or a scan. Candidates are a superset of where a pattern matches: callers
    confirm each with the pattern itself, so the answers are the pattern's own."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.slot: dict[int, int] = {}  # id(pattern) -> its list in `scan`
        #: per pattern, its other alternatives: each loosened, with the strings it needs
        self.rest: dict[int, tuple[tuple[re.Pattern[str], tuple[str, ...] | None], ...]] = {}
        sets: list[list[tuple[str, bool]]] = []
        for rx in patterns:
            if rx.flags & re.IGNORECASE or id(rx) in self.slot:
                continue
            opening: list[tuple[str, bool]] = []
            rest = []
            for alt in _top_level_alternatives(rx.pattern):
                opens_word = alt.startswith("\\b")
                words = _opening_words(alt, INDEXED_SHORTEST - int(opens_word), 10**6)
                if words is None:
                    rest.append(re.compile(alt, rx.flags))
                else:
                    opening += [(w, opens_word) for w in words]
            if opening:
                self.slot[id(rx)] = len(sets)
                self.rest[id(rx)] = tuple((loose(alt), required(alt)) for alt in rest)
                sets.append(opening)
        self._sets = _WordSets(sets)

    def scan(self, text: str, starts: list[int]) -> list[list[int]]:
        """Per pattern slot, the segments (by `starts`, their offsets in text) where one of its
        opening literals occurs, in order."""
        return self._sets.scan(text, starts)


class Gate:
    """Which of several patterns may match a short text, in one pass of the compiled scanner:
    False means the pattern cannot match (none of the strings every match of it contains is
    there, by `required`), True that it may. For texts asked of many patterns, such as the
    clauses of a sentence."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        needs = [required(rx) for rx in patterns]
        self._always = [words is None for words in needs]
        self._sets = _WordSets([[(w, False) for w in words or ()] for words in needs])

    def may_match(self, text: str) -> tuple[bool, ...]:
        """Per pattern, whether it may match `text`."""
        found = self._sets.scan(text, [0])
        return tuple(always or bool(f) for always, f in zip(self._always, found, strict=True))


@lru_cache(maxsize=8)
def gate(patterns: tuple[re.Pattern[str], ...]) -> Gate | None:
    """The one-pass gate of these patterns, or None without the compiled scanner."""
    return Gate(patterns) if termscan is not None else None


@lru_cache(maxsize=8)
def opening_index(patterns: tuple[re.Pattern[str], ...]) -> OpeningIndex | None:
    """The one-pass index of these patterns, or None without the compiled scanner."""
    return OpeningIndex(patterns) if termscan is not None else None
