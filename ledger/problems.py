"""Problems with a 台账 row or an edited entry, as data: a stable code, where it is, and a message and a fix in Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ledger.model import CLOSED, DATES, DELAYED, FIELDS, STATUSES, parse_date

_CHOICES = "、".join(STATUSES)
# code: (what is wrong, how to fix it); placeholders come from the problem's values
TEMPLATES: dict[str, tuple[str, str]] = {
    "no_header": ("找不到表头：前 40 行中没有“党组织名称”或“党组织代码”列",
                  "请保留表头行（序号、党组织名称、上级党组织、主要问题……），或从本页下载台账模板后填写"),
    "unreadable": ("文件无法读取：{reason}", "请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再导入"),
    "no_branch": ("这一行没有党组织名称，也没有党组织代码", "请填写党组织名称（与考评数据一致）或党组织代码；空行可直接删除"),
    "unmatched_code": ("党组织代码“{value}”在 {period} 年度的考评数据中找不到", "请核对代码；或清空代码，按党组织名称匹配"),
    "unmatched_name": ("党组织名称“{value}”在 {period} 年度的考评数据中找不到",
                       "请写与考评数据完全一致的全称（如“××村党支部”），或在“党组织代码”列填写代码"),
    "ambiguous_name": ("党组织名称“{value}”在 {period} 年度对应 {count} 个支部", "请在“党组织代码”列填写代码以区分"),
    "duplicate": ("该支部在第 {first} 行已出现", "同一支部只保留一行：请把两行合并后再导入"),
    "unknown_status": ("进展情况“{value}”无法识别", f"请填写 {_CHOICES} 之一；延期的写“延期：原因”"),
    "bad_date": ("{header}“{value}”不是日期", "请写成 2025-06-30、2025/6/30 或 2025年6月30日 这样的日期"),
    "delay_reason": ("进展情况为“延期”，但没有写延期原因", "请在“延期原因”中写明原因，或写成“延期：原因”"),
    "closed_date": ("进展情况为“{status}”，但没有填写销号时间", "请填写销号（验收）时间"),
    "closed_mismatch": ("是否销号为“{value}”，但进展情况为“{status}”", "请让两者一致：已销号的，进展情况写“已销号”；未销号的，是否销号写“否”"),
}


@dataclass(frozen=True)
class LedgerProblem:
    """One problem: its code, spreadsheet row (None for the whole file or an edit form), column letter and header."""

    code: str
    row: int | None = None
    column: str = ""
    header: str = ""
    values: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """What is wrong, in Chinese."""
        return TEMPLATES[self.code][0].format(header=self.header, **self.values)

    @property
    def fix(self) -> str:
        """How to fix it, in Chinese."""
        return TEMPLATES[self.code][1].format(header=self.header, **self.values)

    @property
    def where(self) -> str:
        """Row and column as a spreadsheet user says it (第 5 行 H 列“完成时限”)."""
        row = f"第 {self.row} 行" if self.row is not None else ""
        column = f"{self.column} 列“{self.header}”" if self.column else (f"“{self.header}”" if self.header else "")
        return " ".join(p for p in (row, column) if p) or "整个文件"


def check_values(values: Mapping[str, str], columns: Mapping[str, tuple[str, str]] | None = None,
                 row: int | None = None) -> list[LedgerProblem]:
    """Problems of one entry's values: unknown status, bad dates, 延期 without a reason, 已销号 without a date.

    `columns` maps a field to its (column letter, header) in a file, so problems point at the cell.
    """
    def at(key: str, code: str, **found: object) -> LedgerProblem:
        # a missing companion (延期原因, 销号时间) in a file without that column points at the status that needs it
        known = columns or {}
        letter, header = known.get(key) or known.get("status") or known.get("closed") or ("", FIELDS.get(key, key))
        return LedgerProblem(code, row, letter, header, found)

    found: list[LedgerProblem] = []
    status = values.get("status", "")
    if status and status not in STATUSES:
        found.append(at("status", "unknown_status", value=status[:60]))
    for key in DATES:
        text = values.get(key, "")
        if text and parse_date(text) is None:
            found.append(at(key, "bad_date", value=text[:60]))
    if status == DELAYED and not values.get("delay_reason", "").strip():
        found.append(at("delay_reason", "delay_reason"))
    if status == CLOSED and not values.get("accepted_on", "").strip():
        found.append(at("accepted_on", "closed_date", status=status))
    return found

