"""The ranking page's table: search, sort and the standards of each branch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME
from scoring.rubricset import RubricSet
from ui.model.select import flag_text, search, standard_names, standard_percent

SORTS = ("total_desc", "total_asc", "group_rank", "name")


@dataclass(frozen=True)
class Ranking:
    """The ranking table to show, how many rows matched, and how to draw each standard column."""

    frame: pd.DataFrame
    matched: int
    standards: dict[str, tuple[str, float]]  # standard id → (name, the value of a full bar)
    as_share: bool  # standards shown as shares (mixed rubrics) rather than points



def ranking(results: Results, rubrics: RubricSet, query: str = "", sort: str = "total_desc", limit: int | None = 500,
            lang: str = "zh") -> Ranking:
    """Ranked rows with per-standard points, grade and flags; at most `limit` rows are returned."""
    b = results.branches
    rows = b[search(b, query)] if query.strip() else b
    matched = len(rows)
    if sort == "group_rank" and "parent" in rows:
        rows = rows.sort_values(["parent", "rank", BRANCH_ID], kind="stable")
    elif sort == "name":
        rows = rows.sort_values([NAME, BRANCH_ID], kind="stable")
    else:
        ascending = sort == "total_asc"
        rows = _by_total(rows, limit, ascending).sort_values(["total", BRANCH_ID], ascending=[ascending, True], kind="stable")
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
    frame["flags"] = flag_text(results, shown.index, lang)
    return Ranking(frame, matched, standards, as_share)


def _by_total(rows: pd.DataFrame, limit: int | None, ascending: bool) -> pd.DataFrame:
    """The rows that can reach the first `limit` places by total (ties at the edge included), so a million rows are
    not fully sorted by total and code to show 500 of them."""
    totals = rows["total"].to_numpy(dtype=float)
    if limit is None or limit >= len(rows) or np.isnan(totals).any():
        return rows
    edge = np.partition(totals, limit - 1)[limit - 1] if ascending else -np.partition(-totals, limit - 1)[limit - 1]
    return rows[totals <= edge] if ascending else rows[totals >= edge]


