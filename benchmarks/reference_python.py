"""A plain row-by-row Python implementation of one rubric: an independent cross-check of the vectorized engine.

Every row is a dict, every scoring method is re-implemented on scalars straight from the rubric objects (the
engine's vectorized `method.score` is never called), and grading uses plain sorting. It is slow on purpose;
the benchmark times it on a subset and extrapolates.

Float arithmetic follows the rubric semantics in the engine's order of operations (indicator points summed left
to right, rescale factor = standard points / applicable points, base = sum × (total / applicable points), clip,
then round half to even after scaling by 10**precision, as numpy.round does), so totals agree bit for bit.
Python's built-in `sum` and `round(x, n)` are avoided on purpose: they round differently.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from scoring.conditions import (
    AllOf,
    AnyOf,
    Clause,
    encode_literal,  # a rubric literal in the frame encoding: shared, not re-derived
)
from scoring.rubric import BRANCH_ID, PERIOD, Column, Indicator, Rubric, Source

_EPS = 1e-9
_NAN = math.nan


@dataclass(frozen=True)
class RowResult:
    """What the reference computes for one row."""

    total: float
    level: int
    grade: str
    flags: frozenset[str]
    standards: Mapping[str, float | None]


def _number(value: Any) -> float:
    """A cell as a float (NaN when blank), the way the engine reads value columns."""
    if value is None or value is pd.NA:
        return _NAN
    return float(value)


def _is_blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------------------------------------------
# Scoring methods, one scalar at a time.


def method_points(method: Any, value: float, points: float) -> float | None:
    """Points one value earns under a method; None when the value is blank (or not a valid level)."""
    if math.isnan(value):
        return None
    kind = method.kind
    if kind == "yes_no":
        hit = value >= 0.5 if method.good else value < 0.5
        return points if hit else 0.0
    if kind == "count":
        return min(max(value, 0.0) * method.per_unit, points)
    if kind == "tiers":
        for tier in method.tiers:  # listed from the highest threshold down: the first one reached counts
            if value >= tier.min:
                return min(tier.points, points)
        return 0.0
    if kind == "rate":
        share = (value - method.zero_at) / (method.target - method.zero_at)
        return min(max(share, 0.0), 1.0) * points
    if kind == "level":
        table = list(method.levels.values())
        position = max(int(value), 0)  # levels arrive as positions, 0 = best
        return min(table[position], points) if position < len(table) else None
    if kind == "deduction":
        return max(points - max(value, 0.0) * method.per_occurrence, min(method.floor, points))
    if kind == "direct":
        return min(max(value, 0.0), points)
    raise ValueError(f"unknown scoring method {kind!r}")


def _source_key(column_id: str, source: Source, position: int) -> str:
    return column_id if position == 0 else f"{column_id}@{source.id}"


def _combined(ind: Indicator, row: Mapping[str, Any], source: Source, position: int) -> float | None:
    """The value one source gives the indicator, its columns combined; None when the row has none of its columns."""
    keys = [k for c in (ind.columns or (ind.column_id,)) if (k := _source_key(c, source, position)) in row]
    if not keys:
        return None
    values = [_number(row[k]) for k in keys]
    filled = [v for v in values if not math.isnan(v)]
    if not filled:
        return _NAN
    best_is_small = ind.method.kind == "level"  # level positions: 0 is the best level
    if ind.combine == "first_filled":
        return filled[0]
    if ind.combine == "sum":
        out = 0.0
        for v in values:
            out += 0.0 if math.isnan(v) else v
        return out
    wants_small = (ind.combine == "min") != best_is_small
    return min(filled) if wants_small else max(filled)


def indicator_points(ind: Indicator, row: Mapping[str, Any], sources: Sequence[tuple[int, Source]], blank_zero: bool = False) -> float | None:
    """Weighted mean of the points earned in each source present in the row; None when no source has a value.

    A blank source drops out (its weight too), or with `blank_zero` counts 0 at its weight."""
    read = [(position, source, v) for position, source in sources if (v := _combined(ind, row, source, position)) is not None]
    if len(read) == 1:
        return method_points(ind.method, read[0][2], ind.points)
    total = 0.0
    weight = 0.0
    filled = False
    for _, source, value in read:
        earned = method_points(ind.method, value, ind.points)
        if earned is None:
            weight += source.weight if blank_zero else 0.0
            continue
        filled = True
        total += earned * source.weight
        weight += source.weight
    return total / weight if filled and weight > 0 else None


def scoped_sources(rubric: Rubric) -> dict[str, list[tuple[int, Source]]]:
    """Per indicator id, the (position, source) pairs it reads: its own list, else its section's, else every source."""
    every = rubric_sources(rubric)
    out: dict[str, list[tuple[int, Source]]] = {}
    sections: list[Any] = [*rubric.standards, *(a for a in (rubric.bonus, rubric.penalty) if a is not None)]
    for section in sections:
        for ind in section.indicators:
            wanted = ind.sources if ind.sources is not None else section.sources
            out[ind.id] = [(k, s) for k, s in enumerate(every) if wanted is None or s.id in wanted]
    return out


def does_not_apply(ind: Indicator, row: Mapping[str, Any], not_applicable: Collection[str], columns: Mapping[str, Column],
                   sources: Sequence[tuple[int, Source]]) -> bool:
    """Whether the indicator does not apply to the row: its rule decides, else 不适用 typed where the rubric allows it."""
    if ind.not_applicable_when is not None:
        return holds(ind.not_applicable_when, row, columns)
    if ind.applies_when is not None:
        return not holds(ind.applies_when, row, columns)
    if not (ind.allow_not_applicable or ind.blank == "not_applicable"):
        return False
    keys = [_source_key(c, s, k) for k, s in sources for c in (ind.columns or (ind.column_id,))]
    if not any(k in not_applicable for k in keys):
        return False
    return len(keys) == 1 or all(_is_blank(row.get(k)) for k in keys)


# ---------------------------------------------------------------------------------------------------------------
# Conditions (vetoes, direct grades).


_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}


def holds(cond: Any, row: Mapping[str, Any], columns: Mapping[str, Column]) -> bool:
    """Whether a condition holds for one row; a blank cell never satisfies a comparison."""
    if isinstance(cond, AnyOf):
        return any(holds(c, row, columns) for c in cond.any)
    if isinstance(cond, AllOf):
        return all(holds(c, row, columns) for c in cond.all)
    assert isinstance(cond, Clause)
    if cond.column not in row:
        return False
    raw = row[cond.column]
    blank = _is_blank(raw)
    if cond.op == "is_blank":
        return blank
    if blank:
        return False
    if cond.op in ("is_true", "is_false"):
        return (float(raw) >= 0.5) == (cond.op == "is_true")
    value = encode_literal(cond.value, columns.get(cond.column))
    if cond.op in ("in", "not_in"):
        inside = raw in (value if isinstance(value, list) else [value])
        return inside if cond.op == "in" else not inside
    left = float(raw) if isinstance(value, (int, float)) else raw
    return bool(_COMPARE[cond.op](left, value))


# ---------------------------------------------------------------------------------------------------------------
# Points and totals.


def _round_half_up(x: float, precision: int) -> float:
    """四舍五入 as the engine does: scale by 10**precision, add a half and a hair, floor, scale back."""
    scale = 10.0**precision
    return math.floor(x * scale + 0.5 + 1e-9) / scale


def rubric_sources(rubric: Rubric) -> tuple[Source, ...]:
    """The rubric's assessment sources; a rubric without any reads one plain source of weight 1."""
    return rubric.sources or (Source(id="main", name="", weight=1.0),)


def score_row(row: Mapping[str, Any], not_applicable: Collection[str], rubric: Rubric,
              sources: Mapping[str, Sequence[tuple[int, Source]]] | None = None,
              described: Mapping[str, Column] | None = None) -> tuple[float, dict[str, float | None]]:
    """The total of one row and its points per standard (None when every indicator of it is not applicable)."""
    scoped = sources or scoped_sources(rubric)
    columns = described if described is not None else rubric.input_columns()
    blank_zero = rubric.blank_source == "zero"
    standards: dict[str, float | None] = {}
    applicable = 0.0
    base_sum = 0.0
    for std in rubric.standards:
        out_of = [does_not_apply(ind, row, not_applicable, columns, scoped[ind.id]) for ind in std.indicators]
        excluded = [out and ind.not_applicable == "rescale" for ind, out in zip(std.indicators, out_of)]
        available = 0.0
        for ind, out in zip(std.indicators, excluded):
            available += ind.points * (0.0 if out else 1.0)
        factor = std.points / available if available > 0 else 0.0
        earned = 0.0
        for ind, out, zero in zip(std.indicators, excluded, out_of):
            if out:
                continue
            points = 0.0 if zero else indicator_points(ind, row, scoped[ind.id], blank_zero)
            earned += (0.0 if points is None else points) * factor
        if available > 0:
            standards[std.id] = earned
            applicable += std.points
            base_sum += earned
        else:
            standards[std.id] = None
    base = base_sum * (rubric.total / applicable if applicable > 0 else 0.0)
    adjustments = []
    for section in (rubric.bonus, rubric.penalty):
        amount = 0.0
        if section is not None:
            for ind in section.indicators:
                zero = does_not_apply(ind, row, not_applicable, columns, scoped[ind.id])
                points = 0.0 if zero else indicator_points(ind, row, scoped[ind.id], blank_zero)
                amount += 0.0 if points is None else points
            amount = min(amount, section.cap)
        adjustments.append(amount)
    bonus, penalty = adjustments
    raw = base + bonus - penalty
    ceiling = math.inf if rubric.allow_exceed else rubric.total
    return _round_half_up(min(max(raw, 0.0), ceiling), rubric.precision), standards


# ---------------------------------------------------------------------------------------------------------------
# Grading.


@dataclass
class _Row:
    index: int
    total: float
    standards: Mapping[str, float | None]
    level: int
    locked: bool
    flags: set[str]
    code: Any  # the branch code (tie-breaker), or the row number when the frame has none
    keys: dict[str, Any]  # group key values per column


def _group_key(row: _Row, column: str, columns_present: Collection[str]) -> tuple[Any, ...]:
    return tuple(row.keys[c] for c in (PERIOD, column) if c in columns_present)


def _groups(rows: Iterable[_Row], column: str, columns_present: Collection[str]) -> dict[tuple[Any, ...], list[_Row]]:
    out: dict[tuple[Any, ...], list[_Row]] = {}
    for r in rows:
        out.setdefault(_group_key(r, column, columns_present), []).append(r)
    return out


_ROUNDING = {
    "ceil": lambda x: math.ceil(x - _EPS),
    "floor": lambda x: math.floor(x + _EPS),
    "round": lambda x: math.floor(x + 0.5),
}


def grade_rows(rubric: Rubric, rows: Sequence[Mapping[str, Any]], scored: Sequence[tuple[float, Mapping[str, float | None]]],
               columns_present: Collection[str]) -> list[RowResult]:
    """Bands, direct grades, floors, vetoes, then quotas and bottom rules per (period, group)."""
    g = rubric.grading
    names = rubric.grade_names()
    position_of = {name: i for i, name in enumerate(names)}
    worst = len(names) - 1
    columns = rubric.input_columns()
    points = {s.id: s.points for s in rubric.standards}
    group_columns = {PERIOD, g.rank_by, *(q.group_by for q in g.quotas), *(b.group_by for b in g.bottom)}
    state: list[_Row] = []
    for i, (row, (total, standards)) in enumerate(zip(rows, scored)):
        level = worst
        for position, band in enumerate(g.bands):
            if total >= band.min - _EPS:
                level = position
                break
        locked = False
        flags: set[str] = set()
        for direct in g.direct:
            if holds(direct.when, row, columns):
                level = min(level, position_of[direct.grade])
                locked = True
        for floor in g.floors:
            ids = floor.standards or tuple(points)
            low = False
            for sid in ids:
                earned = standards[sid]
                share = 1.0 if earned is None else earned / points[sid]
                low = low or share < floor.min_share - _EPS
            if low and not locked:  # a direct grade is given without scoring: score floors do not apply
                level = max(level, position_of[floor.cap])
        for veto in g.vetoes:
            if not holds(veto.when, row, columns):
                continue
            if veto.flag:
                flags.add(veto.flag)
            if veto.cap:
                level = max(level, position_of[veto.cap])
            if veto.force:  # a veto only ever lowers a grade
                level = max(level, position_of[veto.force])
                locked = True
        code = row[BRANCH_ID] if BRANCH_ID in columns_present else i
        keys = {c: (None if _is_blank(row[c]) else row[c]) for c in group_columns if c in columns_present}
        state.append(_Row(i, total, standards, level, locked, flags, code, keys))

    for quota in g.quotas:
        target = position_of[quota.grade]
        if target + 1 > worst:
            continue
        for members in _groups(state, quota.group_by, columns_present).values():
            allowed = math.floor(quota.max_share * len(members) + _EPS)
            holders = sorted((r for r in members if r.level == target), key=lambda r: (not r.locked, -r.total, r.code, r.index))
            for position, r in enumerate(holders):
                if position >= allowed and not r.locked:
                    r.level = target + 1

    for rule in g.bottom:
        force = position_of[rule.force] if rule.force else None
        for members in _groups(state, rule.group_by, columns_present).values():
            if len(members) < rule.min_group_size:
                continue
            wanted = _ROUNDING[rule.rounding](rule.share * len(members))
            # lowest totals first; among equal totals the larger branch code counts as lower (then input order)
            ordered = sorted(members, key=lambda r: r.index)
            ordered.sort(key=lambda r: r.code, reverse=True)
            ordered.sort(key=lambda r: r.total)
            for r in ordered[:max(wanted, 0)]:
                if rule.flag:
                    r.flags.add(rule.flag)
                if force is not None and not r.locked:
                    r.level = max(r.level, force)

    return [RowResult(r.total, r.level, names[r.level], frozenset(r.flags), r.standards) for r in state]


def score_rows(rubric: Rubric, rows: Sequence[Mapping[str, Any]], not_applicable: Sequence[Collection[str]] | None = None,
               columns_present: Collection[str] | None = None) -> list[RowResult | None]:
    """Score and grade rows (dicts of column id → value); `not_applicable` lists, per row, the columns not applicable.

    Rows a skip rule matches (不参评) are not rated (None) and take no part in quotas or bottom rules.
    """
    present = set(columns_present) if columns_present is not None else (set(rows[0]) if rows else set())
    empty: frozenset[str] = frozenset()
    na = not_applicable if not_applicable is not None else [empty] * len(rows)
    columns = rubric.input_columns()
    kept = [i for i, row in enumerate(rows) if not any(holds(rule.when, row, columns) for rule in rubric.skip)]
    sources, described = scoped_sources(rubric), rubric.input_columns()
    scored = [score_row(rows[i], na[i], rubric, sources, described) for i in kept]
    out: list[RowResult | None] = [None] * len(rows)
    for i, result in zip(kept, grade_rows(rubric, [rows[i] for i in kept], scored, present)):
        out[i] = result
    return out


def flag_names(rubric: Rubric) -> list[str]:
    """Every flag the rubric can raise, in rule order."""
    names = [v.flag for v in rubric.grading.vetoes if v.flag] + [b.flag for b in rubric.grading.bottom if b.flag]
    return list(dict.fromkeys(names))


def score_frame(frame: pd.DataFrame, rubric: Rubric, not_applicable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Convenience wrapper: rows as dicts in; out, for the rows rated, a frame of total, level, grade and one column
    per flag (rows a skip rule matches are left out)."""
    rows = cast(list[dict[str, Any]], frame.to_dict("records"))
    if not_applicable is not None and len(not_applicable.columns):
        cols = list(not_applicable.columns)
        na: list[Collection[str]] = [{c for c, hit in zip(cols, marks) if hit} for marks in not_applicable.to_numpy(dtype=bool).tolist()]
    else:
        na = [frozenset()] * len(rows)
    every = score_rows(rubric, rows, na, frame.columns)
    results = [r for r in every if r is not None]
    out = pd.DataFrame({
        "total": [r.total for r in results],
        "level": [r.level for r in results],
        "grade": [r.grade for r in results],
    }, index=frame.index[[r is not None for r in every]])
    for name in flag_names(rubric):
        out[name] = [name in r.flags for r in results]
    return out
