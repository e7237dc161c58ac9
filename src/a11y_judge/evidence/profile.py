"""What identifies a finding in a plan's words: its IDs, selectors, criteria, problem areas,
element kinds and the component words of its own locations and markup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from a11y_judge.evidence.rules import rule_meaning
from a11y_judge.lexicon import (
    BROAD_TOPICS,
    ELEMENT_TERMS,
    TOPICS,
    TermMatcher,
    element_kinds,
    elements_in,
    related_topics,
    topics_for_sc,
    topics_in,
)
from a11y_judge.models import Finding

_STOP = frozenset(
    """
    a an the and or of to in on for with without by from at as is are be been being was were
    this that these those it its not no any all every each some more most less than then there
    their they them our your we you i he she his her can cannot can't could should would will
    must may might do does did has have had when where which who what how why into onto out up
    over under about after before while also only very just other same such page pages site
    website element elements issue issues problem missing user users use used using make made
    fix fixed add added need needs via per level wcag sc criterion criteria success failure
    fails fail found one two three all does doesn't isn't aren't don't
    name names label labels text title alt aria role value values type content attribute
    attributes screen reader readers keyboard visible focus click removed insufficient broken
    empty unclear lacks lacking incorrect wrong poor low high small large missing hidden
    invisible unlabelled unlabeled unnamed inaccessible non descriptive generic silent cannot
    operated operable announced reached reach trap traps trapped fail fails failing
    change changes changed latest news new old home more less read view open close show hide
    next previous prev back start end day days week weeks month time times today now top
    bottom left right up down get got go goes going see seen look find found help info
    information about contact us we our here there click tap press select selected choose
    item items thing things way ways part parts set sets list lists group groups number
    numbers first second third last one two three four five six seven eight nine ten
    default normal main primary secondary general common simple basic standard full
    """.split()
)
#: Words of markup that say nothing about which component it is.
_MARKUP = frozenset(
    """
    html head body main div span section article aside header footer nav ul ol li dl dt dd p a
    img svg path g use button input select option textarea form label fieldset legend table
    thead tbody tr td th h1 h2 h3 h4 h5 h6 iframe video audio source track picture figure
    figcaption br hr strong em b i small script style meta link nth child first last of type
    not hover focus before after class id href src style role tabindex true false null none
    http https www com org net io co uk placehold placeholder jpg jpeg png gif webp svg html php
    js css container wrapper wrap inner outer content row col cols grid flex item items list
    btn icon img image left right top bottom small large sm md lg xl xs primary secondary
    active disabled hidden is has js c u x px em rem auto block inline d
    """.split()
)
#: Words that name a problem ('escape', 'contrast') or a kind of element ('dropdown'), not a
#: component. Words of longer element terms ('postcode' of 'postcode field') still can.
_VOCABULARY = frozenset(
    w for t in TOPICS for term in t.terms for w in re.findall(r"[a-z]{3,}", term)
) | frozenset(
    w
    for terms in ELEMENT_TERMS.values()
    for term in terms
    if len(words := re.findall(r"[a-z]{3,}", term)) == 1
    for w in words
)
_SELECTOR = re.compile(r"(?<![\w-])[a-z0-9]*([#.][A-Za-z][\w-]{2,})")
_NOT_SELECTOR = re.compile(
    r"\.(?:html?|php|aspx?|jsx?|tsx?|css|json|md|pdf|png|jpe?g|svg|com|org|net|io)$"
)
_ATTR_VALUE = re.compile(
    r"\b(?:class|id|name|for|aria-label|alt|title|placeholder|value|href|src|data-[\w-]+)\s*=\s*"
    r"[\"']([^\"']{1,80})[\"']",
    re.IGNORECASE,
)
_TAG_TEXT = re.compile(r">([^<>]{2,60})<")
_TAG = re.compile(r"<([a-z][a-z0-9]*)\b([^>]*)>?", re.IGNORECASE)
_LOCATION_TAG = re.compile(r"(?:^|[\s>+~])([a-z][a-z0-9]*)(?=[.#:\[\s>]|$)")
_TAG_KINDS = {
    "select": "select",
    "textarea": "textarea",
    "button": "button",
    "a": "link",
    "img": "image",
    "svg": "image",
    "area": "image",
    "iframe": "frame",
    "frame": "frame",
    "video": "media",
    "audio": "media",
    "html": "page",
    "form": "form",
    "table": "table",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "ul": "list",
    "ol": "list",
}
_INPUT_KINDS = {
    "checkbox": "checkbox",
    "radio": "radio",
    "submit": "button",
    "button": "button",
    "reset": "button",
    "image": "button",
}


#: Kinds a finding keeps as they are: its 'form' is the form itself, not every control in it.
_LITERAL = frozenset({"text", "form", "page"})


@dataclass(frozen=True)
class FindingProfile:
    """How a plan can point at one finding."""

    id: str
    own_id: str | None
    rule_tokens: frozenset[str]
    selectors: tuple[str, ...]
    sc: frozenset[str]
    sc_stated: bool
    topics: frozenset[str]
    related: frozenset[str]
    elements: frozenset[str]
    words: frozenset[str]
    places: frozenset[str] = frozenset()
    site_wide: bool = False  # the audit says it is everywhere ('removed site-wide')

    @property
    def narrow(self) -> frozenset[str]:
        """Its topics that single out a problem (not broad ones such as 'keyboard')."""
        return self.topics - BROAD_TOPICS


def _split_words(value: str) -> set[str]:
    """'delivery-slot' → {'delivery-slot', 'delivery', 'slot'}; camelCase split too."""
    value = re.sub(r"([a-z])([A-Z])", r"\1-\2", value).lower()
    out: set[str] = set()
    for token in re.findall(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", value):
        parts = [p for p in re.split(r"[-_]", token) if p]
        if len(parts) > 1:
            out.add(token.replace("_", "-"))
        out.update(parts)
    return out


#: Words that extend a statement to every element of a kind ('add alt text to all images',
#: 'focus indicator removed site-wide').
SWEEP = re.compile(
    r"\b(?:all|every)\s+(?:of\s+)?(?:the\s+|our\s+|your\s+|remaining\s+|other\s+)?"
    r"(?:[a-z-]+\s+){0,2}?(?:images?|img|photos?|pictures?|graphics?|icons?|buttons?|links?|"
    r"fields?|inputs?|controls?|selects?|dropdowns?|menus?|pages?|templates?|screens?|videos?|"
    r"media|headings?|tables?|lists?|forms?|elements?|text|instances|occurrences|components?)\b"
    r"|\b(?:all|every)\s+(?:[\w.:-]+\s+){0,3}?(?:failures?|issues?|violations?|errors?|"
    r"problems?|instances?|occurrences?)\b|site-?wide|across the (?:whole )?site|throughout|"
    r"everywhere|\bglobal(?:ly)?\b|"
    r"on every page|in (?:the )?(?:base|global|shared) (?:css|stylesheet|layout|template|styles)"
    r"|\bbase\.css\b|base (?:layout|template)"
    r"|\b(?:each|every|the|its|our|your|their) (?:[a-z-]+ )?form (?:controls|fields|inputs)\b"
)

#: Words that qualify an element without saying which one it is ('all images', 'icon links').
_GENERIC = frozenset(
    """
    all every each any remaining other others informative meaningful decorative descriptive
    proper relevant existing new missing empty visible native semantic interactive custom
    important key primary secondary small large our your their these those such affected
    reported listed same similar various several multiple many both individual specific certain
    non-decorative functional critical complex simple standalone linked nested unlabelled
    unlabeled unnamed inaccessible broken remaining current site-wide sitewide global shared
    most some few main more less whole entire relevant appropriate clear real correct
    accessible generic plain like including include such as the of with for on in to from
    """.split()
)


#: Verbs seen just before an element word ('jumps from h1', 'rendered as <h4>').
_VERBS = re.compile(
    r"(?:s|ed|ing)$|^(?:add|use|make|give|set|fix|move|get|put|see|read|jump|turn|keep|show|"
    r"rewrite|replace|change|update|remove|ensure|provide|create|write|mark|wrap|convert|"
    r"rename|restore|increase|darken|hide|label|link|name|describe|style|enlarge|associate)$"
)


_MARKUP_WORD = re.compile(r"(?:h[1-6]|img|svg|href|btn|html)\b")
_WORD_OR_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_TICKET_OR_NUMBER = re.compile(r"[a-z]{1,6}-\d+|\d[\w-]*")


@lru_cache(maxsize=16384)  # asked of a sentence for each finding it may identify
def qualifiers(lower: str, element_at: tuple[int, ...]) -> frozenset[str]:
    """Words just before element words that say which element: 'travel blog photos' →
    {'travel', 'blog'}; 'all images' → {} (a sweep over every image). Markup ('<h4>', 'img')
    is not qualified."""
    out: set[str] = set()
    for offset in element_at:
        if not lower[offset : offset + 1].isalpha() or _MARKUP_WORD.match(
            lower[offset : offset + 5]
        ):
            continue
        before = _WORD_OR_ID.findall(lower[max(0, offset - 40) : offset])[-2:]
        before = [w for w in before if not _VERBS.search(w) or "-" in w]
        words = {w for w in before if not _TICKET_OR_NUMBER.fullmatch(w)}
        out |= _distinctive(words - _GENERIC)
    return frozenset(out)


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """'borders' → 'border', 'boxes' → 'box'; short words and '-ss' endings stay."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _distinctive(words: set[str]) -> set[str]:
    return {
        w
        for w in words
        if len(w) >= 3
        and not w.isdigit()
        and w not in _STOP
        and w not in _MARKUP
        and (w not in _VOCABULARY or "-" in w)
        and singular(w) not in _STOP
    } | {
        singular(w)
        for w in words
        if len(w) > 4 and w.endswith("s") and w not in _STOP and singular(w) not in _VOCABULARY
    }


def _markup_kinds(snippet: str) -> set[str]:
    kinds: set[str] = set()
    for m in _TAG.finditer(snippet[:300]):
        tag = m.group(1).lower()
        if tag == "input":
            t = re.search(r"type\s*=\s*[\"']?([a-z]+)", m.group(2), re.IGNORECASE)
            kinds.add(_INPUT_KINDS.get(t.group(1).lower(), "input") if t else "input")
        elif tag in _TAG_KINDS:
            kinds.add(_TAG_KINDS[tag])
        if 'role="button"' in m.group(2).lower():
            kinds.add("button")
        break  # the failing element is the first tag
    return kinds


def _location_kinds(location: str) -> set[str]:
    """The kind of the last element of a CSS path ('form > select' → select)."""
    code = re.findall(r"`([^`]+)`", location)
    selector = code[-1] if code else location.split(" — ")[-1]
    tags = _LOCATION_TAG.findall(selector.strip().lower())
    if not tags:
        return set()
    last = tags[-1]
    return {_TAG_KINDS[last]} if last in _TAG_KINDS else ({"input"} if last == "input" else set())


def _place_words(f: Finding, human: bool) -> set[str]:
    """Words of the pages a finding is on ('/basket', 'Checkout page')."""
    words: set[str] = set()
    for loc in f.locations[:20]:
        place = re.sub(r"https?://[^/\s]+", " ", loc.split(" — ")[0] if " — " in loc else loc)
        if human or place.lstrip().startswith("/"):
            words |= _split_words(re.sub(r"`[^`]*`|[#.][\w-]+", " ", place))
    return _distinctive(words)


def _selector_part(location: str) -> str:
    """The selector of a location: 'https://x.io/p — img.logo' (axe, pa11y-ci) and
    'img.logo — <img src=…>' (Lighthouse) both give 'img.logo'; URLs are dropped."""
    parts = [p.strip() for p in location.split(" — ")]
    chosen = [p for p in parts if not p.startswith(("http://", "https://", "<", "/"))]
    return re.sub(r"\b(?:https?://|www\.)\S+", " ", " ".join(chosen or parts[-1:]))


def _component_words(f: Finding, human: bool) -> set[str]:
    """Words that say which element it is: its classes and ids, its markup's attribute values
    and text, and (for a report's own findings) its title."""
    words: set[str] = set()
    for loc in f.locations[:20]:
        for m in _SELECTOR.finditer(_selector_part(loc)):
            words |= _split_words(m.group(1)[1:])
    for snippet in f.snippets[:10]:
        for m in _ATTR_VALUE.finditer(snippet):
            value = m.group(1)
            if value.startswith("data:"):
                continue
            if value.startswith(("http", "//")):  # 'https://facebook.com/x', '/img/curlew.jpg'
                value = re.sub(r"^\w*:?//(?:www\.)?", "", value)
                value = re.sub(
                    r"\.(?:com|org|net|io|co|uk|fm|app|html?|php|jpe?g|png|svg|gif|webp)\b",
                    " ",
                    value,
                )
            words |= _split_words(value)
        for m in _TAG_TEXT.finditer(snippet):
            words |= _split_words(m.group(1))
    if human:
        words |= _split_words(f.title)
    return _distinctive(words)


_CLASS_OR_ID = re.compile(r"\b(class|id)\s*=\s*[\"']([^\"']{2,80})[\"']", re.IGNORECASE)


def _own_compound(selector: str) -> str:
    """The element's own part of a CSS path, or its parent's when it has no class or id
    ('#content > div.promo-card > a' → 'div.promo-card'; a container is not the element)."""
    steps = [p for p in re.split(r"\s*[>+~]\s*|\s+", selector.strip()) if p]
    for step in reversed(steps[-2:]):
        if re.search(r"[.#]", step):
            return step
    return steps[-1] if steps else ""


def _selectors(f: Finding) -> tuple[str, ...]:
    """Its CSS classes and ids, from locations and markup ('.tw-row', '#delivery-slot'); in
    markup only compound ones, which name a component ('icon' or 'active' do not)."""
    found = {
        m.group(1).lower()
        for loc in f.locations[:20]
        for m in _SELECTOR.finditer(_own_compound(_selector_part(loc)))
        if not _NOT_SELECTOR.search(m.group(1).lower()) and len(m.group(1)) > 3
    }
    for snippet in f.snippets[:10]:
        for m in _CLASS_OR_ID.finditer(snippet[:300]):
            prefix = "." if m.group(1).lower() == "class" else "#"
            found.update(
                prefix + name.lower()
                for name in m.group(2).split()
                if re.search(r"[-_]", name) and len(name) > 4
            )
    return tuple(sorted(found))


def _build(f: Finding, shared_rules: frozenset[str]) -> FindingProfile:
    meaning = rule_meaning(f)
    human = f.rule_id is None
    own_id = f.id if re.search(r"\d|[A-Z]{2,}", f.id) and len(f.id) >= 3 else None
    if meaning is not None:
        topics = set(meaning.topics)
        elements = set(meaning.elements)
        secondary: set[str] = set()
    else:
        topics = topics_in(f"{f.title} {f.rule_id or ''}")
        secondary = topics_in(f.description[:400]) - topics
        if not topics:
            by_sc = {t for sc in f.wcag for t in topics_for_sc(sc)}
            topics = (by_sc & secondary) or by_sc
        elements = elements_in(f.title)
    for loc in f.locations[:20]:
        elements |= _location_kinds(loc)
    for snippet in f.snippets[:5]:
        elements |= _markup_kinds(snippet)
    if not elements and meaning is None:
        elements = elements_in(f.description[:300])
    rule_tokens: set[str] = set()
    if meaning is not None and meaning.tool == "htmlcs":
        rule_tokens = {meaning.key.lower(), meaning.key.split(".")[0].lower()}
    elif f.rule_id:
        rule_tokens = {f.rule_id.lower()}
    # A rule id that is an everyday word ('label', 'list', 'region') is no evidence.
    rule_tokens = {t for t in rule_tokens if "-" in t or re.match(r"[a-z]+\d", t)}
    return FindingProfile(
        id=f.id,
        own_id=own_id.lower() if own_id else None,
        rule_tokens=frozenset(rule_tokens - shared_rules),
        selectors=_selectors(f),
        sc=frozenset(f.wcag),
        sc_stated=f.wcag_source == "stated",
        topics=frozenset(topics),
        related=related_topics(topics) | frozenset(secondary),
        elements=element_kinds(elements - _LITERAL) | (elements & _LITERAL),
        words=frozenset(_component_words(f, human)),
        places=frozenset(_place_words(f, human) - _component_words(f, human)),
        site_wide=bool(SWEEP.search(" ".join([f.title, *f.locations[:5]]).lower())),
    )


@lru_cache(maxsize=256)
def _profiles(findings_json: tuple[str, ...]) -> tuple[FindingProfile, ...]:
    findings = [Finding.model_validate_json(j) for j in findings_json]
    counts: dict[str, int] = {}
    for f in findings:
        meaning = rule_meaning(f)
        if meaning is not None and meaning.tool == "htmlcs":
            technique = meaning.key.split(".")[0].lower()
            counts[technique] = counts.get(technique, 0) + 1
    shared = frozenset(t for t, n in counts.items() if n > 1)  # 'h91' names five findings
    return tuple(_build(f, shared) for f in findings)


@lru_cache(maxsize=256)
def known_words(every: tuple[FindingProfile, ...]) -> TermMatcher:
    """Finds, in a plan, the words the audit's findings are known by (ids, rule ids, component
    words), so a plan's words need not all be collected."""
    wanted = {
        w for p in every for w in p.words | p.rule_tokens | ({p.own_id} if p.own_id else set())
    }
    return TermMatcher({w: frozenset({w}) for w in wanted})


def profiles(findings: list[Finding]) -> list[FindingProfile]:
    """The profile of every finding of an audit (a rule code several findings share, such as
    'H91', is not evidence for any one of them)."""
    return list(_profiles(tuple(f.model_dump_json() for f in findings)))
