"""Rubric conditions (vetoes, direct grades, skip and applicability rules): the condition model, and one object per
operator that evaluates a whole column, describes itself in Chinese or English, checks its literal and renders as SQL."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from scoring.base import FrozenModel
from scoring.errors import Said, rubric_texts, said
from scoring.sql import literal, q

if TYPE_CHECKING:
    from scoring.rubric import Column

rubric_texts({
    "value-not-needed": {"zh": "“{op}”不需要 value；请删除 value", "en": "“{op}” takes no value; delete value"},
    "value-needed": {"zh": "“{op}”需要 value，如 value: 3", "en": "“{op}” needs a value, such as value: 3"},
    "value-not-list": {"zh": "“{op}”的 value 应是列表，如 value: [好, 较好]", "en": "the value of “{op}” should be a list, such as value: [a, b]"},
    "value-not-scalar": {"zh": "“{op}”的 value 应是单个值；列表请用 in 或 not_in",
                         "en": "the value of “{op}” should be a single value; for a list use in or not_in"},
})


class Clause(FrozenModel):
    """A test on one input column, e.g. secretary vacant months >= 3."""

    column: str
    op: Literal["==", "!=", ">", ">=", "<", "<=", "in", "not_in", "is_true", "is_false", "is_blank"]
    value: Any = None


class AnyOf(FrozenModel):
    """True when any of its conditions holds."""

    any: tuple[Condition, ...] = Field(min_length=1)


class AllOf(FrozenModel):
    """True when all of its conditions hold."""

    all: tuple[Condition, ...] = Field(min_length=1)


Condition = Clause | AnyOf | AllOf
AnyOf.model_rebuild()
AllOf.model_rebuild()


@dataclass(frozen=True)
class Operator:
    """One condition operator. A blank cell never satisfies it, except `is_blank`."""

    op: str
    zh: str  # description templates with {label} and {value}
    en: str
    test: Callable[[Any, Any], Any]  # values (no blanks considered) and the encoded literal → hits
    sql: Callable[[str, str], str]  # column and SQL literal → a boolean expression that is true only for filled cells
    takes: str = "scalar"  # "scalar", "list" or "none": what the rubric writes as `value`

    def evaluate(self, series: pd.Series, value: Any) -> np.ndarray:
        """Where the condition holds on a frame column (value already in the frame's encoding)."""
        blank = series.isna().to_numpy()
        if self.op == "is_blank":
            return blank
        if (self.takes == "scalar" and isinstance(value, (int, float))) or self.takes == "none":
            values: Any = series.to_numpy(dtype=float, na_value=np.nan)
        elif self.takes == "list":
            values = series
        else:
            values = series.to_numpy()
        with np.errstate(invalid="ignore"):
            return ~blank & np.asarray(self.test(values, value), dtype=bool)

    def describe(self, label: str, value: str, lang: str = "zh") -> str:
        """The clause in words, e.g. “书记空缺月数 ≥ 3个月”."""
        return (self.en if lang == "en" else self.zh).format(label=label, value=value)

    def problem(self, value: Any) -> Said | None:
        """What is wrong with the literal a rubric wrote for this operator, if anything (with the fix)."""
        if self.takes == "none":
            return None if value is None else said("value-not-needed", op=self.op)
        if value is None:
            return said("value-needed", op=self.op)
        if self.takes == "list" and not isinstance(value, list):
            return said("value-not-list", op=self.op)
        if self.takes == "scalar" and isinstance(value, (list, dict)):
            return said("value-not-scalar", op=self.op)
        return None

    def check(self, value: Any, lang: str = "zh") -> str | None:
        """`problem` as a text in `lang`."""
        found = self.problem(value)
        return found.render(lang) if found is not None else None


def _filled(col: str, expr: str) -> str:
    return f"({col} IS NOT NULL AND {expr})"


OPERATORS: dict[str, Operator] = {o.op: o for o in (
    Operator("==", "{label} 为 {value}", "{label} is {value}", lambda a, b: a == b, lambda c, v: _filled(c, f"{c} = {v}")),
    Operator("!=", "{label} 不为 {value}", "{label} is not {value}", lambda a, b: a != b, lambda c, v: _filled(c, f"{c} != {v}")),
    Operator(">", "{label} > {value}", "{label} > {value}", lambda a, b: a > b, lambda c, v: _filled(c, f"{c} > {v}")),
    Operator(">=", "{label} ≥ {value}", "{label} ≥ {value}", lambda a, b: a >= b, lambda c, v: _filled(c, f"{c} >= {v}")),
    Operator("<", "{label} < {value}", "{label} < {value}", lambda a, b: a < b, lambda c, v: _filled(c, f"{c} < {v}")),
    Operator("<=", "{label} ≤ {value}", "{label} ≤ {value}", lambda a, b: a <= b, lambda c, v: _filled(c, f"{c} <= {v}")),
    Operator("in", "{label} 属于 {value}", "{label} is one of {value}", lambda a, b: a.isin(b).to_numpy(),
             lambda c, v: _filled(c, f"{c} IN ({v})"), "list"),
    Operator("not_in", "{label} 不属于 {value}", "{label} is none of {value}", lambda a, b: ~a.isin(b).to_numpy(),
             lambda c, v: _filled(c, f"NOT ({c} IN ({v}))"), "list"),
    Operator("is_true", "{label}为“是”", "{label} is “yes”", lambda a, _: a >= 0.5, lambda c, _: _filled(c, f"{c} >= 0.5"), "none"),
    Operator("is_false", "{label}为“否”", "{label} is “no”", lambda a, _: ~(a >= 0.5), lambda c, _: _filled(c, f"NOT ({c} >= 0.5)"), "none"),
    Operator("is_blank", "{label}未填", "{label} is blank", lambda a, _: np.zeros(len(a), dtype=bool), lambda c, _: f"({c} IS NULL)", "none"),
)}


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
    operator = OPERATORS[cond.op]
    value = encode_literal(cond.value, columns.get(cond.column))
    if operator.takes == "list" and not isinstance(value, list):
        value = [value]
    return operator.evaluate(frame[cond.column], value)


def describe(cond: Condition, columns: Mapping[str, Column], lang: str = "zh") -> str:
    """The condition in words, e.g. “书记空缺月数 ≥ 3个月”."""
    left, right = ("（", "）") if lang == "zh" else ("(", ")")
    if isinstance(cond, AnyOf):
        return ("或" if lang == "zh" else " or ").join(f"{left}{describe(c, columns, lang)}{right}" for c in cond.any)
    if isinstance(cond, AllOf):
        return ("且" if lang == "zh" else " and ").join(f"{left}{describe(c, columns, lang)}{right}" for c in cond.all)
    return _describe_clause(cond, columns, lang)


def condition_columns(cond: Condition | None) -> set[str]:
    """The columns a condition tests."""
    if cond is None:
        return set()
    if isinstance(cond, AnyOf):
        return set().union(*(condition_columns(c) for c in cond.any))
    if isinstance(cond, AllOf):
        return set().union(*(condition_columns(c) for c in cond.all))
    return {cond.column}


def located_columns(cond: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every column a condition reads as a rubric wrote it (before the model is built), with its path."""
    if not isinstance(cond, dict):
        return
    if "column" in cond:
        yield (*path, "column"), cond["column"]
    for key in ("any", "all"):
        for i, sub in enumerate(cond.get(key) or []):
            yield from located_columns(sub, (*path, key, i))


def _describe_clause(cond: Clause, columns: Mapping[str, Column], lang: str) -> str:
    column = columns.get(cond.column)
    label = column.label if column else cond.column
    value: Any = ("、" if lang == "zh" else ", ").join(map(str, cond.value)) if isinstance(cond.value, list) else cond.value
    if column is not None and column.type == "rate" and isinstance(value, (int, float)):
        value = f"{value:.0%}"
    elif value is not None:
        value = f"{value}{column.unit if column else ''}"
    return OPERATORS[cond.op].describe(label, "" if value is None else str(value), lang)


def sql(cond: Condition, columns: Collection[str], described: Mapping[str, Column]) -> str:
    """A boolean SQL expression that is never NULL; a blank cell never satisfies a comparison (each operator renders itself)."""
    if isinstance(cond, AnyOf):
        return "(" + " OR ".join(sql(c, columns, described) for c in cond.any) + ")"
    if isinstance(cond, AllOf):
        return "(" + " AND ".join(sql(c, columns, described) for c in cond.all) + ")"
    if cond.column not in columns:
        return "FALSE"
    operator = OPERATORS[cond.op]
    value = encode_literal(cond.value, described.get(cond.column))
    if operator.takes == "list":
        items = value if isinstance(value, list) else [value]
        if not items:
            return "FALSE" if cond.op == "in" else f"({q(cond.column)} IS NOT NULL)"
        return operator.sql(q(cond.column), ", ".join(literal(v) for v in items))
    return operator.sql(q(cond.column), "" if value is None else literal(value))
