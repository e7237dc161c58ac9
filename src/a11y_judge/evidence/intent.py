"""Does a plan sentence propose a fix, or only name a problem to test, monitor or defer it?

'Add a <label> to the delivery-slot select' proposes a fix; 'captions are out of scope this
quarter', 'we will review target sizes later' and 'monitor contrast with Lighthouse' only
mention the problem. A sentence is read clause by clause, so in 'we will add the scan to CI and
monitor contrast from there' the contrast is monitored, not fixed. The section counts too: an
item under 'Out of scope' or 'Verification checklist' is not a fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from a11y_judge.scanning import factored, gate

Intent = Literal["fix", "mention", "neutral"]
#: What a heading says about its items: 'describe' is a section that restates the audit
#: ('What the check found', 'Background'), where a sentence still counts by its own verbs.
SectionIntent = Literal["fix", "mention", "describe", "neutral"]

#: Declines, postpones or only ponders the work, whatever else the clause says.
DEFER = re.compile(
    r"out[- ]of[- ]scope|not in (?:the |this |our )?scope|outside (?:the |this |our |what )"
    r"|\bdefer(?:s|red|ring)?\b|\bpostpon|\bpark(?:ed|ing)?\b|"
    r"\bwon'?t-?fix|"
    r"\b(?:won'?t|will not|do not|don't|cannot|can't|not going to|not able to)\s+(?:be\s+)?"
    r"(?:fix|address|tackl|cover|chang|do\b|touch|includ|implement|add|work on)|"
    r"\bnot (?:be )?(?:fixing|addressing|tackling|covering|changing|included|planned)\b|"
    r"\bno plans? to\b|\bnot planned\b|\brevisit|\btbd\b|\bto be (?:decided|confirmed|scheduled)|"
    r"\bif (?:time|budget|capacity) (?:allows|permits)|\bnice[- ]to[- ]have|"
    r"\bnot (?:a )?priority\b|\bde-?prioriti[sz]|\baccept(?:ed|ing)? (?:the |this )?risk|"
    r"\brisk accepted|\bknown (?:issue|limitation)|\bconsider(?:s|ed|ing)?\b|"
    r"\bmight\b|\bmaybe\b|\bperhaps\b|\bat a later (?:date|stage)|\bwhether\b|"
    r"\bsomeday|\beventually\b|\bparking lot|\bfuture (?:consideration|work|release|roadmap)|"
    r"\braise (?:[\w'-]+ ){0,4}?(?:with|at)\b|\bescalate|\bask (?:whether|if|them|the)\b|"
    r"\bonce (?:they|the vendor|the supplier|the theme)|\bwait(?:ing)? (?:for|until|on)\b|"
    r"\bcould\b|\btodo\b|\bto-do\b|"
    r"\b(?:users?|visitors?|customers?|readers?|tenants?|students?)(?: who [^,.;]{0,40})? "
    r"can (?:also )?(?:switch|turn|choose|enable|opt|select|pick|activate)\b|"
    r"\bwould be (?:nice|good|great)\b|\bif (?:you|they) (?:want|wish|like|prefer)\b|"
    r"\b(?:you|your \w+(?: \w+)?|the client|they|the vendor|the supplier)\s+(?:can|may)\b|"
    r"\bno (?:code |css |design |markup )?(?:change|changes|fix|fixes|work|implementation)\b|"
    r"\bwithout chang|\b(?:as )?part of (?:the|a|that|this|our|their) [\w-]+(?: [\w-]+)? "
    r"(?:project|migration|upgrade|redesign|rebuild|refresh|programme|program|review)\b|"
    r"\b(?:handled|owned|done|covered) by (?:the |another |a separate |the central )?[\w-]+ "
    r"(?:team|project|programme|vendor|supplier|agency)\b|\bdue to be (?:replaced|rebuilt|"
    r"redesigned|retired|removed)\b|\bnot (?:our|my) (?:call|decision|code)\b|"
    r"\bnot committed\b|\buncommitted\b|\b(?:i'd|we'd|i would|we would) rather\b|"
    r"\bnot part of\b|\bseparate add-?on\b|\bif you(?:'d| would) like\b|"
    r"\bbefore (?:deciding|we decide|committing|making (?:any )?changes|changing anything)\b|"
    r"\bmay be (?:a problem|an issue|hard|difficult|confusing)\b|"
    r"\brather than (?:change|fix|patch|touch|edit|rewrite)|"
    r"\bonce (?:that|the|they|this|it|our|your)\b[^.;]{0,50}\b(?:is out|ships|lands|"
    r"launches|is released|is live|is done|is ready|are done|is finished)\b"
)
#: Watches, investigates or checks the problem.
OBSERVE = re.compile(
    r"\b(?:test|tests|testing|tested|verify|verifies|verifying|check|checks|checking|review|"
    r"reviews|reviewing|reviewed|audit(?:s|ing|ed)?(?! ref| reference| id| finding| report)|"
    r"re-?audit|scan|scans|scanning|"
    r"validate|validating|measure|measuring|confirm|confirming|spot-check|qa|monitor|monitors|"
    r"monitoring|monitored|track|tracking|keep an eye|watch|watching|investigate|investigating|"
    r"look into|looking into|look at|explore|exploring|evaluate|evaluating|assess|assessing|"
    r"research|spike|report back|find out|see how|see whether|see if|flag|flagged|log|logged|"
    r"catch|catches|alert us|run (?:lighthouse|axe|pa11y|wave|the scan|a scan|scans|checks))\b|"
    r"\blater\b|\bnext (?:year|quarter|fiscal|financial)|\bin (?:a )?future\b"
)
#: Proposes a change, wherever it stands.
FIX = re.compile(
    r"\b(?:add|adds|adding|added|replace|replaces|replacing|replaced|swap|swapping|use|uses|"
    r"improve|improves|improving|"
    r"give|gives|giving|provide|provides|providing|associate|associating|associated|wrap|"
    r"wrapping|darken|darkening|darkened|lighten|increase|increasing|increased|enlarge|enlarged|"
    r"enlarging|remove|removing|removed|delete|deleting|rewrite|rewriting|rewritten|rename|"
    r"renaming|convert|converting|converted|implement|implementing|ensure|ensuring|make|"
    r"making|restore|restoring|restored|fix|fixes|fixing|correct|correcting|corrected|expose|"
    r"exposing|apply|applying|restructure|restructuring|reorder|reordering|render|rendering|"
    r"rendered|introduce|introducing|declare|declaring|insert|inserting|mark up|marked up|"
    r"enable|enabling|disable|disabling|define|defining|transcribe|transcribing|supply|"
    r"create|creating|build|building|refactor|refactoring|rebuild|rebuilding|adopt|"
    r"resize|resizing|repair|repairing|redesigning|recolou?r|generate|generates|"
    r"generating|programmatically|becomes?|moves? to|changes? to|"
    r"set to|sets? the|switch(?:es)? to|turn(?:s)? (?:on|off)|updating|changing|"
    r"raise (?:the|its|it|to)|bump)\b"
)
#: Verbs that are also nouns ('caption tool', 'label text'): a fix only in command or future
#: position ('Label the select', 'we will label', 'they'll link').
_WEAK_FIX = re.compile(
    r"(?:^|[.!:;•\-*]\s*|\b(?:will|'ll|to|must|should|shall|please|then|and|we|i|they|team)\s+)"
    r"(?:label|caption|link|style|trap|return|close|set|pad|announce|warn|extend|pause|stop|"
    r"turn|switch|move|wire|hook|tie|show|hide|allow|put|place|give|update|"
    r"change|updated|changed|get|gets|receive|receives)\b|"
    r"\b(?:is|are|was|were|be|been|gets?|got) (?:updated|changed)\b"
)
_CLAUSE = re.compile(r"\s*(?:[;:—–]|,\s|\.\s|\s(?:and|but|while|whereas|so|then)\s)\s*")

_HEADING_DEFER = re.compile(
    r"out[- ]of[- ]scope|not in scope|defer|postpone|parked|parking lot|won'?t fix|"
    r"not (?:included|planned|addressed)|future consideration|known (?:issues|limitations)|"
    r"(?:isn'?t|aren'?t|is not|are not) (?:included|covered|planned|in scope)|"
    r"\bnot in (?:this|these|the|our) (?:sprints?|phases?|releases?|quarter|plan|proposal|"
    r"contract|work|scope)\b|"
    r"risks? accepted|exclusions?|excluded|later|next year|open questions?|questions"
)
_HEADING_OBSERVE = re.compile(
    r"verif|validat|(?:test|testing|qa|release|review) checklist|testing|test plan|"
    r"\btests?\b|\bqa\b|quality assurance|monitor|metrics|definition of done|spike|"
    r"investigat|research"
)
_HEADING_DESCRIBE = re.compile(
    r"audit summary|summary of (?:the )?(?:audit|findings|issues)|background|overview|"
    r"introduction|context|executive summary|what the (?:audit|check|scan|report|review) found|"
    r"audit findings|findings summary|the audit|what we found|key issues|summary|findings|"
    r"the problems?|the issues?|current state"
)
_HEADING_FIX = re.compile(
    r"\bfix|remediat|phase|sprint|week|month|roadmap|quick win|action|ticket|task|to-?do|"
    r"work ?items?|implement|solution|changes?\b|milestone|deliverable|epic|stor(?:y|ies)|"
    r"backlog|plan\b|proposal|priority \d|\bp[0-3]\b|immediate|short[- ]term|medium[- ]term|"
    r"long[- ]term|step \d|\b[a-z][a-z0-9]{1,9}-\d+\b|#\d{2,6}\b|"
    r"\(\w+(?: \+ \w+)*, [\d.]+ (?:days?|hours?|h|d)\)|"
    r"recommend|what we will do|we will|next steps"
)


#: DEFER without its \\b anchors: a superset the regex engine scans several times faster
#: (a leading \\b defeats its prefix search), so DEFER itself runs only where it may match.
_DEFER_LOOSE = factored(re.compile(DEFER.pattern.replace(r"\b", "")))
#: The verb lists as tries (the same matches, a few tests a position instead of one a verb).
_FIX = factored(FIX)
_OBSERVE = factored(OBSERVE)


#: Which of the clause patterns may match a clause, in one pass (None without the compiled
#: scanner: then every pattern is searched for).
_GATE = gate((DEFER, FIX, _WEAK_FIX, OBSERVE))


@lru_cache(maxsize=16384)
def clause_intent(lower: str) -> Intent:
    """The intent of one clause on its own: deferring wins; otherwise its first verb decides
    ('review the headings in the redesign' observes, 'add labels, then test' fixes)."""
    defer, fix, weak, obs = (True,) * 4 if _GATE is None else _GATE.may_match(lower)
    if defer and _DEFER_LOOSE.search(lower) and DEFER.search(lower):
        return "mention"
    fixes = [
        m.start() for ok, rx in ((fix, _FIX), (weak, _WEAK_FIX)) if ok and (m := rx.search(lower))
    ]
    observe = _OBSERVE.search(lower) if obs else None
    if fixes and (observe is None or min(fixes) < observe.start()):
        return "fix"
    return "mention" if observe else "neutral"


@lru_cache(maxsize=16384)
def clauses(lower: str) -> tuple[tuple[str, Intent], ...]:
    """A sentence's clauses, each with its intent: its own verb, else the verb of the clause
    before it ('monitor colour contrast and target sizes'), else the next verb in the sentence
    ('The delivery-slot dropdown: add a label')."""
    parts = [p for p in _CLAUSE.split(lower) if p.strip()] or [lower]
    own = [clause_intent(p) for p in parts]
    resolved: list[tuple[str, Intent]] = []
    previous: Intent = "neutral"
    for i, intent in enumerate(own):
        if intent == "neutral":
            later: Intent = next((x for x in own[i + 1 :] if x != "neutral"), "neutral")
            intent = previous if previous != "neutral" else later
        resolved.append((parts[i], intent))
        if own[i] != "neutral":
            previous = own[i]
    return tuple(resolved)


@lru_cache(maxsize=16384)
def defers(lower: str) -> bool:
    """The sentence declines or postpones the work ('Status: won't do', 'out of scope')."""
    return bool(_DEFER_LOOSE.search(lower) and DEFER.search(lower))


def sentence_intent(lower: str, about: Callable[[str], bool] | None = None) -> Intent:
    """The intent of a sentence towards what `about` recognises (the whole sentence if None):
    the last decided intent among the clauses about it ('out of scope; marketing could add
    them' is a mention)."""
    if about is None:
        return _whole_sentence_intent(lower)
    resolved = clauses(lower)
    if len({r for _p, r in resolved}) == 1:  # one clause, or all agree: `about` cannot matter
        return resolved[-1][1]
    chosen = [r for p, r in resolved if about(p)]
    decided = [r for r in (chosen or [r for _p, r in resolved]) if r != "neutral"]
    return decided[-1] if decided else "neutral"


@lru_cache(maxsize=16384)
def _whole_sentence_intent(lower: str) -> Intent:
    """A sentence's own intent (asked again of the sentences after every mention before it)."""
    decided = [r for _p, r in clauses(lower) if r != "neutral"]
    return decided[-1] if decided else "neutral"


@lru_cache(maxsize=4096)
def heading_intent(heading: str) -> SectionIntent:
    """What a heading says about the items under it: 'Out of scope' and 'Spike: …' do not fix,
    'Week 4: test and fix contrast' and 'Sprint 2' do, 'What the check found' describes."""
    lower = heading.lower()
    if _HEADING_DEFER.search(lower) or (_DEFER_LOOSE.search(lower) and DEFER.search(lower)):
        return "mention"
    verb = _FIX.search(lower) is not None
    if (_HEADING_OBSERVE.search(lower) or _OBSERVE.search(lower)) and not verb:
        return "mention"
    if verb or _HEADING_FIX.search(lower):
        return "fix"
    return "describe" if _HEADING_DESCRIBE.search(lower) else "neutral"


@lru_cache(maxsize=4096)
def section_intent(headings: tuple[str, ...]) -> SectionIntent:
    """The intent of the nearest heading that says one. The document's own title only says
    'fix' ('Remediation roadmap'): a plan titled 'Audit results' still proposes fixes."""
    for n, heading in enumerate(reversed(headings)):
        intent = heading_intent(heading)
        if n == len(headings) - 1 and len(headings) > 1 and intent == "mention":
            return "neutral"
        if intent != "neutral":
            return intent
    return "neutral"


def combine(own: Intent, section: SectionIntent) -> Intent:
    """A sentence's intent in its section: a deferring or checking section wins over the
    sentence's own verbs ('Ensure images have alt text' in a verification checklist); a bare
    item counts as a fix in a section that lists fixes, else as a mention."""
    if own == "mention" or section == "mention":
        return "mention"
    if own == "fix" or section == "fix":
        return "fix"
    return "mention"
