"""The result of scoring: aligned frames, one row per scored branch and period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

# Columns the engine adds to `Results.branches`, after the identity columns copied from the input.
SCORE_COLUMNS = (
    "rubric", "base", "bonus", "penalty", "total", "max_total", "percent",
    "band_grade", "grade", "level", "rank", "group_size", "alert",
)


def coded(codes: np.ndarray, names: list[str]) -> pd.Categorical[str]:
    """An ordered categorical from integer codes (0 = first name): how grades and alerts are stored."""
    dtype = pd.CategoricalDtype(names, ordered=True)
    return cast("pd.Categorical[str]", pd.Categorical.from_codes(codes, dtype=dtype))  # the stubs cannot infer str here


@dataclass(frozen=True)
class Results:
    """Scores, grades and rule hits; every frame shares the index of the scored input rows."""

    branches: pd.DataFrame
    indicators: pd.DataFrame
    standards: pd.DataFrame
    rules: pd.DataFrame
    flags: pd.DataFrame
    inputs: pd.DataFrame
    not_applicable: pd.DataFrame
    unscored: pd.DataFrame

    def __len__(self) -> int:
        return len(self.branches)

    def take(self, rows: pd.Index | np.ndarray) -> Results:
        """The same results restricted to some rows: row labels, or a boolean mask over the rows (fast)."""
        at = np.flatnonzero(rows) if isinstance(rows, np.ndarray) and rows.dtype == bool else self.branches.index.get_indexer(pd.Index(rows))
        return Results(
            branches=self.branches.iloc[at], indicators=self.indicators.iloc[at], standards=self.standards.iloc[at],
            rules=self.rules.iloc[at], flags=self.flags.iloc[at], inputs=self.inputs.iloc[at],
            not_applicable=self.not_applicable.iloc[at], unscored=self.unscored.iloc[0:0],
        )

    def flag_lists(self) -> pd.Series:
        """Per row, the flags raised, as a list of names."""
        names = self.flags.columns.to_numpy()
        return pd.Series([list(names[row]) for row in self.flags.to_numpy(dtype=bool)], index=self.flags.index, dtype=object)
