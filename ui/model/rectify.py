"""The rectification page's frames: branches to rectify, warning colours, persistent cases and the notice list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.explain import reason_table, render
from scoring.export import headers_in, lagging_mask, lagging_view, named
from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME
from scoring.rubricset import RubricSet
from ui.model.select import flag_text, previous_period, resolve_period, selection, take
from ui.model.view import Filters
from ui.model.yoy import comparison

NUMBER = ("序号", "No.")


def watch_mask(results: Results, rubrics: RubricSet) -> np.ndarray:
    """Rows to rectify: the lowest grade or any flag raised (the core's definition, shared with the export)."""
    return lagging_mask(results, rubrics)


def reason_summary(results: Results, rubrics: RubricSet, lost: int = 3, lang: str = "zh") -> pd.Series:
    """Per row, the rules that decided its grade and its `lost` biggest losses, joined into one text in `lang`."""
    if not len(results):
        return pd.Series(dtype=object)
    table = reason_table(results, rubrics, lang)
    rules = table[table["kind"] == "rule"]
    losses = table[table["kind"] == "lost"].sort_values(["row", "points"], ascending=[True, False], kind="stable")
    picked = pd.concat([rules, losses.groupby("row", sort=False).head(lost)])
    text = picked.groupby("row", sort=False)["text"].agg(render("join", lang).join)
    return text.reindex(results.branches.index).fillna("")


def watch_list(results: Results, rubrics: RubricSet, persistent: pd.DataFrame | None = None,
               limit: int | None = None, lang: str = "zh") -> pd.DataFrame:
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
    out["flags"] = flag_text(rows, b.index, lang)
    out["reasons"] = reason_summary(rows, rubrics, lang=lang)
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



@dataclass(frozen=True)
class Rectification:
    """Branches to rectify (the first `shown` of `count`), warning colour counts and persistent cases."""

    watch: pd.DataFrame
    count: int
    selected: int
    alerts: dict[str, int]
    persistent: pd.DataFrame
    previous_period: str | None


def persistent_cases(results: Results, rubrics: RubricSet, filters: Filters, lang: str = "zh") -> tuple[pd.DataFrame, str | None]:
    """Selected branches whose problem persisted from the previous period (连续两期…), and that period."""
    b = results.branches
    period = resolve_period(b, filters.period)
    before = previous_period(b, period)
    if before is None or period is None:
        return pd.DataFrame(), before
    table = comparison(results, rubrics, before, period, replace(filters, grades=()), lang)
    table = table[table["flags"].astype(str) != ""]
    chosen = set(b.loc[selection(b, filters, period), BRANCH_ID].astype(str))
    keep = [str(code) in chosen for code in table[BRANCH_ID]]
    return table[keep].reset_index(drop=True), before


def rectification(results: Results, rubrics: RubricSet, filters: Filters, limit: int | None = 500, lang: str = "zh") -> Rectification:
    """The rectification list of the selection, with persistence against the previous period (texts in `lang`)."""
    chosen = take(results, selection(results.branches, filters))
    persistent, before = persistent_cases(results, rubrics, filters, lang)
    watch = watch_list(chosen, rubrics, persistent, limit, lang)
    count = int(watch_mask(chosen, rubrics).sum())
    return Rectification(watch, count, len(chosen), alert_counts(chosen.branches, alert_order(rubrics)), persistent, before)


def notice_list(results: Results, rubrics: RubricSet, filters: Filters, persistent_header: str, lang: str = "zh",
                names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The whole rectification list of a selection, ready for public notice: numbered, reasons and persistence on every row
    (headers, texts and rubric names in `lang`, rubric names by `names`)."""
    chosen = take(results, selection(results.branches, filters))
    table = lagging_view(chosen, rubrics, lang=lang)
    persistent, _ = persistent_cases(results, rubrics, filters, lang)
    code = rubrics.columns[BRANCH_ID].label if BRANCH_ID in rubrics.columns else BRANCH_ID
    if not persistent.empty and code in table:
        again = persistent.drop_duplicates(BRANCH_ID).set_index(BRANCH_ID)["flags"].astype(str)
        table[persistent_header] = table[code].astype(str).map(again).fillna("")
    table.insert(0, NUMBER[lang == "en"], np.arange(1, len(table) + 1))
    return named(table, names or {}).rename(columns=headers_in(lang, names))
