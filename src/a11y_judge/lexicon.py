"""Accessibility vocabulary: problem areas (topics), the elements they affect, and their words.

A *topic* is a problem area with the words auditors and plan writers use for it and the success
criteria it touches; an *element kind* is what is affected (a select, a link, an image, the
page). Both are used to infer success criteria for findings that state none, to read tool rules
(scripts/build_rule_catalog.py) and by the offline judge to tell which finding a plan sentence is
about when it names no ID, selector or SC. Terms are lower case and match where a word starts
('caption' also matches 'captions').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from a11y_judge.tries import termscan, trie_tables


@dataclass(frozen=True)
class Topic:
    """A recognisable accessibility problem area.

    `broad` topics ('keyboard', 'structure') are named by many findings and by generic advice,
    so naming one is weak evidence on its own; `related` topics are close enough that a plan
    sentence about one addresses a finding about the other when the elements agree (a form
    field's missing label and its missing accessible name).
    """

    id: str
    sc: tuple[str, ...]
    terms: tuple[str, ...]
    broad: bool = False
    related: tuple[str, ...] = ()


TOPICS: tuple[Topic, ...] = (
    Topic(
        "text-alternative",
        ("1.1.1",),
        (
            "alt text",
            "alt-text",
            "alt attribute",
            "alt tag",
            "alt=",
            'alt=""',
            "alternative text",
            "text alternative",
            "image-alt",
            "missing alt",
            "no alt",
            "without alt",
            "empty alt",
            "decorative image",
            "images without",
            "image description",
            "describe the image",
            "describes the image",
            "image is not described",
            "images are not described",
            'role="img"',
            'role="presentation"',
            "input-image-alt",
            "svg-img-alt",
            "area-alt",
            "object-alt",
            "server-side image map",
        ),
        related=("accessible-name",),
    ),
    Topic(
        "captions",
        ("1.2.2", "1.2.1", "1.2.4"),
        ("caption", "subtitle", "transcript", "<track", "webvtt", ".vtt", "video-caption"),
    ),
    Topic(
        "audio-description",
        ("1.2.5", "1.2.3"),
        ("audio description", "audio-description", "described video", "extended description"),
    ),
    Topic(
        "headings",
        ("1.3.1", "2.4.6", "2.4.10"),
        (
            "heading hierarchy",
            "heading structure",
            "heading level",
            "heading order",
            "heading-order",
            "headings skip",
            "skipped heading",
            "skips heading",
            "skip from h",
            "skips from h",
            "jumps from h",
            "empty heading",
            "empty-heading",
            "page-has-heading-one",
            "level-one heading",
            "<h1",
            "an h1",
            "one h1",
            "no h1",
            "logical heading",
            "heading tags",
            "headings are",
            "heading markup",
            "real headings",
            "proper headings",
            "styled as headings",
            "looks like a heading",
            "p-as-heading",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "heading outline",
            "outline of headings",
            "document outline",
        ),
        related=("structure",),
    ),
    Topic(
        "landmarks",
        ("1.3.1", "2.4.1"),
        (
            "landmark",
            "<nav",
            "<header",
            "<footer",
            "contentinfo",
            'role="banner"',
            'role="navigation"',
            "region",
            "page regions",
        ),
        related=("structure", "bypass"),
    ),
    Topic(
        "main-landmark",
        ("1.3.1", "2.4.1"),
        (
            "<main",
            'role="main"',
            "main region",
            "main element",
            "main landmark",
            "main content area",
            "landmark-one-main",
            "landmark-main-is-top-level",
            "landmark-no-duplicate-main",
        ),
        related=("landmarks", "bypass"),
    ),
    Topic(
        "scrollable-region",
        ("2.1.1",),
        (
            "scrollable region",
            "scrollable area",
            "scrollable container",
            "scroll container",
            "scrolling region",
            "scrolling container",
            "scroller",
            "horizontally scrolling",
            "horizontal scroller",
            "scrollable-region-focusable",
            "scrolled with the keyboard",
            "scroll with the keyboard",
            "scroll area",
            "scrolling area",
            "scroll region",
        ),
        related=("keyboard",),
    ),
    Topic(
        "lists",
        ("1.3.1",),
        (
            "list markup",
            "list items",
            "<ul",
            "<ol",
            "<li",
            "<dl",
            "listitem",
            "definition list",
            "dlitem",
            "not marked up as a list",
            "real list",
            "proper list",
            "as a list",
            "unordered list",
            "ordered list",
            "bulleted list",
        ),
        related=("structure",),
    ),
    Topic(
        "tables",
        ("1.3.1",),
        (
            "data table",
            "table header",
            "table headers",
            "<th",
            "scope=",
            "td-headers",
            "th-has-data",
            "layout table",
            "table markup",
            "header cells",
            "column headers",
            "row headers",
            "table-duplicate-name",
            "table caption",
            "scope attribute",
        ),
        related=("structure",),
    ),
    Topic(
        "grouping",
        ("1.3.1",),
        (
            "fieldset",
            "legend",
            "radio group",
            "group of radio",
            "group of checkbox",
            "grouped",
            "not grouped",
            'role="group"',
            'role="radiogroup"',
        ),
        related=("structure", "form-labels"),
    ),
    Topic(
        "structure",
        ("1.3.1",),
        (
            "semantic markup",
            "semantic html",
            "info and relationships",
            "programmatic structure",
            "structure is not",
            "markup does not",
        ),
        broad=True,
        related=("headings", "landmarks", "lists", "tables", "grouping"),
    ),
    Topic(
        "sequence",
        ("1.3.2", "2.4.3"),
        (
            "reading order",
            "focus order",
            "tab order",
            "dom order",
            "source order",
            "content order",
            "meaningful sequence",
            "focus jumps",
            "focus moves to",
            "illogical order",
            "logical order",
            "visual order",
        ),
        related=("keyboard", "modal-dialog"),
    ),
    Topic(
        "sensory",
        ("1.3.3",),
        ("sensory characteristics", "shape or location", "the button on the right", "round icon"),
    ),
    Topic(
        "orientation",
        ("1.3.4",),
        (
            "orientation",
            "portrait mode",
            "landscape mode",
            "portrait orientation",
            "landscape orientation",
            "css-orientation-lock",
            "rotate the device",
        ),
    ),
    Topic(
        "input-purpose",
        ("1.3.5",),
        (
            "autocomplete",
            "input purpose",
            "autofill",
            "auto-fill",
        ),
        related=("form-labels",),
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
            "only in red",
            "use of color",
            "use of colour",
            "link-in-text-block",
            "distinguishable from surrounding text",
            "not underlined",
            "colour-blind",
            "color-blind",
            "colour blind",
            "color blind",
        ),
    ),
    Topic(
        "contrast",
        ("1.4.3", "1.4.6"),
        (
            "contrast",
            "color-contrast",
            "4.5:1",
            "4.5 : 1",
            "7:1",
            "low-contrast",
            "foreground color",
            "foreground colour",
            "background color",
            "background colour",
            "light grey",
            "light gray",
            "pale grey",
            "pale gray",
            "grey on white",
            "gray on white",
            "grey-on-white",
            "gray-on-white",
            "grey text",
            "gray text",
            "faint text",
            "washed-out",
            "washed out",
            "hard to read",
            "difficult to read",
            "hard to see",
            "unreadable",
            "barely visible",
            "darken",
            "darker",
            "text colour",
            "text color",
        ),
        related=("non-text-contrast",),
    ),
    Topic(
        "non-text-contrast",
        ("1.4.11",),
        (
            "non-text contrast",
            "non-text-contrast",
            "3:1",
            "border contrast",
            "icon contrast",
            "ui component",
            "graphical object",
            "input border",
            "field border",
            "border",
            "border colour",
            "border color",
            "checkbox border",
            "button border",
            "icon colour",
            "icon color",
            "outline colour",
        ),
        related=("contrast", "focus-visible"),
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
            "320 px",
            "responsive layout",
            "meta-viewport",
            "user-scalable",
            "maximum-scale",
            "pinch",
            "viewport",
            "200 percent",
            "400 percent",
            "resized",
        ),
    ),
    Topic(
        "images-of-text",
        ("1.4.5",),
        ("image of text", "images of text", "text in images", "text in an image", "baked into"),
    ),
    Topic(
        "text-spacing",
        ("1.4.12",),
        ("text spacing", "text-spacing", "line height", "letter spacing", "avoid-inline-spacing"),
    ),
    Topic(
        "hover-focus-content",
        ("1.4.13",),
        ("tooltip", "hover content", "on hover", "popover", "dismissible", "hoverable"),
    ),
    Topic(
        "keyboard",
        ("2.1.1",),
        (
            "keyboard",
            "keydown",
            "keypress",
            "keyup",
            "tab key",
            "mouse-only",
            "mouse only",
            "only with a mouse",
            "not focusable",
            "cannot be focused",
            "can't be focused",
            "cannot be reached",
            "can't be reached",
            "cannot reach",
            "can't reach",
            "not reachable",
            "unreachable",
            "enter and space",
            "enter/space",
            "enter or space",
            "key handler",
            "click handler",
            "onclick",
            "div as a button",
            "div buttons",
            "div-based button",
            "span as a button",
            "non-semantic interactive",
            "native button",
            "native <button",
            "semantic button",
            "real button",
            "<button",
            'tabindex="0"',
            "tabindex=0",
            "scrollable-region-focusable",
            "arrow keys",
            "focusable",
            "line spacing",
            "paragraph spacing",
            "word spacing",
            "native select",
            "native <select",
            "real select",
            "real <select",
            "tab skips",
            "skipped by tab",
            "tab never reaches",
            "without a mouse",
            "clickable div",
            "clickable divs",
            "clickable span",
            "only works with a mouse",
            "works only with a mouse",
            "requires a mouse",
            "needs a mouse",
            "mouse users only",
            "with a mouse only",
        ),
        broad=True,
        related=("keyboard-trap", "sequence", "modal-dialog"),
    ),
    Topic(
        "keyboard-trap",
        ("2.1.2",),
        (
            "keyboard trap",
            "focus trap",
            "tab trap",
            "trapped",
            "traps focus",
            "traps keyboard",
            "cannot escape",
            "can't escape",
            "cannot leave",
            "can't leave",
            "cannot get out",
            "escape key",
            "no-keyboard-trap",
        ),
        related=("keyboard", "modal-dialog"),
    ),
    Topic(
        "shortcuts",
        ("2.1.4",),
        ("character key shortcut", "keyboard shortcut", "single-key shortcut", "accesskey"),
    ),
    Topic(
        "timing",
        ("2.2.1",),
        (
            "timeout",
            "time out",
            "time-out",
            "time limit",
            "session expir",
            "session timeout",
            "session ends",
            "timed out",
            "extend the session",
            "extend session",
            "meta-refresh",
            "auto-refresh",
            "logged out",
            "timer",
            "countdown",
            "count-down",
            "expires",
            "expiry",
            "hold expires",
            "time runs out",
            "runs out of time",
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
            "blink",
            "slideshow",
            "animation",
            "moving content",
            "auto-scroll",
            "auto-update",
            "plays automatically",
            "moves, scrolls",
            "scrolls or blinks",
        ),
    ),
    Topic("flashing", ("2.3.1",), ("flash", "seizure", "strobe")),
    Topic(
        "bypass",
        ("2.4.1",),
        (
            "skip link",
            "skip-link",
            "skip navigation",
            "skip nav",
            "skip to main",
            "skip to content",
            "bypass block",
            "bypass",
            "skip-link target",
            "skip target",
        ),
        related=("landmarks",),
    ),
    Topic(
        "multiple-ways",
        ("2.4.5",),
        ("more than one way", "multiple ways", "site map", "sitemap", "search function"),
    ),
    Topic(
        "page-title",
        ("2.4.2",),
        (
            "page title",
            "document-title",
            "document title",
            "<title",
            "title element",
            "page titles",
            "tab title",
            "browser tab",
        ),
    ),
    Topic(
        "frame-title",
        ("4.1.2", "2.4.1"),
        ("iframe", "frame-title", "frame title", "<frame", "embedded map", "embedded video"),
        related=("accessible-name",),
    ),
    Topic(
        "frame-content",
        ("4.1.2",),
        (
            "inside the iframe",
            "inside the frame",
            "inside the player",
            "inside the embed",
            "iframe content",
            "frame content",
            "embedded content",
            "content of the iframe",
            "look inside",
            "scan inside",
            "test inside",
            "frame-tested",
            "third-party player",
            "third-party widget",
        ),
        related=("frame-title",),
    ),
    Topic(
        "link-purpose",
        ("2.4.4", "2.4.9"),
        (
            "link text",
            "link purpose",
            "read more",
            "click here",
            "learn more",
            "more info",
            "ambiguous link",
            "non-descriptive link",
            "vague link",
            "generic link",
            "descriptive link",
            "identical-links-same-purpose",
            "same link text",
        ),
        related=("accessible-name",),
    ),
    Topic(
        "headings-labels",
        ("2.4.6",),
        ("descriptive label", "descriptive heading", "non descriptive", "headings and labels"),
        broad=True,
        related=("form-labels", "headings"),
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
            "focus state",
            "see where focus",
            "where the focus is",
            "which element has focus",
            "focus is invisible",
            "focus is not visible",
            ":focus",
        ),
        related=("non-text-contrast",),
    ),
    Topic(
        "focus-obscured",
        ("2.4.11",),
        ("focus not obscured", "obscured", "sticky header covers", "hidden behind the sticky"),
        related=("focus-visible",),
    ),
    Topic(
        "target-size",
        ("2.5.8", "2.5.5"),
        (
            "target size",
            "target-size",
            "touch target",
            "tap target",
            "tap-target",
            "click target",
            "24x24",
            "24 x 24",
            "24×24",
            "24 by 24",
            "44x44",
            "44 x 44",
            "44×44",
            "hit area",
            "too small to tap",
            "too small to click",
            "tiny buttons",
            "tiny icons",
            "small buttons",
            "hard to tap",
            "hard to hit",
            "fat finger",
            "too small for",
            "for thumbs",
            "for fingers",
            "larger tap",
            "44 × 44",
            "24 × 24",
            "44×44 px",
            "tap area",
            "touch area",
            "are small on",
            "too small on",
            "small on phones",
            "small on mobile",
            "tiny on mobile",
            "too close together",
            "too close to each other",
        ),
    ),
    Topic(
        "pointer",
        ("2.5.1", "2.5.2", "2.5.7"),
        (
            "gesture",
            "swipe",
            "pinch to",
            "multipoint",
            "dragging",
            "drag and drop",
            "drag-and-drop",
        ),
    ),
    Topic(
        "label-in-name",
        ("2.5.3",),
        ("label in name", "label-content-name-mismatch", "visible label text", "voice control"),
        related=("accessible-name",),
    ),
    Topic(
        "language",
        ("3.1.1",),
        (
            "lang attribute",
            "lang=",
            "lang-attribute",
            "language of page",
            "language of the page",
            "page language",
            "html-has-lang",
            "html-lang-valid",
            "html-xml-lang-mismatch",
            "language declaration",
            "declare the language",
            "declares the language",
            "language is not declared",
            "language not set",
            "xml:lang",
            "missing lang",
            "no lang",
            "document language",
        ),
    ),
    Topic(
        "language-of-parts",
        ("3.1.2",),
        ("language of parts", "valid-lang", "foreign-language", "passages in another language"),
        related=("language",),
    ),
    Topic(
        "readability",
        ("3.1.5", "3.1.3", "3.1.4"),
        (
            "reading ability",
            "reading level",
            "plain language",
            "plain english",
            "abbreviation",
            "unusual words",
            "jargon",
        ),
    ),
    Topic(
        "submit-button",
        ("3.2.2",),
        (
            "submit button",
            'type="submit"',
            "type=submit",
            "no submit",
            "without a submit",
            "submit the form",
            "form submission",
            "auto-submit",
            "form has no button",
            "has no submit",
            "submit control",
            "submit input",
            "get a button",
            "gets a button",
            "add a button to the form",
            "no search button",
            "search button",
        ),
        related=("keyboard", "on-input"),
    ),
    Topic(
        "on-input",
        ("3.2.1", "3.2.2"),
        (
            "on focus",
            "on input",
            "change of context",
            "unexpected change",
            "onchange",
            "changes the page",
            "navigates away",
            "opens a new window",
            "new tab without warning",
        ),
        broad=True,
        related=("submit-button",),
    ),
    Topic(
        "consistency",
        ("3.2.3", "3.2.4", "3.2.6"),
        ("consistent navigation", "consistent identification", "consistent help", "inconsistent"),
    ),
    Topic(
        "error-identification",
        ("3.3.1", "3.3.3"),
        (
            "error message",
            "error messages",
            "error text",
            "validation error",
            "validation message",
            "form error",
            "error state",
            "inline error",
            "error handling",
            "aria-invalid",
            "error suggestion",
            "form validation",
            "error summary",
            "errors are not",
            "errors aren't",
            "required field",
            "required fields",
            "suggested correction",
            "error correction",
        ),
        related=("status-messages", "use-of-color"),
    ),
    Topic(
        "error-prevention",
        ("3.3.4", "3.3.6"),
        ("error prevention", "confirm before", "review step", "undo", "reversible"),
    ),
    Topic(
        "authentication",
        ("3.3.8", "3.3.7"),
        ("captcha", "cognitive function test", "accessible authentication", "redundant entry"),
    ),
    Topic(
        "form-labels",
        ("3.3.2", "1.3.1", "4.1.2"),
        (
            "labelled",
            "labeled",
            "labelling",
            "labeling",
            "unlabelled",
            "unlabeled",
            "<label",
            "for=",
            "placeholder",
            "form field",
            "form fields",
            "form control",
            "form controls",
            "form element",
            "form elements",
            "form input",
            "input field",
            "input fields",
            "select-name",
            "label-title-only",
            "form-field-multiple-labels",
            "instructions",
            "label element",
            "label elements",
            "labels for",
            "label for",
            "no label",
            "no labels",
            "missing label",
            "missing labels",
            "without a label",
            "without labels",
            "visible label",
            "visible labels",
            "associated label",
            "proper label",
            "programmatic label",
        ),
        related=("accessible-name", "grouping", "headings-labels", "input-purpose"),
    ),
    Topic(
        "labels-general",
        ("3.3.2",),
        ("label", "labels"),
        broad=True,
        related=("form-labels", "accessible-name"),
    ),
    Topic(
        "accessible-name",
        ("4.1.2",),
        (
            "accessible name",
            "accessible names",
            "accessible-name",
            "aria-label",
            "aria label",
            "aria-labelledby",
            "button-name",
            "link-name",
            "input-button-name",
            "aria-command-name",
            "aria-toggle-field-name",
            "aria-input-field-name",
            "aria-tooltip-name",
            "aria-dialog-name",
            "aria-meter-name",
            "aria-progressbar-name",
            "aria-treeitem-name",
            "summary-name",
            "no name",
            "has no name",
            "have no name",
            "without a name",
            "without name",
            "nameless",
            "unnamed",
            "say nothing",
            "says nothing",
            "announced as",
            "announces only",
            "announced only",
            "read out as",
            "reads only",
            "reads out only",
            "read as",
            'just "button"',
            'just "link"',
            "discernible text",
            "empty button",
            "empty buttons",
            "empty link",
            "empty links",
            "empty anchor",
            "no text",
            "without text",
            "no link text",
            "no link content",
            "no content",
            "visually hidden text",
            "visually-hidden",
            "sr-only",
            "screen reader text",
            "screen-reader text",
            "screen reader only",
            "screen-reader-only",
            "hidden text",
            "text for screen readers",
            "name for screen readers",
            "names for screen readers",
            "button text",
            "silent",
            "announced as nothing",
            "nothing is announced",
            "announce nothing",
            "announces nothing",
            "reads nothing",
            "unlabelled button",
            "unlabeled button",
            "nothing for a screen reader",
            "nothing to read",
            "nothing in them",
            "have nothing",
            "has nothing",
            "nothing is read",
            "empty icon",
            "visually hidden",
            "hidden label",
            "invisible text",
            "off-screen text",
            "offscreen text",
            "aren't read out",
            "isn't read out",
            "not read out",
            "read out properly",
            "not announced properly",
            "announced properly",
        ),
        related=("form-labels", "text-alternative", "link-purpose", "frame-title"),
    ),
    Topic(
        "aria-validity",
        ("4.1.2", "1.3.1"),
        (
            "aria-allowed",
            "aria-valid",
            "aria-required-attr",
            "aria-required-children",
            "aria-required-parent",
            "aria-roles",
            "aria-prohibited",
            "aria-deprecated",
            "aria-conditional",
            "invalid aria",
            "invalid role",
            "aria attribute",
            "aria attributes",
            "aria role",
            "aria roles",
            "role is not allowed",
            "not allowed on",
            "required aria",
            "misused aria",
            "wrong role",
            "incorrect role",
            "presentation-role-conflict",
            "role=",
            "aria-braille",
            "aria-roledescription",
            'role is "presentation"',
            "semantic role",
        ),
        related=("state", "accessible-name"),
    ),
    Topic(
        "state",
        ("4.1.2",),
        (
            "aria-expanded",
            "aria-pressed",
            "aria-selected",
            "aria-checked",
            "aria-current",
            "expanded or collapsed",
            "expanded/collapsed",
            "state is not announced",
            "state isn't announced",
            "does not announce its state",
            "doesn't announce its state",
            "not expose their state",
            "not exposed",
            "toggle state",
            "selected state",
            "open or closed",
        ),
        related=("aria-validity",),
    ),
    Topic(
        "hidden-focus",
        ("4.1.2",),
        (
            "aria-hidden-focus",
            "aria-hidden-body",
            "focusable but hidden",
            "hidden but focusable",
            "still focusable",
            "remain focusable",
            "remains focusable",
            "stay focusable",
            "stays focusable",
            "focusable while hidden",
            "focusable content inside",
            "focusable elements inside",
            "hidden content is focusable",
            "aria-hidden container",
            "aria-hidden on the body",
            "tab into hidden",
            "tabs into hidden",
            "focus lands on hidden",
            "focus moves into hidden",
        ),
    ),
    Topic(
        "nested-interactive",
        ("4.1.2",),
        ("nested-interactive", "nested interactive", "interactive inside", "inside a link"),
    ),
    Topic(
        "duplicate-id",
        ("4.1.1",),
        ("duplicate id", "duplicate-id", "duplicated id", "unique id", "same id"),
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
            "not announced",
            "isn't announced",
            "aren't announced",
            "are not announced",
            "is announced",
            "nested inside",
            "control nested",
            "nested control",
            "nested controls",
            "inside another control",
            "inside another button",
            "within another control",
            "button inside a",
            "link inside a button",
            "button inside the",
            "interactive control inside",
        ),
        related=("error-identification",),
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
            "manage focus",
            "return focus",
            "focus returns",
            "pop-up",
            "popup",
            "lightbox",
            "overlay dialog",
        ),
        related=("keyboard-trap", "sequence", "keyboard"),
    ),
)

TOPIC_BY_ID: dict[str, Topic] = {t.id: t for t in TOPICS}


#: What a finding or plan sentence is about. 'field' is any form control; 'icon' is a graphic
#: that may be an image, a button or a link.
ELEMENT_TERMS: dict[str, tuple[str, ...]] = {
    "input": (
        "input",
        "<input",
        "text field",
        "text input",
        "text box",
        "textbox",
        "email field",
        "email address field",
        "password field",
        "search field",
        "search box",
        "search input",
        "phone field",
        "name field",
        "date field",
        "postcode field",
        "zip field",
        "inputtext",
        "inputemail",
        "inputpassword",
        "inputsearch",
        "inputtel",
        "inputnumber",
        "inputdate",
        "inputfile",
        "file upload",
    ),
    "select": (
        "select",
        "<select",
        "dropdown",
        "drop-down",
        "drop down",
        "combobox",
        "combo box",
        "picker",
        "listbox",
        "select-name",
    ),
    "textarea": ("textarea", "text area", "<textarea", "message box", "comment box", "multi-line"),
    "checkbox": ("checkbox", "check box", "tick box", "inputcheckbox", "toggle switch"),
    "radio": ("radio", "inputradio", "option buttons"),
    "field": (
        "form field",
        "form control",
        "form element",
        "form input",
        "input field",
        "field",
        "fields",
        "inputs",
        "<label",
        "unlabelled",
        "unlabeled",
        "placeholder",
    ),
    "button": (
        "button",
        "buttons",
        "<button",
        "btn",
        "toggle",
        "submit",
        "close icon",
        "inputbutton",
        "inputsubmit",
        "button-name",
        'role="button"',
    ),
    "link": (
        "link",
        "links",
        "<a ",
        "<a>",
        "anchor",
        "href",
        "hyperlink",
        "link-name",
        "menu item",
    ),
    "image": (
        "image",
        "images",
        "img",
        "<img",
        "photo",
        "picture",
        "logo",
        "graphic",
        "thumbnail",
        "avatar",
        "banner",
        "illustration",
        "chart",
        "infographic",
        "svg",
        "<svg",
        "figure",
        "hero",
        "image-alt",
        "inputimage",
        "image map",
        "<area",
    ),
    "icon": ("icon", "icons", "glyph", "emoji"),
    "media": ("video", "videos", "audio", "podcast", "media player", "<video", "<audio"),
    "frame": ("iframe", "<iframe", "frame", "embedded map", "embed"),
    "page": (
        "page",
        "pages",
        "document",
        "<html",
        "html element",
        "every template",
        "site-wide",
        "sitewide",
        "whole site",
    ),
    "form": ("form", "<form", "forms", "checkout form", "booking form", "sign-up form"),
    "heading": ("heading", "headings", "<h1", "<h2", "<h3", "<h4", "h1", "h2", "h3", "h4"),
    "table": ("table", "<table", "tables", "data table", "<th", "<td"),
    "list": ("list", "<ul", "<ol", "<li", "lists"),
    "dialog": ("dialog", "modal", "pop-up", "popup", "lightbox", "<dialog"),
    "text": ("paragraph", "body copy", "body text", "price", "small print", "placeholder text"),
}

#: Kinds a broader kind stands for: 'field' covers every form control, 'icon' a graphic that
#: may be an image, a button or a link.
ELEMENT_GROUPS: dict[str, frozenset[str]] = {
    "field": frozenset({"input", "select", "textarea", "checkbox", "radio"}),
    "icon": frozenset({"image", "button", "link"}),
}


def element_kinds(kinds: frozenset[str] | set[str]) -> frozenset[str]:
    """The specific kinds named: a group stands for its members, a specific kind for itself."""
    out: set[str] = set()
    for kind in kinds:
        out |= ELEMENT_GROUPS.get(kind, frozenset({kind}))
    return frozenset(out)


_SUFFIXES = frozenset(
    "s es ed d ing er ers ly y ies led ling ion ions ation ations ment ments".split()
)
_SUFFIX = "(?:" + "|".join(sorted(_SUFFIXES, key=len, reverse=True)) + ")"


#: The endings as the compiled scanner tries them (any that fits will do).
_SUFFIX_WORDS = tuple(sorted(_SUFFIXES, key=len, reverse=True))

#: Letters by how often English words open with them (the order a trie's branches are tried).
_OPENING_FREQUENCY = "taosiwcbphfmdrelngu vykjqzx"


def _trial_order(ch: str) -> tuple[int, str]:
    rank = _OPENING_FREQUENCY.find(ch)
    return (rank if rank >= 0 else len(_OPENING_FREQUENCY), ch)


class TermMatcher:
    """Finds a vocabulary's terms in lower-case text, where words start.

    The terms are compiled into one regular expression shaped like a trie, so the text is
    scanned once in C however many terms there are. A term may be extended by a common ending
    ('captions', 'labelled', 'zooming'). Where two terms overlap the longer one wins: 'no text
    alternative' is a missing text alternative, not 'no text'.
    """

    def __init__(self, terms: dict[str, frozenset[str]]) -> None:
        self.ids = terms
        trie: dict[str, Any] = {}
        for term in terms:
            node = trie
            for ch in term:
                node = node.setdefault(ch, {})
            node[""] = {}
        self._trie = trie
        self._reach = max(map(len, terms), default=0) + len(_SUFFIX)
        self._tables, paths = trie_tables(trie)
        self._node_ids = tuple(terms.get(path) for path in paths)  # a term's ids where it ends

    @cached_property
    def rx(self) -> re.Pattern[str]:
        """The trie as one regular expression (compiled when first used: the compiled scanner
        does not need it). At each word start, the longest term starting there. The pattern
        consumes the character before the word and looks ahead from it: opening with a
        character class, it is tried only after spaces and punctuation, where a pattern opening
        with a look-behind would be tried at every position. The text's first word is tried
        behind a space (the opening of the text is enough: a term and its ending fit in
        `_reach`)."""
        return re.compile(f"[^a-z0-9](?=({self._build(self._trie, '')}))")

    def _build(self, node: dict[str, Any], last: str) -> str:
        # Siblings open with different characters, so their order changes no match; the
        # engine tries them in turn, so the letters words most often open with go first.
        chars = sorted((k for k in node if k), key=_trial_order)
        alts = [re.escape(ch) + self._build(node[ch], ch) for ch in chars]
        if "" in node:  # a term ends here: a word may go on only with a known ending
            alts.append(f"(?={_SUFFIX}?(?![a-z0-9]))" if last.isalnum() else "")
        if not alts:
            return ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    def spans(self, lower: str, overlap: bool = False) -> list[tuple[int, frozenset[str]]]:
        """(start, ids) of the terms in the text, in order (with `overlap`, the longest term at
        every word start, overlapping or not). By the compiled scanner when it was built, else
        by the pattern: the same list."""
        if termscan is not None:
            spans: list[tuple[int, frozenset[str]]] = termscan.scan(
                lower, *self._tables, _SUFFIX_WORDS, self._node_ids, overlap
            )
            return spans
        return self.pattern_spans(lower, overlap)

    def pattern_spans(self, lower: str, overlap: bool = False) -> list[tuple[int, frozenset[str]]]:
        """`spans`, found with the pattern."""
        found = [(m.start() + 1, m.end(1)) for m in self.rx.finditer(lower)]
        if (m := self.rx.match(" " + lower[: self._reach])) is not None:
            found.insert(0, (0, m.end(1) - 1))
        if len(found) > 1 and not overlap:
            taken = bytearray(len(lower))
            kept = []
            for start, end in sorted(found, key=lambda x: (x[0] - x[1], x[0])):  # longest first
                if 1 not in taken[start:end]:
                    taken[start:end] = b"\x01" * (end - start)
                    kept.append((start, end))
            found = sorted(kept)
        return [(start, self.ids[lower[start:end]]) for start, end in found]

    def find(self, text: str) -> set[str]:
        """Ids of every term in a text."""
        out: set[str] = set()
        for _start, ids in self.spans(text.lower()):
            out |= ids
        return out


def _matcher(groups: dict[str, tuple[str, ...]]) -> TermMatcher:
    terms: dict[str, set[str]] = {}
    for group_id, group_terms in groups.items():
        for term in group_terms:
            terms.setdefault(term.lower(), set()).add(group_id)
    return TermMatcher({t: frozenset(ids) for t, ids in terms.items()})


@lru_cache(maxsize=1)
def topic_matcher() -> TermMatcher:
    """The topic vocabulary (for scanning a whole plan once)."""
    return _matcher({t.id: t.terms for t in TOPICS})


@lru_cache(maxsize=1)
def element_matcher() -> TermMatcher:
    """The element vocabulary (for scanning a whole plan once)."""
    return _matcher(ELEMENT_TERMS)


def topics_in(text: str) -> set[str]:
    """Ids of the topics a text talks about."""
    return topic_matcher().find(text)


def elements_in(text: str) -> set[str]:
    """Element kinds a text names ('dropdown' → select, 'form fields' → field)."""
    return element_matcher().find(text)


def topic_sc(topic_id: str) -> tuple[str, ...]:
    """Success criteria of a topic."""
    topic = TOPIC_BY_ID.get(topic_id)
    return topic.sc if topic else ()


def topics_for_sc(sc: str) -> set[str]:
    """Topics whose primary success criterion is sc (first listed)."""
    return {t.id for t in TOPICS if t.sc and t.sc[0] == sc}


def related_topics(topic_ids: frozenset[str] | set[str]) -> frozenset[str]:
    """The topics related to any of the given ones (relations go both ways)."""
    out: set[str] = set()
    for t in TOPICS:
        if t.id in topic_ids:
            out.update(t.related)
        elif set(t.related) & set(topic_ids):
            out.add(t.id)
    return frozenset(out - set(topic_ids))


BROAD_TOPICS = frozenset(t.id for t in TOPICS if t.broad)


def infer_sc(text: str) -> list[str]:
    """Success criteria of the topics in a text (for findings that state none)."""
    from a11y_judge.ingest.wcag import sort_key

    found = {sc for t in topics_in(text) for sc in topic_sc(t)[:1]}
    return sorted(found, key=sort_key)
