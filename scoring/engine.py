"""Score validated assessments: points per indicator, per standard and in total, vectorized per rubric."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring import reading
from scoring.conditions import evaluate
from scoring.grading import grade
from scoring.results import SCORE_COLUMNS, Results, coded
from scoring.rubric import FIELD, Adjustment, Indicator, Rubric, Standard
from scoring.rubricset import RubricSet

NO_RUBRIC = "领域“{field}”没有对应的评分细则；可用的领域：{fields}"


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
    parts: list[tuple[np.ndarray, Results]] = []
    for position, rubric in enumerate(rubrics.concrete):
        mask = (assigned == position) & ~listed
        if mask.all():
            parts.append((mask, score_rubric(frame, rubric, na)))
        elif mask.any():
            parts.append((mask, score_rubric(frame[mask], rubric, na[mask])))
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
    if FIELD not in frame or (len(rubrics.concrete) == 1 and not rubrics.concrete[0].fields):  # a lone rubric scores every row
        lone = rubrics.for_field("")
        return np.full(len(frame), positions[lone.id] if lone else -1, dtype=np.int64)
    codes, uniques = pd.factorize(frame[FIELD])
    lookup = np.array([positions[r.id] if (r := rubrics.for_field(v)) else -1 for v in uniques] + [-1], dtype=np.int64)
    return lookup[codes]


def score_rubric(frame: pd.DataFrame, rubric: Rubric, na: pd.DataFrame) -> Results:
    """Score and grade rows that all belong to one rubric."""
    scored = _points(frame, rubric, na)
    graded = grade(rubric, frame, scored.standards, scored.total, scored.unmet)
    branches = frame[[c for c, dtype in frame.dtypes.items() if _is_identity(dtype)]].copy()
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


def _is_identity(dtype: np.dtype | pd.api.extensions.ExtensionDtype) -> bool:
    return not pd.api.types.is_float_dtype(dtype)


def _points(frame: pd.DataFrame, rubric: Rubric, na: pd.DataFrame) -> Scored:
    n = len(frame)
    read = Reading(rubric, frame, na)
    indicators = rubric.indicators()
    block = np.empty((len(indicators), n))  # one preallocated block: the indicators frame is built without a copy
    slot = {ind.id: i for i, ind in enumerate(indicators)}
    standards = np.empty((len(rubric.standards), n))
    unmet = np.zeros(n, dtype=np.int64)
    applicable_points = np.zeros(n)
    threshold = rubric.grading.alerts.unmet_below if rubric.grading.alerts else 1.0
    for s, std in enumerate(rubric.standards):
        excluded, available, factor = rescale(std, read)
        running = np.zeros(n)
        for ind, out in zip(std.indicators, excluded):
            scaled = np.nan_to_num(read.points(ind)) * factor
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
    bonus = _adjustment(rubric.bonus, read, block, slot, n)
    penalty = _adjustment(rubric.penalty, read, block, slot, n)
    ceiling = np.inf if rubric.allow_exceed else rubric.total
    total = round_half_up(np.clip(base + bonus - penalty, 0.0, ceiling), rubric.precision)
    index = frame.index
    return Scored(
        pd.DataFrame(block.T, index=index, columns=list(slot), copy=False),
        pd.DataFrame(standards.T, index=index, columns=[s.id for s in rubric.standards], copy=False),
        base, bonus, penalty, total, unmet,
    )


class Reading:
    """One rubric's view of its rows: each indicator's points and where it does not apply (computed once)."""

    def __init__(self, rubric: Rubric, frame: pd.DataFrame, na: pd.DataFrame) -> None:
        self.rubric, self.frame, self.na = rubric, frame, na
        self.sources = rubric.sources_of()
        self.columns = rubric.input_columns()
        self._na: dict[str, np.ndarray] = {}
        self._adjusted = {i.id for a in (rubric.bonus, rubric.penalty) if a for i in a.indicators}

    def not_applicable(self, ind: Indicator) -> np.ndarray:
        """Where the indicator does not apply (by its rule, or 不适用 typed where the rubric allows it)."""
        if ind.id not in self._na:
            self._na[ind.id] = reading.not_applicable(self.rubric, ind, self.frame, self.na, self.sources[ind.id], self.columns)
        return self._na[ind.id]

    def points(self, ind: Indicator) -> np.ndarray:
        """Points earned (NaN where no source has a value); 0 where the item does not apply and counts zero."""
        earned = reading.points(ind, self.frame, self.sources[ind.id], self.rubric.blank_source)
        if ind.not_applicable == "zero" or ind.id in self._adjusted:
            out = self.not_applicable(ind)
            if out.any():
                earned = np.where(out, 0.0, earned)
        return earned


def round_half_up(values: np.ndarray, precision: int) -> np.ndarray:
    """四舍五入 to `precision` decimals, as users round by hand (a hair of tolerance absorbs binary fractions like 98.305)."""
    scale = 10.0**precision
    return np.floor(values * scale + 0.5 + 1e-9) / scale


def _adjustment(section: Adjustment | None, read: Reading, block: np.ndarray, slot: dict[str, int], n: int) -> np.ndarray:
    """Sum of a bonus or penalty section, capped; its items are recorded with the indicators."""
    if section is None:
        return np.zeros(n)
    running = np.zeros(n)
    for ind in section.indicators:
        block[slot[ind.id]] = np.nan_to_num(read.points(ind))
        running += block[slot[ind.id]]
    return np.minimum(running, section.cap)


def rescale(std: Standard, read: Reading) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """For one standard: rows excluding each indicator (not applicable, rescaled), applicable points, and the scale factor."""
    n = len(read.frame)
    excluded = [read.not_applicable(ind) if ind.not_applicable == "rescale" else np.zeros(n, dtype=bool) for ind in std.indicators]
    return excluded, *scale(std, excluded, n)


def scale(std: Standard, excluded: Sequence[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """A standard's applicable points and scale factor per row, given the rows excluding each of its indicators."""
    available: float | np.ndarray = 0.0  # a number until some row excludes an indicator: most standards never do
    for ind, out in zip(std.indicators, excluded):
        available = available + (np.where(out, 0.0, ind.points) if out.any() else float(ind.points))
    if isinstance(available, float):
        return np.full(n, available), np.full(n, std.points / available if available > 0 else 0.0)
    return available, np.divide(std.points, available, out=np.zeros(n), where=available > 0)


def _concat(parts: list[tuple[np.ndarray, Results]], frame: pd.DataFrame, na: pd.DataFrame, unscored: pd.DataFrame) -> Results:
    """Join per-rubric results (each with the mask of its input rows) in input order, with the union of their columns:
    numbers and rule hits are written in place into one block per frame; no copy at all for a single rubric."""
    if not parts:
        empty = frame.iloc[0:0]
        return Results(empty.assign(**{c: pd.Series(dtype=object) for c in SCORE_COLUMNS}),
                       empty[[]], empty[[]], empty[[]], empty[[]], empty, na.iloc[0:0], unscored)
    if len(parts) == 1:
        return dataclasses.replace(parts[0][1], unscored=unscored)
    rated = np.logical_or.reduce([mask for mask, _ in parts])
    slot = np.cumsum(rated) - 1  # each input row's place among the rated rows
    places = [slot[mask] for mask, _ in parts]
    index = frame.index[rated]
    results = [part for _, part in parts]

    def placed(name: str, fill: float | bool, dtype: type) -> pd.DataFrame:
        frames = [getattr(r, name) for r in results]
        columns = list(dict.fromkeys(c for f in frames for c in f.columns))
        at = {c: i for i, c in enumerate(columns)}
        block: np.ndarray = np.full((len(columns), len(index)), fill, dtype=dtype)  # one row per column: each column is contiguous
        for f, rows in zip(frames, places):
            if f.shape[1]:
                block[np.ix_([at[c] for c in f.columns], rows)] = f.to_numpy(dtype=dtype).T
        return pd.DataFrame(block.T, index=index, columns=pd.Index(columns, dtype=frames[0].columns.dtype), copy=False)

    branches = pd.concat([r.branches for r in results], sort=False).take(np.argsort(np.concatenate(places), kind="stable"))
    return Results(branches, placed("indicators", np.nan, float), placed("standards", np.nan, float),
                   placed("rules", False, bool), placed("flags", False, bool),
                   frame if rated.all() else frame[rated], na if rated.all() else na[rated], unscored)
