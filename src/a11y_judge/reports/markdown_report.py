"""A Markdown summary of a run, for issue trackers and e-mail."""

from __future__ import annotations

from a11y_judge.models import Run


def _fmt(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def to_markdown(run: Run) -> str:
    """Ranking, per-criterion scores, coverage and what every plan misses."""
    crit = run.rubric.criteria
    lines = [
        f"# A11y Judge run {run.run_id}",
        "",
        f"- Audit: **{run.audit.name}** ({run.audit.source_format}, "
        f"{len(run.audit.findings)} findings)",
        "- Judges: "
        + ", ".join(
            j.id + ("" if j.status == "ok" else f" ({j.status}: {j.failures} of {j.calls} failed)")
            for j in run.judges
        ),
        f"- Rubric: {run.rubric.name} (version {run.rubric.version}); weights "
        + ", ".join(f"{c.name} {c.weight:.0%}" for c in crit),
        f"- Status: {run.status}" + (f" — {run.error}" if run.error else ""),
        "",
        "## Ranking",
        "",
        "| Rank | Plan | Score | " + " | ".join(c.name for c in crit) + " | Coverage |",
        "|---:|---|---:|" + "---:|" * len(crit) + "---:|",
    ]
    for r in run.results:
        cells = " | ".join(_fmt(r.criteria[c.id].score) for c in crit)
        lines.append(
            f"| {r.rank} | {r.name} | {_fmt(r.score)} | {cells} | {r.coverage.ratio:.0%} |"
        )
    lines += ["", "## Addressed by no plan", ""]
    lines += [
        f"- **{f.id}** ({f.severity.value}; {', '.join(f.wcag) or 'no SC'}): {f.title}"
        + (f" — only mentioned by {', '.join(by)}" if by else " — missed by every plan")
        for f, by in run.unaddressed()
    ] or ["- None: every finding is addressed by at least one plan."]
    for r in run.results:
        lines += ["", f"## {r.rank}. {r.name} — {_fmt(r.score)}", ""]
        for c in crit:
            cr = r.criteria[c.id]
            jury = ""
            if len(cr.judges) > 1:
                jury = " (" + ", ".join(f"{j} {_fmt(s)}" for j, s in cr.judges.items()) + ")"
            lines.append(f"- **{c.name}** {_fmt(cr.score)}{jury}: {cr.rationale}")
        if r.anti_patterns:
            lines.append(
                "- **Anti-patterns:** "
                + "; ".join(f"{a.name} — “{a.quote}”" for a in r.anti_patterns)
            )
        if r.coverage.mentioned:
            lines.append(
                "- **Mentions without a fix** (test, monitor or defer): "
                + ", ".join(r.coverage.mentioned)
            )
        if r.coverage.missed:
            lines.append("- **Misses:** " + ", ".join(r.coverage.missed))
    return "\n".join(lines) + "\n"
