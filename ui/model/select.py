"""Shared view-model pieces: the filtered selection, KPIs, grade mixes, heat maps and lost points (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring import compare
from scoring.engine import scale
from scoring.errors import RubricProblem
from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Rubric
from scoring.rubricset import RubricSet
from ui.model.view import Filters

GROUP_LIMIT = 25  # most groups one chart shows; the rest are summed into one bar
LOCAL_LIMIT = 40  # townships and sector committees: more, smaller groups (a large "other" bar would squash the chart)
BLANK = "—"  # the group of rows with no value (e.g. city-level units without a township)
HIERARCHY = (("districts", "district"), ("townships", "township"), ("parents", "parent"))
IDENTITY = (BRANCH_ID, NAME, FIELD, PERIOD, "district", "township", "parent")


@dataclass(frozen=True)
class Options:
    """The choices each shared filter offers, given the choices above it."""

    periods: tuple[str, ...]
    fields: tuple[str, ...]
    districts: tuple[str, ...]
    townships: tuple[str, ...]
    parents: tuple[str, ...]
    grades: tuple[str, ...]


@dataclass(frozen=True)
class GradeCount:
    """How many selected branches hold one grade, and their share."""

    grade: str
    count: int
    share: float


@dataclass(frozen=True)
class Kpis:
    """Headline figures of a selection."""

    count: int
    average: float
    grades: tuple[GradeCount, ...]


def periods(branches: pd.DataFrame) -> tuple[str, ...]:
    """Periods present, oldest first."""
    if PERIOD not in branches or branches.empty:
        return ()
    return tuple(sorted(branches[PERIOD].dropna().astype(str).unique()))


def resolve_period(branches: pd.DataFrame, period: str | None) -> str | None:
    """The period a filter means: the one asked for when present, else the latest."""
    known = periods(branches)
    if period in known:
        return period
    return known[-1] if known else None


def previous_period(branches: pd.DataFrame, period: str | None) -> str | None:
    """The period just before `period` in the data, if any."""
    return previous_period_of(periods(branches), period)


def previous_period_of(known: Sequence[str], period: str | None) -> str | None:
    """The period just before `period` in a sorted list, if any."""
    if period is None or period not in known:
        return None
    at = list(known).index(period)
    return known[at - 1] if at > 0 else None


def _values(branches: pd.DataFrame, column: str, mask: np.ndarray | None = None) -> tuple[str, ...]:
    if column not in branches:
        return ()
    series = branches[column] if mask is None else branches[column][mask]
    return tuple(sorted(str(v) for v in series.dropna().unique() if str(v) != ""))


def grade_order(branches: pd.DataFrame) -> tuple[str, ...]:
    """Grade names present, best first (by level, then name)."""
    if branches.empty:
        return ()
    best = branches.groupby("grade", sort=False)["level"].min()
    return tuple(best.sort_values(kind="stable").index.astype(str))


def isin(branches: pd.DataFrame, column: str, chosen: Sequence[str]) -> np.ndarray:
    if not chosen or column not in branches:
        return np.ones(len(branches), dtype=bool)
    return branches[column].astype(str).isin(list(chosen)).to_numpy()


def in_period_mask(branches: pd.DataFrame, period: str | None) -> np.ndarray:
    """Rows of one period (every row when the data has no period column); compared without a Python string per row."""
    if PERIOD not in branches:
        return np.ones(len(branches), dtype=bool)
    return (branches[PERIOD].astype(str) == period).fillna(False).to_numpy(dtype=bool)


def filter_options(branches: pd.DataFrame, filters: Filters) -> Options:
    """Options for each filter; districts narrow townships, and both narrow parent organizations."""
    period = resolve_period(branches, filters.period)
    in_period = in_period_mask(branches, period)
    mask = in_period & isin(branches, FIELD, filters.fields)
    found: dict[str, tuple[str, ...]] = {}
    for attr, column in HIERARCHY:
        found[attr] = _values(branches, column, mask)
        mask = mask & isin(branches, column, getattr(filters, attr))
    ordered = grade_order(branches.loc[in_period])
    return Options(periods(branches), _values(branches, FIELD, in_period), found["districts"], found["townships"],
                   found["parents"], ordered)


def selection(branches: pd.DataFrame, filters: Filters, period: str | None = None) -> np.ndarray:
    """Rows matching the filters in `period` (default: the filter's period)."""
    wanted = period if period is not None else resolve_period(branches, filters.period)
    mask = in_period_mask(branches, wanted)
    mask = mask & isin(branches, FIELD, filters.fields) & isin(branches, "grade", filters.grades)
    for attr, column in HIERARCHY:
        mask = mask & isin(branches, column, getattr(filters, attr))
    return mask


def take(results: Results, mask: np.ndarray, light: bool = False) -> Results:
    """The results of the selected rows; `light` leaves out inputs, rules and flags (for aggregates that skip them)."""
    if mask.all() and not light:
        return replace(results, unscored=results.unscored.iloc[0:0])
    branches = results.branches[mask]
    empty = pd.DataFrame(index=branches.index)
    heavy = (empty, empty, empty) if light else (results.rules[mask], results.flags[mask], results.inputs[mask])
    return Results(branches, results.indicators[mask], results.standards[mask], heavy[0], heavy[1], heavy[2],
                   results.not_applicable[mask], results.unscored.iloc[0:0])


def kpis(branches: pd.DataFrame) -> Kpis:
    """Count, average total and each grade's count and share."""
    n = len(branches)
    counts = branches["grade"].value_counts() if n else pd.Series(dtype=int)  # by category codes, not strings
    counts.index = counts.index.astype(str)
    grades = tuple(GradeCount(g, int(counts.get(g, 0)), float(counts.get(g, 0)) / n if n else 0.0) for g in grade_order(branches))
    return Kpis(n, float(branches["total"].mean()) if n else float("nan"), grades)


def share_of(k: Kpis, grade: str) -> float | None:
    """The share of one grade in a KPI set (None when absent)."""
    return next((g.share for g in k.grades if g.grade == grade), None)


def top_groups(keys: pd.Series, limit: int, other: str, blank: str = BLANK, weights: np.ndarray | None = None) -> pd.Series:
    """Group labels (missing ones named `blank`) with all but the `limit` largest groups folded into `other`
    (sizes count rows, or add up `weights`: the rows each key stands for).

    Categorical, with categories in order of first appearance (as value_counts breaks ties), so a million rows are
    grouped by integer codes rather than by strings.
    """
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    names = [blank if str(u) == "" else str(u) for u in uniques]
    if (codes < 0).any():
        names.append(blank)  # code -1 (missing) picks the last name
    labels, label_of = np.unique(np.array(names, dtype=object), return_inverse=True)
    first = {int(label): k for k, label in reversed(list(enumerate(label_of)))}  # each label's first raw value
    order = sorted(first, key=first.__getitem__)
    position = np.empty(len(labels), dtype=np.int64)
    position[order] = np.arange(len(order))
    names_in_order = [str(labels[k]) for k in order]
    rows = position[label_of[codes]]
    sizes = pd.Series(np.bincount(rows, weights, minlength=len(order)), index=names_in_order).sort_values(ascending=False)
    if len(sizes) > limit:
        keep = set(sizes.index[: limit - 1])
        mapped = [n if n in keep else other for n in names_in_order]
        merged = list(dict.fromkeys(mapped))
        rows = np.array([merged.index(m) for m in mapped], dtype=np.int64)[rows]
        names_in_order = merged
    labelled = pd.Categorical.from_codes(rows, dtype=pd.CategoricalDtype(names_in_order))
    return pd.Series(labelled, index=keys.index, name=keys.name)


def local_groups(frame: pd.DataFrame, system: str = "{parent}") -> pd.Series | str:
    """Each row's township; rows without one (branches under a system or sector party committee such as 教育系统党委)
    are grouped by their parent organization, named by the `system` template, rather than lumped into one blank group."""
    if "township" not in frame or "parent" not in frame:
        return "township" if "township" in frame else "parent"
    township = frame["township"].astype(object)
    missing = township.isna() | (township.astype(str).str.strip() == "")
    parent = frame["parent"].astype(object)[missing]
    named = parent[parent.notna() & (parent.astype(str).str.strip() != "")]
    return township.where(~missing, named.astype(str).map(lambda name: system.format(parent=name)))


def group_keys(frame: pd.DataFrame, by: str | pd.Series) -> pd.Series | None:
    """The group of each row: a column of the frame, or keys already worked out (None when the column is absent)."""
    if isinstance(by, pd.Series):
        return by
    return frame.get(by)


def grade_mix(branches: pd.DataFrame, by: str | pd.Series, other: str = "…", limit: int = GROUP_LIMIT,
              blank: str = BLANK, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Counts of each grade per group (rows: groups, largest first, then blank and folded ones; columns: grades, best first);
    `weights`: the rows each row of `branches` stands for (a pre-aggregated cell)."""
    found = group_keys(branches, by)
    if found is None or branches.empty:
        return pd.DataFrame()
    keys = top_groups(found, limit, other, blank, weights)
    grade_codes, grades = pd.factorize(branches["grade"])
    groups = keys.cat.categories
    graded = grade_codes >= 0
    cells = keys.cat.codes.to_numpy()[graded] * len(grades) + grade_codes[graded]
    counts = np.bincount(cells, None if weights is None else weights[graded], minlength=len(groups) * len(grades))
    counts = counts.astype(np.int64)
    table = pd.DataFrame(counts.reshape(len(groups), len(grades)), index=pd.Index(groups, name=found.name, dtype=str),
                         columns=pd.Index(grades, name="grade", dtype=str)).sort_index()  # as crosstab orders them
    table = table.reindex(columns=[g for g in grade_order(branches) if g in table.columns], fill_value=0)
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    table = table.loc[order]
    last = [label for label in (blank, other) if label in table.index]  # e.g. county-level units have no 乡镇: not a group
    if last:
        table = pd.concat([table.drop(index=last), table.loc[last]])
    table.index.name = by if isinstance(by, str) else "group"
    return table


def histogram(values: pd.Series, bins: int = 40) -> pd.DataFrame:
    """Pre-binned counts (left, right, count) so charts never receive one point per branch."""
    data = values.dropna().to_numpy(dtype=float)
    if not len(data):
        return pd.DataFrame({"left": [], "right": [], "count": []})
    low, high = float(np.floor(data.min())), float(np.ceil(data.max()))
    if high <= low:
        high = low + 1
    counts, edges = np.histogram(data, bins=bins, range=(low, high))
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": counts})


def thresholds(rubrics: RubricSet, rubric_ids: Sequence[str]) -> pd.DataFrame:
    """Grade cut-offs (grade, min) of the rubrics in use, without the open-ended lowest band."""
    rows = []
    for rid in dict.fromkeys(rubric_ids):
        bands = rubrics.get(rid).grading.bands
        rows += [{"grade": b.name, "min": b.min} for b in bands[:-1]]
    return pd.DataFrame(rows, columns=["grade", "min"]).drop_duplicates().reset_index(drop=True)


def standard_names(rubrics: RubricSet) -> dict[str, str]:
    """Standard id → display name (the first rubric defining it wins)."""
    names: dict[str, str] = {}
    for rubric in rubrics.concrete:
        for std in rubric.standards:
            names.setdefault(std.id, std.name)
    return names


def _standard_maxima(columns: pd.Index, rubric_ids: pd.Series, rubrics: RubricSet) -> np.ndarray:
    """Points available per row and standard (from each row's rubric; NaN where its rubric has no such standard)."""
    codes, used = pd.factorize(rubric_ids.astype(str))
    at = {c: j for j, c in enumerate(columns)}
    table = np.full((len(used), len(columns)), np.nan)
    for k, rid in enumerate(used):
        for std in rubrics.get(str(rid)).standards:
            if std.id in at:
                table[k, at[std.id]] = std.points
    return table[codes]


def standard_shares(standards: pd.DataFrame, rubric_ids: pd.Series, rubrics: RubricSet) -> pd.DataFrame:
    """Points per standard as a share of that standard's points, for rows of the given rubrics (columns: standard ids)."""
    if not len(standards):
        return pd.DataFrame(columns=standards.columns, dtype=float)
    shares = standards.to_numpy(dtype=float) / _standard_maxima(standards.columns, rubric_ids, rubrics)
    return pd.DataFrame(shares, index=standards.index, columns=standards.columns, copy=False)


def standard_percent(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """Each row's points per standard as a share of that standard's points (columns: standard ids)."""
    return standard_shares(results.standards, results.branches["rubric"], rubrics)


def heatmap(results: Results, rubrics: RubricSet, by: str | pd.Series, other: str = "…", limit: int = GROUP_LIMIT,
            blank: str = BLANK) -> pd.DataFrame:
    """Average share of points per standard (columns: standard names) per group (rows, largest first)."""
    found = group_keys(results.branches, by)
    if found is None or not len(results):
        return pd.DataFrame()
    shares = standard_percent(results, rubrics)
    keys = top_groups(found, limit, other, blank)
    codes = keys.cat.codes.to_numpy()
    table = shares.groupby(codes).mean()  # by integer codes: a million rows are not hashed as strings
    table.index = pd.Index(keys.cat.categories[table.index], dtype=str)
    order = keys.value_counts().index
    table = table.reindex([k for k in order if k in table.index])
    return table.rename(columns=standard_names(rubrics))


Rows = slice | np.ndarray
RowsPart = tuple[Rows, list[str], np.ndarray]
"""Some rows (one rubric's), column ids, and the values on those rows (rows × columns; NaN: no value)."""


def indicator_ids(rubrics: RubricSet) -> list[str]:
    """Every standard indicator's id, once, in rubric order."""
    return list(dict.fromkeys(i.id for r in rubrics.concrete for s in r.standards for i in s.indicators))


def _lose(block: np.ndarray, rubric: Rubric) -> np.ndarray:
    """Turn one rubric's points earned (rows × its standard indicators, in rubric order) into points lost, in place.

    The engine records no points (NaN) exactly where an indicator is excluded and its standard rescaled, so each row's
    scale factor follows from the points earned through the engine's own `scale`: no input is read again. NaN stays NaN.
    """
    k = 0
    for std in rubric.standards:
        points = [float(i.points) for i in std.indicators]
        earned = block[:, k:k + len(points)]
        k += len(points)
        _, factor = scale(std, list(np.isnan(earned).T), len(block))
        np.subtract(np.asarray(points) * factor[:, None], earned, out=earned)
        np.clip(earned, 0, None, out=earned)
    return block


def lost_parts(results: Results, rubrics: RubricSet, order: np.ndarray | None = None) -> Iterator[RowsPart]:
    """Points lost per standard indicator, one rubric's rows at a time (never a row for every indicator of every rubric);
    `order`, a permutation of the rows, is the order each rubric's rows are given in (e.g. grouped for summing)."""
    codes, used = pd.factorize(results.branches["rubric"].astype(str))
    earned = results.indicators
    at = {iid: k for k, iid in enumerate(earned.columns)}
    earned_all = earned.to_numpy(dtype=float)  # one conversion (column-major, as the engine built it)
    ordered = np.arange(len(codes)) if order is None else order
    for k, rid in enumerate(used):
        rubric = rubrics.get(str(rid))
        ids = [i.id for s in rubric.standards for i in s.indicators]
        if len(used) == 1:  # one rubric: every row, no positions to gather
            rows: Rows = slice(None) if order is None else order
        else:
            rows = ordered[codes[ordered] == k]
        block = np.zeros((len(codes[rows]), len(ids)), order="F")  # column-major: each indicator is one contiguous column
        for c, iid in enumerate(ids):
            if iid in at:
                block[:, c] = earned_all[:, at[iid]][rows]
        yield rows, ids, _lose(block, rubric)


def lost_points(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """Points lost per row and standard indicator (NaN where it does not apply)."""
    ids = indicator_ids(rubrics)
    position = {iid: k for k, iid in enumerate(ids)}
    lost = np.full((len(results.branches), len(ids)), np.nan, order="F")  # column-major: each indicator is written at once
    for rows, columns, values in lost_parts(results, rubrics):
        for j, iid in enumerate(columns):
            lost[rows, position[iid]] = values[:, j]
    return pd.DataFrame(lost, index=results.branches.index, columns=ids, copy=False)  # pandas 3 copies by default


def weak_points(results: Results, rubrics: RubricSet, top: int = 10) -> pd.DataFrame:
    """Indicators losing the most points across the selection: name, standard, points lost, share of branches losing."""
    columns = ["indicator", "standard", "lost_total", "lost_mean", "share_losing"]
    if not len(results):
        return pd.DataFrame(columns=columns)
    lost = lost_points(results, rubrics)
    return weak_table(rubrics, lost.columns, lost.sum().to_numpy(), lost.notna().sum().to_numpy(),
                      (lost > LOSING).sum().to_numpy(), top)


LOSING = 0.005  # points lost below this are rounding, not a loss


def weak_table(rubrics: RubricSet, ids: Sequence[str] | pd.Index, lost: np.ndarray, applicable: np.ndarray, losing: np.ndarray,
               top: int = 10) -> pd.DataFrame:
    """The weak-points table from sums per indicator: points lost, rows where it applies, rows losing points."""
    names = {i.id: (i.name, s.name) for r in rubrics.concrete for s in r.standards for i in s.indicators}
    where = np.where(applicable > 0, applicable, np.nan)
    table = pd.DataFrame({
        "indicator": [names[c][0] for c in ids],
        "standard": [names[c][1] for c in ids],
        "lost_total": lost,
        "lost_mean": lost / where,
        "share_losing": losing / where,
    }, index=pd.Index(ids))
    return table[table["lost_total"] > LOSING].sort_values("lost_total", ascending=False).head(top)


def flag_text(results: Results, index: pd.Index, lang: str = "zh") -> pd.Series:
    """The flags raised per row, joined with 、 (", " in English; only for the rows asked for)."""
    flags = results.flags.loc[index]
    names = flags.columns.to_numpy()
    return pd.Series([compare.render("join", lang).join(names[row]) for row in flags.to_numpy(dtype=bool)], index=index, dtype=object)


def search(branches: pd.DataFrame, query: str) -> np.ndarray:
    """Rows whose name or code contains the query (case-insensitive, plain text)."""
    query = query.strip()
    if not query:
        return np.ones(len(branches), dtype=bool)
    hit = np.zeros(len(branches), dtype=bool)
    for column in (NAME, BRANCH_ID):
        if column in branches:
            hit |= branches[column].astype(str).str.contains(query, case=False, regex=False).to_numpy()
    return hit



def rubric_problems(problems: Sequence[RubricProblem], lang: str = "zh") -> pd.DataFrame:
    """Rubric problems as a table: file, line, column, code, message (in `lang`)."""
    rows = [{"file": p.file, "line": p.line, "column": p.column, "code": p.code, "message": p.text(lang)} for p in problems]
    return pd.DataFrame(rows, columns=["file", "line", "column", "code", "message"])


def labelled(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The same table with translated headers (for downloads and printouts)."""
    return frame.rename(columns=headers)


def first_rubric(rubrics: RubricSet, branches: pd.DataFrame, fallback_field: str = "农村") -> str:
    """The rubric to open with: that of the data's first row, else the one for `fallback_field`, else the first."""
    ids = [r.id for r in rubrics.concrete]
    if "rubric" in branches and len(branches) and str(branches["rubric"].iloc[0]) in ids:
        return str(branches["rubric"].iloc[0])
    return next((r.id for r in rubrics.concrete if fallback_field in r.fields), ids[0])
