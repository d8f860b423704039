"""The result of scoring: aligned frames, one row per scored branch and period."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Columns the engine adds to `Results.branches`, after the identity columns copied from the input.
SCORE_COLUMNS = (
    "rubric", "base", "bonus", "penalty", "total", "max_total", "percent",
    "band_grade", "grade", "level", "rank", "group_size", "alert",
)


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

    def take(self, index: pd.Index) -> Results:
        """The same results restricted to some rows (e.g. a filtered view)."""
        return Results(
            branches=self.branches.loc[index], indicators=self.indicators.loc[index], standards=self.standards.loc[index],
            rules=self.rules.loc[index], flags=self.flags.loc[index], inputs=self.inputs.loc[index],
            not_applicable=self.not_applicable.loc[index], unscored=self.unscored.iloc[0:0],
        )

    def flag_lists(self) -> pd.Series:
        """Per row, the flags raised, as a list of names."""
        names = self.flags.columns.to_numpy()
        return pd.Series([list(names[row]) for row in self.flags.to_numpy(dtype=bool)], index=self.flags.index, dtype=object)
