"""The overview page's frames: KPIs against the previous period, grade mixes, distribution, heat maps, weak points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from scoring.results import Results
from scoring.rubric import FIELD
from scoring.rubricset import RubricSet
from ui.model.names import grade_scale
from ui.model.select import (
    BLANK,
    LOCAL_LIMIT,
    Kpis,
    grade_mix,
    heatmap,
    histogram,
    kpis,
    local_groups,
    previous_period,
    resolve_period,
    selection,
    take,
    thresholds,
    weak_points,
)
from ui.model.view import Filters


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one selection."""

    period: str | None
    previous_period: str | None
    kpis: Kpis
    previous: Kpis | None
    by_field: pd.DataFrame
    by_township: pd.DataFrame
    bins: pd.DataFrame
    cuts: pd.DataFrame
    heat_township: pd.DataFrame
    heat_field: pd.DataFrame
    weak: pd.DataFrame
    scale: tuple[str, ...]


Progress = Callable[[str], None]
"""Told the name of each stage as it starts (select, kpis, grades, heat, weak), so a long build can show where it is."""

STAGES = ("select", "kpis", "grades", "heat", "weak")


def overview(results: Results, rubrics: RubricSet, filters: Filters, other: str = "…", blank: str = BLANK,
             system: str = "{parent}", progress: Progress | None = None) -> Overview:
    """KPIs against the previous period, grade mixes, score distribution, heat maps and weak points."""
    stage = progress or (lambda _: None)
    stage("select")
    b = results.branches
    period = resolve_period(b, filters.period)
    before = previous_period(b, period)
    chosen = take(results, selection(b, filters, period), light=True)
    stage("kpis")
    now, previous = kpis(chosen.branches), kpis(b[selection(b, filters, before)]) if before else None
    stage("grades")
    township = local_groups(chosen.branches, system)
    by_field = grade_mix(chosen.branches, FIELD, other, blank=blank)
    by_township = grade_mix(chosen.branches, township, other, LOCAL_LIMIT, blank)
    bins = histogram(chosen.branches["total"])
    cuts = thresholds(rubrics, list(chosen.branches["rubric"].astype(str).unique()))
    stage("heat")
    heat = heatmap(chosen, rubrics, township, other, LOCAL_LIMIT, blank), heatmap(chosen, rubrics, FIELD, other, blank=blank)
    stage("weak")
    return Overview(period, before, now, previous, by_field, by_township, bins, cuts, *heat, weak_points(chosen, rubrics),
                    grade_scale(rubrics))
