"""A document as a flat list of blocks (headings, paragraphs, list items, tables, code).

Every human-readable format (Markdown, text, HTML, DOCX, PDF) is turned into blocks, so one
finding extractor serves them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "para", "item", "table", "code"]


@dataclass
class Block:
    """One structural unit of a document."""

    kind: BlockKind
    text: str
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def blocks_to_text(blocks: list[Block]) -> str:
    """Readable plain text of the blocks (used for storage, plan text and LLM prompts)."""
    out: list[str] = []
    for b in blocks:
        if b.kind == "heading":
            out.append("\n" + "#" * max(1, min(b.level, 6)) + " " + b.text)
        elif b.kind == "item":
            out.append("  " * max(0, b.level) + "- " + b.text)
        elif b.kind == "table":
            out.extend(" | ".join(cell for cell in row) for row in b.rows)
        elif b.kind == "code":
            out.append("```\n" + b.text + "\n```")
        else:
            out.append(b.text)
    return "\n".join(out).strip() + "\n"


_ATX = re.compile(r"^(#{1,6})\s+(.*)$")  # closing #s stripped in code: no backtracking
_BULLET = re.compile(r"^(\s*)(?:[-*+•◦▪‣]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_TABLE_SEP = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?$")  # stripped
_FENCE = re.compile(r"^\s*(```|~~~)")


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def _joins_previous(prev: str, line: str) -> bool:
    """A hard-wrapped continuation line: previous line unfinished, this one starts lowercase."""
    return bool(prev) and prev[-1] not in ".!?:" and line[:1].islower()


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown (or plain-text) document; YAML front matter is skipped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 200)):
            if lines[i].strip() in ("---", "..."):
                lines = lines[i + 1 :]
                break
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        fenced = _FENCE.match(line)
        if fenced:
            fence = fenced.group(1)
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            blocks.append(Block("code", "\n".join(body)))
            i += 1
            continue
        m = _ATX.match(stripped)
        if m:
            title = m.group(2).rstrip().rstrip("#").strip()
            blocks.append(Block("heading", title, level=len(m.group(1))))
            i += 1
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and not nxt.strip("=") and len(nxt) >= 3:  # only "="
            blocks.append(Block("heading", stripped, level=1))
            i += 2
            continue
        if nxt and not nxt.strip("-") and len(nxt) >= 3 and not _BULLET.match(line):
            blocks.append(Block("heading", stripped, level=2))
            i += 2
            continue
        if stripped.startswith("|") and _TABLE_SEP.match(nxt):
            rows = [_split_row(stripped)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            blocks.append(Block("table", "", rows=rows))
            continue
        if not stripped.strip("-*_ ") and len(stripped) >= 3:
            i += 1  # horizontal rule
            continue
        b = _BULLET.match(line)
        if b:
            indent = len(b.group(1).expandtabs(4))
            blocks.append(Block("item", b.group(2).strip(), level=indent // 2))
            i += 1
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        prev = blocks[-1] if blocks else None
        if (
            prev is not None
            and prev.kind in ("para", "item")
            and lines[i - 1].strip()
            and _joins_previous(prev.text, stripped)
        ):
            prev.text = f"{prev.text} {stripped}"
        else:
            blocks.append(Block("para", stripped))
        i += 1
    return blocks


_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\.?\s+([A-Z][^:]{1,70})$")
_SMALL_WORDS = frozenset("a an and as at by for in of on or the to with".split())


def _title_case(words: list[str]) -> bool:
    return all(w[:1].isupper() or w.lower() in _SMALL_WORDS or not w[:1].isalpha() for w in words)


def _heading_level(line: str, blank_before: bool, text_after: bool) -> int | None:
    """The heading level of a plain-text line, or None for body text.

    A heading is short, does not end like a sentence and has no 'Label:' colon, and is either
    numbered ('2.1 Calendar is not keyboard operable', or '3. Recommendations' in title case;
    never an SC such as '1.4.3'), in
    capitals ('FINDINGS'), or a short title-case line standing alone between blank lines.
    """
    if not line or len(line) > 80 or line.endswith((".", ",", ";", ":")) or ":" in line:
        return None
    if line[0] in "-*+•#|>`":
        return None
    m = _NUMBERED_HEADING.match(line)
    if m:
        words = m.group(2).split()
        if "." in m.group(1).strip(".") or (len(words) <= 6 and _title_case(words)):
            return 1 + m.group(1).strip(".").count(".")  # '2.1 Forms …' is a heading at any case
        return None
    letters = [c for c in line if c.isalpha()]
    if (
        len(letters) >= 4
        and all(c.isupper() for c in letters)
        and not any(c.isdigit() for c in line)
    ):
        return 2
    words = line.split()
    if blank_before and text_after and len(words) <= 6 and _title_case(words):
        return 2
    return None


def text_blocks(text: str) -> list[Block]:
    """Blocks of plain text (also PDF text): heading lines are recognised, then Markdown rules."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        blank_before = i == 0 or not lines[i - 1].strip()
        text_after = i + 2 < len(lines) and not lines[i + 1].strip() and bool(lines[i + 2].strip())
        level = _heading_level(line, blank_before, text_after)
        if level is None:
            out.append(raw)
        else:
            caps = line.isupper()
            out.append("#" * level + " " + (line.title() if caps else line))
    return markdown_blocks("\n".join(out))
