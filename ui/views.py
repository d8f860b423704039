"""Pure pandas views for the pages: filtering, KPIs and aggregates, computed from Results (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.compare import compare_periods
from scoring.engine import Reading, rescale
from scoring.explain import indicator_table, reason_table, reasons
from scoring.export import lagging_mask, lagging_view
from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Rubric
from scoring.rubricset import RubricSet

if TYPE_CHECKING:  # the view types live with the session state; this module stays free of Streamlit
    from ui.state import Filters

GROUP_LIMIT = 25  # most groups one chart shows; the rest are summed into one bar
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


def _isin(branches: pd.DataFrame, column: str, chosen: Sequence[str]) -> np.ndarray:
    if not chosen or column not in branches:
        return np.ones(len(branches), dtype=bool)
    return branches[column].astype(str).isin(list(chosen)).to_numpy()


def filter_options(branches: pd.DataFrame, filters: Filters) -> Options:
    """Options for each filter; districts narrow townships, and both narrow parent organizations."""
    period = resolve_period(branches, filters.period)
    in_period = branches[PERIOD].astype(str).to_numpy() == period if PERIOD in branches else np.ones(len(branches), bool)
    mask = in_period & _isin(branches, FIELD, filters.fields)
    found: dict[str, tuple[str, ...]] = {}
    for attr, column in HIERARCHY:
        found[attr] = _values(branches, column, mask)
        mask = mask & _isin(branches, column, getattr(filters, attr))
    ordered = grade_order(branches.loc[in_period])
    return Options(periods(branches), _values(branches, FIELD, in_period), found["districts"], found["townships"],
                   found["parents"], ordered)


def selection(branches: pd.DataFrame, filters: Filters, period: str | None = None) -> np.ndarray:
    """Rows matching the filters in `period` (default: the filter's period)."""
    wanted = period if period is not None else resolve_period(branches, filters.period)
    mask = branches[PERIOD].astype(str).to_numpy() == wanted if PERIOD in branches else np.ones(len(branches), bool)
    mask = mask & _isin(branches, FIELD, filters.fields) & _isin(branches, "grade", filters.grades)
    for attr, column in HIERARCHY:
        mask = mask & _isin(branches, column, getattr(filters, attr))
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
    counts = branches["grade"].astype(str).value_counts() if n else pd.Series(dtype=int)
    grades = tuple(GradeCount(g, int(counts.get(g, 0)), float(counts.get(g, 0)) / n if n else 0.0) for g in grade_order(branches))
    return Kpis(n, float(branches["total"].mean()) if n else float("nan"), grades)


def share_of(k: Kpis, grade: str) -> float | None:
    """The share of one grade in a KPI set (None when absent)."""
    return next((g.share for g in k.grades if g.grade == grade), None)


def _top_groups(keys: pd.Series, limit: int, other: str, blank: str = BLANK) -> pd.Series:
    """Group labels (missing ones named `blank`) with all but the `limit` largest groups folded into `other`."""
    keys = keys.astype(object).where(keys.notna() & (keys.astype(str) != ""), blank).astype(str)
    sizes = keys.value_counts()
    if len(sizes) <= limit:
        return keys
    keep = set(sizes.index[: limit - 1])
    return keys.where(keys.isin(keep), other)


def grade_mix(branches: pd.DataFrame, by: str, other: str = "…", limit: int = GROUP_LIMIT, blank: str = BLANK) -> pd.DataFrame:
    """Counts of each grade per group (rows: groups, largest first, then blank and folded ones; columns: grades, best first)."""
    if by not in branches or branches.empty:
        return pd.DataFrame()
    keys = _top_groups(branches[by], limit, other, blank)
    table = pd.crosstab(keys, branches["grade"].astype(str))
    table = table.reindex(columns=[g for g in grade_order(branches) if g in table.columns], fill_value=0)
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    table = table.loc[order]
    last = [label for label in (blank, other) if label in table.index]  # e.g. county-level units have no 乡镇: not a group
    if last:
        table = pd.concat([table.drop(index=last), table.loc[last]])
    table.index.name = by
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


def _standard_maxima(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """Points available per row and standard (from each row's rubric)."""
    rubric_of = results.branches["rubric"].astype(str)
    table = {rid: {s.id: s.points for s in rubrics.get(rid).standards} for rid in rubric_of.unique()}
    frame = pd.DataFrame.from_dict(table, orient="index").reindex(columns=results.standards.columns)
    return frame.reindex(rubric_of.to_numpy()).set_axis(results.standards.index)


def standard_percent(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """Each row's points per standard as a share of that standard's points (columns: standard ids)."""
    if not len(results):
        return pd.DataFrame(columns=results.standards.columns, dtype=float)
    return results.standards.astype(float) / _standard_maxima(results, rubrics)


def heatmap(results: Results, rubrics: RubricSet, by: str, other: str = "…", limit: int = GROUP_LIMIT,
            blank: str = BLANK) -> pd.DataFrame:
    """Average share of points per standard (columns: standard names) per group (rows, largest first)."""
    if by not in results.branches or not len(results):
        return pd.DataFrame()
    shares = standard_percent(results, rubrics)
    keys = _top_groups(results.branches[by], limit, other, blank)
    table = shares.groupby(keys.to_numpy()).mean()
    order = keys.value_counts().index
    table = table.reindex([k for k in order if k in table.index])
    return table.rename(columns=standard_names(rubrics))


def _indicator_maxima(inputs: pd.DataFrame, na: pd.DataFrame, rubric: Rubric) -> dict[str, np.ndarray]:
    """Effective maximum per standard indicator for rows of one rubric (NaN when not applicable)."""
    out: dict[str, np.ndarray] = {}
    read = Reading(rubric, inputs, na)
    for std in rubric.standards:
        excluded, _, factor = rescale(std, read)
        for ind, gone in zip(std.indicators, excluded, strict=True):
            out[ind.id] = np.where(gone, np.nan, ind.points * factor)
    return out


def lost_points(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """Points lost per row and standard indicator (NaN where it does not apply)."""
    codes, used = pd.factorize(results.branches["rubric"].astype(str))
    ids = list(dict.fromkeys(i.id for r in rubrics.concrete for s in r.standards for i in s.indicators))
    position = {iid: k for k, iid in enumerate(ids)}
    lost = np.full((len(codes), len(ids)), np.nan, order="F")  # column-major: each indicator is written at once
    earned = results.indicators
    for k, rid in enumerate(used):
        rows: slice | np.ndarray = slice(None) if len(used) == 1 else np.flatnonzero(codes == k)
        na = results.not_applicable.iloc[rows]
        for iid, maximum in _indicator_maxima(results.inputs.iloc[rows], na, rubrics.get(str(rid))).items():
            got = earned[iid].to_numpy(dtype=float)[rows] if iid in earned else np.zeros(len(maximum))
            lost[rows, position[iid]] = np.clip(maximum - np.nan_to_num(got), 0, None)
    return pd.DataFrame(lost, index=results.branches.index, columns=ids)


def weak_points(results: Results, rubrics: RubricSet, top: int = 10) -> pd.DataFrame:
    """Indicators losing the most points across the selection: name, standard, points lost, share of branches losing."""
    columns = ["indicator", "standard", "lost_total", "lost_mean", "share_losing"]
    if not len(results):
        return pd.DataFrame(columns=columns)
    lost = lost_points(results, rubrics)
    names = {i.id: (i.name, s.name) for r in rubrics.concrete for s in r.standards for i in s.indicators}
    applicable = lost.notna().sum()
    table = pd.DataFrame({
        "indicator": [names[c][0] for c in lost.columns],
        "standard": [names[c][1] for c in lost.columns],
        "lost_total": lost.sum().to_numpy(),
        "lost_mean": (lost.sum() / applicable.replace(0, np.nan)).to_numpy(),
        "share_losing": ((lost > 0.005).sum() / applicable.replace(0, np.nan)).to_numpy(),
    }, index=lost.columns)
    return table[table["lost_total"] > 0.005].sort_values("lost_total", ascending=False).head(top)


# ---- ranking -------------------------------------------------------------------------------------------------------

SORTS = ("total_desc", "total_asc", "group_rank", "name")


@dataclass(frozen=True)
class Ranking:
    """The ranking table to show, how many rows matched, and how to draw each standard column."""

    frame: pd.DataFrame
    matched: int
    standards: dict[str, tuple[str, float]]  # standard id → (name, the value of a full bar)
    as_share: bool  # standards shown as shares (mixed rubrics) rather than points


def flag_text(results: Results, index: pd.Index) -> pd.Series:
    """The flags raised per row, joined with 、 (only for the rows asked for)."""
    flags = results.flags.loc[index]
    names = flags.columns.to_numpy()
    return pd.Series(["、".join(names[row]) for row in flags.to_numpy(dtype=bool)], index=index, dtype=object)


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


def ranking(results: Results, rubrics: RubricSet, query: str = "", sort: str = "total_desc", limit: int | None = 500) -> Ranking:
    """Ranked rows with per-standard points, grade and flags; at most `limit` rows are returned."""
    b = results.branches
    rows = b[search(b, query)]
    if sort == "total_asc":
        rows = rows.sort_values(["total", BRANCH_ID], ascending=[True, True], kind="stable")
    elif sort == "group_rank" and "parent" in rows:
        rows = rows.sort_values(["parent", "rank", BRANCH_ID], kind="stable")
    elif sort == "name":
        rows = rows.sort_values([NAME, BRANCH_ID], kind="stable")
    else:
        rows = rows.sort_values(["total", BRANCH_ID], ascending=[False, True], kind="stable")
    shown = rows if limit is None else rows.head(limit)
    keep = [c for c in (BRANCH_ID, NAME, FIELD, "township", "parent", "rank", "group_size", "total", "grade", "alert") if c in b]
    frame = shown[keep].copy()
    used = list(dict.fromkeys(shown["rubric"].astype(str)))
    as_share = len(used) != 1
    names = standard_names(rubrics)
    if as_share:
        part = standard_percent(results.take(shown.index), rubrics) * 100
        standards = {sid: (names.get(sid, sid), 100.0) for sid in part.columns}
    else:
        part = results.standards.loc[shown.index]
        standards = {s.id: (s.name, s.points) for s in rubrics.get(used[0]).standards} if used else {}
    for sid in standards:
        frame[f"std:{sid}"] = part[sid].to_numpy(dtype=float) if sid in part else np.nan
    frame["flags"] = flag_text(results, shown.index)
    return Ranking(frame, len(rows), standards, as_share)


# ---- one branch ----------------------------------------------------------------------------------------------------


def branch_choices(branches: pd.DataFrame, query: str = "", limit: int = 300) -> dict[str, str]:
    """Branch code → "name（code）" for the branches matching a search, best totals first."""
    rows = branches[search(branches, query)].sort_values(["total", BRANCH_ID], ascending=[False, True], kind="stable")
    rows = rows.drop_duplicates(BRANCH_ID).head(limit)
    return dict(zip(rows[BRANCH_ID].astype(str), rows[NAME].astype(str) + "（" + rows[BRANCH_ID].astype(str) + "）", strict=True))


def branch_label(branches: pd.DataFrame, branch_id: str | None, period: str | None) -> Hashable | None:
    """The row of a branch in a period (else its latest row), or None."""
    if branch_id is None or BRANCH_ID not in branches:
        return None
    rows = branches[branches[BRANCH_ID].astype(str) == branch_id]
    if rows.empty:
        return None
    same = rows[rows[PERIOD].astype(str) == period] if PERIOD in rows else rows
    pick = same if len(same) else rows.sort_values(PERIOD, kind="stable")
    return pick.index[-1]


def radar(results: Results, rubrics: RubricSet, label: Hashable) -> pd.DataFrame:
    """Share of points per standard for a branch, its rank group's average and the top grade's average."""
    b = results.branches
    row = b.loc[[label]].iloc[0]
    peers = (b["rubric"] == row["rubric"]) & (b[PERIOD] == row[PERIOD]) if PERIOD in b else b["rubric"] == row["rubric"]
    rubric = rubrics.get(str(row["rubric"]))
    group_col = rubric.grading.rank_by
    group = peers & (b[group_col] == row[group_col]) if group_col in b else peers
    best = peers & (b["level"] == 0)
    shares = standard_percent(results.take(b.index[peers.to_numpy()]), rubrics)
    ids = [s.id for s in rubric.standards]
    return pd.DataFrame({
        "standard": [s.name for s in rubric.standards],
        "branch": shares.loc[[label], ids].iloc[0].to_numpy(dtype=float),
        "group": shares.loc[group[peers].to_numpy(), ids].mean().to_numpy(dtype=float),
        "best": shares.loc[best[peers].to_numpy(), ids].mean().to_numpy(dtype=float),
    })


def history(branches: pd.DataFrame, branch_id: str) -> pd.DataFrame:
    """One row per period for a branch: total, grade, rank and warning level."""
    rows = branches[branches[BRANCH_ID].astype(str) == branch_id]
    keep = [c for c in (PERIOD, "total", "grade", "rank", "group_size", "alert") if c in rows]
    return rows.sort_values(PERIOD, kind="stable")[keep].reset_index(drop=True)


# ---- year over year ------------------------------------------------------------------------------------------------


def comparison(results: Results, rubrics: RubricSet, before: str, after: str, filters: Filters) -> pd.DataFrame:
    """Per branch in either period and matching the filters (except period): totals, grades, change and move."""
    table = compare_periods(results, rubrics, before, after)
    mask = _isin(table, FIELD, filters.fields)
    for attr, column in HIERARCHY:
        mask = mask & _isin(table, column, getattr(filters, attr))
    if filters.grades:
        grade = table["grade_after"].fillna(table["grade_before"]).astype(str)
        mask = mask & grade.isin(list(filters.grades)).to_numpy()
    return table[mask].reset_index(drop=True)


def grade_flows(table: pd.DataFrame, new: str, gone: str) -> pd.DataFrame:
    """Counts of branches per (grade before, grade after); missing sides are labelled `new` / `gone`."""
    if table.empty:
        return pd.DataFrame(columns=["source", "target", "count"])
    source = table["grade_before"].astype(object).where(table["grade_before"].notna(), new).astype(str)
    target = table["grade_after"].astype(object).where(table["grade_after"].notna(), gone).astype(str)
    flows = pd.DataFrame({"source": source, "target": target}).value_counts().rename("count").reset_index()
    return flows.sort_values(["source", "target"], kind="stable").reset_index(drop=True)


def moves_by_group(table: pd.DataFrame, by: str, moves: Sequence[str], other: str = "…",
                   limit: int = GROUP_LIMIT, blank: str = BLANK) -> pd.DataFrame:
    """Counts of each move (晋位/持平/降级 …) per group, largest groups first."""
    if by not in table or table.empty:
        return pd.DataFrame()
    keys = _top_groups(table[by], limit, other, blank)
    counts = pd.crosstab(keys, table["move"].astype(str)).reindex(columns=list(moves), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    counts.index.name = by
    return counts


def moved(table: pd.DataFrame, move: str) -> pd.DataFrame:
    """Branches with one move, largest changes first."""
    rows = table[table["move"] == move]
    ascending = move not in ("晋位",)
    return rows.sort_values("change", ascending=ascending, kind="stable").reset_index(drop=True)


def flagged_twice(table: pd.DataFrame, label: str) -> pd.DataFrame:
    """Branches carrying a persistent flag (e.g. 连续两期后进), lowest totals first."""
    rows = table[table["flags"].astype(str).str.contains(label, regex=False)]
    return rows.sort_values("total_after", kind="stable").reset_index(drop=True)


# ---- rectification -------------------------------------------------------------------------------------------------

def watch_mask(results: Results, rubrics: RubricSet) -> np.ndarray:
    """Rows to rectify: the lowest grade or any flag raised (the core's definition, shared with the export)."""
    return lagging_mask(results, rubrics)


def reason_summary(results: Results, rubrics: RubricSet, lost: int = 3) -> pd.Series:
    """Per row, the rules that decided its grade and its `lost` biggest losses, joined into one text."""
    if not len(results):
        return pd.Series(dtype=object)
    table = reason_table(results, rubrics)
    rules = table[table["kind"] == "rule"]
    losses = table[table["kind"] == "lost"].sort_values(["row", "points"], ascending=[True, False], kind="stable")
    picked = pd.concat([rules, losses.groupby("row", sort=False).head(lost)])
    text = picked.groupby("row", sort=False)["text"].agg("；".join)
    return text.reindex(results.branches.index).fillna("")


def watch_list(results: Results, rubrics: RubricSet, persistent: pd.DataFrame | None = None,
               limit: int | None = None) -> pd.DataFrame:
    """Branches to rectify, lowest totals first, with warning level, flags, reasons and persistent problems.

    Reasons are worked out only for the first `limit` rows (the rest of a long list is for download).
    """
    watch = results.branches.index[watch_mask(results, rubrics)]
    b = results.branches.loc[watch].sort_values(["total", BRANCH_ID], kind="stable")
    if limit is not None:
        b = b.head(limit)
    rows = results.take(b.index)
    keep = [c for c in (BRANCH_ID, NAME, FIELD, "township", "parent", "total", "grade", "alert") if c in b]
    out = b[keep].copy()
    out["flags"] = flag_text(rows, b.index)
    out["reasons"] = reason_summary(rows, rubrics)
    if persistent is not None and not persistent.empty:
        again = persistent.drop_duplicates(BRANCH_ID).set_index(BRANCH_ID)["flags"].astype(str)
        out["persistent"] = out[BRANCH_ID].astype(str).map(again).fillna("")
    else:
        out["persistent"] = ""
    return out.reset_index(drop=True)


def alert_counts(branches: pd.DataFrame, order: Sequence[str]) -> dict[str, int]:
    """How many rows carry each warning colour, in the rubric's order."""
    counts = branches["alert"].astype(str).value_counts() if "alert" in branches else pd.Series(dtype=int)
    return {name: int(counts.get(name, 0)) for name in order}


def alert_order(rubrics: RubricSet) -> tuple[str, ...]:
    """Warning colours from best to worst as the rubrics define them."""
    names: list[str] = []
    for rubric in rubrics.concrete:
        if rubric.grading.alerts:
            names += [lvl.name for lvl in rubric.grading.alerts.levels]
    return tuple(dict.fromkeys(names))


# ---- page bundles (what one page needs, computed in one call so the UI can cache it) ---------------------------------


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


def overview(results: Results, rubrics: RubricSet, filters: Filters, other: str = "…", blank: str = BLANK) -> Overview:
    """KPIs against the previous period, grade mixes, score distribution, heat maps and weak points."""
    b = results.branches
    period = resolve_period(b, filters.period)
    before = previous_period(b, period)
    chosen = take(results, selection(b, filters, period), light=True)
    previous = kpis(b[selection(b, filters, before)]) if before else None
    township = "township" if "township" in b else "parent"
    return Overview(
        period, before, kpis(chosen.branches), previous,
        grade_mix(chosen.branches, FIELD, other, blank=blank), grade_mix(chosen.branches, township, other, blank=blank),
        histogram(chosen.branches["total"]), thresholds(rubrics, list(chosen.branches["rubric"].astype(str).unique())),
        heatmap(chosen, rubrics, township, other, blank=blank), heatmap(chosen, rubrics, FIELD, other, blank=blank),
        weak_points(chosen, rubrics),
    )


@dataclass(frozen=True)
class YearOverYear:
    """Everything the year-over-year page shows for two periods."""

    table: pd.DataFrame
    flows: pd.DataFrame
    by_township: pd.DataFrame
    changes: pd.DataFrame
    counts: dict[str, int]


MOVES = ("晋位", "持平", "降级", "新参评", "未参评")


def year_over_year(results: Results, rubrics: RubricSet, before: str, after: str, filters: Filters,
                   new: str, gone: str, other: str = "…", blank: str = BLANK) -> YearOverYear:
    """Comparison table, grade flows, moves per township, change distribution and move counts."""
    table = comparison(results, rubrics, before, after, filters)
    by = "township" if "township" in table else "parent"
    counts = table["move"].value_counts()
    return YearOverYear(
        table, grade_flows(table, new, gone), moves_by_group(table, by, MOVES[:3], other, blank=blank),
        histogram(table["change"], bins=30), {m: int(counts.get(m, 0)) for m in MOVES},
    )


@dataclass(frozen=True)
class Rectification:
    """Branches to rectify (the first `shown` of `count`), warning colour counts and persistent cases."""

    watch: pd.DataFrame
    count: int
    selected: int
    alerts: dict[str, int]
    persistent: pd.DataFrame
    previous_period: str | None


def persistent_cases(results: Results, rubrics: RubricSet, filters: Filters) -> tuple[pd.DataFrame, str | None]:
    """Selected branches whose problem persisted from the previous period (连续两期…), and that period."""
    b = results.branches
    period = resolve_period(b, filters.period)
    before = previous_period(b, period)
    if before is None or period is None:
        return pd.DataFrame(), before
    table = comparison(results, rubrics, before, period, replace(filters, grades=()))
    table = table[table["flags"].astype(str) != ""]
    chosen = set(b.loc[selection(b, filters, period), BRANCH_ID].astype(str))
    keep = [str(code) in chosen for code in table[BRANCH_ID]]
    return table[keep].reset_index(drop=True), before


def rectification(results: Results, rubrics: RubricSet, filters: Filters, limit: int | None = 500) -> Rectification:
    """The rectification list of the selection, with persistence against the previous period."""
    chosen = take(results, selection(results.branches, filters))
    persistent, before = persistent_cases(results, rubrics, filters)
    watch = watch_list(chosen, rubrics, persistent, limit)
    count = int(watch_mask(chosen, rubrics).sum())
    return Rectification(watch, count, len(chosen), alert_counts(chosen.branches, alert_order(rubrics)), persistent, before)


@dataclass(frozen=True)
class BranchDetail:
    """Everything the branch page shows for one branch in one period."""

    facts: dict[str, object]
    radar: pd.DataFrame
    indicators: pd.DataFrame
    reasons: list[str]
    history: pd.DataFrame
    best_grade: str
    flags: str


def branch_detail(results: Results, rubrics: RubricSet, branch_id: str, period: str | None) -> BranchDetail | None:
    """The branch's row (in `period`, else its latest), standards radar, indicator table, reasons and history."""
    label = branch_label(results.branches, branch_id, period)
    if label is None:
        return None
    row = results.branches.loc[[label]].iloc[0]
    facts = {c: row[c] for c in (*IDENTITY, "total", "max_total", "grade", "rank", "group_size", "alert") if c in row.index}
    rubric = rubrics.get(str(row["rubric"]))
    return BranchDetail(
        facts, radar(results, rubrics, label), indicator_table(results, rubrics, label), reasons(results, rubrics, label),
        history(results.branches, branch_id), rubric.grade_names()[0], str(flag_text(results, pd.Index([label])).iloc[0]),
    )


def notice_list(results: Results, rubrics: RubricSet, filters: Filters, persistent_header: str) -> pd.DataFrame:
    """The whole rectification list of a selection, ready for public notice: numbered, reasons and persistence on every row."""
    chosen = take(results, selection(results.branches, filters))
    table = lagging_view(chosen, rubrics)
    persistent, _ = persistent_cases(results, rubrics, filters)
    code = rubrics.columns[BRANCH_ID].label if BRANCH_ID in rubrics.columns else BRANCH_ID
    if not persistent.empty and code in table:
        again = persistent.drop_duplicates(BRANCH_ID).set_index(BRANCH_ID)["flags"].astype(str)
        table[persistent_header] = table[code].astype(str).map(again).fillna("")
    table.insert(0, "序号", np.arange(1, len(table) + 1))
    return table


def rubric_problems(problems: Sequence[object]) -> pd.DataFrame:
    """Rubric problems as a table: file, line, column, code, message."""
    keys = ("file", "line", "column", "code", "message")
    return pd.DataFrame([{k: getattr(p, k) for k in keys} for p in problems], columns=list(keys))


def labelled(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The same table with translated headers (for downloads and printouts)."""
    return frame.rename(columns=headers)
