"""Mask personal data before audit and plan text goes to an LLM provider.

Kinds: ``email``, ``phone`` (international ``+…``, North American ``(555) 123-4567``, national
``020 7946 0958``), ``name`` (after a cue such as ``Contact:``, ``Reviewed by``, ``Mr./Ms./Dr.``),
``url_token`` (secret query or fragment values such as ``token=``, ``key=``, ``sig=``,
``access_token=``, and passwords in ``user:pass@`` URLs), ``jwt`` and ``ip`` (IPv4 and IPv6).
Each distinct value becomes a numbered placeholder (``[EMAIL-1]``), the same one wherever it
recurs in one request, so the model can still tell two contacts apart; `Redactor.restore` puts
the values back into what the model quotes. WCAG numbers (``1.4.3``, ``2.4.11``), version
numbers, dates, ratios and hex colours are not phone numbers or addresses.

Modes: ``off``; ``external`` (OpenAI, Gemini and OpenAI-compatible servers that are not on this
machine); ``all`` (loopback endpoints too). The offline judge and history always keep the
original text.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from a11y_judge.models import AuditReport, Plan, RedactedExample, RedactionReport

RedactMode = Literal["off", "external", "all"]
MODES: tuple[RedactMode, ...] = ("off", "external", "all")
MODE_LABELS: dict[RedactMode, str] = {
    "off": "Off: send the text as written",
    "external": "External providers (OpenAI, Gemini, remote OpenAI-compatible servers)",
    "all": "Every LLM judge, loopback/localhost servers too",
}
KINDS = ("email", "phone", "name", "url_token", "jwt", "ip")
_LABEL = {
    "email": "EMAIL",
    "phone": "PHONE",
    "name": "NAME",
    "url_token": "TOKEN",
    "jwt": "TOKEN",
    "ip": "IP",
}
#: When spans overlap, the earlier kind here wins.
_PRIORITY = {"url_token": 0, "jwt": 1, "email": 2, "ip": 3, "phone": 4, "name": 5}
EXAMPLES_PER_KIND = 2

_FILE_TLDS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "ts", "html", "pdf", "mp4"}
_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.([A-Za-z]{2,24})\b"
)
_URL = re.compile(r"\b(?:https?|wss?|ftp)://[^\s<>\"'`)\]]+", re.I)
_SECRET_PARAM = re.compile(
    r"(?:^|[?&#;])((?:access_|id_|refresh_|auth_|session_|api_?|private_|secret_)?"
    r"(?:token|key|apikey|sig|signature|secret|password|passwd|pwd|auth|session|sessionid|sid|"
    r"code|credential)|x-amz-signature|x-amz-credential|x-goog-signature|client_secret)"
    r"=([^&#;\s]+)",
    re.I,
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?:/\d{{1,2}})?(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")
_VERSION_BEFORE = re.compile(
    r"\b(?:version|ver\.?|build|release|chrome|firefox|safari|edge|nvda|jaws|ios|android|"
    r"windows|macos|node|python|v)\s*$",
    re.I,
)
_PHONES = (
    re.compile(r"(?<![\w+.])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,5}(?![\w]|\.\d)"),
    re.compile(r"(?<![\w.(])(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w]|\.\d)"),
    re.compile(r"(?<![\w.])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\w]|\.\d)"),
    re.compile(r"(?<![\w.])0\d{3,5}[ -]\d{5,7}(?![\w]|\.\d)"),  # 079366 85804
    re.compile(r"(?<![\w.+-])0[1-9]\d{8,9}(?![\w]|[.,]\d)"),  # 07745544181
)
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_TOKEN = rf"(?:[{_UP}]['’])?[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
_PERSON = rf"{_TOKEN}(?:[ \t]+[A-Z]\.)?(?:[ \t]+{_TOKEN}){{1,2}}"
_NAME_CUES = (
    re.compile(
        r"\b(?:Contacts?|Reviewed\s+by|Prepared\s+by|Written\s+by|Audited\s+by|Approved\s+by|"
        r"Tested\s+by|Signed(?:\s+off)?\s+by|Assigned\s+to|Authors?|Auditors?|Reviewers?|"
        r"(?:Quality\s+)?[Cc]hecked\s+by|Project\s+lead|(?:Lead|Technical|Senior)\s+auditor|"
        r"Testers?|Assignee|Point\s+of\s+contact|Attn\.?|Attention|Account\s+manager|"
        r"Project\s+manager|Owners?)[ \t]*(?::|-|–|—|,)?[ \t]*(?:\|[ \t]*)?"
        rf"({_PERSON})",
    ),
    re.compile(r"^(?:From|To|Cc|Bcc)[ \t]*:[ \t]*" + rf"({_PERSON})", re.M),
    re.compile(rf"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?[ \t]+({_TOKEN}(?:[ \t]+{_TOKEN})?)"),
)
_AND_PERSON = re.compile(rf"[ \t]*(?:&|and|/)[ \t]*({_PERSON})")
#: Capitalised words that make a cue's object a team, product or place rather than a person.
_NOT_NAMES = set(
    """Team Teams Group Department Dept Design System Systems Front Back End Engineering QA
    Accessibility Product Support Content Marketing Legal Lead Leads Manager Owner The Our All
    Every Each Vendor Agency Phase Week Sprint Developer Developers Web Mobile Customer Service
    Services Google Microsoft Apple Chrome Deque Level Access Assistive Technology Unit Board
    Office Platform Squad Guild Working Committee Council Company Inc Ltd Studio Digital Data
    Security Operations Ops Editorial Editors Research Program Programme Project Delivery Core
    Site Website Help Desk Centre Center User Users Experience Interface Quality Assurance
    Review Reviews Audit Audits Testing Tests Test January February March April May June July
    August September October November December Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday""".split()
)


@dataclass(frozen=True)
class PiiMatch:
    """One value found: its kind and span in the text."""

    kind: str
    start: int
    end: int
    value: str


def find_pii(text: str) -> list[PiiMatch]:
    """Every personal or secret value in `text`, non-overlapping, in reading order."""
    found: list[PiiMatch] = []
    urls = [m.span() for m in _URL.finditer(text)]
    for m in _URL.finditer(text):
        found += _url_secrets(m.group(), m.start())
    for m in _JWT.finditer(text):
        found.append(PiiMatch("jwt", m.start(), m.end(), m.group()))
    for m in _EMAIL.finditer(text):
        if m.group(1).lower() not in _FILE_TLDS:
            found.append(PiiMatch("email", m.start(), m.end(), m.group()))
    for m in _IPV4.finditer(text):
        if not _VERSION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            found.append(PiiMatch("ip", m.start(), m.end(), m.group()))
    for m in _IPV6.finditer(text):
        if _is_ipv6(m.group()):
            found.append(PiiMatch("ip", m.start(), m.end(), m.group()))
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if 8 <= digits <= 15 and not _within(urls, m.start()):
                found.append(PiiMatch("phone", m.start(), m.end(), m.group().strip()))
    for pattern in _NAME_CUES:
        for m in pattern.finditer(text):
            name = _person(m.group(1))
            at = m.start(1)
            while name:  # "Tom Nasmyth-Shaw & Deborah Roberts": the next name too
                found.append(PiiMatch("name", at, at + len(name), name))
                more = _AND_PERSON.match(text, at + len(name))
                name = _person(more.group(1)) if more else ""
                at = more.start(1) if more else at
    return _non_overlapping(found)


def _url_secrets(url: str, offset: int) -> list[PiiMatch]:
    hits = []
    for m in _SECRET_PARAM.finditer(url):
        hits.append(PiiMatch("url_token", offset + m.start(2), offset + m.end(2), m.group(2)))
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
    if password:
        at = url.find(":" + password + "@")
        if at >= 0:
            start = offset + at + 1
            hits.append(PiiMatch("url_token", start, start + len(password), password))
    return hits


def _is_ipv6(candidate: str) -> bool:
    bare = candidate.split("%", 1)[0]
    if bare.count(":") < 2 or not re.search(r"[0-9A-Fa-f]", bare):
        return False
    if "::" not in bare and bare.count(":") != 7:
        return False
    try:
        ipaddress.IPv6Address(bare)
    except ValueError:
        return False
    return True


def _person(candidate: str) -> str:
    """The leading words of `candidate` that can be a person's name ('' if fewer than one)."""
    words = candidate.split()
    kept: list[str] = []
    for w in words:
        if w.strip(".") in _NOT_NAMES:
            break
        kept.append(w)
    if not kept or (len(kept) == 1 and len(words) > 1):
        return ""
    return " ".join(kept)


def _within(spans: list[tuple[int, int]], i: int) -> bool:
    return any(a <= i < b for a, b in spans)


def _non_overlapping(found: list[PiiMatch]) -> list[PiiMatch]:
    chosen: list[PiiMatch] = []
    for m in sorted(found, key=lambda m: (_PRIORITY[m.kind], m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def mask(kind: str, value: str) -> str:
    """A partly masked form of a value for people to recognise, never the value itself."""
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}•••@{domain}"
    if kind == "phone":
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        keep = set(digits[-2:])
        return "".join(c if not c.isdigit() or i in keep else "•" for i, c in enumerate(value))
    if kind == "ip":
        sep = "." if "." in value else ":"
        head = value.split(sep, 1)[0]
        return head + sep + sep.join("•" * 1 for _ in value.split(sep)[1:])
    if kind == "name":
        return " ".join(w[0] + "." for w in value.split() if w)
    return value[:4] + "…" if len(value) > 6 else "•••"


@dataclass
class Redactor:
    """Masks values with placeholders that stay consistent across one request's documents."""

    placeholders: dict[tuple[str, str], str] = field(default_factory=dict)
    originals: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    per_document: dict[str, Counter[str]] = field(default_factory=dict)
    examples: list[RedactedExample] = field(default_factory=list)

    def text(self, text: str, document: str = "") -> str:
        """`text` with every value found replaced by its placeholder."""
        if not text:
            return text
        out: list[str] = []
        last = 0
        for m in find_pii(text):
            out.append(text[last : m.start])
            out.append(self._placeholder(m, document))
            last = m.end
        out.append(text[last:])
        return "".join(out)

    def _placeholder(self, m: PiiMatch, document: str) -> str:
        key = (_LABEL[m.kind], m.value)
        if key not in self.placeholders:
            n = sum(1 for k in self.placeholders if k[0] == key[0]) + 1
            self.placeholders[key] = f"[{key[0]}-{n}]"
            self.originals[self.placeholders[key]] = m.value
        placeholder = self.placeholders[key]
        self.counts[m.kind] += 1
        self.per_document.setdefault(document, Counter())[m.kind] += 1
        if sum(e.kind == m.kind for e in self.examples) < EXAMPLES_PER_KIND and not any(
            e.placeholder == placeholder for e in self.examples
        ):
            self.examples.append(
                RedactedExample(
                    kind=m.kind,
                    document=document,
                    masked=mask(m.kind, m.value),
                    placeholder=placeholder,
                )
            )
        return placeholder

    def restore(self, text: str) -> str:
        """Put the original values back where the model repeated a placeholder."""
        if not self.originals or "[" not in text:
            return text
        return re.sub(
            r"\[(?:EMAIL|PHONE|NAME|TOKEN|IP)-\d+\]",
            lambda m: self.originals.get(m.group(), m.group()),
            text,
        )

    def audit(self, audit: AuditReport) -> AuditReport:
        """A copy of the audit with its text and findings' fields redacted."""
        findings = [
            f.model_copy(
                update={
                    "title": self.text(f.title, audit.name),
                    "description": self.text(f.description, audit.name),
                    "recommendation": self.text(f.recommendation, audit.name),
                    "locations": [self.text(x, audit.name) for x in f.locations],
                    "snippets": [self.text(x, audit.name) for x in f.snippets],
                }
            )
            for f in audit.findings
        ]
        return audit.model_copy(
            update={"text": self.text(audit.text, audit.name), "findings": findings}
        )

    def plan(self, plan: Plan) -> Plan:
        """A copy of the plan with its text redacted."""
        return plan.model_copy(update={"text": self.text(plan.text, plan.name)})


def is_loopback_url(url: str | None) -> bool:
    """Whether a base URL points at this machine (localhost, 127.0.0.0/8, ::1)."""
    if not url:
        return False
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def applies(mode: str, local: bool) -> bool:
    """Whether text for a judge (on this machine or not) is redacted in `mode`."""
    return mode == "all" or (mode == "external" and not local)


def redaction_report(
    mode: str, judges: Sequence[str], audit: AuditReport, plans: Sequence[Plan]
) -> RedactionReport:
    """What redaction removes from the audit and each plan (counted once per document)."""
    total: Counter[str] = Counter()
    documents: dict[str, dict[str, int]] = {}
    examples: list[RedactedExample] = []
    shared = Redactor()
    shared.audit(audit)
    for plan in plans:
        shared.plan(plan)
    for name, counts in shared.per_document.items():
        documents[name] = dict(counts)
        total.update(counts)
    examples = shared.examples
    return RedactionReport(
        mode=mode,
        judges=list(judges),
        counts={k: total[k] for k in KINDS if total[k]},
        documents={k: v for k, v in documents.items() if v},
        examples=examples,
    )
