"""Plotly figures for every page: each takes an aggregated frame and labels and returns a figure (no st.* here)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

# Best grade first; grades beyond the palette reuse its last colour.
GRADE_COLORS = ("#2e7d32", "#f9a825", "#c62828", "#6d4c41", "#455a64")
SERIES_COLORS = ("#c62828", "#1565c0", "#2e7d32")
MOVE_COLORS = {"晋位": "#2e7d32", "持平": "#90a4ae", "降级": "#c62828", "新参评": "#1565c0", "未参评": "#6d4c41"}
LABEL_LIMIT = 24
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

# PNG download from plotly's own toolbar, at print resolution.
CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def label(text: object, limit: int = LABEL_LIMIT) -> str:
    """A user-supplied label made safe for plotly (which reads a few HTML tags) and short enough to fit."""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=False)


def _labels(values: Sequence[object]) -> list[str]:
    return [label(v) for v in values]


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": html.escape(title), "font": {"size": 15}, "y": 0.98, "yanchor": "top"}, height=height,
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 80 if title else 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "traceorder": "normal"},
    )
    return fig


def grade_colors(scale: Sequence[str]) -> dict[str, str]:
    """A colour per grade of the whole scale (best first), so a grade has one colour whatever a filter leaves."""
    return {g: GRADE_COLORS[min(i, len(GRADE_COLORS) - 1)] for i, g in enumerate(scale)}


def grade_bars(mix: pd.DataFrame, title: str, count_label: str, scale: Sequence[str]) -> go.Figure:
    """Stacked horizontal bars: grade counts per group (rows of `mix`, largest first), coloured by the grade's place in `scale`."""
    fig = go.Figure()
    colors = grade_colors(scale)
    ys = _labels(list(mix.index))
    totals = mix.sum(axis=1).replace(0, 1)
    for grade in mix.columns:
        share = (mix[grade] / totals * 100).round(1)
        fig.add_bar(
            y=ys, x=mix[grade], name=label(grade), orientation="h", marker_color=colors.get(grade, GRADE_COLORS[-1]),
            customdata=share, hovertemplate=f"%{{y}} · {label(grade)}: %{{x}} (%{{customdata}}%)<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed", "type": "category"}, xaxis_title=count_label)
    return _layout(fig, title, height=max(260, 60 + 24 * len(mix)))


def score_histogram(bins: pd.DataFrame, cuts: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Pre-binned score distribution with a dashed line at each grade threshold."""
    fig = go.Figure(go.Bar(
        x=(bins["left"] + bins["right"]) / 2, y=bins["count"], width=(bins["right"] - bins["left"]) * 0.95,
        marker_color="#1565c0", customdata=bins[["left", "right"]],
        hovertemplate="%{customdata[0]:.1f}–%{customdata[1]:.1f}: %{y}<extra></extra>",
    ))
    lines = [{"type": "line", "xref": "x", "yref": "paper", "x0": float(m), "x1": float(m), "y0": 0, "y1": 1,
              "line": {"color": "#c62828", "dash": "dash"}} for m in cuts["min"]]
    notes = [{"xref": "x", "yref": "paper", "x": float(m), "y": 1, "text": f"{label(g)} ≥ {m:g}", "showarrow": False,
              "xanchor": "right", "yanchor": "bottom", "font": {"color": "#c62828"}} for g, m in zip(cuts["grade"], cuts["min"], strict=True)]
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, bargap=0, shapes=lines, annotations=notes)
    return _layout(fig, title)


def heatmap(table: pd.DataFrame, title: str, value_label: str) -> go.Figure:
    """Average share of points (0–100%) per group and standard."""
    values = (table * 100).round(1)
    fig = go.Figure(go.Heatmap(
        z=values.to_numpy(), x=_labels(list(table.columns)), y=_labels(list(table.index)),
        colorscale="RdYlGn", zmin=50, zmax=100, text=values.to_numpy(), texttemplate="%{text:.0f}",
        colorbar={"title": value_label}, hovertemplate="%{y} · %{x}: %{z:.1f}%<extra></extra>",
    ))
    fig.update_layout(yaxis={"autorange": "reversed", "type": "category"}, xaxis={"type": "category"})
    return _layout(fig, title, height=max(280, 80 + 26 * len(table)))


def weak_points(table: pd.DataFrame, title: str, x_title: str) -> go.Figure:
    """Indicators losing the most points, as horizontal bars."""
    names = [f"{label(s, 8)}·{label(i)}" for i, s in zip(table["indicator"], table["standard"], strict=True)]
    fig = go.Figure(go.Bar(
        x=table["lost_total"].round(1), y=names, orientation="h", marker_color="#ef6c00",
        customdata=(table["share_losing"] * 100).round(1),
        hovertemplate="%{y}: %{x} (%{customdata}%)<extra></extra>",
    ))
    fig.update_layout(yaxis={"autorange": "reversed", "type": "category"}, xaxis_title=x_title)
    return _layout(fig, title, height=max(260, 60 + 28 * len(table)))


def radar(frame: pd.DataFrame, title: str, names: Sequence[str]) -> go.Figure:
    """A branch's share of points per standard against two averages (columns branch, group, best)."""
    fig = go.Figure()
    theta = _labels(list(frame["standard"]))
    for column, name, color in zip(("branch", "group", "best"), names, SERIES_COLORS, strict=True):
        r = (frame[column] * 100).round(1).tolist()
        fig.add_trace(go.Scatterpolar(r=[*r, r[0]], theta=[*theta, theta[0]], name=label(name), line_color=color,
                                      fill="toself" if column == "branch" else None, opacity=0.85))
    # First standard on top, clockwise; the radial ticks sit halfway between the first two standards so no label overlaps them.
    between = 90 - 180 / max(len(theta), 1)
    fig.update_layout(polar={"angularaxis": {"rotation": 90, "direction": "clockwise"},
                             "radialaxis": {"range": [0, 100], "ticksuffix": "%", "angle": between, "tickangle": between,
                                            "tickvals": [25, 50, 75, 100], "tickfont": {"size": 10, "color": "#607d8b"}}})
    _layout(fig, title, height=460)
    fig.update_layout(legend={"yanchor": "top", "y": -0.1}, margin={"b": 50})  # below the bottom label; above, it covered the top one
    return fig


def history(frame: pd.DataFrame, y_title: str, full: float, title: str = "") -> go.Figure:
    """Total per period for one branch, labelled with its grade, on an axis of at least a tenth of the full score."""
    totals = frame["total"].astype(float)
    low, high = float(totals.min()), float(totals.max())
    span = max(high - low, full / 10)
    bottom = max(0.0, min(low, high - span) - span * 0.25)
    top = max(high, bottom + span) + span * 0.35  # room above the highest point for its grade label
    fig = go.Figure(go.Scatter(
        x=_labels(list(frame["period"])), y=totals, mode="lines+markers+text", cliponaxis=False,
        text=_labels(list(frame["grade"])), textposition="top center", line_color="#1565c0",
        hovertemplate="%{x}: %{y:.2f} (%{text})<extra></extra>",
    ))
    fig.update_layout(xaxis={"type": "category"}, yaxis={"title": y_title, "range": [bottom, top]})
    return _layout(fig, title, height=300)


def sankey(flows: pd.DataFrame, title: str, before: str, after: str, order: Sequence[str]) -> go.Figure:
    """Grade moves between two periods: left nodes are grades before, right nodes grades after."""
    ranked = list(dict.fromkeys([*order, *flows["source"], *flows["target"]]))
    left = [g for g in ranked if g in set(flows["source"])]
    right = [g for g in ranked if g in set(flows["target"])]
    nodes = [f"{label(g)} ({label(before)})" for g in left] + [f"{label(g)} ({label(after)})" for g in right]
    colors = grade_colors(list(order))
    node_colors = [colors.get(g, "#90a4ae") for g in left + right]
    # Fixed positions keep the best grade on top on both sides (plotly would otherwise order nodes freely).
    xs = [0.001] * len(left) + [0.999] * len(right)
    ys = [_stack(flows, "source", left, g) for g in left] + [_stack(flows, "target", right, g) for g in right]
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": nodes, "color": node_colors, "pad": 18, "x": xs, "y": ys},
        link={"source": [left.index(s) for s in flows["source"]],
              "target": [len(left) + right.index(t) for t in flows["target"]],
              "value": flows["count"].tolist(), "color": "rgba(120,144,156,0.35)"},
    ))
    return _layout(fig, title, height=420)


def _stack(flows: pd.DataFrame, side: str, order: Sequence[str], grade: str) -> float:
    """The vertical centre (0 top, 1 bottom) of a node when its side's nodes are stacked in `order` by size."""
    sizes = flows.groupby(side)["count"].sum().reindex(list(order), fill_value=0)
    total = float(sizes.sum()) or 1.0
    before = float(sizes.loc[: grade].sum() - sizes.loc[grade])
    return min(max((before + float(sizes.loc[grade]) / 2) / total, 0.001), 0.999)


def move_bars(counts: pd.DataFrame, title: str, names: Mapping[str, str], count_label: str) -> go.Figure:
    """Stacked bars of moves (晋位/持平/降级 …) per group; the legend shows each move by `names`."""
    fig = go.Figure()
    ys = _labels(list(counts.index))
    for move in counts.columns:
        shown = label(names.get(move, move))
        fig.add_bar(y=ys, x=counts[move], name=shown, orientation="h", marker_color=MOVE_COLORS.get(move, "#78909c"),
                    hovertemplate=f"%{{y}} · {shown}: %{{x}}<extra></extra>")
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed", "type": "category"}, xaxis_title=count_label)
    return _layout(fig, title, height=max(260, 60 + 24 * len(counts)))


def change_histogram(bins: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Distribution of score changes, falls in red and rises in green."""
    mid = (bins["left"] + bins["right"]) / 2
    fig = go.Figure(go.Bar(
        x=mid, y=bins["count"], width=(bins["right"] - bins["left"]) * 0.95,
        marker_color=["#c62828" if m < 0 else "#2e7d32" for m in mid],
        hovertemplate="%{x:.1f}: %{y}<extra></extra>",
    ))
    fig.add_vline(x=0, line_color="#455a64")
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, bargap=0)
    return _layout(fig, title, height=320)
