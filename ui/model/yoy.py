"""The year-over-year page's frames: comparison of two periods, grade flows and moves per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from scoring.compare import compare_periods
from scoring.results import Results
from scoring.rubric import FIELD
from scoring.rubricset import RubricSet
from ui.model.select import BLANK, GROUP_LIMIT, HIERARCHY, LOCAL_LIMIT, group_keys, histogram, isin, local_groups, top_groups
from ui.model.view import Filters


def comparison(results: Results, rubrics: RubricSet, before: str, after: str, filters: Filters, lang: str = "zh") -> pd.DataFrame:
    """Per branch in either period and matching the filters (except period): totals, grades, change and move."""
    table = compare_periods(results, rubrics, before, after, lang)
    mask = isin(table, FIELD, filters.fields)
    for attr, column in HIERARCHY:
        mask = mask & isin(table, column, getattr(filters, attr))
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


def moves_by_group(table: pd.DataFrame, by: str | pd.Series, moves: Sequence[str], other: str = "…",
                   limit: int = GROUP_LIMIT, blank: str = BLANK) -> pd.DataFrame:
    """Counts of each move (晋位/持平/降级 …) per group, largest groups first."""
    found = group_keys(table, by)
    if found is None or table.empty:
        return pd.DataFrame()
    keys = top_groups(found, limit, other, blank)
    counts = pd.crosstab(keys, table["move"].astype(str)).reindex(columns=list(moves), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    counts.index.name = by if isinstance(by, str) else "group"
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
                   new: str, gone: str, other: str = "…", blank: str = BLANK, system: str = "{parent}", lang: str = "zh") -> YearOverYear:
    """Comparison table, grade flows, moves per township, change distribution and move counts."""
    table = comparison(results, rubrics, before, after, filters, lang)
    by = local_groups(table, system)
    counts = table["move"].value_counts()
    return YearOverYear(
        table, grade_flows(table, new, gone), moves_by_group(table, by, MOVES[:3], other, LOCAL_LIMIT, blank),
        histogram(table["change"], bins=30), {m: int(counts.get(m, 0)) for m in MOVES},
    )
