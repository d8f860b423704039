"""What every grading rule kind implements, and the state the kinds share while grading, checking or rendering SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from scoring.base import FrozenModel, Templates, say
from scoring.conditions import Condition, located_columns
from scoring.conditions import sql as condition_sql
from scoring.errors import Said, rubric_texts, said
from scoring.sql import q

if TYPE_CHECKING:
    from scoring.grading import Keys
    from scoring.rubric import Column, Rubric

Found = tuple[tuple[Any, ...], str, Said]  # (path in the rubric document, code, message with the fix)
EPS = 1e-9  # a hair of tolerance for thresholds and shares

rubric_texts({
    "unknown-grade": {"zh": "等次“{grade}”未在 bands 中定义；可用的有：{grades}",
                      "en": "the grade “{grade}” is not defined under bands; defined: {grades}"},
    "unknown-column-condition": {"zh": "条件引用了未定义的列“{column}”；请在 columns 中声明它或改用已有的列 id",
                                 "en": "the condition reads the undefined column “{column}”; declare it under columns or use an existing column id"},
    "unknown-column-group": {"zh": "分组列“{column}”未定义；请在 columns 中声明它",
                             "en": "the group column “{column}” is not defined; declare it under columns"},
})

# What a rule did, shared by the kinds' reason texts (Chinese and English).
EFFECTS: Templates = {
    "effect-force": {"zh": "，定为“{grade}”", "en": ", graded “{grade}”"},
    "effect-cap": {"zh": "，最高评为“{grade}”", "en": ", at best “{grade}”"},
    "effect-flag": {"zh": "，标记“{flag}”", "en": ", flagged “{flag}”"},
}


def effect(reason: str, lang: str, force: str | None = None, cap: str | None = None, flag: str | None = None,
           names: Mapping[str, str] | None = None) -> str:
    """What a rule did, unless its own reason already says so (“…直接评为先进” is not followed by “定为先进”)."""
    shown = names or {}
    parts = [say(EFFECTS, code, lang, grade=shown.get(name, name)) for code, name in (("effect-force", force), ("effect-cap", cap))
             if name and name not in reason]
    if flag and flag not in reason:
        parts.append(say(EFFECTS, "effect-flag", lang, flag=flag))
    return "".join(parts)


# The printed rubric's fixed wording, shared by the kinds (rubric content keeps its own words unless named in English).
PRINTED: Templates = {
    "force": {"zh": "直接定为{grade}", "en": "graded {grade}"},
    "cap": {"zh": "最高评为{grade}", "en": "at best {grade}"},
    "flag": {"zh": "标记“{flag}”", "en": "flagged “{flag}”"},
    "join": {"zh": "；", "en": "; "},
    "group": {"zh": "同一{label}内（各考核年度分别计算）", "en": "within the same {label} (each period apart),"},
}


def printed_effect(force: str | None = None, cap: str | None = None, flag: str | None = None, lang: str = "zh",
                   names: Mapping[str, str] | None = None) -> str:
    """What a rule does, for the printed rubric."""
    shown = names or {}
    parts = [say(PRINTED, "force", lang, grade=shown.get(force, force)) if force else "",
             say(PRINTED, "cap", lang, grade=shown.get(cap, cap)) if cap else "",
             say(PRINTED, "flag", lang, flag=flag) if flag else ""]
    return say(PRINTED, "join", lang).join(p for p in parts if p)


def group_words(group_by: str, columns: Mapping[str, Column], lang: str = "zh") -> str:
    """Where a relative rule compares branches, in words."""
    column = columns.get(group_by)
    return say(PRINTED, "group", lang, label=column.label if column else group_by)


@dataclass
class GradeState:
    """Grades as the rules change them, in their fixed order; each rule records where it fired and the flags it raised."""

    rubric: Rubric
    frame: pd.DataFrame
    standards: pd.DataFrame
    columns: Mapping[str, Column]
    keys: Keys
    total: np.ndarray
    band: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    level: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    locked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    rules: dict[str, np.ndarray] = field(default_factory=dict)
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    def cap(self, hit: np.ndarray, grade: str) -> np.ndarray:
        """Lower grades better than `grade` where `hit`; return where that changed the grade."""
        cap = self.rubric.grade_level(grade)
        changed = hit & (self.level < cap)
        self.level = np.where(changed, cap, self.level)
        return changed

    def force(self, hit: np.ndarray, grade: str) -> None:
        """Set `grade` where `hit`, unless the grade is already worse (a rule only lowers)."""
        self.level = np.where(hit, np.maximum(self.level, self.rubric.grade_level(grade)), self.level)

    def flag(self, name: str, hit: np.ndarray) -> None:
        """Raise a flag where `hit` (flags of several rules accumulate)."""
        self.flags[name] = self.flags.get(name, np.zeros(len(hit), dtype=bool)) | hit


@dataclass(frozen=True)
class CheckContext:
    """What the rule checks look up in a merged rubric document: grade names, known columns and standard ids."""

    grades: tuple[Any, ...]
    columns: set[Any]
    standards: set[Any]


@dataclass
class SqlGrading:
    """The grading half of the reference query as each rule adds its part: conditions computed in the first step, the
    grade expression, locked rows and flags of the levels step, then window steps and one last REPLACE step."""

    columns: Collection[str]
    described: Mapping[str, Column]
    grades: tuple[str, ...]
    standard_points: Mapping[str, float]
    code: str | None  # the quoted branch-code column when present (ties), else input order decides
    row: str  # the quoted input-position column
    period: str | None  # the quoted period column when present (groups)
    hits: dict[str, str] = field(default_factory=dict)  # column → condition
    level: str = ""
    locked: list[str] = field(default_factory=lambda: ["FALSE"])
    flags: dict[str, list[str]] = field(default_factory=dict)
    windows: list[str] = field(default_factory=list)
    stages: list[tuple[str, list[str], str]] = field(default_factory=list)
    final: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def worst(self) -> int:
        """Position of the worst grade."""
        return len(self.grades) - 1

    def position(self, grade: str) -> int:
        """Position of a grade (0 = best)."""
        return self.grades.index(grade)

    def hit(self, key: str, cond: Condition) -> str:
        """A boolean column of the first step: where the condition holds."""
        self.hits[f"h_{key}"] = condition_sql(cond, self.columns, self.described)
        return f"h_{key}"

    def flag_column(self, name: str) -> str:
        """The output column of a flag (flag_<k>, in the order flags are first raised)."""
        self.flags.setdefault(name, [])
        return f"flag_{list(self.flags).index(name)}"

    def codes(self, ascending: bool) -> list[str]:
        """Tie-break order: branch codes (then input order), else input order."""
        if self.code is None:
            return [f"{self.row} {'ASC' if ascending else 'DESC'}"]
        return [f"{self.code} {'ASC' if ascending else 'DESC'}", f"{self.row} ASC"]

    def positions(self, group_by: str, order: list[str], pos: str, size: str) -> str:
        """0-based position and group size within period and `group_by`, counted over one window so DuckDB sorts once."""
        keys = [k for k in (self.period, q(group_by) if group_by in self.columns else None) if k]
        spec = (f"PARTITION BY {', '.join(keys)} " if keys else "") + f"ORDER BY {', '.join(order)}"
        whole = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
        return f"row_number() OVER ({spec}) - 1 AS {pos}, count(*) OVER ({spec} {whole}) AS {size}"

    def ctes(self, last: str) -> tuple[list[str], str]:
        """The steps after `last` (the levels step) and the name of the final one. Windows that only look at totals are
        taken together with the first window step."""
        out: list[str] = []
        for k, (name, adds, follow) in enumerate(self.stages):
            out.append(f"{name}_ AS (SELECT *, {', '.join([*adds, *(self.windows if k == 0 else [])])} FROM {last})")
            out.append(f"{name} AS ({follow} FROM {name}_)")
            last = name
        if self.windows and not self.stages:
            out.append(f"windows AS (SELECT *, {', '.join(self.windows)} FROM {last})")
            last = "windows"
        if self.final or self.dropped:
            dropped = f" EXCLUDE ({', '.join(self.dropped)})" if self.dropped else ""
            replaced = f" REPLACE ({', '.join(f'{e} AS {c}' for c, e in self.final.items())})" if self.final else ""
            out.append(f"final AS (SELECT *{dropped}{replaced} FROM {last})")
            last = "final"
        return out, last


class GradingRule(FrozenModel):
    """Base of every grading rule kind: evaluate (vectorized), explain, describe, check and render as SQL."""

    key: ClassVar[str]  # the list under `grading:` in rubric files
    title: ClassVar[str]  # its section in the printed rubric
    step: ClassVar[str]  # its name in the printed order of application
    templates: ClassVar[Templates] = {}  # its reason texts, Chinese and English
    grade_fields: ClassVar[tuple[str, ...]] = ()  # fields naming a grade
    condition_fields: ClassVar[tuple[str, ...]] = ()  # fields holding a condition
    printed: ClassVar[Templates] = {}  # the printed rubric's wording for this kind, zh and en

    id: str

    def evaluate(self, state: GradeState) -> None:
        """Apply the rule to every row at once, recording where it fired."""
        raise NotImplementedError

    def explain(self, columns: Mapping[str, Column], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        """The reason line of a branch the rule fired on, in Chinese (or English with lang="en", grades by `names`)."""
        raise NotImplementedError

    def describe(self, standards: Mapping[str, str], columns: Mapping[str, Column], lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> dict[str, str]:
        """The rule as a row of the printed rubric: 类别, 规则, 条件, 处理, 说明 (the wording in `lang`)."""
        raise NotImplementedError

    def sql(self, b: SqlGrading, k: int) -> None:
        """Add the rule (the k-th of its kind) to the reference query."""
        raise NotImplementedError

    @classmethod
    def check(cls, raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
        """Problems of the rule as a rubric wrote it: grades it names exist, its conditions read known columns."""
        for name in cls.grade_fields:
            grade = raw.get(name)
            if grade is not None and grade not in ctx.grades:
                yield (*path, name), "unknown-grade", said("unknown-grade", grade=grade, grades=tuple(map(str, ctx.grades)))
        for name in cls.condition_fields:
            for sub, column in located_columns(raw.get(name), (name,)):
                if column not in ctx.columns:
                    yield (*path, *sub), "unknown-column", said("unknown-column-condition", column=column)


def group_problems(raw: dict[str, Any], path: tuple[Any, ...], ctx: CheckContext) -> Iterator[Found]:
    """A relative rule groups by a known column."""
    if raw.get("group_by") not in ctx.columns:
        yield (*path, "group_by"), "unknown-column", said("unknown-column-group", column=raw.get("group_by"))
