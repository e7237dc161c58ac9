"""Accessibility topics: the words people use for a problem, and the success criteria it touches.

Used to infer success criteria for findings that state none, and by the offline judge to tell
which finding a plan sentence is about when it names no SC or ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Topic:
    """A recognisable accessibility problem area."""

    id: str
    sc: tuple[str, ...]
    terms: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "alt-text",
        ("1.1.1",),
        (
            "alt text",
            "alt attribute",
            "alt=",
            "alternative text",
            "text alternative",
            "image-alt",
            "missing alt",
            "alt tag",
            "decorative image",
            "images without alt",
            "image description",
        ),
    ),
    Topic("captions", ("1.2.2", "1.2.1"), ("caption", "captions", "transcript", "subtitles")),
    Topic("audio-description", ("1.2.5", "1.2.3"), ("audio description",)),
    Topic(
        "structure",
        ("1.3.1",),
        (
            "heading hierarchy",
            "heading structure",
            "heading level",
            "headings skip",
            "skipped heading",
            "heading-order",
            "semantic markup",
            "fieldset",
            "legend",
            "table header",
            "<th",
            "scope=",
            "data table",
            "list markup",
            "info and relationships",
            "landmark",
            "<main",
            'role="main"',
        ),
    ),
    Topic(
        "sequence",
        ("1.3.2", "2.4.3"),
        (
            "reading order",
            "focus order",
            "tab order",
            "dom order",
            "content order",
            "meaningful sequence",
        ),
    ),
    Topic(
        "input-purpose",
        ("1.3.5",),
        ("autocomplete=", "autocomplete attribute", "input purpose", "autocomplete-valid"),
    ),
    Topic(
        "use-of-color",
        ("1.4.1",),
        (
            "color alone",
            "colour alone",
            "only color",
            "only colour",
            "color only",
            "colour only",
            "color-only",
            "colour-only",
            "red text only",
            "shown in red",
            "use of color",
            "link-in-text-block",
        ),
    ),
    Topic(
        "contrast",
        ("1.4.3", "1.4.11"),
        (
            "contrast",
            "color-contrast",
            "4.5:1",
            "3:1",
            "low-contrast",
            "foreground color",
            "background color",
        ),
    ),
    Topic(
        "resize-reflow",
        ("1.4.4", "1.4.10"),
        (
            "zoom",
            "reflow",
            "400%",
            "200%",
            "horizontal scroll",
            "resize text",
            "text resize",
            "magnification",
            "small screens",
            "320 css px",
            "320px",
            "responsive layout",
        ),
    ),
    Topic("text-spacing", ("1.4.12",), ("text spacing", "line height", "letter spacing")),
    Topic("hover-focus-content", ("1.4.13",), ("tooltip", "hover content", "on hover")),
    Topic(
        "keyboard",
        ("2.1.1",),
        (
            "keyboard",
            "keydown",
            "keypress",
            "tab key",
            "mouse-only",
            "mouse only",
            "not focusable",
            "cannot be reached",
            "can't be reached",
            "enter and space",
            "enter/space",
            "key handler",
            "onclick on a div",
            "div as a button",
            "div buttons",
            "non-semantic interactive",
            "native button",
            "<button",
        ),
    ),
    Topic(
        "keyboard-trap",
        ("2.1.2",),
        (
            "keyboard trap",
            "focus trap",
            "tab trap",
            "trapped",
            "cannot escape",
            "can't escape",
            "escape key",
            "no-keyboard-trap",
        ),
    ),
    Topic(
        "timing",
        ("2.2.1",),
        (
            "timeout",
            "time out",
            "time limit",
            "session expir",
            "session timeout",
            "timed out",
            "extend the session",
            "extend session",
        ),
    ),
    Topic(
        "pause-stop",
        ("2.2.2",),
        (
            "carousel",
            "auto-advanc",
            "autoplay",
            "auto-play",
            "auto-rotat",
            "pause button",
            "pause control",
            "marquee",
            "slideshow",
            "slider",
        ),
    ),
    Topic(
        "bypass",
        ("2.4.1",),
        (
            "skip link",
            "skip-link",
            "skip navigation",
            "skip to main",
            "skip to content",
            "bypass block",
            "bypass",
        ),
    ),
    Topic("page-title", ("2.4.2",), ("page title", "document-title", "<title>", "title element")),
    Topic(
        "link-purpose",
        ("2.4.4",),
        (
            "link text",
            "link purpose",
            "read more",
            "click here",
            "learn more",
            "link-name",
            "ambiguous link",
            "non-descriptive link",
            "icon link",
            "icon-only link",
            "links have no accessible name",
            "empty link",
        ),
    ),
    Topic(
        "headings-labels",
        ("2.4.6",),
        ("descriptive label", "descriptive heading", "non descriptive", "headings and labels"),
    ),
    Topic(
        "focus-visible",
        ("2.4.7",),
        (
            "focus indicator",
            "focus visible",
            "focus-visible",
            "visible focus",
            "focus style",
            "focus ring",
            "outline: none",
            "outline:none",
            "outline: 0",
            "focus outline",
            "focus styling",
            "focus highlight",
        ),
    ),
    Topic(
        "target-size",
        ("2.5.8",),
        (
            "target size",
            "touch target",
            "tap target",
            "24x24",
            "24 x 24",
            "24×24",
            "44x44",
            "44 x 44",
            "hit area",
            "target-size",
        ),
    ),
    Topic("label-in-name", ("2.5.3",), ("label in name", "label-content-name-mismatch")),
    Topic(
        "language",
        ("3.1.1",),
        (
            "lang attribute",
            "lang=",
            "language of page",
            "page language",
            "html-has-lang",
            "language declaration",
            "xml:lang",
            "html-lang-valid",
        ),
    ),
    Topic(
        "on-focus-input",
        ("3.2.1", "3.2.2"),
        (
            "on focus",
            "on input",
            "change of context",
            "unexpected change",
            "submit button",
            "auto-submit",
            "onchange",
        ),
    ),
    Topic(
        "error-identification",
        ("3.3.1", "3.3.3"),
        (
            "error message",
            "error messages",
            "validation error",
            "form error",
            "error state",
            "inline error",
            "error handling",
            "aria-invalid",
            "error suggestion",
            "form validation",
        ),
    ),
    Topic(
        "labels",
        ("3.3.2", "1.3.1", "4.1.2"),
        (
            "label",
            "labels",
            "labelled",
            "labeled",
            "unlabelled",
            "unlabeled",
            "<label",
            "aria-labelledby",
            "placeholder as label",
            "form field",
            "form fields",
            "form control",
            "input field",
        ),
    ),
    Topic(
        "name-role-value",
        ("4.1.2",),
        (
            "accessible name",
            "aria-label",
            "role=",
            "aria role",
            "name, role",
            "button-name",
            "aria-expanded",
            "aria-pressed",
            "aria-controls",
            "screen reader announce",
            "announced",
            "state is not announced",
        ),
    ),
    Topic(
        "status-messages",
        ("4.1.3",),
        (
            "aria-live",
            "live region",
            "status message",
            'role="status"',
            'role="alert"',
            "dynamic content",
            "announce updates",
        ),
    ),
    Topic(
        "modal-dialog",
        ("2.1.2", "2.4.3"),
        (
            "modal",
            "dialog",
            "<dialog",
            "aria-modal",
            "focus management",
            "return focus",
            "focus returns",
        ),
    ),
)


_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _term_index() -> dict[str, list[tuple[str, frozenset[str]]]]:
    """First word of each term -> (term, topics): '<button' under 'button', 'keyboard trap'
    under 'keyboard'."""
    term_topics: dict[str, set[str]] = {}
    for topic in TOPICS:
        for term in topic.terms:
            term_topics.setdefault(term.lower(), set()).add(topic.id)
    index: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for term, ids in term_topics.items():
        first = _TOKEN.search(term)
        if first is not None:
            index.setdefault(first.group(), []).append((term, frozenset(ids)))
    return index


def topics_in(text: str) -> set[str]:
    """Ids of the topics a text talks about (a term counts where it starts a word)."""
    lower = text.lower()
    index = _term_index()
    found: set[str] = set()
    for word in index.keys() & set(_TOKEN.findall(lower)):
        for term, ids in index[word]:
            if ids <= found:
                continue
            start = lower.find(term)
            while start != -1:
                if start == 0 or not lower[start - 1].isalnum():
                    found |= ids
                    break
                start = lower.find(term, start + 1)
    return found


def topic_sc(topic_id: str) -> tuple[str, ...]:
    """Success criteria of a topic."""
    for topic in TOPICS:
        if topic.id == topic_id:
            return topic.sc
    return ()


def topics_for_sc(sc: str) -> set[str]:
    """Topics whose primary success criterion is sc (first listed)."""
    return {t.id for t in TOPICS if t.sc and t.sc[0] == sc}


def infer_sc(text: str) -> list[str]:
    """Success criteria of the topics in a text (for findings that state none)."""
    from a11y_judge.ingest.wcag import sort_key

    found = {sc for t in topics_in(text) for sc in topic_sc(t)}
    return sorted(found, key=sort_key)
