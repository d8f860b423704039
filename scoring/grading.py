"""Turn totals into grades: the bands, then each grading rule in its fixed order (scoring/rules/), then ranks and alerts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.results import coded
from scoring.rubric import BRANCH_ID, PERIOD, Rubric
from scoring.rules.base import GradeState
from scoring.rules.ranking import order


@dataclass(frozen=True)
class Graded:
    """Grade columns for `Results.branches`, plus which rules fired and which flags were raised."""

    columns: dict[str, np.ndarray | pd.Categorical[str]]
    rules: pd.DataFrame
    flags: pd.DataFrame


def grade(rubric: Rubric, frame: pd.DataFrame, standards: pd.DataFrame, total: np.ndarray, unmet: np.ndarray) -> Graded:
    """Apply the rubric's grading rules in their fixed order and record each rule's effect per row."""
    g = rubric.grading
    n = len(frame)
    keys = Keys(frame, total, rubric.precision)
    state = GradeState(rubric, frame, standards, rubric.input_columns(), keys, total, locked=np.zeros(n, dtype=bool))
    g.banding.evaluate(state)
    for rule in g.rules():
        rule.evaluate(state)
    names = list(rubric.grade_names())
    rank, size = _rank(keys, g.rank_by)
    alert: np.ndarray | pd.Categorical[str] = g.alerts.evaluate(unmet) if g.alerts is not None else np.full(n, None, dtype=object)
    # grades as ordered categoricals (best first): cheap to build, and they sort the way users expect
    out: dict[str, np.ndarray | pd.Categorical[str]] = {
        "band_grade": coded(state.band, names), "grade": coded(state.level, names), "level": state.level.astype(np.int64),
        "rank": rank, "group_size": size, "alert": alert,
    }
    return Graded(out, pd.DataFrame(state.rules, index=frame.index), pd.DataFrame(state.flags, index=frame.index))


class Keys:
    """Integer sort keys shared by the relative rules: groups (cached per column), totals, branch codes."""

    def __init__(self, frame: pd.DataFrame, total: np.ndarray, precision: int) -> None:
        self.frame = frame
        self.points = np.rint(total * 10.0**precision).astype(np.int64)  # totals are already rounded to `precision`
        self._groups: dict[str | None, np.ndarray] = {}
        self._codes: np.ndarray | None = None

    def groups(self, column: str | None) -> np.ndarray:
        """Group number per row: by period and the given column (when present)."""
        if column not in self._groups:
            codes = np.zeros(len(self.frame), dtype=np.int64)
            for key in (k for k in (PERIOD, column) if k is not None and k in self.frame):
                part, uniques = pd.factorize(self.frame[key], use_na_sentinel=False)
                codes = codes * max(len(uniques), 1) + part
            self._groups[column] = pd.factorize(codes)[0].astype(np.int64)
        return self._groups[column]

    def codes(self) -> np.ndarray:
        """Deterministic tie-breaking: branch codes in ascending order (else input order)."""
        if self._codes is None:
            self._codes = (pd.factorize(self.frame[BRANCH_ID], sort=True)[0].astype(np.int64)
                           if BRANCH_ID in self.frame else np.arange(len(self.frame), dtype=np.int64))
        return self._codes


def _rank(keys: Keys, rank_by: str) -> tuple[np.ndarray, np.ndarray]:
    """Competition rank (1 = best, ties share the rank) and group size within period and `rank_by`."""
    groups = keys.groups(rank_by)
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ordered = order(groups, keys.points.max() - keys.points)
    g, v = groups[ordered], keys.points[ordered]
    steps = np.arange(n)
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, v[1:] != v[:-1]]
    rank = np.empty(n, dtype=np.int64)
    rank[ordered] = np.maximum.accumulate(np.where(new_value, steps, 0)) - np.maximum.accumulate(np.where(new_group, steps, 0)) + 1
    return rank, np.bincount(groups)[groups]
