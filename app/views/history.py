"""History: past runs, reopened, compared, trended and deleted."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from app.components import figures, tables
from app.components.access import read_only
from app.components.results import data_table, render_results
from app.components.tables import format_when
from app.components.text import md_escape

from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.audit import ACTIONS, AuditLog
from a11y_judge.history.store import HistoryStore, RunSummary

KEY = "history"
FLASH = f"{KEY}.flash"
STATUSES = ["ok", "partial", "failed"]


def _label(r: RunSummary) -> str:
    score = "" if r.winner_score is None else f" ({r.winner_score:.2f})"
    return (
        f"{tables.format_when(r.created_at)} · {r.audit_name} · {len(r.plans)} plans · "
        f"winner {r.winner or '—'}{score} · {r.run_id}"
    )


def _pick_run(runs: list[RunSummary], label: str, key: str) -> str | None:
    """A select box of runs, labelled by date, audit, plans and winner; returns the run id."""
    by_id = {r.run_id: r for r in runs}
    return st.selectbox(label, list(by_id), format_func=lambda rid: _label(by_id[rid]), key=key)


def _open(store: HistoryStore, runs: list[RunSummary]) -> None:
    run_id = _pick_run(runs, "Run to open", f"{KEY}.open")
    if run_id:
        render_results(store.get_run(run_id), key=f"{KEY}.open.{run_id}")


def _compare(store: HistoryStore, runs: list[RunSummary]) -> None:
    if len(runs) < 2:
        st.info("Comparison appears once history holds two runs.")
        return
    by_id = {r.run_id: r for r in runs}
    ids = list(by_id)
    cols = st.columns(2, gap="large")
    chosen = [
        cols[0].selectbox(
            "Run A", ids, index=1, format_func=lambda rid: _label(by_id[rid]), key=f"{KEY}.cmp.a"
        ),
        cols[1].selectbox(
            "Run B", ids, index=0, format_func=lambda rid: _label(by_id[rid]), key=f"{KEY}.cmp.b"
        ),
    ]
    loaded = [store.get_run(rid) for rid in chosen]
    for col, name, run in zip(cols, "AB", loaded, strict=True):
        with col:
            st.markdown(
                f"**Run {name}**: {md_escape(run.audit.name)}, "
                f"judges {', '.join(j.id for j in run.judges)}"
            )
            frame = tables.ranking_frame(run)[["Rank", "Plan", "Weighted score", "Coverage %"]]
            st.dataframe(
                frame,
                hide_index=True,
                key=f"{KEY}.cmp.table.{name}",
                column_config={
                    "Weighted score": st.column_config.NumberColumn(format="%.2f"),
                    "Coverage %": st.column_config.NumberColumn(format="%d%%"),
                },
            )
    st.markdown("**Score changes for plans in both runs**")
    deltas = tables.deltas_frame(*loaded)
    if deltas.empty:
        st.info("These runs share no plan names, so there is nothing to compare score by score.")
    else:
        st.dataframe(
            deltas,
            hide_index=True,
            column_config={"Change (B − A)": st.column_config.NumberColumn(format="%+.2f")},
        )


def _trend(store: HistoryStore) -> None:
    recurring = store.recurring_plans()
    if not recurring:
        st.info(
            "The trend appears once the same plan name is evaluated twice "
            "(for example, a revised plan uploaded under the same file name)."
        )
        return
    chosen = st.multiselect("Plans", recurring, default=recurring[:8], key=f"{KEY}.trend.plans")
    if not chosen:
        st.info("Choose at least one plan.")
        return
    frame = tables.trend_frame({name: store.plan_trend(name) for name in chosen})
    st.plotly_chart(figures.trend_lines(frame), key=f"{KEY}.trend.chart")
    data_table(frame)


def _delete(store: HistoryStore, runs: list[RunSummary]) -> None:
    run_id = _pick_run(runs, "Run to delete", f"{KEY}.delete.run")
    sure = st.checkbox(
        "I understand this permanently deletes the run and its results",
        key=f"{KEY}.delete.sure",
    )
    if (
        st.button(
            "Delete run",
            key=f"{KEY}.delete.button",
            disabled=not sure or not run_id or read_only(),
            icon=":material/delete:",
        )
        and run_id
    ):
        store.delete_run(run_id)
        st.session_state[FLASH] = f"Deleted run {run_id}."
        del st.session_state[f"{KEY}.delete.sure"]
        st.rerun()


def _audit_log(store: HistoryStore) -> None:
    """Who did what, when: filterable by actor, action and text."""
    log = AuditLog(store)
    cols = st.columns([1, 1, 2])
    actor = cols[0].selectbox("Actor", ["All", *log.actors()], key=f"{KEY}.audit.actor")
    action = cols[1].selectbox("Action", ["All", *ACTIONS], key=f"{KEY}.audit.action")
    text = cols[2].text_input(
        "Search the log", key=f"{KEY}.audit.search", placeholder="run id, file, note"
    )
    entries = log.entries(
        actor=None if actor == "All" else actor,
        action=None if action == "All" else action,
        search=text.strip(),
        limit=1000,
    )
    st.caption(
        f"{len(entries)} entries, newest first (at most 1,000 shown; "
        "`a11y-judge audit-log --json` prints them all). Runs, resolutions, deletions, "
        "exports, saved thresholds, sign-ins, batches, backups and restores are recorded."
    )
    if entries:
        frame = pd.DataFrame(
            [
                {
                    "When": format_when(e.at),
                    "Actor": e.actor,
                    "Action": e.action,
                    "Target": e.target,
                    "Detail": e.detail,
                }
                for e in entries
            ]
        )
        st.dataframe(frame, hide_index=True)
    else:
        st.info("No audit log entry matches these filters.")


st.header("History")
if flash := st.session_state.pop(FLASH, None):
    st.success(flash)

try:
    store = HistoryStore()
    all_runs = store.list_runs()
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()

if not all_runs:
    st.info(
        "No runs yet. Evaluate an audit and its plans on the **Evaluate** page (the demo set "
        "works in one click); every run is saved here."
    )
    st.page_link("views/evaluate.py", label="Go to Evaluate", icon=":material/fact_check:")
    st.subheader("Audit log")
    _audit_log(store)
    st.stop()

search_col, status_col = st.columns([3, 1])
search = search_col.text_input(
    "Search", key=f"{KEY}.search", placeholder="audit, plan, winner or run id"
)
status = status_col.selectbox(
    "Status", ["all", *STATUSES], key=f"{KEY}.status", format_func=str.capitalize
)
runs = store.list_runs(search=search.strip(), status=None if status == "all" else status)
st.caption(f"{len(runs)} of {len(all_runs)} runs")
if runs:
    st.dataframe(
        tables.runs_frame(runs),
        hide_index=True,
        column_config={
            "Date": st.column_config.TextColumn(width=150),
            "Plans": st.column_config.NumberColumn(width=60),
            "Judges": st.column_config.TextColumn(width=90),
            "Winner": st.column_config.TextColumn(width="medium"),
            "Score": st.column_config.NumberColumn(format="%.2f", width=70),
            "Status": st.column_config.TextColumn(width=70),
            "Findings": st.column_config.NumberColumn(width=70),
        },
    )
else:
    st.info("No run matches this search and status. Clear the search box or choose All.")

open_tab, compare_tab, trend_tab, delete_tab, audit_tab = st.tabs(
    ["Open a run", "Compare two runs", "Trends", "Delete a run", "Audit log"]
)
with open_tab:
    if runs:
        _open(store, runs)
    else:
        st.info("No run matches the filter above.")
with compare_tab:
    _compare(store, all_runs)
with trend_tab:
    _trend(store)
with delete_tab:
    _delete(store, all_runs)
with audit_tab:
    _audit_log(store)
