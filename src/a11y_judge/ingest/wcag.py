"""The WCAG 2.2 catalog shipped in data/wcag22.json, and recognisers for success criteria."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from a11y_judge.paths import data_dir


@dataclass(frozen=True)
class SuccessCriterion:
    """One WCAG success criterion."""

    num: str
    title: str
    level: str
    principle: str
    guideline_num: str
    guideline: str
    slug: str
    alt_slugs: tuple[str, ...]
    in_wcag22: bool

    @property
    def label(self) -> str:
        """'1.4.3 Contrast (Minimum) (AA)'."""
        level = f" ({self.level})" if self.level else ""
        return f"{self.num} {self.title}{level}"


@lru_cache(maxsize=1)
def catalog() -> dict[str, SuccessCriterion]:
    """All success criteria keyed by number (WCAG 2.2 plus the obsolete 4.1.1)."""
    raw = json.loads((data_dir() / "wcag22.json").read_text(encoding="utf-8"))
    return {
        c["num"]: SuccessCriterion(
            num=c["num"],
            title=c["title"],
            level=c["level"],
            principle=c["principle"],
            guideline_num=c["guideline_num"],
            guideline=c["guideline"],
            slug=c["slug"],
            alt_slugs=tuple(c["alt_slugs"]),
            in_wcag22=c["in_wcag22"],
        )
        for c in raw["criteria"]
    }


def get(num: str) -> SuccessCriterion | None:
    """The criterion with this number, or None."""
    return catalog().get(num)


def sort_key(num: str) -> tuple[int, ...]:
    """Numeric sort key for '1.4.10' style numbers."""
    return tuple(int(p) if p.isdigit() else 0 for p in num.split("."))


def principle_of(num: str) -> str:
    """'Perceivable', 'Operable', 'Understandable' or 'Robust'."""
    sc = get(num)
    if sc:
        return sc.principle
    return {"1": "Perceivable", "2": "Operable", "3": "Understandable", "4": "Robust"}.get(
        num.split(".")[0], "Unknown"
    )


#: An SC number; it opens with its digit and looks behind after it, so the engine tries it only
#: where a digit 1-4 is (a pattern opening with a look-behind is tried at every position).
_NUM_RE = re.compile(r"([1-4])(?<![\d.][1-4])\.(\d{1,2})\.(\d{1,2})(?!\.?\d)")
_AXE_TAG_RE = re.compile(r"^wcag(\d)(\d)(\d{1,2})$")
_HTMLCS_RE = re.compile(r"(?:^|\.)(\d)_(\d{1,2})_(\d{1,2})(?:\.|$)")


def sc_from_axe_tag(tag: str) -> str | None:
    """'wcag143' → '1.4.3', 'wcag1412' → '1.4.12'; level tags such as 'wcag2aa' → None."""
    m = _AXE_TAG_RE.match(tag)
    if not m:
        return None
    num = ".".join(m.groups())
    return num if num in catalog() else None


def sc_from_htmlcs_code(code: str) -> str | None:
    """'WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail' → '1.4.3'."""
    m = _HTMLCS_RE.search(code)
    if not m:
        return None
    num = ".".join(m.groups())
    return num if num in catalog() else None


#: Titles are tried longest first, a title's length counting 12 characters between its words
#: (the width of the gap pattern `[\s,()\-–/]*`), so ties fall as they always have.
_GAP_WIDTH = 12


@lru_cache(maxsize=1)
def _title_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Multi-word SC titles ('Contrast (Minimum)', 'Name, Role, Value') as their words, indexed
    by first word.

    Only the titles whose first word occurs in a text are tried on it, longest first, so that
    'Focus Not Obscured (Enhanced)' wins over a shorter overlapping title.
    """
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for sc in catalog().values():
        words = tuple(re.findall(r"[a-z]+", sc.title.lower()))
        if len(words) < 2 and sc.title != "Reflow":
            continue  # one-word titles ('Keyboard', 'Parsing') are too common to trust
        index.setdefault(words[0], []).append((words, sc.num))
    return {
        word: sorted(entries, key=lambda e: -_title_length(e[0]))  # longest first
        for word, entries in index.items()
    }


@lru_cache(maxsize=1)
def _title_openings() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where an SC title may start: a first word and, after a gap, one of its titles' second
    words. The pattern opens with the character before the word, so the regex engine tries it
    only after spaces and punctuation, and finds in one pass what the Python loop then checks
    (the many 'on', 'page' and 'text' that open no title cost nothing). The second pattern
    tries the opening of the text."""
    gap = "[" + re.escape("".join(sorted(_TITLE_GAP))) + r"\s]+"
    by_letter: dict[str, list[str]] = {}
    for word, entries in sorted(_title_index().items()):
        seconds = sorted({e[0][1] for e in entries if len(e[0]) > 1})
        tail = gap + "(?:" + "|".join(map(re.escape, seconds)) + ")"
        if any(len(e[0]) == 1 for e in entries):
            tail = ""  # a one-word title ('Reflow') opens wherever its word is
        by_letter.setdefault(word[0], []).append(re.escape(word[1:]) + tail)
    body = "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in by_letter.items())
    return re.compile(f"[^a-z](?=(?:{body}))"), re.compile(body)


def _title_length(words: tuple[str, ...]) -> int:
    return sum(len(w) for w in words) + _GAP_WIDTH * (len(words) - 1)


#: What may stand between a title's words: the parenthesised part may be written with or
#: without brackets ('Contrast (Minimum)', 'contrast minimum', 'contrast-minimum').
_TITLE_GAP = frozenset(",()-–/")


def _title_end(lower: str, start: int, words: tuple[str, ...]) -> int | None:
    """Where the title `words` ends if it is written at `start` (whole words), else None."""
    pos, size = start + len(words[0]), len(lower)
    for word in words[1:]:
        gap_from = pos
        while pos < size and (lower[pos] in _TITLE_GAP or lower[pos].isspace()):
            pos += 1
        if pos == gap_from or not lower.startswith(word, pos):  # 'onfocus' is no 'On Focus'
            return None
        pos += len(word)
    return None if pos < size and "a" <= lower[pos] <= "z" else pos


#: A W3C URL's anchor or Understanding page name: /TR/WCAG22/#no-keyboard-trap,
#: /Understanding/contrast-minimum.html (a slug is a whole token of letters, digits and '-')
_SLUG_RE = re.compile(r"(?:#|/understanding/|/quickref/#)([\w-]+)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _slugs() -> dict[str, str]:
    slugs: dict[str, str] = {}
    for sc in catalog().values():
        slugs[sc.slug] = sc.num
        for alt in sc.alt_slugs:
            slugs.setdefault(alt, sc.num)
    return slugs


_VERSION_BEFORE = re.compile(
    r"(?:\bv|version|release|@|axe-core|axe|lighthouse|pa11y|nvda|jaws|chrome|chromium|firefox|"
    r"safari|edge|node|python|jupyterlab|jupyter|ios|android|macos|windows|wordpress|drupal|"
    r"react|angular|vue|bootstrap)\s*$",
    re.IGNORECASE,
)


def find_numbers(text: str) -> list[str]:
    """SC numbers written as digits ('1.4.3'), in order of appearance, known ones only.

    A number right after a product or 'version' ('axe-core 4.1.2', 'v2.1.1') is a version.
    """
    return list(dict.fromkeys(num for _start, num in number_spans(text)))


def number_spans(text: str) -> list[tuple[int, str]]:
    """(offset, SC number) of every known SC written as digits, versions excluded."""
    cat = catalog()
    out = []
    for m in _NUM_RE.finditer(text):
        if _VERSION_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        num = ".".join(m.groups())
        if num in cat:
            out.append((m.start(), num))
    return out


_WORD = re.compile(r"[a-z]+")


def title_mentions(text: str) -> list[tuple[str, str]]:
    """(matched lower-case text, SC number) for each SC title in a text, in order.

    Titles are tried only where their first word occurs; leftmost, then longest, wins.
    """
    lower = text.lower()
    return [(lower[start:end], num) for start, end, num in title_spans(lower)]


def title_spans(lower: str) -> list[tuple[int, int, str]]:
    """(start, end, SC number) of each SC title in lower-case text; leftmost-longest wins."""
    index = _title_index()
    spans: list[tuple[int, int, str]] = []
    after, first = _title_openings()
    starts = [m.start() + 1 for m in after.finditer(lower)]
    if first.match(lower):
        starts.insert(0, 0)
    for start in starts:
        if start and lower[start - 1].isalpha():  # 'é' is a letter too
            continue
        word = _WORD.match(lower, start)
        for words, num in index.get(word.group(), ()) if word else ():
            end = _title_end(lower, start, words)
            if end is not None:
                spans.append((start, end, num))
                break
    out: list[tuple[int, int, str]] = []
    taken_until = -1
    for start, end, num in sorted(spans, key=lambda x: (x[0], -x[1])):
        if start >= taken_until:
            out.append((start, end, num))
            taken_until = end
    return out


def find_titles(text: str) -> list[str]:
    """SC numbers recognised by their title ('Contrast (Minimum)'), case-insensitively."""
    return list(dict.fromkeys(num for _, num in title_mentions(text)))


def find_slugs(text: str) -> list[str]:
    """SC numbers recognised by the W3C URL slug ('#no-keyboard-trap')."""
    slugs = _slugs()
    found: list[str] = []
    for m in _SLUG_RE.finditer(text):
        num = slugs.get(m.group(1).lower())
        if num is not None and num not in found:
            found.append(num)
    return found


def find_criteria(text: str) -> list[str]:
    """Every SC a text names by number, title or URL slug, sorted by number."""
    found = set(find_numbers(text)) | set(find_titles(text)) | set(find_slugs(text))
    return sorted(found, key=sort_key)
