"""Bands: the grade each total earns before any rule applies (the highest band whose minimum the total reaches)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from scoring.base import FrozenModel, Number, Templates, say
from scoring.errors import rubric_texts, said
from scoring.methods import fmt_points
from scoring.rules.base import EPS, CheckContext, Found, GradeState, SqlGrading
from scoring.sql import num

rubric_texts({"bands-order": {"zh": "等次 bands 必须按分数线从高到低排列，分数线不能相同；请调整顺序",
                              "en": "the bands must run from the highest minimum down, without equal minimums; reorder them"}})


class Band(FrozenModel):
    """A grade and the lowest total that earns it."""

    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    min: Number


@dataclass(frozen=True)
class Bands:
    """The bands of a rubric, best first, as one rule kind."""

    bands: tuple[Band, ...]

    key: ClassVar[str] = "bands"
    templates: ClassVar[Templates] = {
        "band": {"zh": "总分 {total} 分，按分数线评为“{grade}”（{range}）", "en": "total {total}: band “{grade}” ({range})"},
        "band-at-least": {"zh": "{min} 分及以上", "en": "{min} or more"},
        "band-below": {"zh": "低于 {min} 分", "en": "below {min}"},
    }

    def evaluate(self, state: GradeState) -> None:
        """Every row's band; the grade starts there."""
        mins = np.array([b.min for b in self.bands])
        state.band = np.minimum((state.total[:, None] < mins[None, :] - EPS).sum(axis=1), len(mins) - 1)
        state.level = state.band.copy()

    printed: ClassVar[Templates] = {
        "between": {"zh": "{low} 分及以上、不足 {high} 分", "en": "{low} or more, below {high}"},
        "at-least": {"zh": "{low} 分及以上", "en": "{low} or more"},
        "below": {"zh": "不足 {high} 分", "en": "below {high}"},
        "all": {"zh": "全部", "en": "all"},
    }

    def explain(self, totals: np.ndarray, grades: np.ndarray, lang: str = "zh", names: Mapping[str, str] | None = None) -> list[str]:
        """Per row, the band its total reached and that band's range (grades by their `names` when given)."""
        shown = names or {}
        line = {b.name: say(self.templates, "band-at-least", lang, min=fmt_points(b.min)) for b in self.bands}
        if len(self.bands) > 1:
            line[self.bands[-1].name] = say(self.templates, "band-below", lang, min=fmt_points(self.bands[-2].min))
        return [say(self.templates, "band", lang, total=fmt_points(t), grade=shown.get(g, g), range=line[g]) for t, g in zip(totals, grades)]

    def describe(self, lang: str = "zh", names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """One printed row per band: 等次, 最低分, 分数范围."""
        shown = names or {}
        rows = []
        for i, band in enumerate(self.bands):
            upper = self.bands[i - 1].min if i else None
            if i == len(self.bands) - 1 and band.min <= 0:
                text = say(self.printed, "below", lang, high=fmt_points(upper)) if upper is not None else say(self.printed, "all", lang)
            elif upper is None:
                text = say(self.printed, "at-least", lang, low=fmt_points(band.min))
            else:
                text = say(self.printed, "between", lang, low=fmt_points(band.min), high=fmt_points(upper))
            rows.append({"等次": shown.get(band.name, band.name), "最低分": band.min, "分数范围": text})
        return rows

    def sql(self, b: SqlGrading, k: int = 0) -> None:
        """The band as the starting grade expression."""
        steps = " ".join(f"WHEN total >= {num(band.min - EPS)} THEN {i}" for i, band in enumerate(self.bands))
        b.level = f"(CASE {steps} ELSE {b.worst} END)"

    @classmethod
    def check(cls, raw: list[tuple[int, dict[str, Any]]], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        """Bands run from the highest minimum down, without repeats."""
        mins = [band.get("min") for _, band in raw]
        mins = [m if isinstance(m, (int, float)) and not isinstance(m, bool) else None for m in mins]
        for (i, _), (a, b) in zip(raw[1:], zip(mins, mins[1:])):
            if a is not None and b is not None and b >= a:
                yield (*path, i, "min"), "bands-order", said("bands-order")
