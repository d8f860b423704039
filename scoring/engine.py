"""Score validated assessments: points per indicator, per standard and in total, vectorized per rubric."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import evaluate
from scoring.grading import grade
from scoring.results import SCORE_COLUMNS, Results, coded
from scoring.rubric import FIELD, Adjustment, Indicator, Rubric, Source, Standard
from scoring.rubricset import RubricSet

NO_RUBRIC = "领域“{field}”没有对应的评分细则；可用的领域：{fields}"


def source_key(column_id: str, source: Source, position: int) -> str:
    """The frame column holding one source's value of a column (the first source uses the plain id)."""
    return column_id if position == 0 else f"{column_id}@{source.id}"


@dataclass(frozen=True)
class Scored:
    """Points of one rubric's rows before grading."""

    indicators: pd.DataFrame
    standards: pd.DataFrame
    base: np.ndarray
    bonus: np.ndarray
    penalty: np.ndarray
    total: np.ndarray
    unmet: np.ndarray


def score(frame: pd.DataFrame, rubrics: RubricSet, not_applicable: pd.DataFrame | None = None) -> Results:
    """Score and grade every row with the rubric of its field; rows whose field has no rubric are listed, not dropped."""
    na = pd.DataFrame(index=frame.index) if not_applicable is None else not_applicable.reindex(index=frame.index, fill_value=False)
    assigned, reasons = triage(frame, rubrics)
    listed = pd.notna(reasons)
    parts: list[Results] = []
    for position, rubric in enumerate(rubrics.concrete):
        mask = (assigned == position) & ~listed
        if mask.all():
            parts.append(score_rubric(frame, rubric, na))
        elif mask.any():
            parts.append(score_rubric(frame[mask], rubric, na[mask]))
    unscored = frame[listed].assign(reason=reasons[listed]) if listed.any() else frame.iloc[0:0].assign(reason=pd.Series(dtype=object))
    return _concat(parts, frame, na, unscored)


def triage(frame: pd.DataFrame, rubrics: RubricSet) -> tuple[np.ndarray, np.ndarray]:
    """Each row's rubric (its position in `rubrics.concrete`, -1: none) and why the row is not scored (None: it is)."""
    assigned = _assign(frame, rubrics)
    reasons = np.full(len(frame), None, dtype=object)
    for position, rubric in enumerate(rubrics.concrete):
        mask = assigned == position
        if not mask.any() or not rubric.skip:
            continue
        rows = frame if mask.all() else frame[mask]
        keep = np.ones(len(rows), dtype=bool)
        for rule in rubric.skip:
            hit = evaluate(rule.when, rows, rubric.input_columns()) & keep
            reasons[np.flatnonzero(mask)[hit]] = f"不参评：{rule.reason}"
            keep &= ~hit
    if FIELD in frame:
        fields = "、".join(rubrics.field_names())
        missing = assigned < 0
        reasons[missing] = [NO_RUBRIC.format(field=f, fields=fields) for f in frame[FIELD].to_numpy(dtype=object)[missing]]
    return assigned, reasons


def _assign(frame: pd.DataFrame, rubrics: RubricSet) -> np.ndarray:
    """The position of each row's rubric in `rubrics.concrete` (-1: no rubric), looked up once per distinct field."""
    positions = {r.id: i for i, r in enumerate(rubrics.concrete)}
    if FIELD not in frame:
        lone = rubrics.for_field("")
        return np.full(len(frame), positions[lone.id] if lone else -1, dtype=np.int64)
    codes, uniques = pd.factorize(frame[FIELD])
    lookup = np.array([positions[r.id] if (r := rubrics.for_field(v)) else -1 for v in uniques] + [-1], dtype=np.int64)
    return lookup[codes]


def score_rubric(frame: pd.DataFrame, rubric: Rubric, na: pd.DataFrame) -> Results:
    """Score and grade rows that all belong to one rubric."""
    scored = _points(frame, rubric, na)
    graded = grade(rubric, frame, scored.standards, scored.total, scored.unmet)
    branches = frame[[c for c in frame.columns if _is_identity(frame[c])]].copy()
    branches["rubric"] = coded(np.zeros(len(frame), dtype=np.int8), [rubric.id])
    branches["base"] = scored.base
    branches["bonus"] = scored.bonus
    branches["penalty"] = scored.penalty
    branches["total"] = scored.total
    branches["max_total"] = rubric.total
    branches["percent"] = scored.total / rubric.total
    for name, values in graded.columns.items():
        branches[name] = values
    return Results(branches, scored.indicators, scored.standards, graded.rules, graded.flags,
                   frame, na, frame.iloc[0:0])


def _is_identity(series: pd.Series) -> bool:
    return not pd.api.types.is_float_dtype(series.dtype)


def _points(frame: pd.DataFrame, rubric: Rubric, na: pd.DataFrame) -> Scored:
    n = len(frame)
    sources = rubric.sources or (Source(id="main", name="", weight=1.0),)
    indicators = rubric.indicators()
    block = np.empty((len(indicators), n))  # one preallocated block: the indicators frame is built without a copy
    slot = {ind.id: i for i, ind in enumerate(indicators)}
    standards = np.empty((len(rubric.standards), n))
    unmet = np.zeros(n, dtype=np.int64)
    applicable_points = np.zeros(n)
    threshold = rubric.grading.alerts.unmet_below if rubric.grading.alerts else 1.0
    for s, std in enumerate(rubric.standards):
        excluded, available, factor = rescale(std, na, n)
        running = np.zeros(n)
        for ind, out in zip(std.indicators, excluded):
            scaled = np.nan_to_num(_indicator(ind, frame, sources)) * factor
            if out.any():
                scaled[out] = np.nan
                running += np.where(out, 0.0, scaled)
            else:
                running += scaled
            block[slot[ind.id]] = scaled
            unmet += ~out & (scaled < threshold * ind.points * factor - 1e-9)
        standards[s] = np.where(available > 0, running, np.nan)
        applicable_points += np.where(available > 0, std.points, 0.0)
    base_sum = np.zeros(n)
    for row in standards:
        base_sum += np.nan_to_num(row)
    base = base_sum * np.divide(rubric.total, applicable_points, out=np.zeros(n), where=applicable_points > 0)
    bonus = _adjustment(rubric.bonus, frame, sources, block, slot, n)
    penalty = _adjustment(rubric.penalty, frame, sources, block, slot, n)
    ceiling = np.inf if rubric.allow_exceed else rubric.total
    total = round_half_up(np.clip(base + bonus - penalty, 0.0, ceiling), rubric.precision)
    index = frame.index
    return Scored(
        pd.DataFrame(block.T, index=index, columns=list(slot), copy=False),
        pd.DataFrame(standards.T, index=index, columns=[s.id for s in rubric.standards], copy=False),
        base, bonus, penalty, total, unmet,
    )


def round_half_up(values: np.ndarray, precision: int) -> np.ndarray:
    """四舍五入 to `precision` decimals, as users round by hand (a hair of tolerance absorbs binary fractions like 98.305)."""
    scale = 10.0**precision
    return np.floor(values * scale + 0.5 + 1e-9) / scale


def _adjustment(section: Adjustment | None, frame: pd.DataFrame, sources: tuple[Source, ...], block: np.ndarray,
                slot: dict[str, int], n: int) -> np.ndarray:
    """Sum of a bonus or penalty section, capped; its items are recorded with the indicators."""
    if section is None:
        return np.zeros(n)
    running = np.zeros(n)
    for ind in section.indicators:
        block[slot[ind.id]] = np.nan_to_num(_indicator(ind, frame, sources))
        running += block[slot[ind.id]]
    return np.minimum(running, section.cap)


def rescale(std: Standard, na: pd.DataFrame, n: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """For one standard: rows excluding each indicator (不适用, rescaled), applicable points, and the scale factor."""
    excluded = [
        na[ind.column_id].to_numpy(dtype=bool) if ind.not_applicable == "rescale" and ind.column_id in na
        else np.zeros(n, dtype=bool)
        for ind in std.indicators
    ]
    available = np.sum([ind.points * ~out for ind, out in zip(std.indicators, excluded)], axis=0)
    factor = np.divide(std.points, available, out=np.zeros(n), where=available > 0)
    return excluded, available, factor


def _indicator(ind: Indicator, frame: pd.DataFrame, sources: tuple[Source, ...]) -> np.ndarray:
    """Points of one indicator, weighting the sources present in each row (NaN when none is)."""
    present_keys = [(p, s) for p, s in enumerate(sources) if source_key(ind.column_id, s, p) in frame]
    if len(present_keys) == 1:  # one source: its points as they are, no weighting needed
        key = source_key(ind.column_id, present_keys[0][1], present_keys[0][0])
        return ind.method.score(frame[key].to_numpy(dtype=float, na_value=np.nan), ind.points)
    total = np.zeros(len(frame))
    weight = np.zeros(len(frame))
    for position, source in enumerate(sources):
        key = source_key(ind.column_id, source, position)
        if key not in frame:
            continue
        points = ind.method.score(frame[key].to_numpy(dtype=float, na_value=np.nan), ind.points)
        present = ~np.isnan(points)
        total += np.where(present, points, 0.0) * source.weight
        weight += present * source.weight
    return np.divide(total, weight, out=np.full(len(frame), np.nan), where=weight > 0)


def _concat(parts: list[Results], frame: pd.DataFrame, na: pd.DataFrame, unscored: pd.DataFrame) -> Results:
    """Join per-rubric results in input order, with the union of their columns (no copy for a single rubric)."""
    if not parts:
        empty = frame.iloc[0:0]
        return Results(empty.assign(**{c: pd.Series(dtype=object) for c in SCORE_COLUMNS}),
                       empty[[]], empty[[]], empty[[]], empty[[]], empty, na.iloc[0:0], unscored)
    if len(parts) == 1:
        return dataclasses.replace(parts[0], unscored=unscored)
    rated = np.zeros(len(frame), dtype=bool)
    for part in parts:
        rated |= frame.index.isin(part.branches.index)
    order = frame.index[rated]

    def joined(name: str, fill: object = None) -> pd.DataFrame:
        out = pd.concat([getattr(p, name) for p in parts], sort=False).loc[order]
        return out.fillna(fill) if fill is not None else out

    return Results(joined("branches"), joined("indicators"), joined("standards"), joined("rules", False).astype(bool),
                   joined("flags", False).astype(bool), joined("inputs"), joined("not_applicable", False).astype(bool), unscored)
