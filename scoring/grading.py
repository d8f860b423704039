"""Turn totals into grades: bands, then direct grades, floors, vetoes, quotas and bottom rules, vectorized."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import evaluate
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

    columns: dict[str, np.ndarray]
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
    tiebreak = _tiebreak(frame)
    for quota in g.quotas:
        level, rules[quota.id] = _apply_quota(quota, rubric, frame, total, level, locked, tiebreak)
    for bottom in g.bottom:
        selected = _bottom(bottom, frame, total, tiebreak)
        rules[bottom.id] = selected
        if bottom.flag:
            flags[bottom.flag] = flags.get(bottom.flag, np.zeros(n, dtype=bool)) | selected
        if bottom.force:
            level = np.where(selected & ~locked, np.maximum(level, rubric.grade_level(bottom.force)), level)

    names = np.array(rubric.grade_names(), dtype=object)
    rank, size = _rank(frame, total, g.rank_by)
    out = {
        "band_grade": names[band], "grade": names[level], "level": level.astype(np.int64),
        "rank": rank, "group_size": size, "alert": _alert(rubric, unmet, n),
    }
    return Graded(out, pd.DataFrame(rules, index=frame.index), pd.DataFrame(flags, index=frame.index))


def _cap(level: np.ndarray, hit: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower grades above `cap` where `hit`; also return where that changed the grade."""
    changed = hit & (level < cap)
    return np.where(changed, cap, level), changed


def _groups(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    """Group number per row: by period and the given column (when present)."""
    keys = [c for c in (PERIOD, column) if c is not None and c in frame]
    if not keys:
        return np.zeros(len(frame), dtype=np.int64)
    return frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()


def _tiebreak(frame: pd.DataFrame) -> np.ndarray:
    """Deterministic tie-breaking: branch codes in ascending order (else input order)."""
    if BRANCH_ID not in frame:
        return np.arange(len(frame))
    codes, _ = pd.factorize(frame[BRANCH_ID], sort=True)
    return codes


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


def _apply_quota(quota: Quota, rubric: Rubric, frame: pd.DataFrame, total: np.ndarray, level: np.ndarray,
                 locked: np.ndarray, tiebreak: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most `max_share` of each group at the quota grade; the rest drop one grade, lowest totals first."""
    target = rubric.grade_level(quota.grade)
    groups = _groups(frame, quota.group_by)
    holders = level == target
    order = np.lexsort((tiebreak, -total, ~locked, groups))  # locked holders keep their places first
    position, sizes = _position(groups, order, holders)
    allowed = np.floor(quota.max_share * sizes + 1e-9)
    demote = holders & ~locked & (position >= allowed) & (target + 1 < len(rubric.grading.bands))
    return np.where(demote, target + 1, level), demote


def _bottom(rule: Bottom, frame: pd.DataFrame, total: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Rows among the lowest `share` of their group (ties broken by branch code)."""
    groups = _groups(frame, rule.group_by)
    order = np.lexsort((-tiebreak, total, groups))
    position, sizes = _position(groups, order, np.ones(len(groups), dtype=bool))
    wanted = _ROUNDING[rule.rounding](rule.share * sizes)
    return (sizes >= rule.min_group_size) & (position < wanted)


def _rank(frame: pd.DataFrame, total: np.ndarray, rank_by: str) -> tuple[np.ndarray, np.ndarray]:
    """Competition rank (1 = best, ties share the rank) and group size within period and `rank_by`."""
    groups = _groups(frame, rank_by)
    by = pd.Series(total, index=frame.index).groupby(groups)
    return by.rank(method="min", ascending=False).to_numpy(dtype=np.int64), by.transform("size").to_numpy(dtype=np.int64)


def _alert(rubric: Rubric, unmet: np.ndarray, n: int) -> np.ndarray:
    """The warning colour per row by the count of unmet indicators (None when the rubric has no alerts)."""
    alerts = rubric.grading.alerts
    if alerts is None:
        return np.full(n, None, dtype=object)
    out = np.full(n, alerts.levels[-1].name, dtype=object)
    for lvl in reversed(alerts.levels):
        if lvl.max_unmet is not None:
            out = np.where(unmet <= lvl.max_unmet, lvl.name, out)
    return out
