"""Floors: a branch with a standard below a share of its points can be at best a given grade (direct grades excepted)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from scoring.base import Number, Templates, say
from scoring.errors import rubric_texts, said
from scoring.rules.base import EPS, CheckContext, Found, GradeState, GradingRule, SqlGrading, effect, printed_effect
from scoring.sql import num, q

rubric_texts({"unknown-standard": {"zh": "标准“{standard}”不存在；可用的有：{standards}",
                                   "en": "the standard “{standard}” does not exist; defined: {standards}"}})

if TYPE_CHECKING:
    from scoring.rubric import Column


class Floor(GradingRule):
    """A branch with any listed standard below `min_share` of its points can be at best `cap`."""

    key: ClassVar[str] = "floors"
    title: ClassVar[str] = "单项得分底线"
    step: ClassVar[str] = "单项底线"
    templates: ClassVar[Templates] = {
        "floor": {"zh": "{reason}（低于 {share}）{effect}", "en": "{reason} (below {share}){effect}"},
        "floor-default": {"zh": "标准得分低于底线", "en": "a standard scored below its floor"},
    }
    printed: ClassVar[Templates] = {
        "kind": {"zh": "单项底线", "en": "Standard floor"},
        "condition": {"zh": "{which}得分低于该标准分值的 {share}", "en": "{which} below {share} of its points"},
        "any": {"zh": "任一标准", "en": "any standard"},
        "and": {"zh": "、", "en": ", "},
    }
    grade_fields: ClassVar[tuple[str, ...]] = ("cap",)

    min_share: Number = Field(gt=0, le=1)
    cap: str
    standards: tuple[str, ...] = Field((), description="适用的标准 id；空表示全部")
    reason: str = ""

    def evaluate(self, state: GradeState) -> None:
        """Only direct grades are locked at this point, and floors spare them."""
        ids = self.standards or tuple(s.id for s in state.rubric.standards)
        points = np.array([next(s.points for s in state.rubric.standards if s.id == i) for i in ids])
        share = state.standards[list(ids)].to_numpy(dtype=float) / points
        hit = np.any(np.nan_to_num(share, nan=1.0) < self.min_share - EPS, axis=1)
        state.rules[self.id] = state.cap(hit & ~state.locked, self.cap)

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        reason = self.reason or say(self.templates, "floor-default", lang)
        return say(self.templates, "floor", lang, reason=reason, share=f"{self.min_share:.0%}",
                   effect=effect(reason, lang, cap=self.cap, names=names))

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        shown = names or {}
        which = (say(self.printed, "and", lang).join(shown.get(n, n) for n in (standards.get(s, s) for s in self.standards))
                 if self.standards else say(self.printed, "any", lang))
        condition = say(self.printed, "condition", lang, which=which, share=f"{self.min_share:.0%}")
        return {"类别": say(self.printed, "kind", lang), "规则": self.id, "条件": condition,
                "处理": printed_effect(cap=self.cap, lang=lang, names=names), "说明": self.reason}

    def sql(self, b: SqlGrading, k: int) -> None:
        ids = self.standards or tuple(b.standard_points)
        low = " OR ".join(f"COALESCE({q('s_' + sid)} / {num(b.standard_points[sid])}, 1.0) < {num(self.min_share - EPS)}" for sid in ids)
        spared = " OR ".join(b.locked)  # only direct grades are locked at this point
        b.level = f"GREATEST({b.level}, CASE WHEN ({low}) AND NOT ({spared}) THEN {b.position(self.cap)} ELSE 0 END)"

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        yield from super().check(raw, path, ctx)
        for j, std in enumerate(raw.get("standards") or []):
            if std not in ctx.standards:
                yield (*path, "standards", j), "unknown-standard", said("unknown-standard", standard=std, standards=tuple(map(str, ctx.standards)))
