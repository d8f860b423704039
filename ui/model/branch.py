"""The branch page's frames: the branch's facts, standards radar, indicator table, reasons and history."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.explain import indicator_table, reasons
from scoring.results import Results
from scoring.rubric import BRANCH_ID, NAME, PERIOD, Rubric
from scoring.rubricset import RubricSet
from ui.model.select import IDENTITY, flag_text, search, standard_shares


def branch_choices(branches: pd.DataFrame, query: str = "", limit: int = 300) -> dict[str, str]:
    """Branch code → "name（code）" for the branches matching a search, best totals first (each branch once, at its best)."""
    rows = _leading(branches.loc[search(branches, query), [BRANCH_ID, NAME, "total"]], limit)
    rows = rows.sort_values(["total", BRANCH_ID], ascending=[False, True], kind="stable")
    rows = rows.drop_duplicates(BRANCH_ID).head(limit)
    return dict(zip(rows[BRANCH_ID].astype(str), rows[NAME].astype(str) + "（" + rows[BRANCH_ID].astype(str) + "）", strict=True))


def _leading(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The rows that can be among the first `limit` branches by total: the best rows holding `limit` distinct codes and
    every row totalling as much as the last of them (the others total less, so they cannot come first)."""
    total = rows["total"].to_numpy(dtype=float)
    order = np.argsort(-total, kind="stable")  # missing totals last
    size = max(limit, 1)
    while size < len(rows) and len(rows[BRANCH_ID].iloc[order[:size]].unique()) < limit:
        size *= 2
    if size >= len(rows) or np.isnan(bound := total[order[size - 1]]):
        return rows
    return rows[total >= bound]


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
    mine = peers.to_numpy(dtype=bool)  # only the peers' standards: taking every frame of 125,000 rows costs 0.3 s
    shares = standard_shares(results.standards[mine], b["rubric"][mine], rubrics)
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


def with_deductions(table: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """The indicator table with penalty items as deductions (扣分, out of their cap in 满分) instead of points earned."""
    out = table.copy()
    penalties = {ind.name for ind in rubric.penalty.indicators} if rubric.penalty else set()
    standards = {std.name for std in rubric.standards}
    is_penalty = out["指标"].isin(penalties) & ~out["标准"].isin(standards)
    out.insert(list(out.columns).index("得分") + 1, "扣分", out["得分"].where(is_penalty))
    out["得分"] = out["得分"].mask(is_penalty)
    return out


def branch_detail(results: Results, rubrics: RubricSet, branch_id: str, period: str | None, lang: str = "zh") -> BranchDetail | None:
    """The branch's row (in `period`, else its latest), standards radar, indicator table, reasons and history (texts in `lang`)."""
    label = branch_label(results.branches, branch_id, period)
    if label is None:
        return None
    row = results.branches.loc[[label]].iloc[0]
    facts = {c: row[c] for c in (*IDENTITY, "total", "max_total", "grade", "rank", "group_size", "alert") if c in row.index}
    rubric = rubrics.get(str(row["rubric"]))
    table = with_deductions(indicator_table(results, rubrics, label, lang), rubric)
    return BranchDetail(
        facts, radar(results, rubrics, label), table, reasons(results, rubrics, label, lang),
        history(results.branches, branch_id), rubric.grade_names()[0], str(flag_text(results, pd.Index([label]), lang).iloc[0]),
    )
