"""The results view of one run, shared by Evaluate and History."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from a11y_judge.models import PlanResult, Run
from a11y_judge.reports.csv_report import to_csv
from a11y_judge.reports.json_report import to_json
from a11y_judge.reports.markdown_report import to_markdown
from app.components import figures, tables
from app.components.tables import format_when
from app.components.text import md_escape, md_quote

#: Evidence quotes shown per criterion before "… and N more".
MAX_QUOTES = 4


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def data_table(frame: pd.DataFrame, label: str = "Data table") -> None:
    """The figure's numbers in an expander, for screen-reader and keyboard users."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True)


def ranking_table(run: Run) -> None:
    """The ranking as a real HTML table (readable by assistive technology)."""
    frame = tables.ranking_frame(run)
    score_columns = ["Weighted score", *[c.name for c in run.rubric.criteria]]
    styled = (
        frame.style.format(_score, subset=score_columns)
        .format("{:d}%", subset=["Coverage %"])
        .format(md_escape, subset=["Plan"])
    )
    st.table(styled, hide_index=True)


def downloads(run: Run, key: str) -> None:
    """CSV, JSON and Markdown downloads of the run's reports."""
    base = f"a11y-judge-{run.run_id}"
    cols = st.columns(3)
    items = [
        ("CSV", to_csv, "csv", "text/csv"),
        ("JSON", to_json, "json", "application/json"),
        ("Markdown", to_markdown, "md", "text/markdown"),
    ]
    for col, (label, render, ext, mime) in zip(cols, items, strict=True):
        col.download_button(
            f"Download {label}",
            data=render(run),
            file_name=f"{base}.{ext}",
            mime=mime,
            key=f"{key}.download.{ext}",
            icon=":material/download:",
            on_click="ignore",
            width="stretch",
        )


def _summary(run: Run) -> None:
    winner = run.winner
    if winner is None:
        st.warning("No plan could be scored in this run; see the note below.")
    else:
        st.success(
            f"**Best plan: {md_escape(winner.name)}**, weighted score {_score(winner.score)} / 10, "
            f"addressing {winner.coverage.ratio:.0%} of the audit's findings.",
            icon=":material/emoji_events:",
        )
    weights = ", ".join(f"{c.name} {c.weight:.0%}" for c in run.rubric.criteria)
    st.caption(
        f"Run `{run.run_id}` · {format_when(run.created_at.isoformat())} · audit "
        f"**{md_escape(run.audit.name)}** ({run.audit.source_format}) · judges "
        f"{', '.join(j.id for j in run.judges)} · status **{run.status}** · weights {weights}"
    )
    if run.status != "ok":
        st.warning(
            f"This run is **{run.status}**: {md_escape(run.error or 'some judgments failed')}. "
            "Scores use the judgments that succeeded."
        )


def _plan_details(run: Run, result: PlanResult) -> None:
    label = f"#{result.rank} {md_escape(result.name)} — {_score(result.score)} / 10"
    with st.expander(label):
        for flag in result.anti_patterns:
            st.warning(
                f"**Anti-pattern: {md_escape(flag.name)}.** {md_escape(flag.why)}."
                f"\n\n{md_quote(flag.quote)}",
                icon=":material/warning:",
            )
        for c in run.rubric.criteria:
            cr = result.criteria.get(c.id)
            if cr is None:
                continue
            st.markdown(f"#### {c.name}: {_score(cr.score)} / 10 (weight {c.weight:.0%})")
            st.markdown(md_escape(cr.rationale))
            if len(cr.judges) > 1:
                st.caption("Judges: " + ", ".join(f"{j} {_score(s)}" for j, s in cr.judges.items()))
            quotes = list(dict.fromkeys(e.quote for e in cr.evidence if e.quote))
            if quotes:
                st.markdown("\n\n".join(md_quote(q) for q in quotes[:MAX_QUOTES]))
                if len(quotes) > MAX_QUOTES:
                    st.caption(f"… and {len(quotes) - MAX_QUOTES} more quotes")
        st.markdown("#### Coverage")
        cov = result.coverage
        st.markdown(
            f"Addresses **{len(cov.covered)}** of {len(cov.covered) + len(cov.missed)} findings "
            f"({cov.ratio:.0%})."
            + (f" Misses: {', '.join(cov.missed)}." if cov.missed else " Misses none.")
        )


def render_results(run: Run, key: str) -> None:
    """Everything about one run: summary, downloads, ranking, charts, coverage and details."""
    _summary(run)
    downloads(run, key)

    st.subheader("Ranking")
    with st.container(key=f"{key}-ranking"):
        ranking_table(run)

    colours = figures.plan_colours([r.name for r in sorted(run.results, key=lambda r: r.rank)])
    st.subheader("Weighted score")
    st.plotly_chart(figures.weighted_score_bar(run), key=f"{key}.chart.score")
    data_table(tables.ranking_frame(run)[["Rank", "Plan", "Weighted score"]])

    st.subheader("Score by criterion")
    st.caption("Each criterion's score (0-10) per plan; the criterion's weight is in brackets.")
    long = tables.criteria_long_frame(run)
    st.plotly_chart(figures.criteria_grouped_bar(long, colours), key=f"{key}.chart.criteria")
    data_table(long)

    st.subheader("Coverage matrix")
    st.caption(
        "Each audit finding (critical first) against each plan: ✓ addressed, ✗ missed. "
        "Hover a cell for the plan's quote."
    )
    st.plotly_chart(
        figures.coverage_heatmap(run),
        key=f"{key}.chart.coverage",
        config={"displayModeBar": False},
    )
    data_table(tables.coverage_frame(run))

    st.subheader("Missed by every plan")
    missed = tables.missed_by_all(run)
    if missed:
        st.markdown(
            "\n".join(
                f"- **{md_escape(f.id)}** ({f.severity.value}; SC {', '.join(f.wcag) or 'none'}): "
                f"{md_escape(f.title)}"
                for f in missed
            )
        )
    else:
        st.success("Every finding is addressed by at least one plan.")

    st.subheader("Plan by plan")
    for result in sorted(run.results, key=lambda r: r.rank):
        _plan_details(run, result)
