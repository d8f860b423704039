"""Vetoes (一票否决): a condition that forces a grade, caps the best grade and/or raises a flag."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from scoring.base import Templates, say
from scoring.conditions import Condition, describe, evaluate
from scoring.errors import rubric_texts, said
from scoring.rules.base import CheckContext, Found, GradeState, GradingRule, SqlGrading, effect, printed_effect

if TYPE_CHECKING:
    from scoring.rubric import Column

rubric_texts({"veto-without-effect": {"zh": "一票否决规则需要 force、cap 或 flag 之一", "en": "a veto needs one of force, cap or flag"}})


class Veto(GradingRule):
    """一票否决: a condition that forces a grade or caps the best grade, with its reason."""

    key: ClassVar[str] = "vetoes"
    title: ClassVar[str] = "一票否决和等次限制"
    step: ClassVar[str] = "一票否决和等次限制"
    templates: ClassVar[Templates] = {"veto": {"zh": "{reason}（{condition}）{effect}", "en": "{reason} ({condition}){effect}"}}
    printed: ClassVar[Templates] = {"force": {"zh": "一票否决", "en": "Veto"}, "cap": {"zh": "等次限制", "en": "Grade cap"},
                                    "flag": {"zh": "预警标记", "en": "Flag"}}
    grade_fields: ClassVar[tuple[str, ...]] = ("force", "cap")
    condition_fields: ClassVar[tuple[str, ...]] = ("when",)

    reason: str
    when: Condition
    force: str | None = Field(None, description="直接定为该等次")
    cap: str | None = Field(None, description="最高只能评为该等次")
    flag: str | None = Field(None, description="同时标记，如 软弱涣散")

    def evaluate(self, state: GradeState) -> None:
        hit = evaluate(self.when, state.frame, state.columns)
        if self.flag:
            state.flag(self.flag, hit)
        if self.cap:
            state.rules[self.id] = state.cap(hit, self.cap)
        if self.force:
            state.force(hit, self.force)
            state.locked = state.locked | hit
            state.rules[self.id] = hit | state.rules.get(self.id, np.zeros(len(hit), dtype=bool))
        elif self.flag and not self.cap:
            state.rules[self.id] = hit

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        return say(self.templates, "veto", lang, reason=self.reason, condition=describe(self.when, columns, lang),
                   effect=effect(self.reason, lang, self.force, self.cap, self.flag, names))

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        category = say(self.printed, "force" if self.force else ("cap" if self.cap else "flag"), lang)
        return {"类别": category, "规则": self.id, "条件": describe(self.when, columns, lang),
                "处理": printed_effect(self.force, self.cap, self.flag, lang, names), "说明": self.reason}

    def sql(self, b: SqlGrading, k: int) -> None:
        hit = b.hit(f"v{k}", self.when)
        if self.flag:
            b.flag_column(self.flag)
            b.flags[self.flag].append(hit)
        for grade in (self.cap, self.force):
            if grade:
                b.level = f"GREATEST({b.level}, CASE WHEN {hit} THEN {b.position(grade)} ELSE 0 END)"
        if self.force:
            b.locked.append(hit)

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        yield from super().check(raw, path, ctx)
        if raw.get("force") is None and raw.get("cap") is None and raw.get("flag") is None:
            yield path, "veto-without-effect", said("veto-without-effect")
