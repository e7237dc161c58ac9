"""Judge prompts from the templates in prompts/, versioned by content hash, fitted to a budget.

If the audit and plan do not fit the model's context, the prompt is condensed explicitly (audit
to one line per finding, then the plan's least relevant passages replaced by a visible marker) and
each step is recorded in `Prompt.notes`. Nothing is ever cut silently.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import Template

from a11y_judge.errors import A11yJudgeError
from a11y_judge.models import AuditReport, Finding, Plan, Rubric
from a11y_judge.paths import prompts_dir

SYSTEM_FILE = "judge_system.md"
USER_FILE = "judge_user.md"
#: Characters per token used to estimate prompt size (conservative for English prose).
CHARS_PER_TOKEN = 3.5


class ContextBudgetError(A11yJudgeError):
    """The plan cannot be made to fit the model's context."""


@dataclass(frozen=True)
class Templates:
    """The system and user templates and their combined content hash."""

    system: str
    user: Template
    version: str


@lru_cache(maxsize=16)
def _load(folder: str) -> Templates:
    base = Path(folder)
    try:
        system = (base / SYSTEM_FILE).read_text(encoding="utf-8")
        user = (base / USER_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise A11yJudgeError(
            f"the prompt folder {base} cannot be read ({exc.strerror or exc})",
            hint=f"Give a folder holding {SYSTEM_FILE} and {USER_FILE} (copy prompts/ to start)",
        ) from exc
    version = hashlib.sha256(f"{system}\x00{user}".encode()).hexdigest()[:12]
    return Templates(system=system.strip(), user=Template(user), version=version)


def templates(folder: Path | None = None) -> Templates:
    """The prompt templates of `folder` (default prompts/), cached per folder."""
    return _load(str(folder or prompts_dir()))


def prompt_version() -> str:
    """The content hash of the judge prompt templates."""
    return templates().version


@dataclass
class Prompt:
    """A rendered prompt, its template version and what was condensed to fit."""

    system: str
    user: str
    version: str
    notes: list[str] = field(default_factory=list)
    boundary: str = ""  # the random id of this request's untrusted-content tags

    @property
    def tokens(self) -> int:
        """Estimated input tokens."""
        return estimate_tokens(self.system) + estimate_tokens(self.user)


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (no tokenizer needed)."""
    return int(len(text) / CHARS_PER_TOKEN) + 1


def render_rubric(rubric: Rubric) -> str:
    """Each criterion with its id, weight, description and anchors."""
    parts = []
    for c in rubric.criteria:
        anchors = "\n".join(f"  - {score}: {text}" for score, text in sorted(c.anchors.items()))
        parts.append(
            f"## {c.name} (id `{c.id}`, weight {c.weight:.0%})\n{c.description.strip()}\n"
            f"Anchors:\n{anchors}"
        )
    return "\n\n".join(parts)


def render_finding(f: Finding, *, full: bool) -> str:
    """One finding as a bullet; `full` adds description, locations and recommendation."""
    sc = ", ".join(f.wcag) or "no SC stated"
    review = "; needs review" if f.needs_review else ""
    line = f"- [{f.id}] ({f.severity.value}; WCAG {sc}{review}) {f.title}"
    if not full:
        return line
    extra = []
    if f.description and f.description != f.title:
        extra.append(f.description.strip())
    if f.locations:
        extra.append("Where: " + "; ".join(f.locations[:5]))
    if f.recommendation:
        extra.append("Audit's advice: " + f.recommendation.strip())
    return line + "".join(f"\n  {e}" for e in extra)


def _findings(audit: AuditReport, *, full: bool) -> str:
    ordered = sorted(audit.findings, key=lambda f: f.severity.rank)
    return "\n".join(render_finding(f, full=full) for f in ordered)


def _render(
    t: Templates,
    audit: AuditReport,
    plan: Plan,
    rubric: Rubric,
    *,
    findings: str,
    plan_text: str,
    audit_note: str,
    plan_note: str,
    boundary: str,
) -> str:
    return t.user.substitute(
        rubric_name=rubric.name,
        rubric=render_rubric(rubric),
        boundary=boundary,
        audit_name=_one_line(audit.name),
        audit_note=audit_note,
        n_findings=len(audit.findings),
        findings=findings,
        plan_name=_one_line(plan.name),
        plan_note=plan_note,
        plan=plan_text.strip(),
        criterion_ids=", ".join(c.id for c in rubric.criteria),
    )


def build_prompt(
    audit: AuditReport,
    plan: Plan,
    rubric: Rubric,
    budget_tokens: int,
    folder: Path | None = None,
) -> Prompt:
    """The judge prompt for one plan from the templates of `folder` (default prompts/),
    condensed (and noted) only if it exceeds the budget."""
    t = templates(folder)
    full = _findings(audit, full=True)
    boundary = new_boundary(full, plan.text)
    user = _render(
        t,
        audit,
        plan,
        rubric,
        findings=full,
        plan_text=plan.text,
        audit_note="",
        plan_note="",
        boundary=boundary,
    )
    prompt = Prompt(system=t.system, user=user, version=t.version, boundary=boundary)
    if prompt.tokens <= budget_tokens:
        return prompt
    short = _findings(audit, full=False)
    audit_note = "Condensed to fit the judge's context: one line per finding. "
    prompt.notes.append(
        f"audit condensed to one line per finding (all {len(audit.findings)} kept) to fit a "
        f"{budget_tokens:,}-token context budget"
    )
    prompt.user = _render(
        t,
        audit,
        plan,
        rubric,
        findings=short,
        plan_text=plan.text,
        audit_note=audit_note,
        plan_note="",
        boundary=boundary,
    )
    if prompt.tokens <= budget_tokens:
        return prompt
    room = budget_tokens - (prompt.tokens - estimate_tokens(plan.text)) - 200
    kept, total_words, kept_words = condense_plan(plan.text, audit, max(0, room))
    if kept_words == 0:
        raise ContextBudgetError(
            f"plan '{plan.name}' (~{estimate_tokens(plan.text):,} tokens) does not fit the "
            f"judge's {budget_tokens:,}-token context budget even with the audit condensed",
            hint="Use a model with a larger context, or raise --context-tokens",
        )
    plan_note = (
        f"Condensed to fit the judge's context: {kept_words:,} of {total_words:,} words kept; "
        "omitted passages are marked [… omitted …]. "
    )
    prompt.notes.append(
        f"plan condensed: {kept_words:,} of {total_words:,} words kept (headings and the passages "
        "naming findings first); omissions are marked in the prompt"
    )
    prompt.user = _render(
        t,
        audit,
        plan,
        rubric,
        findings=short,
        plan_text=kept,
        audit_note=audit_note,
        plan_note=plan_note,
        boundary=boundary,
    )
    return prompt


def new_boundary(*texts: str) -> str:
    """A random id for the untrusted-content tags of one request, found in none of `texts`
    (so a plan cannot close its own block: it cannot know the id in advance)."""
    while True:
        boundary = secrets.token_hex(8)
        if not any(boundary in t for t in texts):
            return boundary


def _one_line(name: str) -> str:
    """A document name as one short line (names come from uploads, too)."""
    return re.sub(r"\s+", " ", name).strip()[:200]


_HEADING = re.compile(r"^\s*(#{1,6}\s|\d+(\.\d+)*[.)]?\s+\S.{0,80}$|[A-Z][^.!?]{0,80}:?$)")


def condense_plan(text: str, audit: AuditReport, budget_tokens: int) -> tuple[str, int, int]:
    """Keep headings and the passages that name findings until `budget_tokens`; mark the rest.

    Returns (condensed text, total words, kept words).
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    total_words = sum(len(p.split()) for p in paragraphs)
    needles = {f.id.lower() for f in audit.findings} | {sc for f in audit.findings for sc in f.wcag}

    def relevance(i: int, para: str) -> tuple[int, int, int]:
        low = para.lower()
        heading = 1 if _HEADING.match(para.strip()) and len(para) < 120 else 0
        hits = sum(1 for n in needles if n in low)
        return (heading, hits, -i)

    order = sorted(range(len(paragraphs)), key=lambda i: relevance(i, paragraphs[i]), reverse=True)
    keep: set[int] = set()
    used = 0
    for i in order:
        cost = estimate_tokens(paragraphs[i]) + 8
        if used + cost > budget_tokens:
            continue
        keep.add(i)
        used += cost
    out: list[str] = []
    gap = 0
    for i, para in enumerate(paragraphs):
        if i in keep:
            if gap:
                out.append(f"[… {gap:,} words omitted …]")
                gap = 0
            out.append(para)
        else:
            gap += len(para.split())
    if gap:
        out.append(f"[… {gap:,} words omitted …]")
    kept_words = sum(len(paragraphs[i].split()) for i in keep)
    return "\n\n".join(out), total_words, kept_words
