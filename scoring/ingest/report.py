"""The validation report as data: problems with stable codes, located as the user sees the spreadsheet."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning", "info"]

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: its stable code, Chinese title and usual severity."""

    code: str
    title: str
    severity: Severity


PROBLEM_TYPES: dict[str, ProblemType] = {
    t.code: t
    for t in (
        ProblemType("blank-header", "缺少表头", "warning"),
        ProblemType("duplicate-header", "表头重复", "error"),
        ProblemType("missing-column", "缺少列", "error"),
        ProblemType("unknown-column", "未知列", "warning"),
        ProblemType("ignored-column", "已忽略的列", "info"),
        ProblemType("header-unit", "按表头单位换算", "info"),
        ProblemType("type-error", "类型错误", "error"),
        ProblemType("constraint-error", "超出范围", "error"),
        ProblemType("level-error", "等次不在可选范围", "error"),
        ProblemType("blank-required", "必填项为空", "error"),
        ProblemType("blank-cell", "未填写", "warning"),
        ProblemType("na-not-allowed", "本项不允许填“不适用”", "warning"),
        ProblemType("na-contradicts-rule", "“不适用”与适用条件不符", "warning"),
        ProblemType("value-not-applicable", "按适用条件本项不适用", "warning"),
        ProblemType("duplicate-row", "支部重复", "error"),
        ProblemType("unknown-field", "领域没有对应的评分细则", "error"),
        ProblemType("identity-conflict", "支部信息不一致", "warning"),
        ProblemType("code-format", "代码格式可疑", "warning"),
        ProblemType("blank-row", "空行", "info"),
        ProblemType("note-row", "表尾说明", "info"),
    )
}


@dataclass(frozen=True)
class Problem:
    """One problem, located by spreadsheet row number and column letter, with a Chinese message saying how to fix it."""

    code: str
    severity: Severity
    row: int | None
    column: str | None
    column_name: str | None
    value: str | None
    message: str

    @classmethod
    def many(cls, code: str, severity: Severity, rows: list[int], column: str | None, column_name: str | None,
             values: list[str | None], messages: list[str]) -> list[Problem]:
        """Problems of one kind in one column, built in bulk."""
        # A frozen dataclass's __init__ costs ~2.5 µs; a file with tens of thousands of blank cells would spend
        # most of its checking time there. Setting __dict__ directly makes the very same objects.
        new, put = object.__new__, object.__setattr__
        shared: dict[str, object] = {"code": code, "severity": severity, "row": None, "column": column, "column_name": column_name,
                  "value": None, "message": ""}
        out = []
        for row, value, message in zip(rows, values, messages):
            problem = new(cls)
            fields = shared.copy()
            fields["row"], fields["value"], fields["message"] = row, value, message
            put(problem, "__dict__", fields)
            out.append(problem)
        return out

    @property
    def title(self) -> str:
        """The Chinese title of this problem's code."""
        kind = PROBLEM_TYPES.get(self.code)
        return kind.title if kind else self.code

    def location(self) -> str:
        """Where the problem is, in words: '第 5 行 C 列“三会一课次数”'."""
        parts = []
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"{self.column} 列")
        where = " ".join(parts)
        if self.column_name:
            where += f"“{self.column_name}”"
        return where or "整个文件"


FRAME_COLUMNS = ("代码", "级别", "行", "列", "列名", "值", "说明")
_DELIMITER_NAMES = {",": "逗号", ";": "分号", "\t": "制表符", "|": "竖线"}


@dataclass(frozen=True)
class ValidationReport:
    """Everything learned while reading a file: where the data was, how rows were bucketed, and every problem."""

    file: str
    encoding: str | None
    sheet: str | None
    delimiter: str | None
    header_row: int
    rows_total: int
    rows_scored: int
    rows_with_warnings: int
    rows_rejected: int
    normalizations: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # column key → header as written

    @property
    def has_errors(self) -> bool:
        """True when any problem is an error."""
        return any(p.severity == "error" for p in self.problems)

    def count(self, severity: Severity) -> int:
        """How many problems have this severity."""
        return sum(p.severity == severity for p in self.problems)

    def summary(self) -> str:
        """One Chinese line: file, encoding or sheet, header row and how the rows were bucketed."""
        where = [f"文件：{self.file}"]
        if self.encoding:
            where.append(f"编码：{self.encoding}")
        if self.delimiter:
            where.append(f"分隔符：{_DELIMITER_NAMES.get(self.delimiter, self.delimiter)}")
        if self.sheet:
            where.append(f"工作表：{self.sheet}")
        where.append(f"表头：第 {self.header_row} 行")
        rows = (f"共 {self.rows_total} 行：计分 {self.rows_scored} 行，有警告仍计分 {self.rows_with_warnings} 行，"
                f"拒收 {self.rows_rejected} 行")
        return "；".join(where) + "；" + rows

    def to_frame(self) -> pd.DataFrame:
        """One row per problem, with Chinese column headers (代码/级别/行/列/列名/值/说明)."""
        frame = pd.DataFrame(
            {
                "代码": [p.code for p in self.problems],
                "级别": [SEVERITY_NAMES[p.severity] for p in self.problems],
                "行": pd.array([p.row for p in self.problems], dtype="Int64"),
                "列": [p.column for p in self.problems],
                "列名": [p.column_name for p in self.problems],
                "值": [p.value for p in self.problems],
                "说明": [p.message for p in self.problems],
            },
            columns=list(FRAME_COLUMNS),
        )
        return frame.astype({c: "str" for c in ("代码", "级别", "列", "列名", "值", "说明")})

    def normalization_text(self) -> str:
        """'已自动规范：全角数字 3 处，…' (most frequent first), or '' when nothing was changed."""
        if not self.normalizations:
            return ""
        done = "，".join(f"{kind} {n} 处" for kind, n in sorted(self.normalizations.items(), key=lambda kv: -kv[1]))
        return f"已自动规范：{done}"

    def counts_text(self) -> str:
        """'发现问题：错误 3 条，警告 4 条，提示 1 条', or '没有发现问题。'."""
        counts = "，".join(f"{SEVERITY_NAMES[s]} {self.count(s)} 条" for s in ("error", "warning", "info") if self.count(s))
        return f"发现问题：{counts}" if counts else "没有发现问题。"

    def to_text(self) -> str:
        """A Chinese, human-readable report that starts with the summary line."""
        lines = [self.summary()]
        if self.normalizations:
            lines.append(self.normalization_text())
        lines.append(self.counts_text())
        if not self.problems:
            return "\n".join(lines)
        for p in self.problems:
            value = f"（值：{p.value}）" if p.value is not None else ""
            lines.append(f"[{SEVERITY_NAMES[p.severity]}] {p.location()}{value}：{p.message}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The report as plain JSON-ready data."""
        data = asdict(self)
        data["has_errors"] = self.has_errors
        data["summary"] = self.summary()
        return data

    def to_json(self) -> str:
        """The report as JSON (UTF-8 text, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
