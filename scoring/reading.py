"""What an indicator reads: its columns per assessment source, how several columns combine, and whether it applies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import evaluate
from scoring.rubric import Column, Indicator, Rubric, Source


def _first_filled(stack: np.ndarray) -> np.ndarray:
    out = stack[-1].copy()
    for row in stack[-2::-1]:
        out = np.where(np.isnan(row), out, row)
    return out


def _sum(stack: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(stack).all(axis=0), np.nan, np.nansum(stack, axis=0))


@dataclass(frozen=True)
class Combiner:
    """One way to combine several columns into the value an indicator's method scores."""

    kind: str
    zh: str
    en: str
    reduce: Callable[[np.ndarray], np.ndarray]  # (columns, rows) → rows; blank (NaN) cells are skipped
    sql: Callable[[list[str]], str]  # SQL expressions → one expression, NULL only when every one is NULL

    def describe(self, labels: list[str], lang: str = "zh") -> str:
        """The combination in words, e.g. “取 A、B 中最高的”."""
        joined = ("、" if lang == "zh" else ", ").join(labels)
        return (self.zh if lang == "zh" else self.en).format(columns=joined)


COMBINERS: dict[str, Combiner] = {c.kind: c for c in (
    Combiner("max", "取{columns}中最高的", "the highest of {columns}", lambda s: np.fmax.reduce(s, axis=0),
             lambda xs: f"GREATEST({', '.join(xs)})"),
    Combiner("min", "取{columns}中最低的", "the lowest of {columns}", lambda s: np.fmin.reduce(s, axis=0),
             lambda xs: f"LEAST({', '.join(xs)})"),
    Combiner("sum", "{columns}合计", "the sum of {columns}", _sum,
             lambda xs: f"(CASE WHEN {' AND '.join(f'{x} IS NULL' for x in xs)} THEN NULL ELSE "
                        f"{' + '.join(f'COALESCE({x}, 0.0)' for x in xs)} END)"),
    Combiner("first_filled", "{columns}中第一个已填的", "the first filled of {columns}", _first_filled,
             lambda xs: f"COALESCE({', '.join(xs)})"),
)}


def combined(ind: Indicator, frame: pd.DataFrame, suffix: str, level: bool) -> np.ndarray | None:
    """The value one source gives an indicator (several columns combined), or None when the file has none of them."""
    keys = [c + suffix for c in ind.column_ids if c + suffix in frame]
    if not keys:
        return None
    if len(keys) == 1:
        return frame[keys[0]].to_numpy(dtype=float, na_value=np.nan)
    stack = np.vstack([frame[k].to_numpy(dtype=float, na_value=np.nan) for k in keys])
    kind = ind.combine
    if level and kind in ("max", "min"):  # level positions count from the best (0): the highest level is the smallest
        kind = "min" if kind == "max" else "max"
    return COMBINERS[kind].reduce(stack)


def points(ind: Indicator, frame: pd.DataFrame, sources: tuple[tuple[str, Source], ...], blank_source: str) -> np.ndarray:
    """Points of one indicator, weighting the sources it reads (NaN where none has a value).

    A blank source is left out and the others rescaled (`rescale`), or counts zero at its weight (`zero`)."""
    level = ind.method.kind == "level"
    read = [(s, v) for suffix, s in sources if (v := combined(ind, frame, suffix, level)) is not None]
    if len(read) == 1:  # one source: its points as they are, no weighting needed
        return ind.method.score(read[0][1], ind.points)
    n = len(frame)
    total = np.zeros(n)
    weight = np.zeros(n)
    filled = np.zeros(n, dtype=bool)
    for source, values in read:
        earned = ind.method.score(values, ind.points)
        present = ~np.isnan(earned)
        total += np.where(present, earned, 0.0) * source.weight
        weight += (present if blank_source == "rescale" else 1.0) * source.weight
        filled |= present
    return np.divide(total, weight, out=np.full(n, np.nan), where=filled & (weight > 0))


def ruled(ind: Indicator, frame: pd.DataFrame, columns: Mapping[str, Column]) -> np.ndarray | None:
    """Where the indicator's applicability rule says it does not apply, or None when it has no rule."""
    if ind.not_applicable_when is not None:
        return evaluate(ind.not_applicable_when, frame, columns)
    if ind.applies_when is not None:
        return ~evaluate(ind.applies_when, frame, columns)
    return None


def typed(ind: Indicator, frame: pd.DataFrame, na: pd.DataFrame, sources: tuple[tuple[str, Source], ...]) -> np.ndarray:
    """Where 不适用 was typed for the indicator: in one of its cells, the others blank or 不适用 too."""
    keys = [c + suffix for suffix, _ in sources for c in ind.column_ids]
    marked = [na[k].to_numpy(dtype=bool) for k in keys if k in na]
    if not marked:
        return np.zeros(len(frame), dtype=bool)
    hit = np.logical_or.reduce(marked)
    if len(keys) > 1 and hit.any():
        for key in (k for k in keys if k in frame):
            hit &= frame[key].isna().to_numpy()
    return hit


def not_applicable(rubric: Rubric, ind: Indicator, frame: pd.DataFrame, na: pd.DataFrame,
                   sources: tuple[tuple[str, Source], ...], columns: Mapping[str, Column]) -> np.ndarray:
    """Where the indicator does not apply: as its rule says, else where 不适用 was typed and the rubric allows it."""
    by_rule = ruled(ind, frame, columns)
    if by_rule is not None:
        return by_rule
    if ind.may_be_not_applicable:
        return typed(ind, frame, na, sources)
    return np.zeros(len(frame), dtype=bool)
