"""Text from documents and judges made safe for Markdown (the app's and the reports')."""

from __future__ import annotations

_SPECIAL = set("\\`*_[]<>#|~$")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so names and titles render literally: no emphasis,
    links, code, table cells (`|`) or raw HTML (`<`) come from the text itself."""
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def md_line(text: object) -> str:
    """`md_escape` on one line: runs of white space (newlines too) become one space, so the
    text cannot end a table row or list item and start a block of its own."""
    return md_escape(" ".join(str(text).split()))
