"""The validation report as data: problems with stable codes, located as the user sees the spreadsheet."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning", "info"]

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_NAMES_EN: dict[str, str] = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: its stable code, Chinese title, usual severity, English title and English message template.

    The Chinese message is written where the problem is found (it quotes the cell's own hint); the English one is this
    template filled with the problem's value, column name, row and the `params` its finder gave."""

    code: str
    title: str
    severity: Severity
    title_en: str = ""
    message_en: str = ""


PROBLEM_TYPES: dict[str, ProblemType] = {
    t.code: t
    for t in (
        ProblemType("blank-header", "缺少表头", "warning", "Blank header",
                    "This column has data but no header; it is kept aside and not scored. Add a header."),
        ProblemType("duplicate-header", "表头重复", "error", "Duplicate header",
                    "This column and column {first} both mean “{label}”; column {first} is read and this one is kept aside, "
                    "not scored. Delete or rename one of them."),
        ProblemType("missing-column", "缺少列", "error", "Missing column",
                    "The file has no column “{column_name}” ({effect}). Add it to the header row."),
        ProblemType("unknown-column", "未知列", "warning", "Unknown column",
                    "The rubric has no such column; it is kept aside and not scored. If it is an indicator, rename the "
                    "header to the rubric's name."),
        ProblemType("ignored-column", "已忽略的列", "info", "Ignored column", "A numbering column: kept aside, not scored."),
        ProblemType("header-unit", "按表头单位换算", "info", "Converted by the header's unit",
                    "The header gives the unit “{written}” and the rubric scores in “{unit}”: {count} values of this "
                    "column were converted."),
        ProblemType("type-error", "类型错误", "error", "Wrong type", "“{value}” cannot be read. Expected: {expected}."),
        ProblemType("constraint-error", "超出范围", "error", "Out of range",
                    "“{value}” is out of range ({range}). Check and correct it."),
        ProblemType("level-error", "等次不在可选范围", "error", "Not one of the levels",
                    "“{value}” is not one of this column's levels. Expected: {expected}."),
        ProblemType("blank-required", "必填项为空", "error", "Required cell blank",
                    "“{column_name}” is required and must not be blank. Fill it in."),
        ProblemType("blank-cell", "未填写", "warning", "Blank cell", "Blank: {effect}."),
        ProblemType("na-not-allowed", "本项不允许填“不适用”", "warning", "“Not applicable” not allowed",
                    "This item may not be “not applicable”: it counts as blank and earns nothing. Enter what was done "
                    "(e.g. 0 or “no”)."),
        ProblemType("na-contradicts-rule", "“不适用”与适用条件不符", "warning", "“Not applicable” contradicts the rubric",
                    "By the rubric ({rule}) this item applies to this row, so “not applicable” counts as blank and earns "
                    "nothing. Enter what was done, or correct the column the rule depends on."),
        ProblemType("value-not-applicable", "按适用条件本项不适用", "warning", "Item does not apply",
                    "By the rubric ({rule}) this item does not apply to this row: the value is not scored. Correct the "
                    "column the rule depends on if it is wrong."),
        ProblemType("duplicate-row", "支部重复", "error", "Duplicate branch",
                    "The same {what} “{value}”{year} as row {first}: {effect}."),
        ProblemType("unknown-field", "领域没有对应的评分细则", "error", "Field without a rubric",
                    "The field “{value}” has no rubric. Fields with a rubric: {choices}. Correct the field or add a rubric."),
        ProblemType("identity-conflict", "支部信息不一致", "warning", "Conflicting branch details",
                    "The code “{branch}” goes with different names: {spelled}. Use one name or correct the code."),
        ProblemType("code-format", "代码格式可疑", "warning", "Suspicious code",
                    "The code “{value}” looks like a number Excel rounded. Format the column as Text in Excel and enter the "
                    "codes again."),
        ProblemType("blank-row", "空行", "info", "Blank rows", "Blank row(s), skipped."),
        ProblemType("note-row", "表尾说明", "info", "Note row", "Notes or a total row, not branch data: skipped, not scored."),
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
    params: tuple[tuple[str, str], ...] = ()  # the details the English template names (Chinese is in `message`)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple((str(k), str(v)) for k, v in self.params))  # JSON gives lists back

    @classmethod
    def many(cls, code: str, severity: Severity, rows: list[int], column: str | None, column_name: str | None,
             values: list[str | None], messages: list[str], params: tuple[tuple[str, str], ...] = ()) -> list[Problem]:
        """Problems of one kind in one column, built in bulk."""
        # A frozen dataclass's __init__ costs ~2.5 µs; a file with tens of thousands of blank cells would spend
        # most of its checking time there. Setting __dict__ directly makes the very same objects.
        new, put = object.__new__, object.__setattr__
        shared: dict[str, object] = {"code": code, "severity": severity, "row": None, "column": column, "column_name": column_name,
                  "value": None, "message": "", "params": params}
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

    def title_in(self, lang: str = "zh") -> str:
        """The title of this problem's code in `lang`."""
        kind = PROBLEM_TYPES.get(self.code)
        return (kind.title_en or kind.title if lang == "en" else kind.title) if kind else self.code

    def text(self, lang: str = "zh") -> str:
        """The message in `lang`: Chinese as found, English from the code's template (its title when a detail is missing)."""
        kind = PROBLEM_TYPES.get(self.code)
        if lang != "en" or kind is None or not kind.message_en:
            return self.message
        fields = {"value": self.value or "", "column_name": self.column_name or "", "row": str(self.row or ""), **dict(self.params)}
        try:
            return kind.message_en.format(**fields)
        except (KeyError, IndexError):
            return kind.title_en

    def location(self, lang: str = "zh") -> str:
        """Where the problem is, in words: '第 5 行 C 列“三会一课次数”' (“row 5, column C “…”” in English)."""
        en = lang == "en"
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}" if en else f"第 {self.row} 行")
        if self.column:
            parts.append(f"column {self.column}" if en else f"{self.column} 列")
        where = (", " if en else " ").join(parts)
        if self.column_name:
            where += f" “{self.column_name}”" if en else f"“{self.column_name}”"
        return where or ("the whole file" if en else "整个文件")


FRAME_COLUMNS = ("代码", "级别", "行", "列", "列名", "值", "说明")
FRAME_COLUMNS_EN = ("Code", "Severity", "Row", "Column", "Header", "Value", "Message")
_DELIMITER_NAMES = {",": "逗号", ";": "分号", "\t": "制表符", "|": "竖线"}
_DELIMITER_NAMES_EN = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
# The normalization kinds (scoring/ingest/vocab.py) in English.
NORMALIZATIONS_EN = {
    "全角数字": "full-width digits", "全角符号": "full-width signs", "空格": "spaces", "千分位": "thousands separators",
    "百分比": "percent signs", "百分数": "percentages written as numbers", "单位": "units", "单位换算": "unit conversions",
    "是否": "yes/no words", "等次": "level names", "年度": "years", "领域别称": "field aliases",
}


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

    def summary(self, lang: str = "zh") -> str:
        """One line (Chinese, or English with lang="en"): file, encoding or sheet, header row and how the rows were bucketed."""
        if lang == "en":
            parts = [f"File: {self.file}"]
            if self.encoding:
                parts.append(f"encoding: {self.encoding.replace('（', ' (').replace('）', ')')}")
            if self.delimiter:
                parts.append(f"delimiter: {_DELIMITER_NAMES_EN.get(self.delimiter, self.delimiter)}")
            if self.sheet:
                parts.append(f"sheet: {self.sheet}")
            parts.append(f"header: row {self.header_row}")
            return "; ".join(parts) + (f"; {self.rows_total} rows: {self.rows_scored} scored, {self.rows_with_warnings} scored "
                                        f"with warnings, {self.rows_rejected} rejected")
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

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """One row per problem, headers 代码/级别/行/列/列名/值/说明 (the keys; `headers_en` names them in English), the
        severity and message in `lang`."""
        severities = SEVERITY_NAMES_EN if lang == "en" else SEVERITY_NAMES
        frame = pd.DataFrame(
            {
                "代码": [p.code for p in self.problems],
                "级别": [severities[p.severity] for p in self.problems],
                "行": pd.array([p.row for p in self.problems], dtype="Int64"),
                "列": [p.column for p in self.problems],
                "列名": [p.column_name for p in self.problems],
                "值": [p.value for p in self.problems],
                "说明": [p.text(lang) for p in self.problems],
            },
            columns=list(FRAME_COLUMNS),
        )
        return frame.astype({c: "str" for c in ("代码", "级别", "列", "列名", "值", "说明")})

    def normalization_text(self, lang: str = "zh") -> str:
        """'已自动规范：全角数字 3 处，…' (most frequent first), or '' when nothing was changed."""
        if not self.normalizations:
            return ""
        ranked = sorted(self.normalizations.items(), key=lambda kv: -kv[1])
        if lang == "en":
            return "Normalized automatically: " + ", ".join(f"{NORMALIZATIONS_EN.get(kind, kind)} {n}" for kind, n in ranked)
        done = "，".join(f"{kind} {n} 处" for kind, n in ranked)
        return f"已自动规范：{done}"

    def counts_text(self, lang: str = "zh") -> str:
        """'发现问题：错误 3 条，警告 4 条，提示 1 条', or '没有发现问题。'."""
        severities: tuple[Severity, ...] = ("error", "warning", "info")
        present = [s for s in severities if self.count(s)]
        if lang == "en":
            counts = ", ".join(f"{self.count(s)} {SEVERITY_NAMES_EN[s]}{'s' if self.count(s) > 1 else ''}" for s in present)
            return f"Problems found: {counts}" if counts else "No problems found."
        counts = "，".join(f"{SEVERITY_NAMES[s]} {self.count(s)} 条" for s in present)
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

    def kinds(self, lang: str = "zh") -> list[str]:
        """One line per problem code, errors first: its title, how many, and its first problem in full (where and what)."""
        first: dict[str, Problem] = {}
        counts: dict[str, int] = {}
        for p in self.problems:
            first.setdefault(p.code, p)
            counts[p.code] = counts.get(p.code, 0) + 1
        order = {"error": 0, "warning": 1, "info": 2}
        lines = []
        for code in sorted(first, key=lambda c: (order[first[c].severity], -counts[c])):
            p = first[code]
            if lang == "en":
                lines.append(f"{p.title_in(lang)} ({counts[code]}), e.g. {p.location(lang)}: {p.text(lang)}")
            else:
                lines.append(f"{p.title}（{counts[code]} 条），如{p.location()}：{p.message}")
        return lines

    def row_reasons(self, lang: str = "zh") -> dict[int, str]:
        """Per spreadsheet row, its errors in words (“C 列“…”：message；…”), in `lang`: why a rejected row was not scored."""
        out: dict[int, list[str]] = {}
        for p in self.problems:
            if p.severity == "error" and p.row is not None:
                where = f"column {p.column} “{p.column_name}”" if lang == "en" else f"{p.column}列“{p.column_name}”"
                out.setdefault(p.row, []).append(f"{where}{': ' if lang == 'en' else '：'}{p.text(lang)}")
        return {row: ("; " if lang == "en" else "；").join(texts) for row, texts in out.items()}

    def to_dict(self) -> dict[str, object]:
        """The report as plain JSON-ready data."""
        data = asdict(self)
        data["has_errors"] = self.has_errors
        data["summary"] = self.summary()
        return data

    def to_json(self) -> str:
        """The report as JSON (UTF-8 text, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
