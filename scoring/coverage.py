"""Which rows a rubric set would leave unscored, and why, counted per field: said before a rubric change is applied."""

from __future__ import annotations

import pandas as pd

from scoring.engine import triage
from scoring.results import Results
from scoring.rubric import FIELD
from scoring.rubricset import RubricSet


def left_unscored(frame: pd.DataFrame, rubrics: RubricSet) -> pd.DataFrame:
    """Rows of `frame` that `rubrics` would not score, counted per field and reason (columns field, reason, rows), most first."""
    _, reasons = triage(frame, rubrics)
    listed = pd.notna(reasons)
    fields = frame[FIELD].to_numpy(dtype=object)[listed] if FIELD in frame else ["" for _ in range(int(listed.sum()))]
    table = pd.DataFrame({"field": pd.Series(fields, dtype=object).astype(str), "reason": pd.Series(reasons[listed], dtype=object)})
    counted = table.groupby(["field", "reason"], sort=False).size().rename("rows").reset_index()
    return counted.sort_values(["rows", "field"], ascending=[False, True], kind="stable").reset_index(drop=True)


def rows_of(results: Results) -> pd.DataFrame:
    """Every input row the results came from, scored or listed as unscored."""
    if results.unscored.empty:
        return results.inputs
    return pd.concat([results.inputs, results.unscored.drop(columns="reason")], ignore_index=True)
