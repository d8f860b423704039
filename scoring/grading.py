"""Turn totals into grades: bands, then direct grades, floors, vetoes, quotas and bottom rules, vectorized."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import evaluate
from scoring.results import coded
from scoring.rubric import BRANCH_ID, PERIOD, Bottom, Quota, Rubric

# A hair of tolerance so that 10% of 30 is 3, not 3.0000000000000004 rounded up to 4.
_ROUNDING = {
    "ceil": lambda x: np.ceil(x - 1e-9),
    "floor": lambda x: np.floor(x + 1e-9),
    "round": lambda x: np.floor(x + 0.5),
}


@dataclass(frozen=True)
class Graded:
    """Grade columns for `Results.branches`, plus which rules fired and which flags were raised."""

    columns: dict[str, np.ndarray | pd.Categorical[str]]
    rules: pd.DataFrame
    flags: pd.DataFrame


def grade(rubric: Rubric, frame: pd.DataFrame, standards: pd.DataFrame, total: np.ndarray, unmet: np.ndarray) -> Graded:
    """Apply the rubric's grading rules in their fixed order and record each rule's effect per row."""
    g = rubric.grading
    columns = rubric.input_columns()
    n = len(frame)
    mins = np.array([b.min for b in g.bands])
    band = np.minimum((total[:, None] < mins[None, :] - 1e-9).sum(axis=1), len(mins) - 1)
    level = band.copy()
    locked = np.zeros(n, dtype=bool)
    rules: dict[str, np.ndarray] = {}
    flags: dict[str, np.ndarray] = {}

    for direct in g.direct:
        hit = evaluate(direct.when, frame, columns)
        level = np.where(hit, np.minimum(level, rubric.grade_level(direct.grade)), level)
        locked |= hit
        rules[direct.id] = hit
    for floor in g.floors:
        ids = floor.standards or tuple(s.id for s in rubric.standards)
        points = np.array([next(s.points for s in rubric.standards if s.id == i) for i in ids])
        share = standards[list(ids)].to_numpy(dtype=float) / points
        hit = np.any(np.nan_to_num(share, nan=1.0) < floor.min_share - 1e-9, axis=1)
        level, rules[floor.id] = _cap(level, hit & ~locked, rubric.grade_level(floor.cap))  # not on direct grades
    for veto in g.vetoes:
        hit = evaluate(veto.when, frame, columns)
        if veto.flag:
            flags[veto.flag] = flags.get(veto.flag, np.zeros(n, dtype=bool)) | hit
        if veto.cap:
            level, rules[veto.id] = _cap(level, hit, rubric.grade_level(veto.cap))
        if veto.force:
            level = np.where(hit, np.maximum(level, rubric.grade_level(veto.force)), level)  # a veto only lowers
            locked |= hit
            rules[veto.id] = hit | rules.get(veto.id, False)
        elif veto.flag and not veto.cap:
            rules[veto.id] = hit
    keys = _Keys(frame, total, rubric.precision)
    for quota in g.quotas:
        level, rules[quota.id] = _apply_quota(quota, rubric, keys, level, locked)
    for bottom in g.bottom:
        selected = _bottom(bottom, keys)
        rules[bottom.id] = selected
        if bottom.flag:
            flags[bottom.flag] = flags.get(bottom.flag, np.zeros(n, dtype=bool)) | selected
        if bottom.force:
            level = np.where(selected & ~locked, np.maximum(level, rubric.grade_level(bottom.force)), level)

    names = list(rubric.grade_names())
    rank, size = _rank(keys, g.rank_by)
    out = {  # grades as ordered categoricals (best first): cheap to build, and they sort the way users expect
        "band_grade": coded(band, names), "grade": coded(level, names), "level": level.astype(np.int64),
        "rank": rank, "group_size": size, "alert": _alert(rubric, unmet, n),
    }
    return Graded(out, pd.DataFrame(rules, index=frame.index), pd.DataFrame(flags, index=frame.index))


class _Keys:
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


def _order(*keys: np.ndarray) -> np.ndarray:
    """Row order by non-negative integer keys, most significant first: one argsort on a packed key when it fits."""
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    if sum(math.log2(s) for s in sizes) < 62:
        packed = np.zeros(len(keys[0]), dtype=np.int64)
        for key, size in zip(keys, sizes):
            packed = packed * size + key
        return np.argsort(packed, kind="stable")
    return np.lexsort(keys[::-1])


def _cap(level: np.ndarray, hit: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower grades above `cap` where `hit`; also return where that changed the grade."""
    changed = hit & (level < cap)
    return np.where(changed, cap, level), changed


def _position(groups: np.ndarray, order: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows in `mask`, their 0-based position within their group following `order`; and group sizes per row."""
    sizes = np.bincount(groups)[groups]
    sorted_rows = order[mask[order]]
    sorted_groups = groups[sorted_rows]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1] if len(sorted_rows) else np.array([], dtype=np.int64)
    run = np.zeros(len(sorted_rows), dtype=np.int64)
    if len(sorted_rows):
        run_start = np.zeros(len(sorted_rows), dtype=np.int64)
        run_start[starts] = starts
        run = np.arange(len(sorted_rows)) - np.maximum.accumulate(run_start)
    position = np.full(len(groups), -1, dtype=np.int64)
    position[sorted_rows] = run
    return position, sizes


def _apply_quota(quota: Quota, rubric: Rubric, keys: _Keys, level: np.ndarray, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most `max_share` of each group at the quota grade; the rest drop one grade, lowest totals first."""
    target = rubric.grade_level(quota.grade)
    groups = keys.groups(quota.group_by)
    holders = level == target
    order = _order(groups, (~locked).astype(np.int64), keys.points.max(initial=0) - keys.points, keys.codes())
    position, sizes = _position(groups, order, holders)  # locked holders keep their places first
    allowed = np.floor(quota.max_share * sizes + 1e-9)
    demote = holders & ~locked & (position >= allowed) & (target + 1 < len(rubric.grading.bands))
    return np.where(demote, target + 1, level), demote


def _bottom(rule: Bottom, keys: _Keys) -> np.ndarray:
    """Rows among the lowest `share` of their group (ties broken by branch code)."""
    groups = keys.groups(rule.group_by)
    codes = keys.codes()
    order = _order(groups, keys.points, codes.max(initial=0) - codes)
    position, sizes = _position(groups, order, np.ones(len(groups), dtype=bool))
    wanted = _ROUNDING[rule.rounding](rule.share * sizes)
    return (sizes >= rule.min_group_size) & (position < wanted)


def _rank(keys: _Keys, rank_by: str) -> tuple[np.ndarray, np.ndarray]:
    """Competition rank (1 = best, ties share the rank) and group size within period and `rank_by`."""
    groups = keys.groups(rank_by)
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = _order(groups, keys.points.max() - keys.points)
    g, v = groups[order], keys.points[order]
    steps = np.arange(n)
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, v[1:] != v[:-1]]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.maximum.accumulate(np.where(new_value, steps, 0)) - np.maximum.accumulate(np.where(new_group, steps, 0)) + 1
    return rank, np.bincount(groups)[groups]


def _alert(rubric: Rubric, unmet: np.ndarray, n: int) -> np.ndarray | pd.Categorical[str]:
    """The warning colour per row by the count of unmet indicators (None when the rubric has no alerts)."""
    alerts = rubric.grading.alerts
    if alerts is None:
        return np.full(n, None, dtype=object)
    bounded = [lvl.max_unmet for lvl in alerts.levels if lvl.max_unmet is not None]
    names = [*(lvl.name for lvl in alerts.levels[: len(bounded)]), alerts.levels[-1].name]
    return coded(np.searchsorted(np.array(bounded), unmet, side="left"), names)
