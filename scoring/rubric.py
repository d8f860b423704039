"""The rubric model: frozen, typed description of standards, indicators, points and grading rules."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from scoring.base import FrozenModel
from scoring.methods import AnyMethod, ColumnType

# Column ids every assessment file is read against; their Chinese headers live in the core rubric.
BRANCH_ID, NAME, FIELD, PERIOD = "branch_id", "name", "field", "period"

BlankMeaning = Literal["missing", "zero", "not_applicable", "error"]


class Column(FrozenModel):
    """An input column: its id, the header users type, accepted aliases, type and constraints."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str = Field(description="表头（中文）")
    aliases: tuple[str, ...] = ()
    type: ColumnType = "text"
    required: bool = False
    blank: BlankMeaning = Field("missing", description="空白的含义：missing 未填（警告、不得分）、zero 记 0、not_applicable 不适用、error 拒收")
    min: float | None = None
    max: float | None = None
    levels: tuple[str, ...] = Field((), description="等次列可填的等次，从好到差")
    unit: str = ""


class Indicator(FrozenModel):
    """One scored item: its points, the column it reads and how that column is scored."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    description: str = ""
    evidence: str = Field("", description="考评方式，如 查阅会议记录")
    points: float = Field(gt=0, description="本项满分")
    column: str | None = Field(None, description="读取的列 id；缺省为指标 id 本身")
    label: str | None = Field(None, description="表头（中文）；缺省为指标名称")
    aliases: tuple[str, ...] = ()
    unit: str = ""
    min: float | None = None
    max: float | None = None
    blank: BlankMeaning = "missing"
    not_applicable: Literal["rescale", "zero"] = Field("rescale", description="不适用时：rescale 剔除并按比例折算本标准，zero 记 0 分")
    method: AnyMethod

    @property
    def column_id(self) -> str:
        """The id of the input column this indicator reads."""
        return self.column or self.id


class Standard(FrozenModel):
    """One of the six standards: its points and indicators."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    points: float = Field(gt=0)
    description: str = ""
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Adjustment(FrozenModel):
    """Bonus (加分) or penalty (减分) items outside the six standards, with a cap on their sum."""

    name: str
    cap: float = Field(gt=0, description="本类合计上限")
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Source(FrozenModel):
    """An assessment source (自评, 上级评定) and its weight; the first source reads the plain columns."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: str
    weight: float = Field(gt=0)
    header: str = Field("{label}", description="该来源的表头模板，如 “{label}（自评）”")


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


class Skip(FrozenModel):
    """不参评: rows matching the condition are not rated and are listed with the reason (e.g. founded under a year ago)."""

    id: str
    when: Condition
    reason: str


class Band(FrozenModel):
    """A grade and the lowest total that earns it."""

    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    min: float


class Veto(FrozenModel):
    """一票否决: a condition that forces a grade or caps the best grade, with its reason."""

    id: str
    reason: str
    when: Condition
    force: str | None = Field(None, description="直接定为该等次")
    cap: str | None = Field(None, description="最高只能评为该等次")
    flag: str | None = Field(None, description="同时标记，如 软弱涣散")


class Floor(FrozenModel):
    """A branch with any listed standard below `min_share` of its points can be at best `cap`."""

    id: str
    min_share: float = Field(gt=0, le=1)
    cap: str
    standards: tuple[str, ...] = Field((), description="适用的标准 id；空表示全部")
    reason: str = ""


class DirectGrade(FrozenModel):
    """A condition (e.g. a national award) that grants a grade without scoring."""

    id: str
    when: Condition
    grade: str
    reason: str


class Quota(FrozenModel):
    """At most `max_share` of each group may hold `grade`; the lowest totals beyond it drop one grade."""

    id: str
    group_by: str
    grade: str
    max_share: float = Field(ge=0, le=1)
    reason: str = ""


class Bottom(FrozenModel):
    """The lowest `share` of each group (倒排) get a flag and/or are forced to a grade."""

    id: str
    group_by: str
    share: float = Field(gt=0, le=1)
    rounding: Literal["ceil", "floor", "round"] = "ceil"
    min_group_size: int = Field(1, ge=1)
    flag: str | None = None
    force: str | None = None
    reason: str = ""


class AlertLevel(FrozenModel):
    """A warning colour and the most unmet indicators it allows (None: no upper bound)."""

    name: str
    name_en: str = Field("", description="英文名称（英文界面使用；缺省显示中文名称）")
    max_unmet: int | None = None


class Alerts(FrozenModel):
    """红黄绿 warnings by the count of indicators scoring below `unmet_below` of their points."""

    unmet_below: float = Field(1.0, gt=0, le=1)
    levels: tuple[AlertLevel, ...] = Field(min_length=1)


class Grading(FrozenModel):
    """How totals become grades: bands, then direct grades, floors, vetoes, quotas and bottom rules."""

    bands: tuple[Band, ...] = Field(min_length=1, description="从高到低排列")
    direct: tuple[DirectGrade, ...] = ()
    floors: tuple[Floor, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    quotas: tuple[Quota, ...] = ()
    bottom: tuple[Bottom, ...] = ()
    rank_by: str = Field("parent", description="排名的分组列 id")
    alerts: Alerts | None = None


class Rubric(FrozenModel):
    """A whole rubric for one or more fields (领域), after `extends` has been resolved."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")
    name: str
    version: str = "1"
    fields: tuple[str, ...] = Field((), description="适用领域及其别称")
    effective_from: date | None = None
    effective_to: date | None = None
    abstract: bool = Field(False, description="仅供继承的公共核心，不直接用于评分")
    extends: str | None = None
    description: str = ""
    total: float = Field(gt=0, description="基础总分，如 100")
    precision: int = Field(2, ge=0, le=4, description="总分保留小数位")
    allow_exceed: bool = Field(False, description="加分后总分可否超过基础总分")
    columns: tuple[Column, ...] = ()
    skip: tuple[Skip, ...] = Field((), description="不参评条件：符合条件的支部不评分，列出原因")
    sources: tuple[Source, ...] = ()
    standards: tuple[Standard, ...] = Field(min_length=1)
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None
    grading: Grading

    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator: standards first, then bonus and penalty items."""
        extra = [*(self.bonus.indicators if self.bonus else ()), *(self.penalty.indicators if self.penalty else ())]
        return (*(i for s in self.standards for i in s.indicators), *extra)

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


for _model in (AnyOf, AllOf, Skip, Veto, DirectGrade, Grading, Rubric):
    _model.model_rebuild()
