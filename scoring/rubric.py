"""The rubric model: frozen, typed description of standards, indicators, points and grading rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from scoring.base import Day, Flag, FrozenModel, Number, Whole
from scoring.conditions import AllOf, AnyOf, Clause, Condition
from scoring.methods import AnyMethod, ColumnType
from scoring.rules import AlertLevel, Alerts, Band, Bottom, DirectGrade, Floor, Grading, Quota, Veto

# The condition and grading models live with their behaviour (scoring/conditions.py, scoring/rules/); re-exported here.
__all__ = [
    "BRANCH_ID", "FIELD", "NAME", "PERIOD", "Adjustment", "AlertLevel", "Alerts", "AllOf", "AnyOf", "Band", "BlankMeaning", "Bottom",
    "Clause", "Column", "Combine", "Condition", "DirectGrade", "Floor", "Grading", "Indicator", "Quota", "Rubric", "Skip", "Source",
    "Standard", "Veto",
]

# Column ids every assessment file is read against; their Chinese headers live in the core rubric.
BRANCH_ID, NAME, FIELD, PERIOD = "branch_id", "name", "field", "period"

BlankMeaning = Literal["missing", "zero", "not_applicable", "error"]
Combine = Literal["max", "min", "sum", "first_filled"]


class Column(FrozenModel):
    """An input column: its id, the header users type, accepted aliases, type and constraints."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str = Field(description="表头（中文）")
    aliases: tuple[str, ...] = ()
    type: ColumnType = "text"
    required: Flag = False
    blank: BlankMeaning = Field("missing", description="空白的含义：missing 未填（警告、不得分）、zero 记 0、not_applicable 不适用、error 拒收")
    min: Number | None = None
    max: Number | None = None
    levels: tuple[str, ...] = Field((), description="等次列可填的等次，从好到差")
    unit: str = ""


class Indicator(FrozenModel):
    """One scored item: its points, the column it reads and how that column is scored."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    description: str = ""
    evidence: str = Field("", description="考评方式，如 查阅会议记录")
    points: Number = Field(gt=0, description="本项满分")
    column: str | None = Field(None, description="读取的列 id；缺省为指标 id 本身")
    label: str | None = Field(None, description="表头（中文）；缺省为指标名称")
    aliases: tuple[str, ...] = ()
    unit: str = ""
    min: Number | None = None
    max: Number | None = None
    blank: BlankMeaning = "missing"
    not_applicable: Literal["rescale", "zero"] = Field("rescale", description="不适用时：rescale 剔除并按比例折算本标准，zero 记 0 分")
    allow_not_applicable: Flag = Field(False, description="允许填报“不适用”（blank: not_applicable 也表示允许）；未允许的填“不适用”按未填处理")
    applies_when: Condition | None = Field(None, description="仅在条件成立时适用，否则不适用（由规则判定，无需填报）")
    not_applicable_when: Condition | None = Field(None, description="条件成立时不适用（由规则判定，无需填报）")
    columns: tuple[str, ...] = Field((), description="读取多列并合并后计分（列须在 columns 中声明）")
    combine: Combine = Field("max", description="多列合并方式：max 最高、min 最低、sum 合计、first_filled 第一个已填的")
    sources: tuple[str, ...] | None = Field(None, description="本项使用的评价来源 id；缺省同所在标准")
    method: AnyMethod

    @property
    def column_id(self) -> str:
        """The id of the input column this indicator reads (the first one when it combines several)."""
        return self.columns[0] if self.columns else (self.column or self.id)

    @property
    def column_ids(self) -> tuple[str, ...]:
        """Every input column this indicator reads."""
        return self.columns or (self.column_id,)

    @property
    def may_be_not_applicable(self) -> bool:
        """Whether a typed 不适用 counts (rules decide on their own and ignore what was typed)."""
        return self.allow_not_applicable or self.blank == "not_applicable"


class Standard(FrozenModel):
    """One of the six standards: its points and indicators."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    points: Number = Field(gt=0)
    description: str = ""
    sources: tuple[str, ...] | None = Field(None, description="本标准各指标使用的评价来源 id；缺省为全部来源")
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Adjustment(FrozenModel):
    """Bonus (加分) or penalty (减分) items outside the six standards, with a cap on their sum."""

    name: str
    cap: Number = Field(gt=0, description="本类合计上限")
    sources: tuple[str, ...] | None = Field(None, description="本类各项使用的评价来源 id；缺省为全部来源")
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Source(FrozenModel):
    """An assessment source (自评, 上级评定) and its weight; the first source reads the plain columns."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    weight: Number = Field(gt=0)
    header: str = Field("{label}", description="该来源的表头模板，如 “{label}（自评）”")


class Skip(FrozenModel):
    """不参评: rows matching the condition are not rated and are listed with the reason (e.g. founded under a year ago)."""

    id: str
    when: Condition
    reason: str


class Rubric(FrozenModel):
    """A whole rubric for one or more fields (领域), after `extends` has been resolved."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")
    name: str
    version: str = "1"
    fields: tuple[str, ...] = Field((), description="适用领域及其别称")
    effective_from: Day | None = None
    effective_to: Day | None = None
    abstract: Flag = Field(False, description="仅供继承的公共核心，不直接用于评分")
    extends: str | None = None
    description: str = ""
    total: Number = Field(gt=0, description="基础总分，如 100")
    precision: Whole = Field(2, ge=0, le=4, description="总分保留小数位")
    allow_exceed: Flag = Field(False, description="加分后总分可否超过基础总分")
    columns: tuple[Column, ...] = ()
    skip: tuple[Skip, ...] = Field((), description="不参评条件：符合条件的支部不评分，列出原因")
    sources: tuple[Source, ...] = ()
    blank_source: Literal["rescale", "zero"] = Field(
        "rescale", description="某一评价来源未填时：rescale 按其余来源的权重折算，zero 该来源记 0 分")
    standards: tuple[Standard, ...] = Field(min_length=1)
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None
    grading: Grading

    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator: standards first, then bonus and penalty items."""
        extra = [*(self.bonus.indicators if self.bonus else ()), *(self.penalty.indicators if self.penalty else ())]
        return (*(i for s in self.standards for i in s.indicators), *extra)

    def sections(self) -> tuple[Standard | Adjustment, ...]:
        """Every place indicators live: the standards, then bonus and penalty."""
        return (*self.standards, *(a for a in (self.bonus, self.penalty) if a))

    def sources_of(self) -> dict[str, tuple[tuple[str, Source], ...]]:
        """Per indicator id, the sources it reads, each with the suffix of its frame keys ('' or '@self')."""
        every = self.sources or (Source(id="main", name="", weight=1.0),)
        suffix = {s.id: "" if k == 0 else f"@{s.id}" for k, s in enumerate(every)}
        out: dict[str, tuple[tuple[str, Source], ...]] = {}
        for section in self.sections():
            for ind in section.indicators:
                wanted = ind.sources if ind.sources is not None else section.sources
                out[ind.id] = tuple((suffix[s.id], s) for s in every if wanted is None or s.id in wanted)
        return out

    def source_columns(self) -> Iterator[tuple[Indicator, str, Source, str]]:
        """Every (indicator, key suffix, source, column id) read: one per column of each indicator and source it reads."""
        scoped = self.sources_of()
        for ind in self.indicators():
            for suffix, source in scoped[ind.id]:
                for cid in ind.column_ids:
                    yield ind, suffix, source, cid

    def grade_names(self) -> tuple[str, ...]:
        """Grade names from best to worst."""
        return tuple(b.name for b in self.grading.bands)

    def grade_level(self, name: str) -> int:
        """Position of a grade (0 = best)."""
        return self.grade_names().index(name)

    def input_columns(self) -> dict[str, Column]:
        """Every column this rubric reads: declared columns plus one per indicator."""
        cols = {c.id: c for c in self.columns}
        for ind in self.indicators():
            if ind.column_id in cols:
                continue
            method = ind.method
            levels = tuple(method.levels) if method.kind == "level" else ()
            low, high = _natural_range(method.reads, ind.points)
            cols[ind.column_id] = Column(
                id=ind.column_id, label=ind.label or ind.name, aliases=ind.aliases, type=method.reads,
                blank=ind.blank, levels=levels, unit=ind.unit,
                min=low if ind.min is None else ind.min, max=high if ind.max is None else ind.max,
            )
        return cols


def _natural_range(kind: str, points: float) -> tuple[float | None, float | None]:
    """The range a column of this type accepts unless the rubric narrows it."""
    return {"rate": (0.0, 1.0), "points": (0.0, points), "number": (0.0, None)}.get(kind, (None, None))


for _model in (Indicator, Standard, Adjustment, Skip, Rubric):
    _model.model_rebuild()
