"""Vectorized evaluation and Chinese description of rubric conditions (vetoes, direct grades)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from scoring.rubric import AllOf, AnyOf, Clause, Column, Condition

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
_SYMBOL = {"==": "为", "!=": "不为", ">": ">", ">=": "≥", "<": "<", "<=": "≤", "in": "属于", "not_in": "不属于"}


def encode_literal(value: Any, column: Column | None) -> Any:
    """Translate a rubric literal into the frame's encoding (level names → positions, 是/否 → 1/0)."""
    if isinstance(value, list):
        return [encode_literal(v, column) for v in value]
    if column is not None and column.type == "level" and value in column.levels:
        return float(column.levels.index(value))
    if column is not None and column.type == "bool" and isinstance(value, (bool, str)):
        return 1.0 if value in (True, "是", "有") else 0.0
    return value


def evaluate(cond: Condition, frame: pd.DataFrame, columns: Mapping[str, Column]) -> np.ndarray:
    """Boolean array: where the condition holds (a blank cell never satisfies a comparison)."""
    if isinstance(cond, AnyOf):
        return np.logical_or.reduce([evaluate(c, frame, columns) for c in cond.any])
    if isinstance(cond, AllOf):
        return np.logical_and.reduce([evaluate(c, frame, columns) for c in cond.all])
    if cond.column not in frame:
        return np.zeros(len(frame), dtype=bool)
    series = frame[cond.column]
    blank = series.isna().to_numpy()
    if cond.op == "is_blank":
        return blank
    if cond.op in ("is_true", "is_false"):
        truth = series.to_numpy(dtype=float, na_value=np.nan) >= 0.5
        return ~blank & (truth if cond.op == "is_true" else ~truth)
    value = encode_literal(cond.value, columns.get(cond.column))
    if cond.op in ("in", "not_in"):
        hit = series.isin(value if isinstance(value, list) else [value]).to_numpy()
        return ~blank & (hit if cond.op == "in" else ~hit)
    values = series.to_numpy(dtype=float, na_value=np.nan) if isinstance(value, (int, float)) else series.to_numpy()
    with np.errstate(invalid="ignore"):
        return ~blank & np.asarray(_COMPARE[cond.op](values, value), dtype=bool)


def describe(cond: Condition, columns: Mapping[str, Column]) -> str:
    """The condition in Chinese, e.g. “书记空缺月数 ≥ 3”."""
    if isinstance(cond, AnyOf):
        return "或".join(f"（{describe(c, columns)}）" for c in cond.any)
    if isinstance(cond, AllOf):
        return "且".join(f"（{describe(c, columns)}）" for c in cond.all)
    return _describe_clause(cond, columns)


def _describe_clause(cond: Clause, columns: Mapping[str, Column]) -> str:
    column = columns.get(cond.column)
    label = column.label if column else cond.column
    unit = column.unit if column else ""
    if cond.op == "is_true":
        return f"{label}为“是”"
    if cond.op == "is_false":
        return f"{label}为“否”"
    if cond.op == "is_blank":
        return f"{label}未填"
    value = "、".join(map(str, cond.value)) if isinstance(cond.value, list) else cond.value
    if column is not None and column.type == "rate" and isinstance(value, (int, float)):
        return f"{label} {_SYMBOL[cond.op]} {value:.0%}"
    return f"{label} {_SYMBOL[cond.op]} {value}{unit}"
