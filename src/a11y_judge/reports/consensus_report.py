"""The consensus report of a run (Markdown): agreement, every conflict with the strategy's
reasoning, what awaits a reviewer, the resolutions' audit trail and the judges' reliability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from a11y_judge.models import AgreementStats, JudgeReliability, Resolution, Run


def _num(value: float | None, digits: int = 2) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def _stats(label: str, s: AgreementStats) -> str:
    within = "undefined" if s.within_1 is None else f"{s.within_1:.0%}"
    why = f" ({s.note})" if s.note else ""
    return f"| {label} | {_num(s.alpha, 3)} | {_num(s.icc, 3)} | {within} | {s.items} |{why}"


def _plan_lines(run: Run) -> list[str]:
    """Each judge's own weighted score of every plan, with the spread and its severity."""
    if not run.plan_conflicts:
        return []
    judges = [j.id for j in run.judges]
    lines = [
        "",
        "## Weighted scores by judge",
        "",
        "| Plan | " + " | ".join(judges) + " | Spread | Severity |",
        "|---|" + "---:|" * len(judges) + "---:|---|",
    ]
    for c in sorted(run.plan_conflicts, key=lambda c: (-c.spread, c.plan)):
        cells = " | ".join(_num(c.scores.get(j)) if j in c.scores else "—" for j in judges)
        lines.append(f"| {c.plan} | {cells} | {c.spread:.2f} | {c.severity} |")
    return lines


def consensus_markdown(
    run: Run,
    trail: Sequence[tuple[str, str, str, Resolution]] = (),
    reliability: Mapping[str, JudgeReliability] | None = None,
) -> str:
    """The report; `trail` is the run's resolutions oldest first, `reliability` per judge."""
    names = {c.id: c.name for c in run.rubric.criteria}
    cfg = run.rubric.consensus
    lines = [
        f"# Consensus report — run {run.run_id}",
        "",
        f"- Audit: **{run.audit.name}**; judges: {', '.join(j.id for j in run.judges)}",
        f"- Severity of a spread (max − min of the judges' scores): low < {cfg.medium:g} ≤ "
        f"medium < {cfg.high:g} ≤ high ≤ {cfg.critical:g} < critical",
        "- Strategies: " + ", ".join(f"{sev} → {name}" for sev, name in cfg.strategies.items()),
        "",
        "## Agreement",
        "",
        "| Items | Krippendorff's α (interval) | ICC(2,1) | Within 1 point | Scored items |",
        "|---|---:|---:|---:|---:|",
        _stats("All criteria", run.agreement.overall),
    ]
    lines += [_stats(names.get(cid, cid), s) for cid, s in run.agreement.criteria.items()]
    if run.agreement.rank_tau:
        lines += ["", "Kendall's τ-b between the judges' plan rankings:", ""]
        lines += [
            f"- {pair.replace('|', ' and ')}: {_num(tau, 3)}"
            for pair, tau in run.agreement.rank_tau.items()
        ]
    if run.rank_conflict is not None:
        tops = ", ".join(f"{j} → {p}" for j, p in run.rank_conflict.top.items())
        verdict = "agree" if run.rank_conflict.agree else "disagree"
        lines += ["", f"First plan by each judge's own scores ({verdict}): {tops}."]
    lines += _plan_lines(run)
    lines += ["", "## Conflicts", ""]
    if not run.conflicts:
        lines.append("No plan × criterion was scored by two or more judges.")
    for c in sorted(run.conflicts, key=lambda c: (-c.spread, c.plan, c.criterion)):
        scores = ", ".join(f"{j} {s:.2f}" for j, s in c.scores.items())
        outcome = (
            "awaiting a reviewer"
            if c.resolved_score is None
            else f"{c.resolved_score:.2f} ({c.status})"
        )
        lines += [
            f"### {c.plan} — {names.get(c.criterion, c.criterion)}: {outcome}",
            "",
            f"- Spread {c.spread:.2f}, **{c.severity}**; scores: {scores}",
            f"- Strategy: {c.strategy}. {c.reasoning}",
        ]
        if c.resolution is not None:
            r = c.resolution
            lines.append(
                f"- Resolved by {r.reviewer} at {r.at:%Y-%m-%d %H:%M} UTC: {r.score:.2f} — {r.note}"
            )
        lines.append("")
    provisional = [r.name for r in run.results if r.provisional]
    lines += ["## Awaiting a reviewer", ""]
    lines.append(
        f"Provisional plans: {', '.join(provisional)}."
        if provisional
        else "Nothing: no plan is provisional."
    )
    lines += ["", "## Resolutions (audit trail, oldest first; the latest per item counts)", ""]
    if trail:
        lines += [
            "| When (UTC) | Plan | Criterion | Score | Reviewer | Note |",
            "|---|---|---|---:|---|---|",
        ]
        lines += [
            f"| {res.at:%Y-%m-%d %H:%M} | {plan} | {names.get(crit, crit)} | {res.score:.2f} | "
            f"{res.reviewer} | {res.note} |"
            for _run, plan, crit, res in trail
        ]
    else:
        lines.append("None yet.")
    if reliability:
        lines += ["", "## Judge reliability (from history; 1.00 = the jury's average)", ""]
        lines += ["| Judge | Reliability | Reviewed cases | Jury cases |", "|---|---:|---:|---:|"]
        lines += [
            f"| {r.judge} | {r.value:.2f} | {r.human_cases} | {r.jury_cases} |"
            for r in reliability.values()
        ]
    return "\n".join(lines) + "\n"
