"""Bottom shares (倒排): the lowest share of each group get a flag and/or are forced to a grade."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from scoring.base import Number, Templates, Whole, say
from scoring.rules.base import (
    EPS,
    CheckContext,
    Found,
    GradeState,
    GradingRule,
    SqlGrading,
    effect,
    group_problems,
    group_words,
    printed_effect,
)
from scoring.rules.ranking import order, position
from scoring.sql import num

if TYPE_CHECKING:
    from scoring.rubric import Column

Rounding = Literal["ceil", "floor", "round"]
# How many rows a share of a group is; a hair of tolerance so that 10% of 30 is 3, not 3.0000000000000004 rounded up to 4.
_ROUNDING: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[str], str]]] = {
    "ceil": (lambda x: np.ceil(x - EPS), lambda x: f"ceil({x} - {num(EPS)})"),
    "floor": (lambda x: np.floor(x + EPS), lambda x: f"floor({x} + {num(EPS)})"),
    "round": (lambda x: np.floor(x + 0.5), lambda x: f"floor({x} + 0.5)"),
}


class Bottom(GradingRule):
    """The lowest `share` of each group (倒排) get a flag and/or are forced to a grade."""

    key: ClassVar[str] = "bottom"
    title: ClassVar[str] = "倒排"
    step: ClassVar[str] = "倒排"
    templates: ClassVar[Templates] = {"bottom": {"zh": "{reason}{effect}", "en": "{reason}{effect}"}}
    printed: ClassVar[Templates] = {
        "kind": {"zh": "倒排", "en": "Bottom share"},
        "condition": {"zh": "{group}总分位于后 {share}（{rounding}{size}）", "en": "{group} total in the bottom {share} ({rounding}{size})"},
        "size": {"zh": "，所属支部 {n} 个以上时适用", "en": ", groups of {n} or more"},
        "ceil": {"zh": "向上取整", "en": "rounded up"},
        "floor": {"zh": "向下取整", "en": "rounded down"},
        "round": {"zh": "四舍五入", "en": "rounded"},
    }
    grade_fields: ClassVar[tuple[str, ...]] = ("force",)

    group_by: str
    share: Number = Field(gt=0, le=1)
    rounding: Rounding = "ceil"
    min_group_size: Whole = Field(1, ge=1)
    flag: str | None = None
    force: str | None = None
    reason: str = ""

    def selected(self, state: GradeState) -> np.ndarray:
        """Rows among the lowest `share` of their group (ties: the larger branch code is lower)."""
        groups = state.keys.groups(self.group_by)
        codes = state.keys.codes()
        at, sizes = position(groups, order(groups, state.keys.points, codes.max(initial=0) - codes), np.ones(len(groups), dtype=bool))
        return (sizes >= self.min_group_size) & (at < _ROUNDING[self.rounding][0](self.share * sizes))

    def evaluate(self, state: GradeState) -> None:
        """Locked rows (direct grades, forcing vetoes) keep their grade but are still flagged."""
        selected = self.selected(state)
        state.rules[self.id] = selected
        if self.flag:
            state.flag(self.flag, selected)
        if self.force:
            state.force(selected & ~state.locked, self.force)

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        done = effect(self.reason, lang, force=self.force, flag=self.flag, names=names)
        return say(self.templates, "bottom", lang, reason=self.reason, effect=done)

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        size = say(self.printed, "size", lang, n=self.min_group_size) if self.min_group_size > 1 else ""
        condition = say(self.printed, "condition", lang, group=group_words(self.group_by, columns, lang), share=f"{self.share:.0%}",
                        rounding=say(self.printed, self.rounding, lang), size=size)
        return {"类别": say(self.printed, "kind", lang), "规则": self.id, "条件": condition,
                "处理": printed_effect(force=self.force, flag=self.flag, lang=lang, names=names), "说明": self.reason}

    def sql(self, b: SqlGrading, k: int) -> None:
        """Positions only look at totals, so they are taken with the first window step; the rule applies after quotas."""
        pos, size = f"bpos{k}", f"bsize{k}"
        b.windows.append(b.positions(self.group_by, ["total ASC", *b.codes(False)], pos, size))
        b.dropped += [pos, size]
        sel = f"({size} >= {self.min_group_size} AND {pos} < {_ROUNDING[self.rounding][1](f'{num(self.share)} * {size}')})"
        if self.force:
            b.final["lvl"] = f"GREATEST({b.final.get('lvl', 'lvl')}, CASE WHEN {sel} AND NOT locked THEN {b.position(self.force)} ELSE 0 END)"
        if self.flag:
            col = b.flag_column(self.flag)
            b.final[col] = f"({b.final.get(col, col)} OR {sel})"

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        yield from super().check(raw, path, ctx)
        yield from group_problems(raw, path, ctx)
