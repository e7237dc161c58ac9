"""Plotly figures: colour-blind-safe (Okabe-Ito), values printed, readable without colour."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from a11y_judge.models import Run
from app.components.tables import by_severity

#: Okabe-Ito, reordered so the first colours are the most distinct on white and dark themes.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
]
COVERED_COLOUR = "#56B4E9"  # sky blue; black ✓ on it is 9:1
MENTIONED_COLOUR = "#F0E442"  # yellow; black ◐ on it is 15:1
MISSED_COLOUR = "#E69F00"  # orange; black ✗ on it is 9:1
#: Coverage state → (value on the colour scale, symbol, what it means).
COVERAGE_CELLS = {
    "addressed": (1.0, "✓", "addressed: the plan proposes a fix"),
    "mentioned": (0.5, "◐", "mentioned only: named to test, monitor or defer, no fix"),
    "missed": (0.0, "✗", "missed: the plan does not address this finding"),
}
FONT = {"size": 14}
TICKS = {"size": 13}


def plan_colours(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per plan (in the order given), shared by every chart of a run."""
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}


def _esc(text: str) -> str:
    """Escape for plotly's HTML-like labels (it decodes &lt; &gt; &amp; but not &quot;)."""
    return html.escape(text, quote=False)


def _wrap(text: str, width: int = 60) -> str:
    """Escape and wrap with <br> (long hover text, long axis labels)."""
    return "<br>".join(_esc(line) for line in textwrap.wrap(text, width) or [""])


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _layout(fig: go.Figure, height: int, **kwargs: object) -> go.Figure:
    settings: dict[str, object] = {
        "height": height,
        "font": FONT,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 10},
        "hoverlabel": {"font_size": 14, "align": "left"},
    }
    fig.update_layout(**(settings | kwargs))
    fig.update_xaxes(tickfont=TICKS)
    fig.update_yaxes(tickfont=TICKS)
    return fig


def weighted_score_bar(run: Run) -> go.Figure:
    """Horizontal bars of each plan's weighted score (0-10), best at the top, values printed."""
    ranked = sorted(run.results, key=lambda r: r.rank)
    colours = plan_colours([r.name for r in ranked])
    scores = [r.score if r.score is not None else 0.0 for r in ranked]
    labels = [f"{r.score:.2f}" if r.score is not None else "not scored" for r in ranked]
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=[
                f"#{r.rank} {_esc(r.name)}" + (" (provisional)" if r.provisional else "")
                for r in ranked
            ],
            orientation="h",
            marker={"color": [colours[r.name] for r in ranked], "line": {"width": 0}},
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text} / 10<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 10.9], title="Weighted score (0-10)", dtick=2)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, 110 + 48 * len(ranked), showlegend=False)


def criteria_grouped_bar(frame: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Grouped bars: each criterion on the x axis, one bar per plan, scores printed."""
    fig = go.Figure()
    for plan, rows in frame.groupby("Plan", sort=False):
        fig.add_bar(
            name=str(plan),
            x=[f"{c} ({w}%)" for c, w in zip(rows["Criterion"], rows["Weight %"], strict=True)],
            y=rows["Score"],
            marker={"color": colours.get(str(plan), OKABE_ITO[0])},
            text=[f"{s:.2f}" if pd.notna(s) else "—" for s in rows["Score"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"{_esc(str(plan))}<br>%{{x}}: %{{y:.2f}} / 10<extra></extra>",
        )
    fig.update_yaxes(range=[0, 11], title="Score (0-10)", dtick=2)
    fig.update_xaxes(title=None, tickangle=0)
    return _layout(
        fig,
        440,
        uniformtext={"minsize": 12, "mode": "show"},
        barmode="group",
        bargap=0.25,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
    )


def coverage_heatmap(run: Run) -> go.Figure:
    """Finding × plan matrix, critical first: ✓ addressed / ◐ mentioned / ✗ missed (symbols, so
    it reads without colour); hover shows the plan's quote behind the cell."""
    plans = sorted(run.results, key=lambda r: r.rank)
    findings = by_severity(run.audit.findings)
    states = {r.name: r.coverage.states() for r in plans}
    z, text, hover = [], [], []
    for f in findings:
        z_row, t_row, h_row = [], [], []
        for r in plans:
            value, symbol, meaning = COVERAGE_CELLS[states[r.name].get(f.id, "missed")]
            z_row.append(value)
            t_row.append(symbol)
            quote = r.coverage.evidence.get(f.id, "")
            detail = f"{meaning} — “{_wrap(quote)}”" if quote and value else meaning
            h_row.append(
                f"<b>{_esc(f.id)}</b> ({f.severity.value}) {_wrap(f.title)}"
                f"<br><b>{_esc(r.name)}</b>: {detail}"
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    y = [f"{f.id} · {f.severity.value} · {_esc(_short(f.title, 44))}" for f in findings]
    x = [f"#{r.rank} {_wrap(r.name, 20)}" for r in plans]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 18, "color": "#000000"},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=[
                [0.0, MISSED_COLOUR],
                [0.25, MISSED_COLOUR],
                [0.25, MENTIONED_COLOUR],
                [0.75, MENTIONED_COLOUR],
                [0.75, COVERED_COLOUR],
                [1.0, COVERED_COLOUR],
            ],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(side="top", automargin=True, type="category", tickangle=0)
    return _layout(fig, 120 + 34 * len(findings), margin={"l": 10, "r": 10, "t": 10, "b": 10})


def trend_lines(frame: pd.DataFrame) -> go.Figure:
    """Each recurring plan's weighted score over time, points labelled with the score."""
    names = list(dict.fromkeys(frame["Plan"]))
    colours = plan_colours(names)
    fig = go.Figure()
    for plan in names:
        rows = frame[frame["Plan"] == plan].sort_values("When")
        fig.add_scatter(
            name=plan,
            x=rows["When"],
            y=rows["Score"],
            mode="lines+markers+text",
            marker={"size": 10, "color": colours[plan]},
            line={"color": colours[plan], "width": 3},
            text=[f"{s:.2f}" if pd.notna(s) else "" for s in rows["Score"]],
            textposition="top center",
            customdata=rows["Run ID"],
            hovertemplate=f"{_esc(plan)}<br>%{{x}}<br>score %{{y:.2f}}"
            "<br>run %{customdata}<extra></extra>",
        )
    fig.update_yaxes(range=[0, 10.9], title="Weighted score (0-10)", dtick=2)
    fig.update_xaxes(title=None)
    return _layout(fig, 420, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})


#: Conflict severity → (value on the colour scale, colour): light blues rising to orange for
#: critical, all light enough for black text (8:1 or more); each label says the severity in
#: words, so colour is only a second cue.
SEVERITY_CELLS = {
    "one score": (0.0, "#F7F7F7"),
    "low": (1.0, "#DEEBF7"),
    "medium": (2.0, "#9ECAE1"),
    "high": (3.0, "#6BAED6"),
    "critical": (4.0, "#FDAE61"),
}


def conflict_heatmap(run: Run) -> go.Figure:
    """Plan x criterion: the judges' spread with its severity written in each cell (so it
    reads without colour); hover shows every judge's score and the strategy."""
    plans = sorted(run.results, key=lambda r: r.rank)
    criteria = run.rubric.criteria
    found = {(c.plan, c.criterion): c for c in run.conflicts}
    z, text, hover = [], [], []
    for r in plans:
        z_row, t_row, h_row = [], [], []
        for c in criteria:
            conflict = found.get((r.name, c.id))
            if conflict is None:
                z_row.append(0.0)
                t_row.append("one score")
                h_row.append(f"{_esc(r.name)} · {_esc(c.name)}: fewer than two judges scored it")
                continue
            z_row.append(SEVERITY_CELLS[conflict.severity][0])
            status = {"escalated": " ⚑ escalated", "resolved": " ✓ resolved"}.get(
                conflict.status, ""
            )
            t_row.append(f"{conflict.spread:.2f} {conflict.severity}{status}")
            scores = ", ".join(f"{_esc(j)} {s:.2f}" for j, s in conflict.scores.items())
            h_row.append(
                f"<b>{_esc(r.name)}</b> · {_esc(c.name)}<br>spread {conflict.spread:.2f} "
                f"({conflict.severity}); {scores}<br>{conflict.strategy}: "
                + (
                    "waiting for a reviewer"
                    if conflict.resolved_score is None
                    else f"{conflict.resolved_score:.2f} ({conflict.status})"
                )
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    steps = list(SEVERITY_CELLS.values())
    scale: list[list[object]] = []
    for i, (_value, colour) in enumerate(steps):
        scale += [[i / len(steps), colour], [(i + 1) / len(steps), colour]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_wrap(c.name, 16) for c in criteria],
            y=[f"#{r.rank} {_esc(_short(r.name, 40))}" for r in plans],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14, "color": "#000000"},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=len(steps) - 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(side="top", automargin=True, type="category", tickangle=0)
    return _layout(fig, 140 + 46 * len(plans), margin={"l": 10, "r": 10, "t": 10, "b": 10})


def agreement_lines(frame: pd.DataFrame) -> go.Figure:
    """Alpha and ICC per run over time, values printed at the points."""
    fig = go.Figure()
    for i, column in enumerate(["Krippendorff's alpha", "ICC(2,1)"]):
        fig.add_scatter(
            name=column,
            x=frame["When"],
            y=frame[column],
            mode="lines+markers+text",
            marker={"size": 10, "color": OKABE_ITO[i], "symbol": ["circle", "square"][i]},
            line={"color": OKABE_ITO[i], "width": 3, "dash": ["solid", "dash"][i]},
            text=[f"{v:.2f}" if pd.notna(v) else "" for v in frame[column]],
            textposition="top center",
            customdata=frame["Run ID"],
            hovertemplate=f"{column}<br>%{{x}}<br>%{{y:.3f}}<br>run %{{customdata}}<extra></extra>",
        )
    fig.update_yaxes(range=[-1.05, 1.15], title="Agreement (1 = perfect, 0 = chance)")
    fig.update_xaxes(title=None)
    return _layout(fig, 380, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
