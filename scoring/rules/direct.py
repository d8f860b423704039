"""Direct grades: a condition (e.g. a national award) that grants a grade without scoring; later floors spare the row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from scoring.base import Templates, say
from scoring.conditions import Condition, describe, evaluate
from scoring.rules.base import GradeState, GradingRule, SqlGrading, effect

if TYPE_CHECKING:
    from scoring.rubric import Column


class DirectGrade(GradingRule):
    """A condition (e.g. a national award) that grants a grade without scoring."""

    key: ClassVar[str] = "direct"
    title: ClassVar[str] = "直接评定"
    step: ClassVar[str] = "直接评定"
    templates: ClassVar[Templates] = {"direct": {"zh": "{reason}{effect}", "en": "{reason}{effect}"}}
    printed: ClassVar[Templates] = {"kind": {"zh": "直接评定", "en": "Direct grade"}, "effect": {"zh": "直接评为{grade}", "en": "graded {grade}"}}
    grade_fields: ClassVar[tuple[str, ...]] = ("grade",)
    condition_fields: ClassVar[tuple[str, ...]] = ("when",)

    when: Condition
    grade: str
    reason: str

    def evaluate(self, state: GradeState) -> None:
        hit = evaluate(self.when, state.frame, state.columns)
        state.level = np.where(hit, np.minimum(state.level, state.rubric.grade_level(self.grade)), state.level)
        state.locked = state.locked | hit
        state.rules[self.id] = hit

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        return say(self.templates, "direct", lang, reason=self.reason, effect=effect(self.reason, lang, force=self.grade, names=names))

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"类别": say(self.printed, "kind", lang), "规则": self.id, "条件": describe(self.when, columns, lang),
                "处理": say(self.printed, "effect", lang, grade=(names or {}).get(self.grade, self.grade)), "说明": self.reason}

    def sql(self, b: SqlGrading, k: int) -> None:
        hit = b.hit(f"d{k}", self.when)
        b.level = f"LEAST({b.level}, CASE WHEN {hit} THEN {b.position(self.grade)} ELSE {b.worst} END)"
        b.locked.append(hit)
