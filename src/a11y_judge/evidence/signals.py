"""What an accessibility expert looks for in a plan's text, as named, testable patterns.

Every pattern here is written in lower case and matched against lower-cased text (faster than
re.IGNORECASE); callers pass `segment.lower` or `text.lower()`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from a11y_judge import scanning
from a11y_judge.models import AntiPattern
from a11y_judge.scanning import required

IC = 0  # patterns are lower case and run on lower-cased text


@dataclass(frozen=True)
class AntiPatternRule:
    """A harmful recommendation, how to spot it, and what makes it acceptable after all."""

    id: str
    name: str
    pattern: re.Pattern[str]
    why: str
    penalty: float
    unless: re.Pattern[str] | None = None
    #: Words one of which every match contains: a plan with none of them is not scanned
    #: (none given: every plan is).
    needs: tuple[str, ...] = ()


ANTI_PATTERNS: tuple[AntiPatternRule, ...] = (
    AntiPatternRule(
        "overlay",
        "Accessibility overlay widget",
        re.compile(
            r"accessibe|userway|audioeye|equalweb|max ?access|user1st|"
            r"accessibility (?:overlay|widget|toolbar|plug-?in)|overlay (?:widget|solution|tool)|"
            r"(?:install|add|deploy|embed)\w*\b[^.\n]{0,60}\b(?:widget|toolbar)\b",
            IC,
        ),
        "Overlays do not repair the underlying code, often break assistive technology and are "
        "opposed by disabled users and experts (Overlay Fact Sheet)",
        4.0,
        unless=re.compile(
            r"\b(?:avoid|do not|don't|never|not rely|no overlay|reject|against)\b[^.\n]{0,80}"
            r"(?:overlay|widget|toolbar)|(?:instead of|rather than)\s+(?:(?:installing|using|"
            r"adding|buying|deploying|relying on)\s+)?(?:an?\s+|any\s+)?(?:accessibility\s+)?"
            r"(?:overlay|widget|toolbar)",
            IC,
        ),
        needs=(
            "accessibe",
            "userway",
            "audioeye",
            "equalweb",
            "max access",
            "maxaccess",
            "user1st",
            "overlay",
            "widget",
            "toolbar",
            "plugin",
            "plug-in",
        ),
    ),
    AntiPatternRule(
        "positive-tabindex",
        "Positive tabindex",
        re.compile(r"tabindex\s*=\s*[\"']?[1-9]|positive tabindex (?:values )?(?:to|for)", IC),
        "Positive tabindex overrides the natural focus order and creates more order problems "
        "(F44); fix the DOM order instead",
        1.5,
        unless=re.compile(
            r"(?:avoid|remove|never|don't|do not|no)\b[^.\n]{0,40}"
            r"(?:positive tabindex|tabindex\s*=\s*[\"']?[1-9])",
            IC,
        ),
        needs=("tabindex",),
    ),
    AntiPatternRule(
        "div-button",
        'role="button" without keyboard support',
        re.compile(r"role\s*=\s*[\"']button[\"']", IC),
        'A div with role="button" still needs tabindex="0" and Enter/Space handling; a native '
        "<button> gets both for free",
        1.5,
        unless=re.compile(
            r"tabindex\s*=\s*[\"']?0|keydown|keyup|keypress|enter (?:and|or|/) "
            r"space|<button|native button",
            IC,
        ),
        needs=("role",),
    ),
    AntiPatternRule(
        "outline-none",
        "Focus outline removed without replacement",
        re.compile(r"outline\s*:\s*(?:none|0)\b", IC),
        "Removing the focus outline without a visible replacement fails 2.4.7 Focus Visible",
        1.5,
        unless=re.compile(
            r"focus-visible|box-shadow|outline\s*:\s*\d+(?:\.\d+)?px|"
            r"(?:never|avoid|remove|delete|replace|don't|do not)[^.\n]{0,40}outline",
            IC,
        ),
        needs=("outline",),
    ),
    AntiPatternRule(
        "blanket-aria-label",
        "aria-label on everything",
        re.compile(
            r"aria-labels?\b[^.\n]{0,40}\b(?:every|all|each)\s+(?:element|elements|"
            r"item|items|tag|node)|(?:every|all|each)\s+(?:element|elements|item|items)"
            r"[^.\n]{0,40}aria-label",
            IC,
        ),
        "Blanket aria-labels override visible text, break label-in-name (2.5.3) and add noise; "
        "prefer visible labels and native semantics",
        1.0,
        needs=("aria-label",),
    ),
    AntiPatternRule(
        "title-as-label",
        "title attribute as the only label",
        re.compile(
            r"title (?:attribute|attr)s?\b[^.\n]{0,60}\b(?:as|for|instead of)\b[^.\n]{0,20}"
            r"label|use (?:the )?title (?:attribute )?(?:as|for|instead)",
            IC,
        ),
        "title is not reliably announced and is invisible to keyboard and touch users (H65 is a "
        "last resort); use a visible <label>",
        1.0,
        unless=re.compile(r"(?:not|never|avoid|don't|do not)[^.\n]{0,30}title", IC),
        needs=("title",),
    ),
)


#: A sentence ends at whitespace after . ! or ?, or at line breaks (the pattern opens with the
#: whitespace it consumes, so the engine tries it only at whitespace).
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?]\s)\s*|(?<=\n)\n*)")


def find_anti_patterns(text: str) -> tuple[list[AntiPattern], float]:
    """Anti-patterns recommended in a plan (with the offending sentence) and total penalty."""
    found: list[AntiPattern] = []
    penalty = 0.0
    lower = text.lower()
    rules = [r for r in ANTI_PATTERNS if not r.needs or any(w in lower for w in r.needs)]
    if not rules:
        return found, penalty
    originals = _SENTENCE_END.split(text)
    sentences = [x.lower() for x in originals]
    starts: list[int] = []  # where each sentence starts in `joined`
    offset = 0
    for sentence in sentences:
        starts.append(offset)
        offset += len(sentence) + 1
    joined = "\n".join(sentences)
    for rule in rules:
        matches = scanning.finditer(rule.pattern, joined)  # from its opening words: 3-4 x faster
        hits = sorted({bisect_right(starts, m.start()) - 1 for m in matches})
        for n in hits:
            # The sentence and the two around it: "Delete `outline: none` … and add: …".
            context = " ".join(sentences[max(0, n - 1) : n + 4])
            if rule.unless is not None and rule.unless.search(context):
                continue
            if rule.id == "div-button" and rule.unless and rule.unless.search(lower):
                continue  # keyboard handling is given elsewhere in the plan
            found.append(
                AntiPattern(
                    id=rule.id, name=rule.name, quote=originals[n].strip()[:300], why=rule.why
                )
            )
            penalty += rule.penalty
            break
    return found, penalty


#: Per topic (lexicon.TOPICS), what a correct concrete fix mentions.
TOPIC_FIXES: dict[str, re.Pattern[str]] = {
    "text-alternative": re.compile(
        r"alt\s*=|alt=\"\"|empty alt|alt text|aria-labelledby|decorative|role=\"img\"|"
        r"<title>|aria-label",
        IC,
    ),
    "captions": re.compile(r"<track|webvtt|\.vtt|srt|caption file|transcript|captions? track", IC),
    "audio-description": re.compile(r"audio description|described version|descriptions? track", IC),
    "headings": re.compile(r"<h[1-6]|\bh[1-6]\b|heading level|role=\"heading\"|aria-level", IC),
    "landmarks": re.compile(
        r"<main|<nav|<header|<footer|<aside|role=\"(?:main|navigation)|landmark", IC
    ),
    "lists": re.compile(r"<ul|<ol|<li|<dl|<dt|<dd|list markup", IC),
    "tables": re.compile(r"<th|scope=|<caption|headers=|<thead|role=\"presentation\"", IC),
    "grouping": re.compile(r"<fieldset|<legend|role=\"(?:group|radiogroup)\"", IC),
    "structure": re.compile(
        r"<h[1-6]|heading level|<th|scope=|<fieldset|<legend|<main|landmark|<nav|<ul|<table", IC
    ),
    "sequence": re.compile(r"dom order|source order|reorder|tab order|focus order|tabindex", IC),
    "orientation": re.compile(r"orientation|media quer|both orientations", IC),
    "input-purpose": re.compile(r"autocomplete\s*=\s*[\"']?[a-z-]+", IC),
    "use-of-color": re.compile(
        r"icon|text label|underline|pattern|not (?:only|just) colou?r|"
        r"in addition to colou?r|error text",
        IC,
    ),
    "contrast": re.compile(r"\d+(?:\.\d+)?\s*:\s*1|#[0-9a-f]{3,6}\b|contrast ratio", IC),
    "non-text-contrast": re.compile(r"\d(?:\.\d+)?\s*:\s*1|#[0-9a-f]{3,6}\b|border|outline", IC),
    "resize-reflow": re.compile(
        r"\brem\b|\bem\b|flex|grid|media quer|320\s*(?:css )?px|"
        r"max-width|wrap|400\s*%|user-scalable|maximum-scale",
        IC,
    ),
    "images-of-text": re.compile(r"real text|html text|css|live text", IC),
    "text-spacing": re.compile(r"line-height|letter-spacing|word-spacing", IC),
    "hover-focus-content": re.compile(r"escape|dismiss|hoverable|persist", IC),
    "keyboard": re.compile(
        r"<button|native button|keydown|enter (?:and|or|/) space|"
        r"tabindex\s*=\s*[\"']?0|focusable|arrow keys",
        IC,
    ),
    "keyboard-trap": re.compile(
        r"escape|esc\b|inert|return(?:s|ing)? focus|focus (?:back|return)"
        r"|aria-modal|<dialog|showmodal|tab (?:out|away)",
        IC,
    ),
    "shortcuts": re.compile(r"turn off|remap|modifier|only (?:when|on) focus", IC),
    "timing": re.compile(r"warn|extend|\d+\s*(?:seconds|s\b|minutes)|adjust|turn off", IC),
    "pause-stop": re.compile(r"pause|stop|prefers-reduced-motion|autoplay off|disable auto", IC),
    "flashing": re.compile(r"three flashes|3 flashes|prefers-reduced-motion|remove the flash", IC),
    "bypass": re.compile(r"href=\"#|skip (?:link|to)|first focusable|<main|landmark|id=\"", IC),
    "multiple-ways": re.compile(r"site ?map|search|breadcrumb", IC),
    "page-title": re.compile(r"<title|unique title|document\.title|page title", IC),
    "frame-title": re.compile(r"title\s*=|aria-label|<iframe", IC),
    "link-purpose": re.compile(
        r"link text|descriptive|aria-label|visually-hidden|sr-only|"
        r"aria-describedby|context",
        IC,
    ),
    "headings-labels": re.compile(r"descriptive|label text|heading text", IC),
    "focus-visible": re.compile(
        r":focus-visible|:focus\b|outline\s*:\s*\d|outline-offset|"
        r"box-shadow|focus (?:ring|indicator|style)",
        IC,
    ),
    "focus-obscured": re.compile(r"scroll-padding|scroll-margin|sticky|z-index", IC),
    "target-size": re.compile(
        r"\d+\s*(?:×|x|by)\s*\d+\s*(?:css )?px|min-(?:width|height)|"
        r"\b24\s*px|\b44\s*px|padding",
        IC,
    ),
    "pointer": re.compile(r"single pointer|button alternative|click alternative|up-event", IC),
    "label-in-name": re.compile(r"visible (?:label|text)|accessible name", IC),
    "language": re.compile(r"lang\s*=|xml:lang", IC),
    "language-of-parts": re.compile(r"lang\s*=", IC),
    "readability": re.compile(r"plain (?:language|english)|glossary|<abbr|summary", IC),
    "submit-button": re.compile(
        r"type\s*=\s*[\"']?submit|submit button|<button|<input type=\"submit", IC
    ),
    "on-input": re.compile(r"submit button|explicit|on change|onchange|warn", IC),
    "consistency": re.compile(r"same order|consistent|shared (?:component|template)", IC),
    "error-identification": re.compile(
        r"aria-describedby|aria-invalid|role=\"alert\"|aria-live|"
        r"error (?:text|message|summary)|inline",
        IC,
    ),
    "error-prevention": re.compile(r"confirm|review (?:step|page)|undo|reversible", IC),
    "authentication": re.compile(r"passkey|password manager|paste|magic link|webauthn", IC),
    "form-labels": re.compile(
        r"<label|for=|aria-labelledby|aria-describedby|visible label|"
        r"<fieldset|<legend|aria-label",
        IC,
    ),
    "labels-general": re.compile(r"<label|for=|aria-labelledby|aria-label|visible label", IC),
    "accessible-name": re.compile(
        r"aria-label|aria-labelledby|visually-hidden|sr-only|accessible name|<label|"
        r"alt\s*=|title\s*=",
        IC,
    ),
    "aria-validity": re.compile(r"aria-[a-z]+|role=|native|remove the role", IC),
    "state": re.compile(r"aria-(?:expanded|pressed|selected|checked|current)", IC),
    "hidden-focus": re.compile(
        r"inert|tabindex\s*=\s*[\"']?-1|remove aria-hidden|display:\s*none", IC
    ),
    "nested-interactive": re.compile(r"move the|outside the|sibling|un-?nest", IC),
    "duplicate-id": re.compile(r"unique id|id\s*=", IC),
    "status-messages": re.compile(r"aria-live|role=\"(?:status|alert)\"|live region", IC),
    "modal-dialog": re.compile(
        r"<dialog|aria-modal|inert|focus trap|return(?:s|ing)? focus|"
        r"escape",
        IC,
    ),
}

#: Inline code, a tag, a CSS declaration ('outline: 2px solid;') or an attribute. Every branch
#: starts with a literal character, which the regex engine scans for quickly.
CODE = re.compile(
    r"`[^`\n]{2,}`|<[a-z][a-z0-9-]*[\s>/]|(?<=[a-z-]):\s*[^;\n]{1,40};|(?<=[a-z-])=\"[^\"\n]*\"",
    IC,
)
VALUE_OR_TECHNIQUE = re.compile(
    r"\b\d+(?:\.\d+)?\s*:\s*1\b|#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|\b\d+\s*(?:px|rem|em|ms|%|seconds?)\b|"
    r"\b(?:g|h|c|f|aria|scr|svr|pdf)\d{1,3}\b|\b[1-4]\.\d{1,2}\.\d{1,2}\b",
    IC,
)
AT_TESTING = re.compile(
    r"\bnvda\b|\bjaws\b|voiceover|talkback|narrator|dragon|zoomtext|switch (?:access|control)|"
    r"keyboard[- ]only|screen ?reader|\baxe\b|\bwave\b|lighthouse|pa11y|accessibility insights|"
    r"contrast (?:checker|analy[sz]er)|400\s*% zoom",
    IC,
)
WRONG_CONTRAST = re.compile(
    r"(?:body|normal|regular|small|paragraph)\s+text[^.\n]{0,40}\b(?:[1-3](?:\.\d+)?|4(?:\.[0-4]\d*)?)"
    r"\s*:\s*1\b",
    IC,
)

RATIONALE = re.compile(
    r"\bbecause\b|\bsince\b|so that|\bimpact|\bblock(?:s|ed|er|ers|ing)?\b|prevent|legal|"
    r"lawsuit|\brisk\b|revenue|conversion|most users|severity|cannot (?:complete|buy|log)|"
    r"critical path|user journey",
    IC,
)
OWNERS = re.compile(
    r"\bowner|\bassigned to|\bresponsib|front[- ]end (?:dev|engineer|team)|back[- ]end|"
    r"\bdevelopers?\b|\bdesigners?\b|content (?:team|editor|author|designer)|\bqa\b|"
    r"product (?:owner|manager)|\bteam\b|\braci\b",
    IC,
)
EFFORT = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:-\s*\d+\s*)?(?:hours?|hrs?|h|days?|d|weeks?|story points?|points?|sp)\b|"
    r"\beffort\b|\bestimate|\bt-shirt|\b(?:xs|s|m|l|xl)\s*(?:effort|size)",
    IC,
)
CRITICAL_PATHS = re.compile(
    r"checkout|check-out|payment|\bcart\b|basket|log ?in|sign[- ]in|sign[- ]up|register|"
    r"registration|account|booking|purchase|forms?\b|search",
    IC,
)

_DIGIT_OR_HASH = re.compile(r"[\d#]")


def could_match(rx: re.Pattern[str], lower: str) -> bool:
    """A cheap test that is False only where the pattern cannot match: code needs a
    backtick, '<', ';' or '="'; a value or technique needs a digit or '#'; another pattern
    needs one of the strings every match of it contains (`required`)."""
    if rx is CODE:
        return any(c in lower for c in ("`", "<", ";", '="'))
    if rx is VALUE_OR_TECHNIQUE:
        return _DIGIT_OR_HASH.search(lower) is not None
    words = required(rx)
    return words is None or any(map(lower.__contains__, words))


#: Sustainment practices: (id, label, pattern, points).
LONG_TERM: tuple[tuple[str, str, re.Pattern[str], float], ...] = (
    (
        "verification",
        "Verification after fixes",
        re.compile(
            r"re-?test|re-?audit|verif|validat|confirm (?:the )?fix|acceptance criteria", IC
        ),
        1.5,
    ),
    (
        "ci",
        "Regression tests in CI",
        re.compile(
            r"\bci\b|continuous integration|pipeline|pull request|jest-axe|cypress-axe|"
            r"axe-core/playwright|@axe-core|pa11y-ci|lighthouse ci|regression|"
            r"automated (?:test|check|scan)|eslint-plugin-jsx-a11y|linter|linting",
            IC,
        ),
        2.0,
    ),
    (
        "monitoring",
        "Monitoring",
        re.compile(
            r"monitor|dashboard|scheduled scan|nightly scan|ongoing scan|track(?:ing)? "
            r"(?:issues|progress|metrics)",
            IC,
        ),
        1.5,
    ),
    (
        "training",
        "Training",
        re.compile(
            r"training|workshop|upskill|educat|coaching|onboarding|guidelines for "
            r"(?:authors|editors|content)",
            IC,
        ),
        1.5,
    ),
    (
        "user-testing",
        "Testing with disabled users",
        re.compile(
            r"(?:usability|user) test\w*[^.\n]{0,60}(?:disab|screen reader users|assistive|"
            r"blind|low vision|lived experience)|(?:people|users|participants|testers) with "
            r"disabilit|disabled (?:users|people|testers|participants)",
            IC,
        ),
        2.0,
    ),
    (
        "periodic-audits",
        "Periodic audits",
        re.compile(
            r"quarterly|annual|yearly|periodic|every \d+ (?:months|weeks)|regular audits|"
            r"twice a year|each release",
            IC,
        ),
        1.0,
    ),
    (
        "governance",
        "Governance and ownership",
        re.compile(
            r"accessibility statement|policy|champion|design system|definition of done|"
            r"procurement|vpat|\bacr\b|governance|maturity",
            IC,
        ),
        0.5,
    ),
)
