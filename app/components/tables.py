"""pandas frames built from package objects (no scoring here: every number comes from a Run)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from a11y_judge.consensus.meta import JudgeMeta
from a11y_judge.history.store import ConflictRow, RunSummary
from a11y_judge.models import (
    Agreement,
    AgreementStats,
    AuditReport,
    Conflict,
    Finding,
    JudgeReliability,
    Plan,
    PlanResult,
    Resolution,
    Run,
    RunStats,
)


def by_severity(findings: Sequence[Finding]) -> list[Finding]:
    """Findings most urgent first (critical first), audit order within a severity."""
    return sorted(findings, key=lambda f: f.severity.rank)


def findings_frame(audit: AuditReport) -> pd.DataFrame:
    """One row per finding: ID, SC, severity, title, status."""
    return pd.DataFrame(
        [
            {
                "ID": f.id,
                "SC": ", ".join(f.wcag) + (" (inferred)" if f.wcag_source == "inferred" else ""),
                "Severity": f.severity.value,
                "Title": f.title,
                "Status": f.status,
            }
            for f in audit.findings
        ],
        columns=["ID", "SC", "Severity", "Title", "Status"],
    )


def plans_frame(plans: Sequence[Plan]) -> pd.DataFrame:
    """One row per plan: name, file, format, words."""
    return pd.DataFrame(
        [
            {
                "Plan": p.name,
                "File": p.filename,
                "Format": p.source_format,
                "Words": len(p.text.split()),
            }
            for p in plans
        ],
        columns=["Plan", "File", "Format", "Words"],
    )


def ranking_frame(run: Run) -> pd.DataFrame:
    """Rank, plan, weighted score, each criterion's score and coverage %, best first."""
    rows = []
    for r in sorted(run.results, key=lambda r: r.rank):
        name = f"{r.name} (provisional)" if r.provisional else r.name
        row: dict[str, object] = {"Rank": r.rank, "Plan": name, "Weighted score": r.score}
        for c in run.rubric.criteria:
            row[c.name] = r.criteria[c.id].score if c.id in r.criteria else None
        row["Coverage %"] = round(r.coverage.ratio * 100)
        rows.append(row)
    columns = ["Rank", "Plan", "Weighted score", *[c.name for c in run.rubric.criteria]]
    return pd.DataFrame(rows, columns=[*columns, "Coverage %"])


def judges_frame(run: Run) -> pd.DataFrame:
    """One row per jury member: status, judgments, failures, cache hits and LLM requests."""
    requests: dict[str, int] = {}
    for j in run.judgments:
        requests[j.judge_id] = requests.get(j.judge_id, 0) + j.calls
    return pd.DataFrame(
        [
            {
                "Judge": info.id,
                "Status": info.status,
                "Judgments": info.calls,
                "Failures": info.failures,
                "Cache hits": info.cache_hits,
                "LLM requests": requests.get(info.id, 0),
            }
            for info in run.judges
        ],
        columns=["Judge", "Status", "Judgments", "Failures", "Cache hits", "LLM requests"],
    )


def judge_scores_frame(run: Run, result: PlanResult) -> pd.DataFrame:
    """Judge × criterion scores for one plan, as text: 'failed' where a judge gave none."""
    judges = [info.id for info in run.judges]
    rows = []
    for judge in judges:
        row: dict[str, object] = {"Judge": judge}
        for c in run.rubric.criteria:
            cr = result.criteria.get(c.id)
            score = cr.judges.get(judge) if cr is not None else None
            row[c.name] = "failed" if score is None else f"{score:.2f}"
        rows.append(row)
    return pd.DataFrame(rows, columns=["Judge", *[c.name for c in run.rubric.criteria]])


def usage_line(stats: RunStats, llm_judges: int) -> str:
    """'LLM usage: 8 requests · cache 0 hits, 4 misses · tokens 800 in, 400 out · cost $0.0048'."""
    if not llm_judges:
        return "Offline judge only: no LLM requests, no cost."
    cost = f"cost ${stats.cost_usd:.4f}"
    if stats.cost_unknown:
        counted = f"; ${stats.cost_usd:.4f} counted" if stats.cost_usd else ""
        cost = f"cost unknown (a model has no price in data/llm_models.json{counted})"
    return (
        f"LLM usage: {stats.calls} requests ({stats.retries} retries, {stats.repairs} repairs) · "
        f"cache {stats.cache_hits} hits, {stats.cache_misses} misses · tokens "
        f"{stats.input_tokens:,} in, {stats.output_tokens:,} out · {cost}"
    )


def endpoints_frame(stats: RunStats) -> pd.DataFrame:
    """One row per provider endpoint: requests, what went wrong, concurrency, breaker."""
    columns = [
        "Endpoint",
        "Requests",
        "Rate-limited (429)",
        "Errors",
        "Malformed replies",
        "Concurrency (set / lowest / final)",
        "Breaker opened",
        "Waited (s)",
    ]
    rows = [
        [
            e.name,
            e.requests,
            e.rate_limited,
            e.errors,
            e.malformed,
            f"{e.concurrency} / {e.lowest_concurrency} / {e.final_concurrency}",
            e.breaker_opened,
            f"{e.waited_s:.1f}",
        ]
        for e in stats.endpoints
    ]
    return pd.DataFrame(rows, columns=columns)


def criteria_long_frame(run: Run) -> pd.DataFrame:
    """Tidy plan × criterion scores (for the grouped bar chart)."""
    rows = [
        {
            "Plan": r.name,
            "Rank": r.rank,
            "Criterion": c.name,
            "Weight %": round(c.weight * 100),
            "Score": r.criteria[c.id].score if c.id in r.criteria else None,
        }
        for r in sorted(run.results, key=lambda r: r.rank)
        for c in run.rubric.criteria
    ]
    return pd.DataFrame(rows, columns=["Plan", "Rank", "Criterion", "Weight %", "Score"])


def coverage_frame(run: Run) -> pd.DataFrame:
    """Finding × plan: 'addressed', 'mentioned' or 'missed'; findings critical first, plans by
    rank."""
    plans = sorted(run.results, key=lambda r: r.rank)
    states = {r.name: r.coverage.states() for r in plans}
    rows = []
    for f in by_severity(run.audit.findings):
        row: dict[str, object] = {"Finding": f.id, "Severity": f.severity.value, "Title": f.title}
        for r in plans:
            row[r.name] = states[r.name].get(f.id, "missed")
        rows.append(row)
    return pd.DataFrame(rows, columns=["Finding", "Severity", "Title", *[r.name for r in plans]])


def coverage_quotes_frame(run: Run) -> pd.DataFrame:
    """The plan sentence behind every addressed or mentioned cell of the matrix."""
    rows = []
    for f in by_severity(run.audit.findings):
        for r in sorted(run.results, key=lambda r: r.rank):
            state = r.coverage.states().get(f.id, "missed")
            if state != "missed":
                rows.append([f.id, r.name, state, r.coverage.evidence.get(f.id, "")])
    return pd.DataFrame(rows, columns=["Finding", "Plan", "State", "Plan's sentence"])


def unaddressed(run: Run) -> list[tuple[Finding, list[str]]]:
    """Findings that no plan addresses (critical first), with the plans that only mention them."""
    mentioned_by = {f.id: by for f, by in run.unaddressed()}
    return [
        (f, mentioned_by[f.id]) for f in by_severity(run.audit.findings) if f.id in mentioned_by
    ]


def format_when(iso: str) -> str:
    """'2026-11-21 14:22 UTC' from an ISO timestamp (left as is if unparsable)."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{when:%Y-%m-%d %H:%M} {when.tzname() or ''}".strip()


RUN_COLUMNS = [
    "Date",
    "Audit",
    "Plans",
    "Judges",
    "Winner",
    "Score",
    "Status",
    "Awaiting review",
    "Findings",
    "Plan names",
    "Run ID",
]


def runs_frame(runs: Sequence[RunSummary]) -> pd.DataFrame:
    """The history list: date, audit, plans, judges, winner, score, status, then details."""
    return pd.DataFrame(
        [
            {
                "Date": format_when(r.created_at),
                "Audit": r.audit_name,
                "Plans": len(r.plans),
                "Judges": ", ".join(r.judges),
                "Winner": r.winner or "—",
                "Score": r.winner_score,
                "Status": r.status,
                "Awaiting review": r.n_escalated,
                "Findings": r.n_findings,
                "Plan names": ", ".join(r.plans),
                "Run ID": r.run_id,
            }
            for r in runs
        ],
        columns=RUN_COLUMNS,
    )


def deltas_frame(a: Run, b: Run) -> pd.DataFrame:
    """Plans present in both runs: score and rank in each, and the change from A to B."""
    a_by = {r.name: r for r in a.results}
    rows = []
    for rb in sorted(b.results, key=lambda r: r.rank):
        ra = a_by.get(rb.name)
        if ra is None:
            continue
        delta = None if ra.score is None or rb.score is None else round(rb.score - ra.score, 2)
        rows.append(
            {
                "Plan": rb.name,
                "Score A": ra.score,
                "Score B": rb.score,
                "Change (B − A)": delta,
                "Rank A": ra.rank,
                "Rank B": rb.rank,
            }
        )
    return pd.DataFrame(
        rows, columns=["Plan", "Score A", "Score B", "Change (B − A)", "Rank A", "Rank B"]
    )


def trend_frame(points: dict[str, list[tuple[str, str, float | None, int]]]) -> pd.DataFrame:
    """Plan name → store.plan_trend rows, as one tidy frame for the trend chart."""
    rows = [
        {
            "Plan": name,
            "When": datetime.fromisoformat(created),
            "Run ID": run_id,
            "Score": score,
            "Rank": rank,
        }
        for name, series in points.items()
        for created, run_id, score, rank in series
    ]
    return pd.DataFrame(rows, columns=["Plan", "When", "Run ID", "Score", "Rank"])


def conflicts_frame(run: Run, conflicts: Sequence[Conflict]) -> pd.DataFrame:
    """One row per conflict: plan, criterion, spread, severity, strategy, score, status."""
    names = {c.id: c.name for c in run.rubric.criteria}
    columns = ["Plan", "Criterion", "Spread", "Severity", "Strategy", "Score", "Status", "Judges"]
    return pd.DataFrame(
        [
            {
                "Plan": c.plan,
                "Criterion": names.get(c.criterion, c.criterion),
                "Spread": c.spread,
                "Severity": c.severity,
                "Strategy": c.strategy,
                "Score": c.resolved_score,
                "Status": c.status,
                "Judges": ", ".join(f"{j} {s:.2f}" for j, s in c.scores.items()),
            }
            for c in conflicts
        ],
        columns=columns,
    )


def queue_frame(rows: Sequence[ConflictRow]) -> pd.DataFrame:
    """The escalation queue across runs."""
    columns = ["Date", "Audit", "Plan", "Criterion", "Spread", "Status", "Run ID"]
    return pd.DataFrame(
        [
            {
                "Date": format_when(r.created_at),
                "Audit": r.audit_name,
                "Plan": r.plan,
                "Criterion": r.criterion,
                "Spread": r.spread,
                "Status": r.status,
                "Run ID": r.run_id,
            }
            for r in rows
        ],
        columns=columns,
    )


def spread_frame(run: Run) -> pd.DataFrame:
    """Plan x criterion spread and severity (the heatmap's data); blank with one score."""
    names = {c.id: c.name for c in run.rubric.criteria}
    found = {(c.plan, c.criterion): c for c in run.conflicts}
    rows = []
    for r in sorted(run.results, key=lambda r: r.rank):
        for c in run.rubric.criteria:
            conflict = found.get((r.name, c.id))
            rows.append(
                {
                    "Plan": r.name,
                    "Criterion": names[c.id],
                    "Spread": conflict.spread if conflict else None,
                    "Severity": conflict.severity if conflict else "one score",
                    "Status": conflict.status if conflict else "",
                }
            )
    return pd.DataFrame(rows, columns=["Plan", "Criterion", "Spread", "Severity", "Status"])


def plan_conflicts_frame(run: Run) -> pd.DataFrame:
    """Per plan, each judge's own weighted score, their spread and its severity (plans in
    rank order; only plans two or more judges scored)."""
    judges = [j.id for j in run.judges]
    order = {r.name: r.rank for r in run.results}
    rows = []
    for c in sorted(run.plan_conflicts, key=lambda c: (order.get(c.plan, 10**6), c.plan)):
        row: dict[str, object] = {"Plan": c.plan}
        row.update({j: c.scores.get(j) for j in judges})
        row.update({"Spread": c.spread, "Severity": c.severity})
        rows.append(row)
    return pd.DataFrame(rows, columns=["Plan", *judges, "Spread", "Severity"])


def _stats_row(label: str, s: AgreementStats) -> dict[str, object]:
    return {
        "Items": label,
        "Krippendorff's alpha": s.alpha,
        "ICC(2,1)": s.icc,
        "Within 1 point": None if s.within_1 is None else round(100 * s.within_1),
        "Scored items": s.items,
        "Judges": s.judges,
        "Why undefined": s.note,
    }


def agreement_frame(
    overall: AgreementStats, criteria: dict[str, AgreementStats], names: dict[str, str]
) -> pd.DataFrame:
    """Alpha, ICC and within-1 overall and per criterion."""
    rows = [_stats_row("All criteria", overall)]
    rows += [_stats_row(names.get(cid, cid), s) for cid, s in criteria.items()]
    return pd.DataFrame(rows)


def tau_frame(agreement: Agreement) -> pd.DataFrame:
    """Kendall's tau-b between each pair of judges' plan rankings."""
    return pd.DataFrame(
        [
            {"Judges": pair.replace("|", " and "), "Kendall's tau-b": tau}
            for pair, tau in agreement.rank_tau.items()
        ],
        columns=["Judges", "Kendall's tau-b"],
    )


def reliability_frame(report: Sequence[tuple[JudgeReliability, JudgeMeta]]) -> pd.DataFrame:
    """Per judge: reliability with its cases, offset, spread, failure rate."""
    columns = [
        "Judge",
        "Reliability",
        "Reviewed cases",
        "Jury cases",
        "Offset vs consensus",
        "Score SD (consensus SD)",
        "Failures",
    ]
    rows = []
    for rel, meta in report:
        sd = (
            "—"
            if meta.spread is None or meta.consensus_spread is None
            else f"{meta.spread:.2f} ({meta.consensus_spread:.2f})"
        )
        failed = (
            "—"
            if meta.failure_rate is None
            else f"{meta.failures} of {meta.judgments} ({meta.failure_rate:.0%})"
        )
        rows.append(
            {
                "Judge": rel.judge,
                "Reliability": rel.value,
                "Reviewed cases": rel.human_cases,
                "Jury cases": rel.jury_cases,
                "Offset vs consensus": meta.offset,
                "Score SD (consensus SD)": sd,
                "Failures": failed,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def agreement_time_frame(
    points: Sequence[tuple[str, str, float | None, float | None]],
) -> pd.DataFrame:
    """Per run with two or more judges: when, run id, alpha and ICC."""
    rows = [
        {
            "When": datetime.fromisoformat(created),
            "Run ID": run_id,
            "Krippendorff's alpha": alpha,
            "ICC(2,1)": icc,
        }
        for created, run_id, alpha, icc in points
    ]
    return pd.DataFrame(rows, columns=["When", "Run ID", "Krippendorff's alpha", "ICC(2,1)"])


def trail_frame(trail: Sequence[tuple[str, str, str, Resolution]], run: Run) -> pd.DataFrame:
    """Every resolution of a run, oldest first (the latest per item counts)."""
    names = {c.id: c.name for c in run.rubric.criteria}
    return pd.DataFrame(
        [
            {
                "When": format_when(res.at.isoformat()),
                "Plan": plan,
                "Criterion": names.get(criterion, criterion),
                "Score": res.score,
                "Reviewer": res.reviewer,
                "Note": res.note,
            }
            for _run, plan, criterion, res in trail
        ],
        columns=["When", "Plan", "Criterion", "Score", "Reviewer", "Note"],
    )
