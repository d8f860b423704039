"""Which cells may say 不适用: each rubric's applicability rules and permissions, turned into per-cell verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.conditions import condition_columns, describe
from scoring.ingest.cells import Status
from scoring.reading import ruled
from scoring.rubric import Column, Rubric


def absent_values(column: Column, applicable: np.ndarray) -> np.ndarray:
    """A column the file lacks, as the frame holds it: 0 where a blank means zero, else blank."""
    return np.where(applicable, 0.0 if column.blank == "zero" and not column.required else np.nan, np.nan)


@dataclass(frozen=True)
class Verdict:
    """For one column of one rubric's rows: where its rule rules the item out (None: no rule) and whether 不适用 may be typed."""

    rows: np.ndarray
    ruled_out: np.ndarray | None
    allowed: bool
    rule: str
    rule_en: str = ""

    def problems(self, status: np.ndarray) -> list[tuple[str, np.ndarray, str]]:
        """(code, cells, message) for every cell whose content the rubric does not accept here."""
        typed = self.rows & (status == Status.NOT_APPLICABLE)
        if self.ruled_out is None:
            if self.allowed:
                return []
            return [("na-not-allowed", typed, "本项不允许填“不适用”，按未填处理、不得分；请填写实际情况（如 0 或“否”）")]
        return [
            ("na-contradicts-rule", typed & ~self.ruled_out,
             f"按评分细则（{self.rule}），本行本项适用，“不适用”按未填处理、不得分；请填写实际情况，或更正条件所依据的列"),
            ("value-not-applicable", self.rows & self.ruled_out & (status == Status.OK),
             f"按评分细则（{self.rule}），本行本项不适用，填写的值不计分；如条件所依据的列有误请更正"),
        ]


class Applicability:
    """What a rubric set says about 不适用 and blank cells, per input column key."""

    def __init__(self, rubrics: tuple[Rubric, ...]) -> None:
        self.rubrics = rubrics
        self.scored: set[str] = set()
        self.allowed: set[str] = set()
        for rubric in rubrics:
            for ind, suffix, _, cid in rubric.source_columns():
                self.scored.add(cid + suffix)
                if ind.may_be_not_applicable and ind.applies_when is None and ind.not_applicable_when is None:
                    self.allowed.add(cid + suffix)

    def blank_message(self, key: str, lang: str = "zh") -> str:
        """What a blank cell of this column means, in words that say whether anything is lost."""
        if lang == "en":
            if key not in self.scored:
                return "rules that test this column read it as blank (a blank meets no comparison); fill it in"
            return "the item counts as blank and earns nothing; " + (
                "enter “不适用” if it really does not apply" if key in self.allowed else "fill it in")
        if key not in self.scored:
            return "未填写；以本列为条件的规则按“未填”判断（未填不满足任何比较条件）；请补填"
        if key in self.allowed:
            return "未填写，本项按未填处理、不得分；如确实不适用请填“不适用”"
        return "未填写，本项按未填处理、不得分；请补填"

    def absent_effect(self, key: str, column: Column, lang: str = "zh") -> str:
        """What happens to rows when the file lacks this column."""
        if lang == "en":
            if column.blank in ("zero", "not_applicable"):
                return "it counts as 0" if column.blank == "zero" else "the item counts as not applicable"
            if key in self.scored:
                return "the item counts as blank and earns nothing"
            return "scores are not affected" if column.type == "text" else "rules that test it read it as blank"
        if column.blank == "zero":
            return "该列按 0 计"
        if column.blank == "not_applicable":
            return "该项按不适用处理"
        if key in self.scored:
            return "该项按未填处理、不得分"
        return "不影响计分" if column.type == "text" else "以本列为条件的规则按“未填”判断"

    @staticmethod
    def condition_columns(rubric: Rubric) -> set[str]:
        """The columns the rubric's applicability rules test."""
        out: set[str] = set()
        for ind in rubric.indicators():
            for cond in (ind.applies_when, ind.not_applicable_when):
                out |= condition_columns(cond)
        return out

    @staticmethod
    def verdicts(rubric: Rubric, frame: pd.DataFrame, rows: np.ndarray) -> Iterator[tuple[str, Verdict]]:
        """Per column key this rubric scores, the verdict on its rows."""
        columns = rubric.input_columns()
        decided: dict[str, Verdict] = {}
        for ind, suffix, _, cid in rubric.source_columns():
            if ind.id not in decided:
                ruled_out = ruled(ind, frame, columns)
                rule = rule_en = ""
                if ind.not_applicable_when is not None:
                    rule = f"{describe(ind.not_applicable_when, columns)}时不适用"
                    rule_en = f"not applicable when {describe(ind.not_applicable_when, columns, 'en')}"
                elif ind.applies_when is not None:
                    rule = f"仅在{describe(ind.applies_when, columns)}时适用"
                    rule_en = f"applies only when {describe(ind.applies_when, columns, 'en')}"
                decided[ind.id] = Verdict(rows, None if ruled_out is None else ruled_out & rows, ind.may_be_not_applicable, rule,
                                          rule_en)
            yield cid + suffix, decided[ind.id]
