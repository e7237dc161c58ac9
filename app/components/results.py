"""The results view of one run, shared by Evaluate and History."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from a11y_judge.models import (
    SEVERITIES,
    CriterionResult,
    Evidence,
    Judgment,
    PlanResult,
    RubricCriterion,
    Run,
)
from a11y_judge.reports.csv_report import to_csv, to_summary_csv
from a11y_judge.reports.json_report import to_json
from a11y_judge.reports.markdown_report import to_markdown
from a11y_judge.reports.pdf_report import run_pdf
from a11y_judge.reports.text import md_line
from app.components import figures, safety, tables
from app.components.access import log_export
from app.components.tables import format_when
from app.components.text import md_escape, md_quote

#: Evidence quotes shown per criterion before "… and N more".
MAX_QUOTES = 4
CONFLICTS_PAGE = "views/conflicts.py"


def _score(value: float | None) -> str:
    """'7.25', or '—' for no score (None, or NaN once pandas holds it)."""
    return "—" if value is None or math.isnan(value) else f"{value:.2f}"


#: Rows up to which a chart's numbers are a plain HTML table, read by assistive technology like
#: any table; longer ones (months of history) stay Streamlit's grid, which scrolls, searches and
#: downloads them.
HTML_TABLE_ROWS = 60


def data_table(frame: pd.DataFrame, label: str = "Data table") -> None:
    """The figure's numbers in an expander, for screen-reader and keyboard users."""
    with st.expander(label):
        if len(frame) > HTML_TABLE_ROWS:
            st.caption(f"{len(frame)} rows, in a grid with search and CSV download (its toolbar).")
            st.dataframe(frame, hide_index=True)
            return
        st.table(_plain(frame), hide_index=True)


def _cell(value: object) -> str:
    """A text cell as Streamlit's table shows it (Markdown): one line, escaped; '—' for
    nothing (None, NaN or NA, as pandas holds a missing text)."""
    return "—" if pd.api.types.is_scalar(value) and pd.isna(value) else md_line(value)


def _plain(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    """Text escaped, decimals to 4 significant digits, '—' where a number is missing."""
    types = pd.api.types
    text = [  # str (pandas' string dtype) or object: whatever is not a number, flag or time
        c
        for c in frame.columns
        if not (
            types.is_numeric_dtype(frame[c])
            or types.is_bool_dtype(frame[c])
            or types.is_datetime64_any_dtype(frame[c])
        )
    ]
    decimals = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return frame.style.format(_cell, subset=text).format("{:.4g}", subset=decimals, na_rep="—")


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
    """CSV (tidy long table and one-row-per-plan summary), JSON and Markdown downloads of the
    run's reports, and the PDF report built on request."""
    base = f"a11y-judge-{run.run_id}"
    cols = st.columns(4)
    items = [
        ("CSV", to_csv, "csv", ".csv", "text/csv"),
        ("plan summary (CSV)", to_summary_csv, "summary", "-summary.csv", "text/csv"),
        ("JSON", to_json, "json", ".json", "application/json"),
        ("Markdown", to_markdown, "md", ".md", "text/markdown"),
    ]
    for col, (label, render, kind, suffix, mime) in zip(cols, items, strict=True):
        col.download_button(
            f"Download {label}",
            data=render(run),
            file_name=f"{base}{suffix}",
            mime=mime,
            key=f"{key}.download.{kind}",
            icon=":material/download:",
            on_click=log_export(run.run_id, f"{base}{suffix}"),
            width="stretch",
        )
    _pdf(run, base, key)


def _pdf(run: Run, base: str, key: str) -> None:
    pdf_download(lambda: run_pdf(run), f"{base}.pdf", f"{key}.pdf.{run.run_id}")


def pdf_download(build: Callable[[], bytes], file_name: str, key: str) -> None:
    """A tagged PDF/UA report, built on request (it takes a second or two), then offered."""
    if key not in st.session_state:
        if st.button(
            "Build the PDF report",
            key=f"{key}.build",
            icon=":material/picture_as_pdf:",
            help="An accessible, tagged PDF (PDF/UA-1): headings, table headers, alt text.",
        ):
            with st.spinner("Building the PDF report…"):
                st.session_state[key] = build()
            st.rerun()
        return
    st.download_button(
        "Download PDF report",
        data=st.session_state[key],
        file_name=file_name,
        mime="application/pdf",
        key=f"{key}.download",
        icon=":material/download:",
        on_click=log_export(file_name.removesuffix(".pdf"), file_name),
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
    provisional = [r.name for r in run.results if r.provisional]
    if provisional:
        st.warning(
            f"**Provisional ranking.** The judges disagree by more than "
            f"{run.rubric.consensus.critical:g} points on {len(run.escalated)} item(s) of "
            f"{md_escape(', '.join(provisional))}; no rule decides those, so they count with the "
            "jury's median until a reviewer resolves them on the Conflicts page.",
            icon=":material/gavel:",
        )
        st.page_link(
            CONFLICTS_PAGE,
            label="Resolve them on the Conflicts page",
            icon=":material/gavel:",
            query_params={"run": run.run_id},
        )


#: Marks a quote the judge gave that is not in the plan (text, not colour alone).
UNVERIFIED = "⚠ not found in the plan"


def quotes(evidence: list[Evidence]) -> None:
    """Distinct quotes, the first MAX_QUOTES and every one not found in the plan, flagged in words.

    A flagged quote is never hidden behind "… and N more": it is the reader's warning.
    """
    verified: dict[str, bool | None] = {}
    for e in evidence:
        if e.quote:
            flagged = e.verified is False or verified.get(e.quote) is False
            verified[e.quote] = False if flagged else e.verified
    quotes = list(verified.items())
    shown = [(q, ok) for i, (q, ok) in enumerate(quotes) if i < MAX_QUOTES or ok is False]
    if shown:
        st.markdown("\n\n".join(_quote_md(q, ok) for q, ok in shown))
    if len(quotes) > len(shown):
        st.caption(f"… and {len(quotes) - len(shown)} more quotes")


def _quote_md(quote: str, verified: bool | None) -> str:
    if verified is not False:
        return md_quote(quote)
    return (
        f"**{UNVERIFIED}:** this quote from the judge does not appear in the plan's text.\n\n"
        + md_quote(quote)
    )


def _plan_judgments(run: Run, result: PlanResult) -> list[Judgment]:
    """This plan's judgments in jury order."""
    order = {info.id: i for i, info in enumerate(run.judges)}
    mine = [j for j in run.judgments if j.plan_name == result.name]
    return sorted(mine, key=lambda j: order.get(j.judge_id, len(order)))


def _judgment_notes(judgments: list[Judgment]) -> None:
    """Each judge's failure or notes (condensed input, flagged quotes) on this plan."""
    lines = []
    for j in judgments:
        who = md_escape(j.judge_id)
        if j.status != "ok":
            lines.append(f"- **{who} failed:** {md_escape(j.error or 'unknown error')}")
        lines += [f"- {who}: {md_escape(note)}" for note in j.notes]
    if lines:
        st.markdown("**Notes from the judges**\n\n" + "\n".join(lines))


def _criterion(c: RubricCriterion, cr: CriterionResult, judgments: list[Judgment]) -> None:
    """The jury's score, then each judge's reasoning and quotes (or just the one judge's)."""
    if cr.score is None and cr.provisional_score is not None:
        st.markdown(
            f"#### {c.name}: escalated to a reviewer — {_score(cr.provisional_score)} / 10 "
            f"provisionally (weight {c.weight:.0%})"
        )
    else:
        st.markdown(f"#### {c.name}: {_score(cr.score)} / 10 (weight {c.weight:.0%})")
    if len(judgments) < 2:
        st.markdown(md_escape(cr.rationale))
        quotes(cr.evidence)
        return
    for j in judgments:
        cs = j.scores.get(c.id) if j.status == "ok" else None
        who = md_escape(j.judge_id)
        if cs is None:
            st.markdown(f"**{who}**: failed on this plan (no score).")
            continue
        st.markdown(f"**{who}**: {_score(cs.score)} / 10. {md_escape(cs.rationale)}")
        quotes(cs.evidence)


def _plan_details(run: Run, result: PlanResult) -> None:
    label = f"#{result.rank} {md_escape(result.name)} — {_score(result.score)} / 10"
    with st.expander(label):
        for flag in result.anti_patterns:
            st.warning(
                f"**Anti-pattern: {md_escape(flag.name)}.** {md_escape(flag.why)}."
                f"\n\n{md_quote(flag.quote)}",
                icon=":material/warning:",
            )
        judgments = _plan_judgments(run, result)
        if len(run.judges) > 1:
            st.markdown("#### Scores by judge")
            st.table(
                tables.judge_scores_frame(run, result).style.format(md_escape, subset=["Judge"]),
                hide_index=True,
            )
        _judgment_notes(judgments)
        for c in run.rubric.criteria:
            cr = result.criteria.get(c.id)
            if cr is not None:
                _criterion(c, cr, judgments)
        st.markdown("#### Coverage")
        cov = result.coverage
        total = len(cov.covered) + len(cov.mentioned) + len(cov.missed)
        st.markdown(
            f"Addresses **{len(cov.covered)}** of {total} findings ({cov.ratio:.0%})."
            + (
                " Only mentions (to test, monitor or defer): "
                + md_escape(", ".join(cov.mentioned))
                + "."
                if cov.mentioned
                else ""
            )
            + (f" Misses: {md_escape(', '.join(cov.missed))}." if cov.missed else " Misses none.")
        )


def _jury(run: Run) -> None:
    """Each judge's status and work, and the run's LLM usage."""
    st.subheader("Jury")
    frame = tables.judges_frame(run)
    st.table(frame.style.format(md_escape, subset=["Judge"]), hide_index=True)
    llm = sum(1 for j in run.judges if j.provider != "offline")
    st.caption(tables.usage_line(run.stats, llm))
    if run.stats.endpoints:
        st.markdown("**Provider endpoints**")
        frame = tables.endpoints_frame(run.stats)
        st.table(frame.style.format(md_escape, subset=["Endpoint"]), hide_index=True)


def _disagreement(run: Run) -> None:
    """How far the judges agree, what the consensus engine did, and a link to the details."""
    if len(run.judges) < 2:
        return
    st.subheader("Where the judges disagree")
    if not run.conflicts:
        st.info("No plan and criterion was scored by two or more judges in this run.")
        return
    counts = {sev: sum(c.severity == sev for c in run.conflicts) for sev in SEVERITIES}
    overall = run.agreement.overall
    alpha = "undefined" if overall.alpha is None else f"{overall.alpha:.2f}"
    st.markdown(
        f"{len(run.conflicts)} plan × criterion items were scored by two or more judges: "
        + ", ".join(f"**{n} {sev}**" for sev, n in counts.items() if n)
        + f". Krippendorff's α {alpha}"
        + (f" ({md_escape(overall.note)})" if overall.note else "")
        + f"; {len(run.escalated)} await a reviewer."
    )
    if run.rank_conflict is not None and not run.rank_conflict.agree:
        tops = ", ".join(
            f"{md_escape(j)} → **{md_escape(p)}**" for j, p in run.rank_conflict.top.items()
        )
        st.markdown(f"The judges' own scores put different plans first: {tops}.")
    notable = [c for c in run.conflicts if c.severity != "low" or c.status != "auto"]
    if notable:
        frame = tables.conflicts_frame(run, notable)
        st.table(
            frame.style.format(_score, subset=["Spread", "Score"]).format(
                md_escape, subset=["Plan", "Judges"]
            ),
            hide_index=True,
        )
    st.page_link(
        CONFLICTS_PAGE,
        label="Every conflict, the strategy's reasoning and resolutions: Conflicts page",
        icon=":material/balance:",
        query_params={"run": run.run_id},
    )


def render_results(run: Run, key: str) -> None:
    """Everything about one run: summary, downloads, ranking, charts, coverage and details."""
    _summary(run)
    downloads(run, key)

    st.subheader("Ranking")
    with st.container(key=f"{key}-ranking"):
        ranking_table(run)
    safety.injection_warning(run)
    safety.redaction_notice(run)
    if any(r.provisional for r in run.results):
        st.caption(
            "“—” in a criterion of a provisional plan: escalated to a reviewer; the plan's "
            "weighted score uses the jury's median there until it is resolved."
        )
    _jury(run)
    _disagreement(run)

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
        "Each audit finding (critical first) against each plan: ✓ addressed (the plan proposes "
        "a fix), ◐ mentioned only (named to test, monitor or defer it), ✗ missed. Hover a cell "
        "for the plan's sentence; the table below the matrix lists them all."
    )
    st.plotly_chart(
        figures.coverage_heatmap(run),
        key=f"{key}.chart.coverage",
        config={"displayModeBar": False},
    )
    data_table(tables.coverage_frame(run))
    with st.expander("The plan's sentence behind each cell"):
        st.dataframe(tables.coverage_quotes_frame(run), hide_index=True)

    st.subheader("Addressed by no plan")
    open_findings = tables.unaddressed(run)
    if open_findings:
        st.caption("What the ideal plan would add: no plan proposes a fix for these findings.")
        st.markdown(
            "\n".join(
                f"- **{md_escape(f.id)}** ({f.severity.value}; SC {', '.join(f.wcag) or 'none'}): "
                f"{md_escape(f.title)}"
                + (
                    f" — only mentioned by {md_escape(', '.join(by))}"
                    if by
                    else " — missed by every plan"
                )
                for f, by in open_findings
            )
        )
    else:
        st.success("Every finding is addressed by at least one plan.")

    st.subheader("Plan by plan")
    for result in sorted(run.results, key=lambda r: r.rank):
        _plan_details(run, result)
