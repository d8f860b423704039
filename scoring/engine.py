"""Score validated assessments: points per indicator, per standard and in total, vectorized per rubric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import evaluate
from scoring.grading import grade
from scoring.results import SCORE_COLUMNS, Results
from scoring.rubric import FIELD, Indicator, Rubric, Source, Standard
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
    na = not_applicable if not_applicable is not None else pd.DataFrame(index=frame.index)
    assigned = _assign(frame, rubrics)
    parts: list[Results] = []
    skipped: list[pd.DataFrame] = []
    for rubric in rubrics.concrete:
        rows = frame.index[assigned == rubric.id]
        for rule in rubric.skip:
            hit = rows[evaluate(rule.when, frame.loc[rows], rubric.input_columns())]
            skipped.append(frame.loc[hit].assign(reason=f"不参评：{rule.reason}"))
            rows = rows.difference(hit, sort=False)
        if len(rows):
            parts.append(score_rubric(frame.loc[rows], rubric, na.reindex(index=rows, fill_value=False)))
    missing = frame.index[assigned.isna()]
    unscored = frame.loc[missing].copy()
    fields = "、".join(rubrics.field_names())
    unscored["reason"] = [NO_RUBRIC.format(field=f, fields=fields) for f in unscored.get(FIELD, pd.Series("", index=missing))]
    unscored = pd.concat([unscored, *skipped]) if skipped else unscored
    return _concat(parts, frame, na, unscored.loc[frame.index[frame.index.isin(unscored.index)]])


def _assign(frame: pd.DataFrame, rubrics: RubricSet) -> pd.Series:
    """The rubric id for each row, looked up once per distinct field value."""
    if FIELD not in frame:
        lone = rubrics.for_field("")
        return pd.Series(lone.id if lone else None, index=frame.index, dtype=object)
    lookup = {v: (r.id if (r := rubrics.for_field(v)) else None) for v in frame[FIELD].dropna().unique()}
    return frame[FIELD].map(lookup).astype(object)


def score_rubric(frame: pd.DataFrame, rubric: Rubric, na: pd.DataFrame) -> Results:
    """Score and grade rows that all belong to one rubric."""
    scored = _points(frame, rubric, na)
    graded = grade(rubric, frame, scored.standards, scored.total, scored.unmet)
    branches = frame[[c for c in frame.columns if _is_identity(frame[c])]].copy()
    branches["rubric"] = rubric.id
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
    earned: dict[str, np.ndarray] = {}
    standards: dict[str, np.ndarray] = {}
    unmet = np.zeros(n, dtype=np.int64)
    applicable_points = np.zeros(n)
    threshold = rubric.grading.alerts.unmet_below if rubric.grading.alerts else 1.0
    for std in rubric.standards:
        raw = [_indicator(ind, frame, sources) for ind in std.indicators]
        excluded, available, factor = rescale(std, na, n)
        for ind, points, out in zip(std.indicators, raw, excluded):
            scaled = np.where(out, np.nan, np.nan_to_num(points) * factor)
            earned[ind.id] = scaled
            unmet += ~out & (scaled < threshold * ind.points * factor - 1e-9)
        standards[std.id] = np.where(available > 0, np.nansum(np.vstack([earned[i.id] for i in std.indicators]), axis=0), np.nan)
        applicable_points += np.where(available > 0, std.points, 0.0)
    base_sum = np.nansum(np.vstack(list(standards.values())), axis=0)
    base = base_sum * np.divide(rubric.total, applicable_points, out=np.zeros(n), where=applicable_points > 0)
    bonus = _adjustment(rubric.bonus, frame, sources, earned, n)
    penalty = _adjustment(rubric.penalty, frame, sources, earned, n)
    ceiling = np.inf if rubric.allow_exceed else rubric.total
    total = np.round(np.clip(base + bonus - penalty, 0.0, ceiling), rubric.precision)
    index = frame.index
    return Scored(pd.DataFrame(earned, index=index), pd.DataFrame(standards, index=index), base, bonus, penalty, total, unmet)


def _adjustment(section: object, frame: pd.DataFrame, sources: tuple[Source, ...], earned: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Sum of a bonus or penalty section, capped; its items are recorded with the indicators."""
    if section is None:
        return np.zeros(n)
    items = section.indicators  # type: ignore[attr-defined]
    for ind in items:
        earned[ind.id] = np.nan_to_num(_indicator(ind, frame, sources))
    return np.minimum(np.sum([earned[i.id] for i in items], axis=0), section.cap)  # type: ignore[attr-defined]


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
    """Join per-rubric results in input order, with the union of their columns."""
    if not parts:
        empty = frame.iloc[0:0]
        return Results(empty.assign(**{c: pd.Series(dtype=object) for c in SCORE_COLUMNS}),
                       empty[[]], empty[[]], empty[[]], empty[[]], empty, na.iloc[0:0], unscored)
    order = frame.index[frame.index.isin(pd.Index(np.concatenate([p.branches.index for p in parts])))]

    def joined(name: str, fill: object = None) -> pd.DataFrame:
        pieces = [getattr(p, name) for p in parts]
        out = pieces[0] if len(pieces) == 1 else pd.concat(pieces, sort=False)
        out = out.loc[order]
        return out.fillna(fill) if fill is not None else out

    flags = joined("flags", False).astype(bool)
    rules = joined("rules", False).astype(bool)
    return Results(joined("branches"), joined("indicators"), joined("standards"), rules, flags,
                   joined("inputs"), joined("not_applicable", False).astype(bool), unscored)

