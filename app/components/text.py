"""Plain text made safe for Streamlit markdown."""

from __future__ import annotations

import re

from a11y_judge.reports.text import md_escape

__all__ = ["md_code", "md_escape", "md_quote"]


def md_code(text: str) -> str:
    """Inline code (backticks inside are dropped: the text is a name, not markup)."""
    return f"`{text.replace('`', '')}`"


def md_quote(text: str) -> str:
    """A one-paragraph blockquote of a plan excerpt (its own markdown kept, list markers not)."""
    flat = " ".join(text.split())
    # a quote that starts like a list item or heading ("4. Keep…", "- Add…") stays a sentence
    flat = re.sub(r"^(\d+)([.)])", r"\1\\\2", flat)
    flat = re.sub(r"^([-+*]|#{1,6})(?=\s)", r"\\\1", flat)
    flat = re.sub(r"^>", r"\\>", flat)
    return "> " + flat
