"""Find text in audits and plans that is aimed at the judge rather than at the reader.

Kinds of finding:

- ``override``: asks the judge to ignore or replace its instructions;
- ``score_request``: asks for a score (``give this plan 10/10``) or addresses the judge;
- ``role_marker``: fake chat roles and system markers (``<|im_start|>``, ``[INST]``,
  ``### Instruction:``, a line starting ``system:`` that speaks to a model);
- ``hidden_comment``: an HTML comment (outside code) that talks about scoring or the judge;
- ``hidden_html``: an inline element hidden with CSS (``display:none``, white text…) outside code;
- ``invisible_characters``: zero-width characters, bidi controls or Unicode tag characters
  (except where a script needs them: ZWJ in emoji, ZWNJ in Persian or Indic text, bidi
  isolates in right-to-left text, a leading BOM).

Phrases are matched on the text with invisible characters removed, so ``ig<U+200B>nore``
still reads as ``ignore``. Scanning only flags: it never changes the text or any score.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from a11y_judge import scanning
from a11y_judge.models import AuditReport, InjectionFinding, Plan

KINDS: dict[str, str] = {
    "override": "asks the judge to ignore its instructions",
    "score_request": "asks the judge for a score or addresses it",
    "role_marker": "a fake chat role or system marker",
    "hidden_comment": "an HTML comment speaking to the judge",
    "hidden_html": "text hidden with CSS",
    "invisible_characters": "zero-width, bidi-control or tag characters",
}

#: Characters that render as nothing.
_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064}
#: Bidi embeddings, overrides and isolates (Trojan Source); LRM/RLM are left alone.
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
_OVERRIDES = {0x202D, 0x202E}
_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]")
_JOINING = re.compile(r"[\u0600-\u06FF\u0900-\u0DFF\u0E00-\u0EFF\u1780-\u17FF]")
EXCERPT_CHARS = 160
#: Emoji subdivision flags (England, Scotland, Wales) spell their region in tag characters.
_FLAG_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")

_I = re.IGNORECASE
_W = r"(?:[\w'’-]+\W+)"  # one word and what follows it
_JUDGE = (
    r"(?:AI|LLM|LLMs|language\s+model|AI\s+model|evaluator|judge|grader|scorer|assessor|"
    r"automated\s+(?:reviewer|evaluator|judge|grader|scorer)|AI\s+(?:reviewer|assistant)|"
    r"assistant|scoring\s+(?:model|system|bot))s?"
)
_HIGH = (
    r"(?:\d{1,2}(?:\.\d)?\s*(?:/|out\s+of)\s*10|10|ten|full\s+marks|top\s+marks|"
    r"(?:the\s+)?(?:highest|maximum|max|best|perfect|top|full)(?:\s+(?:possible\s+)?"
    r"(?:score|scores|marks|points|rating|grade))?|highly|(?:a\s+)?(?:perfect|high|top)\s+score)"
)
_DOC = r"(?:this|the|our|my)\s+(?:\w+\s+)?(?:plan|proposal|document|submission|response|roadmap)"

_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "override",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\W+(?:all\W+|any\W+)?"
            rf"{_W}{{0,3}}?(?:previous|prior|above|earlier|preceding|foregoing|former|"
            r"original|system|your|other|all)\W+"
            rf"(?:{_W}{{0,2}}?(?:instructions?|prompts?|directions|directives|rubrics?)"
            r"|(?:scoring\W+|grading\W+)?(?:rules|guidelines|criteria|messages?|context|"
            r"constraints))\b"
            r"|\b(?:ignore|disregard|forget|override|bypass)\W+(?:all\W+|any\W+)?"
            r"(?:(?:the|your|these)\W+)?(?:scoring|grading|evaluation|judging|marking)\W+"
            r"(?:rules|guidelines|criteria|instructions|rubrics?)\b",
            _I,
        ),
    ),
    (
        "override",
        re.compile(
            r"\b(?:new|updated|real|actual|revised)\s+(?:system\s+)?instructions?\s*:"
            r"|\bdo\s+not\s+(?:follow|obey|apply|use)\s+(?:the|your|any)\s+(?:\w+\s+)?"
            r"(?:instructions|rubric|rules|system\s+prompt)\b"
            rf"|\byou\s+are\s+now\s+(?:a|an|the|in)\s+(?:\w+\s+){{0,2}}?{_JUDGE}\b"
            r"|\b(?:end|ignore)\s+of\s+(?:the\s+)?(?:system\s+)?prompt\b",
            _I,
        ),
    ),
    (
        "score_request",
        re.compile(
            r"\b(?:give|award|assign|grant|rate|score|grade|mark|rank)\s+"
            rf"(?:{_DOC}|it|us|me)\s+(?:a\s+|an\s+|as\s+|with\s+)?{_HIGH}"
            rf"|\b{_DOC}\s+(?:deserves|merits|earns|should\s+(?:get|receive|be\s+given|"
            r"be\s+scored|be\s+rated|be\s+ranked)|must\s+(?:get|receive|be\s+given|be\s+scored|"
            rf"be\s+rated|be\s+ranked))\s+(?:a\s+|an\s+|as\s+)?(?:{_HIGH}|first|number\s+one|#1)"
            r"|\b(?:rank|place|put)\s+" + _DOC + r"\s+(?:first|at\s+the\s+top|above\s+(?:all|the)"
            r"|as\s+(?:the\s+)?(?:best|winner|number\s+one))"
            r"|\b(?:every|each|all)\s+criteri(?:a|on)\s+(?:should|must)\s+(?:be\s+)?"
            r"(?:scored|rated|given|get|receive)\s+(?:a\s+)?(?:10|ten|full|the\s+maximum|max)",
            _I,
        ),
    ),
    (
        "score_request",
        re.compile(
            r"\b(?:as|dear|attention|note\s+(?:to|for)|hey|hi|hello|message\s+(?:to|for)|"
            r"instructions?\s+(?:to|for)|to)\s+(?:the\s+|an?\s+|any\s+|all\s+)?"
            rf"{_JUDGE}\b[^.\n]{{0,120}}?\b(?:score|scores|rate|grade|rank|marks?|award|"
            r"give|assign|10/10|highest|perfect|instructions?|you\s+(?:must|should|will|are))\b",
            _I,
        ),
    ),
    (
        "role_marker",
        re.compile(
            r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|"
            r"start_header_id|end_header_id|begin_of_text)\s*\|>"
            r"|\[/?INST\]|<</?SYS>>|</?(?:system|system_prompt|instructions?)>",
            _I,
        ),
    ),
    (
        "role_marker",
        re.compile(
            r"^[ \t]*###\s*(?:Instruction|Instructions|System(?:\s+prompt)?|Response)\s*:"
            r"|^[ \t]*###\s*(?:Instruction|System\s+prompt|Response)\s*$",
            _I | re.MULTILINE,
        ),
    ),
]


def _without_case(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` for case-folded text: its letters folded (escapes kept), IGNORECASE off —
    several times faster than matching the text case-insensitively."""
    out: list[str] = []
    chars = iter(pattern.pattern)
    for ch in chars:
        out.append(ch + next(chars, "") if ch == "\\" else ch.casefold())
    return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)


#: The phrase patterns for case-folded text (used when folding keeps every offset).
_FOLDED = [_without_case(pattern) for _kind, pattern in _PHRASES]

#: A line that opens with a chat role, e.g. "system: you are…".
_ROLE_LINE = re.compile(r"^[ \t>*-]*(system|assistant|developer|user|human)\s*:(.*)$", _I | re.M)

_JUDGE_WORDS = (  # the first words of _JUDGE's alternatives
    "ai",
    "llm",
    "language",
    "evaluator",
    "judge",
    "grader",
    "scorer",
    "assessor",
    "automated",
    "assistant",
    "scoring",
)
_MARKER_OPENINGS = (  # every role marker opens with one
    "<|",
    "[inst]",
    "[/inst]",
    "<<sys>>",
    "<</sys>>",
    "<system",
    "</system",
    "<instruction",
    "</instruction",
)
_DOC_NOUNS = ("plan", "proposal", "document", "submission", "response", "roadmap")
#: Per phrase pattern (and the role line last), the words every match of it contains and where
#: from them a match opens (scanning.Anchor), read off the patterns above: most plans contain
#: few of these words, so one pass over the text for all of them and an anchored match at each
#: place replace six scans of the whole text with the full patterns (10.3 -> ~2 M instructions a
#: plan). tests/unit/test_injection_anchors.py compares them with the patterns' own finditer.
_ANCHORS: tuple[tuple[scanning.Anchor, ...], ...] = (
    (scanning.Anchor(("ignore", "disregard", "forget", "override", "bypass")),),
    (
        scanning.Anchor(("instruction",), (1, 2)),  # new [system] instructions:
        scanning.Anchor(("not",), (1,)),  # do not follow
        scanning.Anchor(("now",), (2,)),  # you are now
        scanning.Anchor(("prompt",), (2, 3, 4)),  # end of [the] [system] prompt
    ),
    (
        scanning.Anchor(
            ("give", "award", "assign", "grant", "rate", "score", "grade", "mark", "rank")
        ),
        scanning.Anchor(_DOC_NOUNS, (1, 2, 3)),  # [rank] this [draft] plan …
        scanning.Anchor(("criteri",), (1,)),  # every criterion
    ),
    (scanning.Anchor(_JUDGE_WORDS, (1, 2, 3)),),  # note to the evaluator
    (scanning.Anchor(_MARKER_OPENINGS),),
    (scanning.Anchor(("###",), (scanning.LINE,)),),
    (scanning.Anchor(("system", "assistant", "developer", "user", "human"), (scanning.LINE,)),),
)
_ANCHORED = scanning.Anchored(tuple(zip([*_FOLDED, _ROLE_LINE], _ANCHORS, strict=True)))
_ROLES = len(_FOLDED)  # the role line's index in _ANCHORED

_TO_MODEL = re.compile(
    r"\b(?:you|your|ignore|disregard|score|scores|rate|grade|judge|evaluat\w*|instructions?|"
    r"respond|reply|output|rank|10/10|assistant|prompt)\b",
    _I,
)
_COMMENT_CUE = re.compile(
    rf"\b(?:{_JUDGE}|score|scores|scoring|rate|rating|grade|rank|ranking|10/10|full\s+marks|"
    r"instructions?|prompt|ignore|disregard)\b",
    _I,
)
_OPEN_TAG = re.compile(r"<([a-z][a-z0-9]*)\b([^<>]*\b(?:style|hidden)\b[^<>]*)>", _I)
#: How far after an opening tag its closing tag is looked for.
HIDDEN_SPAN_CHARS = 4000
_INVISIBLE_RANGES = (
    (0x200B, 0x200D), (0x2060, 0x2064), (0xFEFF, 0xFEFF), (0x180E, 0x180E),
    (0x202A, 0x202E), (0x2066, 0x2069), (0xE0000, 0xE007F),
)  # fmt: skip
_INVISIBLE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _INVISIBLE_RANGES) + "]")
#: The same characters found by the compiled scanner (~10 x fewer instructions than the class).
_INVISIBLE_CHARS = scanning.Strings(
    tuple(chr(c) for a, b in _INVISIBLE_RANGES for c in range(a, b + 1))
)
_STYLE = re.compile(r"""\bstyle\s*=\s*(["'])(.*?)\1""", _I | re.S)
_HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em|rem)?\s*(?:;|$)|"
    r"opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)|(?:height|width)\s*:\s*0(?:px)?\s*;[^\"']*overflow\s*:"
    r"\s*hidden|left\s*:\s*-\d{4,}px",
    _I,
)
_WHITE = r"(?:#fff(?:fff)?\b|white\b|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))"
_WHITE_TEXT = re.compile(rf"(?<![-\w])color\s*:\s*{_WHITE}", _I)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;\"']+)", _I)
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.S)


@dataclass(frozen=True)
class _Hit:
    kind: str
    start: int  # offset in the original text
    end: int


def scan_text(text: str, document: str, role: str = "plan") -> list[InjectionFinding]:
    """Everything in one document's text that looks aimed at the judge, in reading order."""
    if not text:
        return []
    return _findings(text, _hits(text), document, role)


#: The hits of the texts scanned last are remembered, up to this many characters of text in
#: all (a run's plans are scanned by the offline judge and for the run's report, and a run
#: done again scans the same plans), so the memory held stays small.
_REMEMBERED_CHARS = 4_000_000


class _RememberedHits:
    """Hits by text, least recently used forgotten first, within a budget of characters."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._used = 0
        self._hits: OrderedDict[str, tuple[_Hit, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> tuple[_Hit, ...]:
        with self._lock:
            found = self._hits.get(text)
            if found is not None:
                self._hits.move_to_end(text)
                return found
        found = _scan_hits(text)
        if len(text) * 20 > self._budget:
            return found  # a very long text is scanned each time, not kept
        with self._lock:
            if text not in self._hits:
                self._hits[text] = found
                self._used += len(text)
                while self._used > self._budget:
                    old, _ = self._hits.popitem(last=False)
                    self._used -= len(old)
        return found


_remembered = _RememberedHits(_REMEMBERED_CHARS)


def _hits(text: str) -> tuple[_Hit, ...]:
    """Every detector's hits, in offsets of the original text."""
    return _remembered.get(text)


def _invisible_offsets(text: str) -> list[int]:
    """Where the text holds an invisible character (_INVISIBLE)."""
    if text.isascii():
        return []
    if scanning.termscan is None:  # str.find for each of 150 characters would cost more
        return [m.start() for m in _INVISIBLE.finditer(text)]
    return _INVISIBLE_CHARS.positions(text)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """_CODE's spans, tried only where a backtick or '~~~' opens one."""
    ticks = sorted({*scanning.occurrences(text, "`"), *scanning.occurrences(text, "~~~")})
    return [m.span() for m in scanning.confirm(_CODE, text, ticks)]


def _scan_hits(text: str) -> tuple[_Hit, ...]:
    invisible = _invisible_offsets(text)  # one scan serves three uses
    hits = _invisible(text, invisible)
    visible, where = _strip_invisible(text, invisible)
    low = visible.casefold()
    folded = len(low) == len(visible)  # offsets unchanged ('ß' -> 'ss' would shift them)
    located = _ANCHORED.locate(low) if folded else []
    for k, (kind, pattern) in enumerate(_PHRASES):
        for m in _ANCHORED.finditer(k, located, low) if folded else pattern.finditer(visible):
            hits.append(_Hit(kind, where[m.start()], where[max(m.start(), m.end() - 1)] + 1))
    roles = (
        _ANCHORED.finditer(_ROLES, located, low, visible)
        if folded
        else _ROLE_LINE.finditer(visible)
    )
    hits += _role_lines(visible, where, list(roles))
    if any(0xE0020 <= ord(text[i]) <= 0xE007E for i in invisible):
        hits += _tag_text(text)
    code = _code_spans(text)
    hits += _hidden_markup(text, code)
    return tuple(hits)


def without_injection(text: str) -> str:
    """`text` without what the scanner flags, for judges that read the plan themselves (the
    offline judge): hidden comments and CSS-hidden elements go whole, fake role markers with
    their line, instructions to the judge with their sentence, invisible characters alone.
    Text with no finding is returned unchanged."""
    hits = _hits(text)
    if not hits:
        return text
    drop: list[tuple[int, int]] = []
    for h in hits:
        if h.kind in ("hidden_comment", "hidden_html"):
            drop.append((h.start, h.end))
        elif h.kind == "role_marker":
            drop.append(_line_bounds(text, h.start, h.end))
        elif h.kind != "invisible_characters":
            drop.append(_sentence_bounds(text, h.start, h.end))
    keep = [True] * len(text)
    for a, b in drop:
        for i in range(a, b):
            keep[i] = False
    rtl = bool(_RTL.search(text))
    for m in _INVISIBLE.finditer(text):
        if not _legitimate(text, m.start(), rtl):
            keep[m.start()] = False
    return "".join(ch for i, ch in enumerate(text) if keep[i])


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return a, len(text) if b < 0 else b


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """From after the previous sentence end (or line start) to the next one, included."""
    a = max(0, start - 2000)
    for before in _SENTENCE_END.finditer(text, a, start):
        a = before.end()
    after = _SENTENCE_END.search(text, end)
    return a, len(text) if after is None else after.end()


def scan_audit(audit: AuditReport) -> list[InjectionFinding]:
    """The audit's extracted text, or (tool audits without text) its findings' fields.

    The failing markup an audit quotes (snippets) is evidence of a bug, often hidden on
    purpose, so only phrases are looked for there, not hidden markup.
    """
    if audit.text.strip():
        return scan_text(audit.text, audit.name, "audit")
    found: list[InjectionFinding] = []
    for f in audit.findings:
        prose = "\n".join(x for x in (f.title, f.description, f.recommendation, *f.locations) if x)
        for item in scan_text(prose, audit.name, "audit"):
            found.append(item.model_copy(update={"line": 0, "where": f"finding {f.id}"}))
        for snippet in f.snippets:
            for item in scan_text(snippet, audit.name, "audit"):
                if item.kind not in ("hidden_html", "hidden_comment"):
                    found.append(
                        item.model_copy(update={"line": 0, "where": f"finding {f.id} (markup)"})
                    )
    return found


def scan_documents(
    audit: AuditReport,
    plans: Sequence[Plan],
    scanned: Mapping[tuple[str, str], list[InjectionFinding]] | None = None,
) -> list[InjectionFinding]:
    """Findings for the audit and every plan, audit first; `scanned` holds plans already
    scanned elsewhere (by the worker process that judged them), keyed by scan_key."""
    found = scan_audit(audit)
    for plan in plans:
        known = (scanned or {}).get(scan_key(plan))
        found += scan_text(plan.text, plan.name, "plan") if known is None else known
    return found


def scan_key(plan: Plan) -> tuple[str, str]:
    """What identifies a plan's scan: its name (findings carry it) and its content."""
    return plan.name, plan.content_hash


def scan_plans(plans: Iterable[Plan]) -> dict[tuple[str, str], list[InjectionFinding]]:
    """Each plan's findings by scan_key, for scan_documents."""
    return {scan_key(p): scan_text(p.text, p.name, "plan") for p in plans}


def flagged_documents(findings: Iterable[InjectionFinding]) -> dict[str, list[InjectionFinding]]:
    """Findings grouped by document name, in the order the documents first appear."""
    grouped: dict[str, list[InjectionFinding]] = {}
    for f in findings:
        grouped.setdefault(f.document, []).append(f)
    return grouped


def show_invisible(text: str) -> str:
    """`text` with every invisible or control character written as <U+XXXX>."""
    return "".join(
        f"<U+{ord(ch):04X}>" if _is_invisible(ord(ch)) or 0xE0000 <= ord(ch) <= 0xE007F else ch
        for ch in text
    )


# -- detectors --------------------------------------------------------------------------------
def _is_invisible(code: int) -> bool:
    return code in _ZERO_WIDTH or code in _BIDI or 0xE0000 <= code <= 0xE007F


class _Identity:
    """Offsets of a text that had nothing to strip: each maps to itself."""

    def __getitem__(self, i: int) -> int:
        return i


def _strip_invisible(text: str, invisible: list[int]) -> tuple[str, list[int] | _Identity]:
    """The text without its `invisible` characters (their offsets), and each kept character's
    original offset."""
    if not invisible:
        return text, _Identity()
    kept: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if not _is_invisible(ord(ch)):
            kept.append(ch)
            where.append(i)
    where.append(len(text))
    return "".join(kept), where


def _legitimate(text: str, i: int, rtl: bool) -> bool:
    """A formatting character a script or emoji needs, or a leading byte-order mark."""
    code = ord(text[i])
    if 0xE0020 <= code <= 0xE007F:
        start = i
        while start > 0 and 0xE0020 <= ord(text[start - 1]) <= 0xE007F:
            start -= 1
        flag = _FLAG_TAGS.match(text, start - 1) if start > 0 else None
        return flag is not None and flag.start() < i < flag.end()
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if code == 0xFEFF and i == 0:
        return True
    if code == 0x200D and _emoji(before) and _emoji(after):
        return True
    if code in (0x200C, 0x200D) and (_JOINING.match(before) or _JOINING.match(after)):
        return True
    return code in _BIDI and code not in _OVERRIDES and rtl


def _emoji(ch: str) -> bool:
    if not ch:
        return False
    code = ord(ch)
    return code >= 0x1F000 or code == 0xFE0F or unicodedata.category(ch) == "So"


def _invisible(text: str, found: list[int]) -> list[_Hit]:
    """Runs of the invisible characters at offsets `found` (neighbours within 40 characters
    are one run)."""
    if not found:
        return []
    rtl = bool(_RTL.search(text))
    spots = [i for i in found if not _legitimate(text, i, rtl)]
    hits: list[_Hit] = []
    for i in spots:
        if hits and i - hits[-1].end <= 40 and "\n" not in text[hits[-1].end : i]:
            hits[-1] = _Hit("invisible_characters", hits[-1].start, i + 1)
        else:
            hits.append(_Hit("invisible_characters", i, i + 1))
    return hits


def _tag_text(text: str) -> list[_Hit]:
    """Unicode tag characters spell hidden ASCII: scan what they spell."""
    hits: list[_Hit] = []
    for m in re.finditer(r"[\U000E0020-\U000E007E]+", text):
        if m.start() > 0 and _FLAG_TAGS.match(text, m.start() - 1):
            continue
        spelled = "".join(chr(ord(c) - 0xE0000) for c in m.group())
        for kind, pattern in _PHRASES:
            if pattern.search(spelled):
                hits.append(_Hit(kind, m.start(), m.end()))
    return hits


def _role_lines(
    visible: str, where: list[int] | _Identity, lines: list[re.Match[str]]
) -> list[_Hit]:
    """Of the lines opening with a chat role (_ROLE_LINE's matches), those that speak to a
    model, or all of a user/assistant dialogue."""
    roles = {m.group(1).lower() for m in lines}
    dialogue = "assistant" in roles and bool(roles & {"user", "human", "system"})
    hits = []
    for m in lines:
        role = m.group(1).lower()
        rest = m.group(2)
        follow = visible[m.end() : m.end() + 200].split("\n", 2)
        nearby = rest + " " + (follow[1] if len(follow) > 1 and not rest.strip() else "")
        speaks = role in ("system", "assistant", "developer") and _TO_MODEL.search(nearby)
        if speaks or dialogue:
            hits.append(_Hit("role_marker", where[m.start(1)], where[m.end()]))
    return hits


def _inside(spans: list[tuple[int, int]], i: int) -> bool:
    """Whether offset `i` is inside one of `spans` (sorted, non-overlapping)."""
    k = bisect.bisect_right(spans, (i, len(spans) and spans[-1][1] + 1)) - 1
    return k >= 0 and spans[k][0] <= i < spans[k][1]


def _comments(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, body) of each HTML comment; an unclosed one runs to the end."""
    at = text.find("<!--")
    while at >= 0:
        close = text.find("-->", at + 4)
        end = len(text) if close < 0 else close + 3
        yield at, end, text[at + 4 : close if close >= 0 else len(text)]
        at = text.find("<!--", end)


def _hidden_markup(text: str, code: list[tuple[int, int]]) -> list[_Hit]:
    """HTML comments that speak to the judge; inline elements hidden with CSS; outside code."""
    hits: list[_Hit] = []
    for start, end, body in _comments(text):
        if not _inside(code, start) and _COMMENT_CUE.search(body):
            hits.append(_Hit("hidden_comment", start, end))
    for m in _OPEN_TAG.finditer(text):
        close = text.find(f"</{m.group(1)}", m.end(), m.end() + HIDDEN_SPAN_CHARS)
        if close < 0 or _inside(code, m.start()):
            continue
        if not re.sub(r"<[^>]*>", "", text[m.end() : close]).strip():
            continue
        end = text.find(">", close)
        attrs = m.group(2)
        style = " ".join(s.group(2) for s in _STYLE.finditer(attrs))
        hidden = bool(_HIDING.search(style)) or bool(re.search(r"\shidden(?:\s|=|$)", attrs))
        if not hidden and _WHITE_TEXT.search(style):
            bg = _BACKGROUND.search(style)
            hidden = bg is None or bool(re.match(_WHITE, bg.group(1).strip(), _I))
        if hidden:
            hits.append(_Hit("hidden_html", m.start(), len(text) if end < 0 else end + 1))
    return hits


# -- findings ---------------------------------------------------------------------------------
def _findings(text: str, hits: Sequence[_Hit], document: str, role: str) -> list[InjectionFinding]:
    if not hits:
        return []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    seen: set[tuple[str, int]] = set()
    out: list[InjectionFinding] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.kind)):
        line = _line_of(starts, hit.start)
        if (hit.kind, line) in seen:
            continue
        seen.add((hit.kind, line))
        column = hit.start - starts[line - 1] + 1
        out.append(
            InjectionFinding(
                document=document,
                role="audit" if role == "audit" else "plan",
                kind=hit.kind,
                excerpt=_excerpt(text, hit),
                line=line,
                where=f"line {line}, column {column}",
            )
        )
    return out


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _excerpt(text: str, hit: _Hit) -> str:
    """The match with a little context, on one line, invisible characters shown."""
    pad = max(0, (EXCERPT_CHARS - (hit.end - hit.start)) // 2)
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", max(hit.start, hit.end - 1))
    a = max(line_start, hit.start - min(pad, 40))
    b = min(len(text) if line_end < 0 else line_end, hit.end + pad)
    body = text[a:b]
    if hit.end - hit.start > EXCERPT_CHARS:
        body = text[hit.start : hit.start + EXCERPT_CHARS]
        a, b = hit.start, hit.start + EXCERPT_CHARS
    shown = re.sub(r"\s+", " ", show_invisible(body)).strip()
    cut_before = a > line_start
    cut_after = b < (len(text) if line_end < 0 else line_end)
    return ("…" if cut_before else "") + shown + ("…" if cut_after else "")
