"""Quotas (比例控制): at most a share of each group may hold a grade; the lowest totals beyond it drop one grade."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from scoring.base import Number, Templates, say
from scoring.rules.base import EPS, CheckContext, Found, GradeState, GradingRule, SqlGrading, group_problems, group_words
from scoring.rules.ranking import order, position
from scoring.sql import num

if TYPE_CHECKING:
    from scoring.rubric import Column


class Quota(GradingRule):
    """At most `max_share` of each group may hold `grade`; the lowest totals beyond it drop one grade."""

    key: ClassVar[str] = "quotas"
    title: ClassVar[str] = "比例控制"
    step: ClassVar[str] = "比例控制"
    templates: ClassVar[Templates] = {
        "quota": {"zh": "{reason}：超出名额，由“{grade}”调整为下一等次", "en": "{reason}: over the quota, moved down from “{grade}”"},
        "quota-default": {"zh": "等次比例限制", "en": "grade quota"},
    }
    printed: ClassVar[Templates] = {
        "kind": {"zh": "比例控制", "en": "Quota"},
        "condition": {"zh": "{group}评为{grade}的超过 {share}", "en": "{group} more than {share} graded {grade}"},
        "effect": {"zh": "超出部分按总分从低到高降一个等次", "en": "the excess moves down one grade, lowest totals first"},
    }
    grade_fields: ClassVar[tuple[str, ...]] = ("grade",)

    group_by: str
    grade: str
    max_share: Number = Field(ge=0, le=1)
    reason: str = ""

    def evaluate(self, state: GradeState) -> None:
        """Locked holders keep their places first, then the highest totals, then branch codes in ascending order."""
        target = state.rubric.grade_level(self.grade)
        keys = state.keys
        groups = keys.groups(self.group_by)
        holders = state.level == target
        ordered = order(groups, (~state.locked).astype(np.int64), keys.points.max(initial=0) - keys.points, keys.codes())
        at, sizes = position(groups, ordered, holders)
        allowed = np.floor(self.max_share * sizes + EPS)
        demote = holders & ~state.locked & (at >= allowed) & (target + 1 < len(state.rubric.grading.bands))
        state.level = np.where(demote, target + 1, state.level)
        state.rules[self.id] = demote

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        return say(self.templates, "quota", lang, reason=self.reason or say(self.templates, "quota-default", lang),
                   grade=(names or {}).get(self.grade, self.grade))

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        condition = say(self.printed, "condition", lang, group=group_words(self.group_by, columns, lang),
                        grade=(names or {}).get(self.grade, self.grade), share=f"{self.max_share:.0%}")
        return {"类别": say(self.printed, "kind", lang), "规则": self.id, "条件": condition,
                "处理": say(self.printed, "effect", lang), "说明": self.reason}

    def sql(self, b: SqlGrading, k: int) -> None:
        target = b.position(self.grade)
        if target + 1 > b.worst:  # nothing below the worst grade
            return
        window = b.positions(self.group_by, [f"(lvl = {target}) DESC", "locked DESC", "total DESC", *b.codes(True)], "qpos", "qsize")
        demote = f"lvl = {target} AND NOT locked AND qpos >= floor({num(self.max_share)} * qsize + {num(EPS)})"
        b.stages.append((f"quota{k}", [window],
                         f"SELECT * EXCLUDE (qpos, qsize) REPLACE (CASE WHEN {demote} THEN {target + 1} ELSE lvl END AS lvl)"))

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        yield from super().check(raw, path, ctx)
        yield from group_problems(raw, path, ctx)
