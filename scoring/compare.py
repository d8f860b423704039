"""Compare two periods per branch: score change, grade move (晋位/持平/降级) and persistent problems."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.results import Results
from scoring.rubric import BRANCH_ID, PERIOD
from scoring.rubricset import RubricSet

UP, SAME, DOWN, NEW, GONE = "晋位", "持平", "降级", "新参评", "未参评"
# The persistent-problem labels, in the reader's language (moves stay keys: the UI names them from the rubric names).
TEMPLATES: dict[str, dict[str, str]] = {
    "lagging-twice": {"zh": "连续两期后进", "en": "lagging in both periods"},
    "flag-twice": {"zh": "两期均为“{flag}”", "en": "“{flag}” in both periods"},
    "join": {"zh": "、", "en": ", "},
}
LAGGING_TWICE = TEMPLATES["lagging-twice"]["zh"]


def render(code: str, lang: str = "zh", **fields: str) -> str:
    """One label from its template, in Chinese or English."""
    return TEMPLATES[code]["en" if lang == "en" else "zh"].format(**fields)
_KEEP = ("name", "field", "district", "township", "parent")


def periods(results: Results) -> list[str]:
    """The periods present, oldest first."""
    if PERIOD not in results.branches:
        return []
    return sorted(str(p) for p in results.branches[PERIOD].dropna().unique())


def compare_periods(results: Results, rubrics: RubricSet, before: str, after: str, lang: str = "zh") -> pd.DataFrame:
    """One row per branch seen in either period: totals, grades, change, move and flags that persisted (in `lang`)."""
    b = results.branches
    periods_col = b[PERIOD].astype(str)
    lowest = {r.id: len(r.grading.bands) - 1 for r in rubrics.concrete}
    sides = {}
    for tag, period in (("before", before), ("after", after)):
        rows = b.index[periods_col == period]
        side = b.loc[rows, [BRANCH_ID, *[c for c in _KEEP if c in b], "total", "grade", "level", "rubric"]].copy()
        side["lagging"] = side["level"].to_numpy() == side["rubric"].map(lowest).to_numpy()
        for flag in results.flags.columns:
            side[f"flag:{flag}"] = results.flags.loc[rows, flag].to_numpy(dtype=bool)
        sides[tag] = side.drop_duplicates(BRANCH_ID).set_index(BRANCH_ID)
    before_side, after_side = (sides[t].add_suffix(f"_{t}") for t in ("before", "after"))
    joined = before_side.merge(after_side, how="outer", left_index=True, right_index=True)
    out = pd.DataFrame(index=joined.index)
    for column in _KEEP:
        if f"{column}_after" in joined:
            out[column] = joined[f"{column}_after"].fillna(joined[f"{column}_before"])
    for column in ("total", "grade"):
        out[f"{column}_before"] = joined[f"{column}_before"]
        out[f"{column}_after"] = joined[f"{column}_after"]
    out["change"] = joined["total_after"] - joined["total_before"]
    lb, la = joined["level_before"].to_numpy(dtype=float), joined["level_after"].to_numpy(dtype=float)
    out["move"] = np.select(
        [np.isnan(lb), np.isnan(la), la < lb, la > lb], [NEW, GONE, UP, DOWN], default=SAME,
    )
    persistent = [joined["lagging_before"].eq(True) & joined["lagging_after"].eq(True)]
    labels = [render("lagging-twice", lang)]
    for flag in results.flags.columns:
        persistent.append(joined[f"flag:{flag}_before"].eq(True) & joined[f"flag:{flag}_after"].eq(True))
        labels.append(render("flag-twice", lang, flag=str(flag)))
    hits = np.column_stack([p.to_numpy(dtype=bool) for p in persistent])
    out["flags"] = [render("join", lang).join(lbl for lbl, h in zip(labels, row) if h) for row in hits]
    return out.reset_index().rename(columns={"index": BRANCH_ID})


def move_counts(comparison: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """How many branches moved up, stayed or fell (optionally per group)."""
    keys = [by, "move"] if by else ["move"]
    return comparison.groupby(keys, dropna=False).size().unstack(fill_value=0) if by else comparison["move"].value_counts().to_frame("count")
