"""Scoring methods: small registered objects that score a whole column at once, explain and describe themselves,
check their parameters and render as SQL (for the benchmark reference)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from scoring.base import Flag, FrozenModel, Number, Templates, say
from scoring.errors import Said, rubric_texts, said
from scoring.sql import num

ColumnType = Literal["bool", "number", "rate", "level", "points", "text"]
Problem = tuple[tuple[Any, ...], str, Said]  # (path below the method, code, message with the fix)
_TOLERANCE = 1e-6

rubric_texts({
    "method-exceeds-points": {"zh": "评分方法中的分值超过了本项满分 {points:g}；请降低或提高本项 points",
                              "en": "the scoring method awards more than this item's full points {points:g}; lower it or raise "
                                    "the item's points"},
    "tiers-order": {"zh": "tiers 的门槛 min 必须从高到低排列且不重复；请调整顺序",
                    "en": "the thresholds (min) of tiers must run from high to low without repeats; reorder them"},
    "rate-zero-at": {"zh": "zero_at 必须小于 target", "en": "zero_at must be less than target"},
})


def fmt_points(x: float) -> str:
    """Format a number without trailing zeros (5.0 -> '5', 0.25 -> '0.25')."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


class Method(FrozenModel):
    """Base of every scoring method; subclasses declare `kind` and what column type they read."""

    reads: ClassVar[ColumnType] = "number"
    templates: ClassVar[Templates] = {}

    @property
    def direction(self) -> int:
        """+1 when a larger input never lowers the points, -1 when it never raises them."""
        return 1

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        """Points for every value of a column (NaN in, NaN out)."""
        raise NotImplementedError

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        """Why a branch with this value earned these points, in Chinese (or English with lang="en")."""
        raise NotImplementedError

    def describe(self, points: float, lang: str = "zh") -> str:
        """The rule in one sentence, for printed rubrics, in Chinese (or English with lang="en")."""
        raise NotImplementedError

    def sql(self, col: str, points: float) -> str:
        """The points a column earns, as one SQL expression that is NULL where the value is blank (like NaN here)."""
        raise NotImplementedError

    @classmethod
    def check(cls, raw: dict[str, Any], points: float) -> Iterator[Problem]:
        """Problems of the method as a rubric wrote it (before the model is built) that its schema cannot express."""
        return iter(())


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _exceeds(values: list[float | None], points: float) -> Iterator[Problem]:
    """A method may not award more than the indicator's points."""
    if any(v is not None and v > points + _TOLERANCE for v in values):
        yield (), "method-exceeds-points", said("method-exceeds-points", points=points)


def _blank(col: str) -> str:
    return f"WHEN {col} IS NULL THEN NULL"


class YesNo(Method):
    """Full points when the answer is the good one (是/有), none otherwise."""

    kind: Literal["yes_no"]
    good: Flag = Field(True, description="true: 是 earns the points; false: 否 earns them (e.g. 无违纪)")
    reads: ClassVar[ColumnType] = "bool"
    templates: ClassVar[Templates] = {
        "yes": {"zh": "是得 {points} 分，否不得分", "en": "yes earns {points}, no earns 0"},
        "no": {"zh": "否得 {points} 分，是不得分", "en": "no earns {points}, yes earns 0"},
    }

    @property
    def direction(self) -> int:
        """Yes is good unless the rubric says otherwise."""
        return 1 if self.good else -1

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        hit = values >= 0.5 if self.good else values < 0.5
        return np.where(np.isnan(values), np.nan, np.where(hit, points, 0.0))

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        answer = "是" if value else "否"
        if lang == "en":
            return f"entered “{'yes' if value else 'no'}”, expected “{'yes' if self.good else 'no'}”"
        return f"填报为“{answer}”，应为“{'是' if self.good else '否'}”"

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "yes" if self.good else "no", lang, points=fmt_points(points))

    def sql(self, col: str, points: float) -> str:
        test = f"{col} >= 0.5" if self.good else f"{col} < 0.5"
        return f"(CASE {_blank(col)} WHEN {test} THEN {num(points)} ELSE 0.0 END)"


class Count(Method):
    """Points per unit counted, up to the indicator's points."""

    kind: Literal["count"]
    per_unit: Number = Field(gt=0, description="每次/每个得分")
    unit: str = "次"
    templates: ClassVar[Templates] = {"count": {"zh": "每{unit}得 {per} 分，最高 {points} 分", "en": "each earns {per}, up to {points}"}}

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        return np.minimum(np.maximum(values, 0.0) * self.per_unit, points)

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        need = points / self.per_unit
        if lang == "en":
            return f"{fmt_points(float(value))} counted, {fmt_points(self.per_unit)} each, {fmt_points(need)} for full marks"  # type: ignore[arg-type]
        return f"{fmt_points(float(value))}{self.unit}，每{self.unit} {fmt_points(self.per_unit)} 分，满分需 {fmt_points(need)}{self.unit}"  # type: ignore[arg-type]

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "count", lang, unit=self.unit, per=fmt_points(self.per_unit), points=fmt_points(points))

    def sql(self, col: str, points: float) -> str:
        return f"(CASE {_blank(col)} ELSE LEAST(GREATEST({col}, 0.0) * {num(self.per_unit)}, {num(points)}) END)"


class Tier(FrozenModel):
    """One step of a tiers method: values at or above `min` earn `points`."""

    min: Number
    points: Number = Field(ge=0)


class Tiers(Method):
    """Thresholds mapped to points; the highest threshold reached counts."""

    kind: Literal["tiers"]
    tiers: tuple[Tier, ...] = Field(min_length=1, description="从高到低排列的门槛")
    unit: str = ""
    templates: ClassVar[Templates] = {  # the unit is the rubric's own (Chinese) word, left out in English
        "step": {"zh": "≥{min}{unit} 得 {points} 分", "en": "≥{min} earns {points}"},
        "join": {"zh": "；", "en": "; "},
        "rest": {"zh": "{steps}；其余 0 分", "en": "{steps}; otherwise 0"},
    }

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        out = np.where(np.isnan(values), np.nan, 0.0)
        for tier in reversed(self.tiers):  # ascending, so higher tiers overwrite lower ones
            out = np.where(values >= tier.min, min(tier.points, points), out)
        return out

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        better = [t for t in self.tiers if t.points > earned]
        if lang == "en":
            up = f"; {fmt_points(better[-1].min)} earns {fmt_points(better[-1].points)}" if better else ""
            return f"{fmt_points(float(value))}{self.unit}{up}"  # type: ignore[arg-type]
        step = f"，达到 {fmt_points(better[-1].min)}{self.unit} 可得 {fmt_points(better[-1].points)} 分" if better else ""
        return f"{fmt_points(float(value))}{self.unit}{step}"  # type: ignore[arg-type]

    def describe(self, points: float, lang: str = "zh") -> str:
        steps = say(self.templates, "join", lang).join(
            say(self.templates, "step", lang, min=fmt_points(t.min), unit=self.unit, points=fmt_points(t.points)) for t in self.tiers)
        return say(self.templates, "rest", lang, steps=steps)

    def sql(self, col: str, points: float) -> str:
        steps = " ".join(f"WHEN {col} >= {num(t.min)} THEN {num(min(t.points, points))}" for t in self.tiers)
        return f"(CASE {_blank(col)} {steps} ELSE 0.0 END)"

    @classmethod
    def check(cls, raw: dict[str, Any], points: float) -> Iterator[Problem]:
        tiers = [t for t in raw.get("tiers") or [] if isinstance(t, dict)] if isinstance(raw.get("tiers"), list) else []
        mins = [m for t in tiers if (m := _num(t.get("min"))) is not None]
        if any(a <= b for a, b in zip(mins, mins[1:])):
            yield ("tiers",), "tiers-order", said("tiers-order")
        yield from _exceeds([_num(t.get("points")) for t in tiers], points)


class Rate(Method):
    """A rate scored linearly between `zero_at` (0 points) and `target` (full points), clipped."""

    kind: Literal["rate"]
    target: Number = Field(gt=0, le=1, description="满分所需比率，如 0.95")
    zero_at: Number = Field(0.0, ge=0, lt=1, description="不得分的比率，如 0.6")
    reads: ClassVar[ColumnType] = "rate"
    templates: ClassVar[Templates] = {"rate": {
        "zh": "达到 {target} 得满分，{zero} 及以下不得分，其间按比例计分",
        "en": "{target} or more earns full points, {zero} or less earns 0, in proportion between",
    }}

    @model_validator(mode="after")
    def _ordered(self) -> Rate:
        if self.zero_at >= self.target:
            raise PydanticCustomError("value_error", said("rate-zero-at").render(), {"text": "rate-zero-at"})
        return self

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        share = (values - self.zero_at) / (self.target - self.zero_at)
        return np.clip(share, 0.0, 1.0) * points

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        if lang == "en":
            return f"rate {float(value):.1%}, target {self.target:.0%}"  # type: ignore[arg-type]
        return f"比率 {float(value):.1%}，目标 {self.target:.0%}"  # type: ignore[arg-type]

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "rate", lang, target=f"{self.target:.0%}", zero=f"{self.zero_at:.0%}")

    def sql(self, col: str, points: float) -> str:
        share = f"({col} - {num(self.zero_at)}) / {num(self.target - self.zero_at)}"
        return f"(CASE {_blank(col)} ELSE LEAST(GREATEST({share}, 0.0), 1.0) * {num(points)} END)"


class Level(Method):
    """A qualitative level (好/较好/一般/差) mapped to points."""

    kind: Literal["level"]
    levels: dict[str, Number] = Field(min_length=1, description="等次 → 分值，从好到差排列")
    reads: ClassVar[ColumnType] = "level"
    templates: ClassVar[Templates] = {"level": {"zh": "{level} {points} 分", "en": "{level} {points}"}, "join": {"zh": "；", "en": "; "}}

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        """Values are level positions (0 = best) as ingestion encodes them."""
        table = np.array([min(p, points) for p in self.levels.values()] + [np.nan])
        codes = np.where(np.isnan(values), len(self.levels), values).astype(np.int64)
        return table[np.clip(codes, 0, len(self.levels))]

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        names = list(self.levels)
        label = names[int(value)] if isinstance(value, (int, float)) and 0 <= value < len(names) else value
        return f"rated “{label}”" if lang == "en" else f"评定为“{label}”"

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "join", lang).join(
            say(self.templates, "level", lang, level=k, points=fmt_points(v)) for k, v in self.levels.items())

    def sql(self, col: str, points: float) -> str:
        """Positions, 0 = best; truncated like an integer cast; past the last level is blank."""
        steps = " ".join(f"WHEN {col} < {k + 1} THEN {num(min(v, points))}" for k, v in enumerate(self.levels.values()))
        return f"(CASE {_blank(col)} {steps} ELSE NULL END)"

    @classmethod
    def check(cls, raw: dict[str, Any], points: float) -> Iterator[Problem]:
        levels = raw.get("levels")
        yield from _exceeds([_num(v) for v in levels.values()] if isinstance(levels, dict) else [], points)


class Deduction(Method):
    """The indicator's points less a deduction per occurrence, never below `floor`."""

    kind: Literal["deduction"]
    per_occurrence: Number = Field(gt=0, description="每次扣分")
    floor: Number = Field(0.0, ge=0, description="本项最低得分")
    unit: str = "次"
    templates: ClassVar[Templates] = {
        "floor": {"zh": "每{unit}扣 {per} 分，最低 {floor} 分", "en": "{per} off each, never below {floor}"},
        "no-floor": {"zh": "每{unit}扣 {per} 分，扣完为止", "en": "{per} off each, down to 0"},
    }

    @property
    def direction(self) -> int:
        """More occurrences, fewer points."""
        return -1

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        return np.maximum(points - np.maximum(values, 0.0) * self.per_occurrence, min(self.floor, points))

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        if lang == "en":
            return f"{fmt_points(float(value))} counted, {fmt_points(self.per_occurrence)} off each"  # type: ignore[arg-type]
        return f"{fmt_points(float(value))}{self.unit}，每{self.unit}扣 {fmt_points(self.per_occurrence)} 分"  # type: ignore[arg-type]

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "floor" if self.floor else "no-floor", lang, unit=self.unit,
                   per=fmt_points(self.per_occurrence), floor=fmt_points(self.floor))

    def sql(self, col: str, points: float) -> str:
        return (f"(CASE {_blank(col)} ELSE GREATEST({num(points)} - GREATEST({col}, 0.0) * {num(self.per_occurrence)}, "
                f"{num(min(self.floor, points))}) END)")


class Direct(Method):
    """Points given directly by the assessor, clipped to [0, points] (ingestion reports out-of-range values)."""

    kind: Literal["direct"]
    reads: ClassVar[ColumnType] = "points"
    templates: ClassVar[Templates] = {
        "direct": {"zh": "考评组按实际情况直接评分，0–{points} 分", "en": "scored directly by the assessors, 0–{points}"},
    }

    def score(self, values: np.ndarray, points: float) -> np.ndarray:
        return np.clip(values, 0.0, points)

    def explain(self, value: object, earned: float, points: float, lang: str = "zh") -> str:
        if lang == "en":
            return f"scored {fmt_points(float(value))} by the assessors"  # type: ignore[arg-type]
        return f"考评组直接评分 {fmt_points(float(value))} 分"  # type: ignore[arg-type]

    def describe(self, points: float, lang: str = "zh") -> str:
        return say(self.templates, "direct", lang, points=fmt_points(points))

    def sql(self, col: str, points: float) -> str:
        return f"(CASE {_blank(col)} ELSE LEAST(GREATEST({col}, 0.0), {num(points)}) END)"


AnyMethod = Annotated[
    YesNo | Count | Tiers | Rate | Level | Deduction | Direct,
    Field(discriminator="kind"),
]

METHODS: dict[str, type[Method]] = {
    cls.model_fields["kind"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (YesNo, Count, Tiers, Rate, Level, Deduction, Direct)
}
