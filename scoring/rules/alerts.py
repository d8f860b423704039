"""Alerts (红黄绿预警): a warning colour per branch by the count of indicators it left unmet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from scoring.base import FrozenModel, Number, Whole
from scoring.errors import rubric_texts, said
from scoring.results import coded
from scoring.rules.base import Found

rubric_texts({"alerts-order": {"zh": "预警 levels 须按 max_unmet 从小到大排列，只有最后一级可以不写 max_unmet；请调整顺序",
                               "en": "the alert levels must run from the smallest max_unmet up, and only the last may leave out "
                                     "max_unmet; reorder them"}})


class AlertLevel(FrozenModel):
    """A warning colour and the most unmet indicators it allows (None: no upper bound)."""

    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    max_unmet: Whole | None = None


class Alerts(FrozenModel):
    """红黄绿 warnings by the count of indicators scoring below `unmet_below` of their points."""

    unmet_below: Number = Field(1.0, gt=0, le=1)
    levels: tuple[AlertLevel, ...] = Field(min_length=1)

    def evaluate(self, unmet: np.ndarray) -> pd.Categorical[str]:
        """The warning colour per row from its count of unmet indicators."""
        bounded = [lvl.max_unmet for lvl in self.levels if lvl.max_unmet is not None]
        names = [*(lvl.name for lvl in self.levels[: len(bounded)]), self.levels[-1].name]
        return coded(np.searchsorted(np.array(bounded), unmet, side="left"), names)

    def describe(self, lang: str = "zh", names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
        """One printed row per colour: 预警, 未达标指标数."""
        shown = names or {}
        unit, more = (" unmet", " or more unmet") if lang == "en" else (" 项", " 项及以上")
        rows, low = [], 0
        for level in self.levels:
            name = shown.get(level.name, level.name)
            if level.max_unmet is None:
                rows.append({"预警": name, "未达标指标数": f"{low}{more}"})
            else:
                rows.append({"预警": name, "未达标指标数": f"{low}–{level.max_unmet}{unit}" if level.max_unmet > low else f"{low}{unit}"})
                low = level.max_unmet + 1
        return rows

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...]) -> Iterator[Found]:
        """Colours run from the fewest unmet indicators up, and only the last may be unbounded."""
        levels = [lvl for lvl in raw.get("levels") or [] if isinstance(lvl, dict)] if isinstance(raw.get("levels"), list) else []
        bounds = [lvl.get("max_unmet") for lvl in levels]
        numbers = [b for b in bounds if isinstance(b, (int, float)) and not isinstance(b, bool)]
        if None in bounds[:-1] or any(b <= a for a, b in zip(numbers, numbers[1:])):
            yield (*path, "levels"), "alerts-order", said("alerts-order")
