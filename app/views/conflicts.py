"""Conflicts: where the judges disagree, what the consensus engine did, and the reviewer's say."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from app.components import figures, tables
from app.components.access import log_export, read_only
from app.components.layout import page_intro
from app.components.results import data_table, pdf_download, quotes, ranking_table
from app.components.text import md_escape

from a11y_judge.consensus.review import history_agreement, judges_report, resolve
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore, RunSummary, ScoreRow
from a11y_judge.models import SEVERITIES, Conflict, Coverage, Judgment, Run
from a11y_judge.reports.consensus_report import consensus_markdown
from a11y_judge.reports.csv_report import to_csv
from a11y_judge.reports.pdf_report import run_pdf

KEY = "conflicts"
REVIEWER = f"{KEY}.reviewer"
FLASH = f"{KEY}.flash"
JUST = f"{KEY}.just_resolved"
STATUSES = ["escalated", "auto", "resolved"]
SETTINGS_PAGE = "views/settings.py"


def _label(r: RunSummary) -> str:
    return (
        f"{tables.format_when(r.created_at)} · {r.audit_name} · {len(r.judges)} judges · "
        f"{len(r.plans)} plans · {r.run_id}"
    )


def _no_jury() -> None:
    st.info(
        "Conflicts need a jury: every run in history so far was judged by one judge, so there "
        "is nobody to disagree with. Add an LLM judge on **Settings** — OpenAI, Google Gemini, "
        "or a local OpenAI-compatible server such as Ollama or vLLM (no key needed) — and "
        "evaluate again with two or more judges.",
        icon=":material/groups:",
    )
    st.page_link(SETTINGS_PAGE, label="Add a judge in Settings", icon=":material/settings:")


def _queue(store: HistoryStore) -> None:
    st.subheader("Escalation queue")
    rows = store.conflict_queue("escalated")
    if not rows:
        st.success("Nothing awaits a reviewer: every conflict in history was settled.")
        return
    st.caption(
        f"{len(rows)} conflict(s) across runs where the judges disagree by more than the "
        "critical threshold; their plans stay provisional until resolved below."
    )
    st.dataframe(
        tables.queue_frame(rows),
        hide_index=True,
        column_config={"Spread": st.column_config.NumberColumn(format="%.2f")},
    )


def _pick_run(runs: list[RunSummary]) -> str:
    ids = [r.run_id for r in runs]
    by_id = {r.run_id: r for r in runs}
    wanted = st.query_params.get("run")
    if wanted in by_id:
        default = ids.index(wanted)
    else:
        waiting = [i for i, r in enumerate(runs) if r.n_escalated]
        default = waiting[0] if waiting else 0
    chosen = st.selectbox(
        "Run", ids, index=default, format_func=lambda rid: _label(by_id[rid]), key=f"{KEY}.run"
    )
    return chosen or ids[default]


def _filters(run: Run) -> list[Conflict]:
    judges = [j.id for j in run.judges]
    cols = st.columns(3)
    severity = cols[0].multiselect(
        "Severity", list(SEVERITIES), default=list(SEVERITIES), key=f"{KEY}.severity"
    )
    status = cols[1].multiselect("Status", STATUSES, default=STATUSES, key=f"{KEY}.status")
    who = cols[2].multiselect("Judge", judges, default=judges, key=f"{KEY}.judge")
    return [
        c
        for c in run.conflicts
        if c.severity in severity and c.status in status and any(j in who for j in c.scores)
    ]


def _plan_level(run: Run) -> None:
    """Whole plans: each judge's own weighted score, the spread, and which plan each puts first."""
    if not run.plan_conflicts:
        return
    st.markdown("**Whole plans: each judge's own weighted score**")
    frame = tables.plan_conflicts_frame(run)
    numbers = [c for c in frame.columns if c not in ("Plan", "Severity")]
    st.table(
        frame.style.format("{:.2f}", subset=numbers, na_rep="—").format(md_escape, subset=["Plan"]),
        hide_index=True,
    )
    if run.rank_conflict is not None:
        tops = ", ".join(
            f"{md_escape(j)} → **{md_escape(p)}**" for j, p in run.rank_conflict.top.items()
        )
        verdict = "agree" if run.rank_conflict.agree else "disagree"
        st.caption(f"First plan by each judge's own scores (they {verdict}): {tops}.")


def _conflict_label(run: Run, c: Conflict) -> str:
    names = {x.id: x.name for x in run.rubric.criteria}
    return f"{c.plan} · {names.get(c.criterion, c.criterion)} — {c.severity}, spread {c.spread:.2f}"


def _judge_column(run: Run, c: Conflict, judgment: Judgment | None) -> None:
    if judgment is None or judgment.status != "ok":
        st.markdown("Failed on this plan: no score.")
        return
    cs = judgment.scores.get(c.criterion)
    if cs is None:
        st.markdown("No score on this criterion.")
        return
    st.metric("Score", f"{cs.score:.2f} / 10")
    st.markdown(md_escape(cs.rationale))
    st.markdown("**Evidence**")
    quotes(cs.evidence)
    if not cs.evidence:
        st.caption("No quotes given.")
    facts = _facts(run, c.plan)
    claimed = judgment.coverage.covered if judgment.coverage else []
    st.markdown("**Coverage claims**")
    if judgment.judge_id == "offline":
        st.markdown(f"The evidence judge's facts: {len(claimed)} finding(s) addressed.")
    elif facts is None:
        st.markdown(f"Claims {len(claimed)} finding(s) covered (no evidence judge to compare).")
    else:
        addressed = set(facts.covered)
        extra = sorted(set(claimed) - addressed - set(facts.mentioned))
        missing = sorted(addressed - set(claimed))
        st.markdown(
            f"Claims {len(claimed)} finding(s) covered."
            + (
                f" Not addressed per the evidence judge: {md_escape(', '.join(extra))}."
                if extra
                else ""
            )
            + (f" Addressed but not claimed: {md_escape(', '.join(missing))}." if missing else "")
            + ("" if extra or missing else " Agrees with the evidence judge.")
        )


def _facts(run: Run, plan: str) -> Coverage | None:
    """The evidence judge's coverage of the plan (None without it)."""
    offline = next(
        (j for j in run.judgments if j.judge_id == "offline" and j.plan_name == plan), None
    )
    return offline.coverage if offline is not None and offline.status == "ok" else None


#: The strategies' factor names, as the table shows them.
FACTORS = {
    "score": "Score",
    "reliability": "Reliability",
    "cases": "Cases behind it",
    "quotes": "Quotes",
    "verified": "Found in the plan",
    "quote_grounding": "Quote grounding",
    "coverage_agreement": "Coverage agreement",
    "grounding": "Grounding",
    "weight": "Weight",
}
COUNTS = {"cases", "quotes", "verified"}


def _inputs_frame(c: Conflict) -> pd.DataFrame:
    """The factors the strategy used, one row per judge, as text (counts whole)."""
    rows = []
    for judge, factors in c.inputs.items():
        row = {"Judge": judge}
        for name, value in factors.items():
            shown = f"{value:.0f}" if name in COUNTS else f"{value:.2f}"
            row[FACTORS.get(name, name)] = shown
        rows.append(row)
    return pd.DataFrame(rows)


def _detail(store: HistoryStore, run: Run, conflicts: list[Conflict]) -> None:
    st.subheader("One conflict, side by side")
    if not conflicts:
        st.info("No conflict matches these filters.")
        return
    ordered = sorted(conflicts, key=lambda c: (c.status != "escalated", -c.spread))
    by_id = {f"{c.plan}\x1f{c.criterion}": c for c in ordered}
    picked = st.selectbox(
        "Conflict",
        list(by_id),
        format_func=lambda cid: _conflict_label(run, by_id[cid]),
        key=f"{KEY}.pick.{run.run_id}",
    )
    c = by_id.get(picked or "", ordered[0])
    order = [j.id for j in run.judges if j.id in c.scores]
    judgments = {j.judge_id: j for j in run.judgments if j.plan_name == c.plan}
    cols = st.columns(len(order))
    for col, judge in zip(cols, order, strict=True):
        with col, st.container(border=True):
            st.markdown(f"**{md_escape(judge)}**")
            _judge_column(run, c, judgments.get(judge))
    st.markdown(f"**What the consensus engine did** ({md_escape(c.strategy)})")
    st.info(md_escape(c.reasoning), icon=":material/psychology:")
    if c.inputs:
        st.table(_inputs_frame(c).style.format(md_escape, subset=["Judge"]), hide_index=True)
    if c.resolution is not None:
        r = c.resolution
        st.success(
            f"Resolved by **{md_escape(r.reviewer)}** ({tables.format_when(r.at.isoformat())}): "
            f"{r.score:.2f} — {md_escape(r.note)}",
            icon=":material/gavel:",
        )
        if st.session_state.get(JUST) == (run.run_id, c.plan, c.criterion):
            st.markdown("**The ranking now reads:**")
            ranking_table(run)
    _resolve_form(store, run, c)


def _resolve_form(store: HistoryStore, run: Run, c: Conflict) -> None:
    verb = "Change the resolution" if c.status == "resolved" else "Resolve"
    start = c.resolved_score
    if start is None:
        start = sorted(c.scores.values())[len(c.scores) // 2]
    item = f"{run.run_id}.{c.plan}.{c.criterion}"
    with st.form(key=f"{KEY}.form.{item}"):
        st.markdown(f"**{verb}**: your score replaces the engine's and the ranking follows.")
        cols = st.columns([1, 3])
        score = cols[0].number_input(
            "Your score (0-10)",
            min_value=0.0,
            max_value=10.0,
            value=float(start),
            step=0.25,
            key=f"{KEY}.score.{item}",
        )
        reviewer = cols[1].text_input(
            "Your name",
            value=st.session_state.get(REVIEWER, ""),
            placeholder="e.g. Ana Ruiz",
            key=f"{KEY}.reviewer.{item}",
        )
        note = st.text_area(
            "Why (kept in the audit trail)",
            placeholder="What decided it",
            key=f"{KEY}.note.{item}",
        )
        submitted = st.form_submit_button(
            verb, type="primary", icon=":material/gavel:", disabled=read_only()
        )
    if not submitted:
        return
    try:
        resolve(store, run.run_id, c.plan, c.criterion, score, note, reviewer)
    except A11yJudgeError as exc:
        st.error(str(exc))
        return
    st.session_state[REVIEWER] = reviewer.strip()
    st.session_state[JUST] = (run.run_id, c.plan, c.criterion)
    st.session_state[FLASH] = (
        f"Resolved {c.plan} / {c.criterion} at {score:.2f}; scores, ranking, exports and "
        "history now use it."
    )
    st.rerun()


def _reliability(store: HistoryStore, run: Run, scores: list[ScoreRow]) -> None:
    st.subheader("Judge reliability and calibration")
    st.caption(
        "Reliability is learnt from history: agreement with reviewers' resolutions (counted "
        "three times) and with the jury's median, shrunk toward equal while there are few "
        "cases; 1.00 is the jury's average. The strategies weigh judges by it."
    )
    names = {c.id: c.name for c in run.rubric.criteria}
    report = judges_report(store, names, scores)
    if not report:
        st.info("No judgments in history yet.")
        return
    st.table(
        tables.reliability_frame(report)
        .style.format(lambda v: "—" if v is None else f"{v:+.2f}", subset=["Offset vs consensus"])
        .format("{:.2f}", subset=["Reliability"])
        .format(md_escape, subset=["Judge"]),
        hide_index=True,
    )
    for rel, meta in report:
        st.markdown(
            f"**{md_escape(rel.judge)}**\n\n"
            + "\n".join(f"- {md_escape(tip)}" for tip in meta.recommendations)
        )


def _agreement(store: HistoryStore, run: Run, scores: list[ScoreRow]) -> None:
    st.subheader("Agreement")
    names = {c.id: c.name for c in run.rubric.criteria}
    st.caption(
        "Krippendorff's α (interval) and ICC(2,1) are 1 for perfect agreement and about 0 for "
        "agreement no better than chance; “undefined” says why a figure cannot be computed "
        "(never a 0 standing in). Within 1 point: the share of items whose spread is 1 or less."
    )
    st.markdown("**This run**")
    fmt = {"Krippendorff's alpha": "{:.3f}", "ICC(2,1)": "{:.3f}", "Within 1 point": "{:d}%"}
    frame = tables.agreement_frame(run.agreement.overall, run.agreement.criteria, names)
    st.table(frame.style.format(fmt, na_rep="undefined"), hide_index=True)
    taus = tables.tau_frame(run.agreement)
    if not taus.empty:
        st.table(
            taus.style.format({"Kendall's tau-b": "{:.3f}"}, na_rep="undefined"), hide_index=True
        )
    overall, per = history_agreement(store, scores)
    st.markdown("**Across history**")
    st.table(
        tables.agreement_frame(overall, per, names).style.format(fmt, na_rep="undefined"),
        hide_index=True,
    )
    points = tables.agreement_time_frame(store.agreement_over_time())
    if len(points) >= 2:
        st.plotly_chart(figures.agreement_lines(points), key=f"{KEY}.chart.agreement")
        data_table(points)
    else:
        st.caption("Agreement over time appears once history holds two runs with a jury.")


page_intro(
    "Conflicts",
    "Where the judges disagree on a plan and criterion, by how much, what the consensus engine "
    "did about it and why — and the cases no rule should decide, for you to settle.",
    FLASH,
)
try:
    store = HistoryStore()
    runs = [r for r in store.list_runs() if len(r.judges) > 1]
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()
if not runs:
    _no_jury()
    st.stop()

_queue(store)
st.subheader("A run's conflicts")
run = store.get_run(_pick_run(runs))
st.caption(
    f"{len(run.conflicts)} conflicts, {len(run.escalated)} awaiting a reviewer. "
    f"Severity of the spread (max − min of the judges' scores): low < "
    f"{run.rubric.consensus.medium:g} ≤ medium < {run.rubric.consensus.high:g} ≤ high ≤ "
    f"{run.rubric.consensus.critical:g} < critical. Strategies: "
    + ", ".join(f"{sev} → {name}" for sev, name in run.rubric.consensus.strategies.items())
    + "."
)
st.plotly_chart(
    figures.conflict_heatmap(run), key=f"{KEY}.chart.heatmap", config={"displayModeBar": False}
)
data_table(tables.spread_frame(run), "Spread by plan and criterion: data table")
_plan_level(run)
shown = _filters(run)
if shown:
    st.table(
        tables.conflicts_frame(run, shown)
        .style.format("{:.2f}", subset=["Spread"])
        .format(
            lambda v: "awaiting reviewer" if v is None or pd.isna(v) else f"{v:.2f}",
            subset=["Score"],
        )
        .format(md_escape, subset=["Plan", "Judges"]),
        hide_index=True,
    )
_detail(store, run, shown)
trail = store.resolutions(run.run_id)
st.subheader("Resolutions (audit trail)")
if trail:
    st.table(tables.trail_frame(trail, run).style.format({"Score": "{:.2f}"}), hide_index=True)
else:
    st.caption("No resolution in this run yet.")
st.subheader("Reports")
reports = (
    (
        "Download the consensus report (Markdown)",
        consensus_markdown(run, trail, store.reliability()),
        f"a11y-judge-{run.run_id}-consensus.md",
        "text/markdown",
        f"{KEY}.download",
    ),
    (
        "Download scores with conflict status (CSV)",
        to_csv(run),
        f"a11y-judge-{run.run_id}.csv",
        "text/csv",
        f"{KEY}.download.csv",
    ),
)
for col, (label, data, file_name, mime, key) in zip(st.columns(2), reports, strict=True):
    col.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=":material/download:",
        on_click=log_export(run.run_id, file_name),
        width="stretch",
    )
# the key counts resolutions: a report built before a decision is not offered after it
pdf_download(
    lambda: run_pdf(run), f"a11y-judge-{run.run_id}.pdf", f"{KEY}.pdf.{run.run_id}.{len(trail)}"
)
scores = store.judge_scores()  # read once for reliability and agreement across history
_reliability(store, run, scores)
_agreement(store, run, scores)
