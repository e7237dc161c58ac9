"""A Markdown summary of a run, for issue trackers and e-mail.

Every text that comes from a document or a judge (plan and audit names, finding titles,
rationales, quotes, errors) goes through `md_line`: one line, Markdown syntax escaped, so a
name such as `a | b <script>` can neither split a table cell nor become HTML.
"""

from __future__ import annotations

from a11y_judge.models import CriterionResult, Run
from a11y_judge.reports.safety_section import injection_markdown, redaction_markdown
from a11y_judge.reports.text import md_line


def _fmt(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def _cell(c: CriterionResult) -> str:
    if c.score is None and c.provisional_score is not None:
        return f"escalated ({c.provisional_score:.2f} until resolved)"
    return _fmt(c.score)


def _ids(ids: list[str]) -> str:
    return md_line(", ".join(ids))


def to_markdown(run: Run) -> str:
    """Ranking, per-criterion scores, coverage and what every plan misses."""
    crit = run.rubric.criteria
    lines = [
        f"# A11y Judge run {md_line(run.run_id)}",
        "",
        f"- Audit: **{md_line(run.audit.name)}** ({md_line(run.audit.source_format)}, "
        f"{len(run.audit.findings)} findings)",
        "- Judges: "
        + ", ".join(
            md_line(j.id)
            + ("" if j.status == "ok" else f" ({j.status}: {j.failures} of {j.calls} failed)")
            for j in run.judges
        ),
        f"- Rubric: {md_line(run.rubric.name)} (version {md_line(run.rubric.version)}); weights "
        + ", ".join(f"{md_line(c.name)} {c.weight:.0%}" for c in crit),
        f"- Status: {run.status}" + (f" — {md_line(run.error)}" if run.error else ""),
        "",
        "## Ranking",
        "",
        "| Rank | Plan | Score | " + " | ".join(md_line(c.name) for c in crit) + " | Coverage |",
        "|---:|---|---:|" + "---:|" * len(crit) + "---:|",
    ]
    for r in run.results:
        cells = " | ".join(_cell(r.criteria[c.id]) for c in crit)
        name = md_line(r.name) + (" (provisional)" if r.provisional else "")
        lines.append(f"| {r.rank} | {name} | {_fmt(r.score)} | {cells} | {r.coverage.ratio:.0%} |")
    if any(r.provisional for r in run.results):
        lines += [
            "",
            "*Provisional*: the judges disagree too much on a criterion for any rule to decide; "
            "it counts with the jury median until a reviewer resolves it "
            f"(`a11y-judge conflicts {run.run_id.replace('`', '')} --status escalated`).",
        ]
    lines += injection_markdown(run) + redaction_markdown(run)
    disputed = [c for c in run.conflicts if c.severity != "low" or c.status != "auto"]
    if run.conflicts:
        names = {c.id: c.name for c in crit}
        lines += ["", "## Where the judges disagree", ""]
        lines.append(
            f"{len(run.conflicts)} plan × criterion items had two or more scores; "
            f"{len(run.conflicts) - len(disputed)} agreed within "
            f"{run.rubric.consensus.medium:g} points."
        )
        if disputed:
            lines += ["", "| Plan | Criterion | Spread | Severity | Strategy | Score | Status |"]
            lines.append("|---|---|---:|---|---|---:|---|")
            for x in disputed:
                lines.append(
                    f"| {md_line(x.plan)} | {md_line(names.get(x.criterion, x.criterion))} | "
                    f"{x.spread:.2f} | {x.severity} | {md_line(x.strategy)} | "
                    f"{_fmt(x.resolved_score)} | {x.status} |"
                )
    lines += ["", "## Addressed by no plan", ""]
    lines += [
        f"- **{md_line(f.id)}** ({f.severity.value}; {_ids(f.wcag) or 'no SC'}): "
        f"{md_line(f.title)}"
        + (f" — only mentioned by {_ids(by)}" if by else " — missed by every plan")
        for f, by in run.unaddressed()
    ] or ["- None: every finding is addressed by at least one plan."]
    for r in run.results:
        lines += ["", f"## {r.rank}. {md_line(r.name)} — {_fmt(r.score)}", ""]
        for c in crit:
            cr = r.criteria[c.id]
            jury = ""
            if len(cr.judges) > 1:
                jury = (
                    " (" + ", ".join(f"{md_line(j)} {_fmt(s)}" for j, s in cr.judges.items()) + ")"
                )
            lines.append(f"- **{md_line(c.name)}** {_cell(cr)}{jury}: {md_line(cr.rationale)}")
        if r.anti_patterns:
            lines.append(
                "- **Anti-patterns:** "
                + "; ".join(f"{md_line(a.name)} — “{md_line(a.quote)}”" for a in r.anti_patterns)
            )
        if r.coverage.mentioned:
            lines.append(
                "- **Mentions without a fix** (test, monitor or defer): "
                + _ids(r.coverage.mentioned)
            )
        if r.coverage.missed:
            lines.append("- **Misses:** " + _ids(r.coverage.missed))
    return "\n".join(lines) + "\n"
