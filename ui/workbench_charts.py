"""Plotly figures of the rubric workbench (no st.* here)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from ui.charts import GRADE_COLORS, _layout, grade_colors, label


def sweep_figure(series: pd.DataFrame, scale: Sequence[str], title: str, x_label: str, y_label: str,
                 current: float | None, current_label: str) -> go.Figure:
    """Branch counts per grade (lines) as a grade's line moves (x), with the current value marked by a dashed line."""
    fig = go.Figure()
    colors = grade_colors(scale)
    for grade in [g for g in scale if g in set(series["grade"])]:
        part = series[series["grade"] == grade].sort_values("threshold")
        fig.add_scatter(x=part["threshold"], y=part["count"], mode="lines+markers", name=label(grade),
                        line={"color": colors.get(grade, GRADE_COLORS[-1])}, marker={"size": 4},
                        hovertemplate=f"{label(grade)} · %{{x:g}}: %{{y}}<extra></extra>")
    if current is not None:
        fig.add_vline(x=current, line_dash="dash", line_color="#455a64",
                      annotation_text=label(f"{current_label} {current:g}"), annotation_position="top")
    fig.update_xaxes(title_text=label(x_label, 40))
    fig.update_yaxes(title_text=label(y_label, 40), rangemode="tozero")
    return _layout(fig, title)
