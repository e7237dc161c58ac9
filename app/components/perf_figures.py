"""Plotly figures of the Performance page: readable without colour (each series has its own
marker symbol and dash, values are printed or in the hover, and every chart has a table)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.components.figures import OKABE_ITO, _esc, _layout

SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}


def series_lines(
    frame: pd.DataFrame, x: str, y: str, series: str | None, y_title: str, fmt: str = ".2f"
) -> go.Figure:
    """One line per `series` value (or one line), each with its own symbol and dash."""
    fig = go.Figure()
    groups = frame.groupby(series, sort=True) if series else [("", frame)]
    for k, (name, rows) in enumerate(groups):
        rows = rows.sort_values(x)
        fig.add_scatter(
            name=str(name) or y_title,
            x=rows[x],
            y=rows[y],
            mode="lines+markers",
            marker={"size": 9, "symbol": SYMBOLS[k % len(SYMBOLS)], "color": OKABE_ITO[k % 8]},
            line={"width": 2.5, "dash": DASHES[k % len(DASHES)], "color": OKABE_ITO[k % 8]},
            hovertemplate=f"{_esc(str(name))}<br>%{{x}}<br>%{{y:{fmt}}}<extra></extra>",
        )
    fig.update_yaxes(title=y_title, rangemode="tozero")
    fig.update_xaxes(title=None, range=_time_window(frame[x]))
    return _layout(fig, 360, legend=LEGEND, showlegend=bool(series))


def _time_window(when: pd.Series) -> list[pd.Timestamp] | None:
    """An hour around points in time less than a minute apart (one run, say): plotly would
    otherwise stretch their instant over the axis in ticks of a tenth of a millisecond."""
    if when.empty or not pd.api.types.is_datetime64_any_dtype(when):
        return None
    first, last = when.min(), when.max()
    if last - first >= pd.Timedelta(minutes=1):
        return None
    half = pd.Timedelta(minutes=30)
    return [first - half, last + half]


def latency_boxes(stats: pd.DataFrame) -> go.Figure:
    """Per model, from insights.box_stats: box 25th-75th percentile with the median, whiskers
    at the 5th and 95th percentiles, the mean as a diamond."""
    fig = go.Figure()
    for k, row in enumerate(stats.itertuples(index=False)):
        colour = OKABE_ITO[k % 8]
        fig.add_box(
            name=str(row.Model),
            y=[str(row.Model)],
            q1=[row.p25],
            median=[row.p50],
            q3=[row.p75],
            lowerfence=[row.p5],
            upperfence=[row.p95],
            mean=[row.Mean],
            orientation="h",
            marker={"color": colour},
            line={"color": colour},
        )
        fig.add_scatter(
            x=[row.Mean],
            y=[str(row.Model)],
            mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": "black"},
            hovertemplate=f"mean {row.Mean:.2f} s<extra></extra>",
        )
    fig.update_xaxes(title="Latency per request (s)", rangemode="tozero")
    return _layout(fig, max(220, 90 + 70 * len(stats)), showlegend=False)


def value_bars(frame: pd.DataFrame, x: str, y: str, y_title: str, fmt: str) -> go.Figure:
    """Bars with their values printed on them."""
    fig = go.Figure()
    fig.add_bar(
        x=frame[x],
        y=frame[y],
        marker={"color": OKABE_ITO[0]},
        text=[format(v, fmt) for v in frame[y]],
        textposition="outside",
        hovertemplate=f"%{{x}}<br>%{{y:{fmt}}}<extra></extra>",
    )
    fig.update_yaxes(title=y_title, rangemode="tozero")
    fig.update_xaxes(title=None, type="category")
    return _layout(fig, 340, showlegend=False)
