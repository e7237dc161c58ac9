"""Figures of the A/B page: paired dot plot, distribution of differences, forest plot. Each
reads without colour (positions and labels carry the meaning) and has its table on the page."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from app.components.figures import OKABE_ITO, _esc, _layout


def paired_dots(items: list[dict[str, Any]], a: str, b: str) -> go.Figure:
    """Each plan's weighted score under A and under B, joined by a line."""
    fig = go.Figure()
    for item in items:
        if item.get(a) is None or item.get(b) is None:
            continue
        up = item[b] >= item[a]
        fig.add_scatter(
            x=[a, b],
            y=[item[a], item[b]],
            mode="lines+markers",
            line={
                "color": OKABE_ITO[0] if up else OKABE_ITO[5],
                "width": 1.5,
                "dash": "solid" if up else "dot",
            },
            marker={"size": 8, "symbol": ["circle", "triangle-up" if up else "triangle-down"]},
            hovertemplate=f"{_esc(item['set'])} / {_esc(item['plan'])}<br>"
            "%{x}: %{y:.2f}<extra></extra>",
            showlegend=False,
        )
    fig.update_yaxes(title="Weighted score (0-10)", range=[0, 10.5])
    fig.update_xaxes(type="category", title=None)
    return _layout(fig, 420)


def differences(items: list[dict[str, Any]], a: str, b: str) -> go.Figure:
    """Histogram of B - A per plan, with zero marked."""
    d = [i[b] - i[a] for i in items if i.get(a) is not None and i.get(b) is not None]
    fig = go.Figure()
    fig.add_histogram(
        x=d, marker={"color": OKABE_ITO[0]}, nbinsx=min(30, max(5, len(d))), texttemplate="%{y}"
    )
    fig.add_vline(x=0, line_dash="dash")
    # above the plot area, so it never sits on a bar or its count
    fig.add_annotation(
        x=0, y=1, yref="paper", yanchor="bottom", text="no difference", showarrow=False
    )
    fig.update_xaxes(title=f"{b} − {a} (points, weighted score)")
    fig.update_yaxes(title="Plans")
    return _layout(fig, 320, showlegend=False)


def forest(rows: list[tuple[str, dict[str, Any]]]) -> go.Figure:
    """Mean difference with its 95% interval, one row per figure, zero marked."""
    fig = go.Figure()
    labels = [label for label, _ in rows]
    means = [p["mean_diff"] for _, p in rows]
    lo = [p["mean_diff"] - p["ci"][0] if p["ci"] else 0 for _, p in rows]
    hi = [p["ci"][1] - p["mean_diff"] if p["ci"] else 0 for _, p in rows]
    fig.add_scatter(
        x=means,
        y=labels,
        mode="markers+text",
        marker={"symbol": "diamond", "size": 12, "color": "black"},
        error_x={"type": "data", "array": hi, "arrayminus": lo, "thickness": 2, "width": 8},
        text=[f"{m:+.2f}" for m in means],
        textposition="top center",
        hovertemplate="%{y}: %{x:+.2f}<extra></extra>",
    )
    fig.add_vline(x=0, line_dash="dash")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="Mean difference with 95% interval (points)")
    return _layout(fig, 90 + 55 * len(rows), showlegend=False)
