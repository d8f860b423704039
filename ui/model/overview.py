"""The overview page's frames: KPIs against the previous period, grade mixes, distribution, heat maps, weak points.

A data set is summed once into a `Cube`: one cell per combination of the columns the filters and groupings read, so
that every selection's overview adds up cells (tens of thousands at a million branches) instead of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.results import Results
from scoring.rubric import FIELD, PERIOD
from scoring.rubricset import RubricSet
from ui.model.names import grade_scale
from ui.model.select import (
    BLANK,
    GROUP_LIMIT,
    LOCAL_LIMIT,
    LOSING,
    GradeCount,
    Kpis,
    RowsPart,
    grade_mix,
    grade_order,
    group_keys,
    histogram,
    indicator_ids,
    local_groups,
    lost_parts,
    previous_period,
    resolve_period,
    selection,
    standard_names,
    standard_percent,
    thresholds,
    top_groups,
    weak_table,
)
from ui.model.view import Filters

CELL_KEYS = (PERIOD, FIELD, "district", "township", "parent", "grade", "rubric")  # what filters and groupings read


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


@dataclass(frozen=True)
class Sums:
    """Per cell (rows) and column: the sum of the values present, and how many rows had one."""

    columns: list[str]
    total: np.ndarray
    present: np.ndarray


@dataclass(frozen=True)
class Cube:
    """A data set summed per cell of CELL_KEYS (cells in order of first appearance; `cells` has the keys, the rows
    of each cell `count`, their total points `total` and lowest grade level `level`)."""

    cells: pd.DataFrame
    totaled: np.ndarray  # rows with a total, per cell
    shares: Sums  # share of points per standard
    lost: Sums  # points lost per standard indicator
    losing: np.ndarray  # rows losing points, per cell and indicator
    cell: np.ndarray  # each row's cell (the histogram bins rows)
    total: np.ndarray  # each row's total
    scale: tuple[str, ...]


Progress = Callable[[str], None]
"""Told the name of each stage as it starts (select, kpis, grades, heat, weak), so a long build can show where it is."""

STAGES = ("select", "kpis", "grades", "heat", "weak")


def _cells(branches: pd.DataFrame) -> np.ndarray:
    """Each row's cell: codes of CELL_KEYS combined, numbered in order of first appearance."""
    cell = np.zeros(len(branches), dtype=np.int64)
    for column in (c for c in CELL_KEYS if c in branches):
        codes, uniques = pd.factorize(branches[column], use_na_sentinel=False)
        cell, _ = pd.factorize(cell * (len(uniques) + 1) + codes)
    return np.asarray(cell, dtype=np.int64)


def _bincounts(group: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Per group (rows) and column of `values`: the sum of the values of the group's rows."""
    out = np.zeros((groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(group, values[:, j], groups)
    return out


def _sums(parts: Iterable[RowsPart], columns: list[str], cell: np.ndarray, cells: int,
          above: float | None = None) -> tuple[Sums, np.ndarray]:
    """Sums per cell of columns given some rows at a time, and the rows above `above` (only those rows' cells are counted).

    Each part's rows come grouped by cell, in cell order, so its block is summed in one pass."""
    total, present, over = (np.zeros((cells, len(columns))) for _ in range(3))
    at = {c: j for j, c in enumerate(columns)}
    for rows, ids, values in parts:
        keys = cell[rows]
        if not len(keys):
            continue
        if (keys[1:] < keys[:-1]).any():
            raise ValueError("rows must come grouped by cell, in cell order")
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        into = np.ix_(keys[starts], np.array([at[c] for c in ids], dtype=np.intp))
        filled = ~np.isnan(values)
        total[into] += np.add.reduceat(np.where(filled, values, 0.0), starts, axis=0)
        present[into] += np.add.reduceat(filled, starts, axis=0, dtype=np.int64)
        if above is not None:
            over[into] += np.add.reduceat(values > above, starts, axis=0, dtype=np.int64)
    return Sums(columns, total, present), over


def cube(results: Results, rubrics: RubricSet, progress: Progress | None = None) -> Cube:
    """Sum a data set once per cell: counts, totals, shares of points per standard and points lost per indicator."""
    stage = progress or (lambda _: None)
    stage("select")
    b = results.branches
    cell = _cells(b)
    count = int(cell.max()) + 1 if len(cell) else 0
    _, first = np.unique(cell, return_index=True)
    cells = b[[c for c in CELL_KEYS if c in b]].iloc[first].reset_index(drop=True)
    stage("kpis")
    total = b["total"].to_numpy(dtype=float)
    cells["count"] = np.bincount(cell, minlength=count)
    cells["total"] = np.bincount(cell, np.nan_to_num(total), count)
    cells["level"] = pd.Series(b["level"].to_numpy()).groupby(cell).min().to_numpy() if count else np.zeros(0, dtype=np.int64)
    stage("grades")
    totaled = np.bincount(cell, ~np.isnan(total), count)
    stage("heat")
    by_cell = np.argsort(cell, kind="stable")  # rows grouped by cell: every block below is summed in one pass
    shares_frame = standard_percent(results, rubrics)
    ids = [str(c) for c in shares_frame.columns]
    shares, _ = _sums([(by_cell, ids, shares_frame.to_numpy(dtype=float)[by_cell])], ids, cell, count)
    stage("weak")
    lost, losing = _sums(lost_parts(results, rubrics, by_cell), indicator_ids(rubrics), cell, count, LOSING)
    return Cube(cells, totaled, shares, lost, losing, cell, total, grade_scale(rubrics))


def _kpis(cells: pd.DataFrame, totaled: np.ndarray) -> Kpis:
    """Count, average total and each grade's count and share, from cells."""
    n = int(cells["count"].sum())
    counts = cells.groupby("grade", observed=True, sort=False)["count"].sum() if n else pd.Series(dtype=int)
    counts.index = counts.index.astype(str)
    grades = tuple(GradeCount(g, int(counts.get(g, 0)), float(counts.get(g, 0)) / n if n else 0.0) for g in grade_order(cells))
    return Kpis(n, float(cells["total"].sum() / totaled.sum()) if n else float("nan"), grades)


def _heatmap(c: Cube, chosen: np.ndarray, by: str | pd.Series, names: dict[str, str], other: str, limit: int,
             blank: str) -> pd.DataFrame:
    """Average share of points per standard (columns: standard names) per group (rows, largest first)."""
    cells = c.cells[chosen]
    found = group_keys(cells, by)
    if found is None or cells.empty:
        return pd.DataFrame()
    weights = cells["count"].to_numpy(dtype=float)
    keys = top_groups(found, limit, other, blank, weights)
    codes = keys.cat.codes.to_numpy()
    groups = len(keys.cat.categories)
    summed = [_bincounts(codes, m[chosen], groups) for m in (c.shares.total, c.shares.present)]
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(summed[0] / summed[1], index=pd.Index(keys.cat.categories, dtype=str), columns=c.shares.columns)
    sizes = pd.Series(np.bincount(codes, weights, groups), index=table.index)
    table = table.loc[sizes[sizes > 0].sort_values(ascending=False, kind="stable").index]
    return table.rename(columns=names)


def _weak(c: Cube, chosen: np.ndarray, rubrics: RubricSet) -> pd.DataFrame:
    if not chosen.any():
        return pd.DataFrame(columns=["indicator", "standard", "lost_total", "lost_mean", "share_losing"])
    return weak_table(rubrics, c.lost.columns, c.lost.total[chosen].sum(axis=0), c.lost.present[chosen].sum(axis=0),
                      c.losing[chosen].sum(axis=0))


def summarize(c: Cube, rubrics: RubricSet, filters: Filters, other: str = "…", blank: str = BLANK,
              system: str = "{parent}", progress: Progress | None = None) -> Overview:
    """One selection's overview, added up from the cube's cells."""
    stage = progress or (lambda _: None)
    stage("select")
    period = resolve_period(c.cells, filters.period)
    before = previous_period(c.cells, period)
    chosen = selection(c.cells, filters, period)
    cells = c.cells[chosen]
    stage("kpis")
    now = _kpis(cells, c.totaled[chosen])
    previous = None
    if before:
        earlier = selection(c.cells, filters, before)
        previous = _kpis(c.cells[earlier], c.totaled[earlier])
    stage("grades")
    weights = cells["count"].to_numpy(dtype=float)
    township = local_groups(cells, system)
    by_field = grade_mix(cells, FIELD, other, blank=blank, weights=weights)
    by_township = grade_mix(cells, township, other, LOCAL_LIMIT, blank, weights)
    bins = histogram(pd.Series(c.total[chosen[c.cell]]))
    cuts = thresholds(rubrics, list(cells["rubric"].astype(str).unique()))
    stage("heat")
    names = standard_names(rubrics)
    heat = (_heatmap(c, chosen, township, names, other, LOCAL_LIMIT, blank),
            _heatmap(c, chosen, FIELD, names, other, GROUP_LIMIT, blank))
    stage("weak")
    return Overview(period, before, now, previous, by_field, by_township, bins, cuts, *heat, _weak(c, chosen, rubrics), c.scale)


def overview(results: Results, rubrics: RubricSet, filters: Filters, other: str = "…", blank: str = BLANK,
             system: str = "{parent}", progress: Progress | None = None) -> Overview:
    """KPIs against the previous period, grade mixes, score distribution, heat maps and weak points."""
    return summarize(cube(results, rubrics, progress), rubrics, filters, other, blank, system)
