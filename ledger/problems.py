"""Problems with a 台账 row or an edited entry, as data: a stable code, where it is, and templates in Chinese and English."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ledger.model import CLOSED, DATES, DELAYED, FIELDS, STATUSES, STATUSES_EN, field_name, parse_date
from scoring.base import Templates, say
from scoring.errors import Said

# code → language → what is wrong; placeholders come from the problem's values and the file's own words below
TEMPLATES: Templates = {
    "no_header": {"zh": "找不到表头：前 40 行中没有“{name_header}”或“{code_header}”列",
                  "en": "No header row: none of the first 40 rows has a “{name_header}” (branch name) or “{code_header}” (branch "
                        "code) column"},
    "unreadable": {"zh": "文件无法读取：{reason}", "en": "The file cannot be read: {reason}"},
    "too_large": {"zh": "文件无法读取：文件超过 {limit} MB", "en": "The file cannot be read: it is larger than {limit} MB"},
    "no_branch": {"zh": "这一行没有党组织名称，也没有党组织代码", "en": "This row has neither a branch name nor a branch code"},
    "unmatched_code": {"zh": "党组织代码“{value}”在 {period} 年度的考评数据中找不到",
                       "en": "The branch code “{value}” is not in the {period} assessment data"},
    "unmatched_name": {"zh": "党组织名称“{value}”在 {period} 年度的考评数据中找不到",
                       "en": "The branch name “{value}” is not in the {period} assessment data"},
    "ambiguous_name": {"zh": "党组织名称“{value}”在 {period} 年度对应 {count} 个支部",
                       "en": "The branch name “{value}” names {count} branches in the {period} assessment data"},
    "duplicate": {"zh": "该支部在第 {first} 行已出现", "en": "This branch already appears in row {first}"},
    "unknown_status": {"zh": "进展情况“{value}”无法识别", "en": "The progress “{value}” is not recognised"},
    "bad_date": {"zh": "{header}“{value}”不是日期", "en": "{header} “{value}” is not a date"},
    "delay_reason": {"zh": "进展情况为“{delayed}”，但没有写延期原因",
                     "en": "The progress is delayed (“{delayed}”) but no reason for the delay is given"},
    "closed_date": {"zh": "进展情况为“{closed}”，但没有填写销号时间", "en": "The progress is closed (“{closed}”) but no closing date is given"},
    "closed_mismatch": {"zh": "{closed_header}为“{value}”，但进展情况为“{status}”",
                        "en": "“{closed_header}” (closed) says “{value}” but the progress is “{status}”"},
}
# code → language → how to fix it
FIXES: Templates = {
    "no_header": {"zh": "请保留表头行（{layout}……），或从本页下载台账模板后填写",
                  "en": "Keep the header row ({layout} …), or download the ledger from this page and fill it in"},
    "unreadable": {"zh": "请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再导入", "en": "Save it as .xlsx or CSV in Excel/WPS and import it again"},
    "too_large": {"zh": "请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再导入", "en": "Save it as .xlsx or CSV in Excel/WPS and import it again"},
    "no_branch": {"zh": "请填写{name_header}（与考评数据一致）或{code_header}；空行可直接删除",
                  "en": "Fill in the branch name “{name_header}” (as the assessment data has it) or the code “{code_header}”; "
                        "blank rows can simply be deleted"},
    "unmatched_code": {"zh": "请核对代码；或清空代码，按党组织名称匹配", "en": "Check the code, or clear it to match by branch name"},
    "unmatched_name": {"zh": "请写与考评数据完全一致的全称（如“××村党支部”），或在“{code_header}”列填写代码",
                       "en": "Write the full name exactly as the assessment data has it, or give the code in the “{code_header}” column"},
    "ambiguous_name": {"zh": "请在“{code_header}”列填写代码以区分", "en": "Give the code in the “{code_header}” column to tell them apart"},
    "duplicate": {"zh": "同一支部只保留一行：请把两行合并后再导入", "en": "Keep one row per branch: merge the two rows and import again"},
    "unknown_status": {"zh": "请填写 {choices} 之一；延期的写“{delayed}：原因”",
                       "en": "Write one of {choices}; for a delay write “{delayed}: reason”"},
    "bad_date": {"zh": "请写成 2025-06-30、2025/6/30 或 2025年6月30日 这样的日期", "en": "Write a date such as 2025-06-30 or 2025/6/30"},
    "delay_reason": {"zh": "请在“{reason_header}”中写明原因，或写成“{delayed}：原因”",
                     "en": "Give the reason in “{reason_header}” (reason for the delay), or write “{delayed}: reason” as the progress"},
    "closed_date": {"zh": "请填写销号（验收）时间", "en": "Fill in the date it was closed (accepted)"},
    "closed_mismatch": {"zh": "请让两者一致：已销号的，进展情况写“{closed}”；未销号的，{closed_header}写“{no}”",
                        "en": "Make them agree: a closed entry has the progress “{closed}”, one not closed has “{no}” under "
                              "“{closed_header}”"},
}
WHERE: Templates = {
    "row": {"zh": "第 {row} 行", "en": "row {row}"},
    "cell": {"zh": "{column} 列“{header}”", "en": "column {column} “{header}”"},
    "header": {"zh": "“{header}”", "en": "“{header}”"},
    "file": {"zh": "整个文件", "en": "the whole file"},
    "and": {"zh": " ", "en": ", "},
    "entry": {"zh": "{where}：{message}。{fix}", "en": "{where}: {message}. {fix}"},
    "entries": {"zh": "；", "en": "; "},
}
_LAYOUT = ("序号", "党组织名称", "上级党组织", "主要问题")
_REASON_CHARS = 300  # why a file cannot be read (an InputError's text), cut to keep the problem list readable


def _words(lang: str) -> dict[str, str]:
    """The 台账 file's own words (headers, statuses), which a user writes in Chinese whatever the UI language."""
    en = lang == "en"
    choices = ", ".join(f"“{s}” ({STATUSES_EN[s].lower()})" for s in STATUSES) if en else "、".join(STATUSES)
    return {"name_header": "党组织名称", "code_header": "党组织代码", "reason_header": "延期原因", "closed_header": "是否销号",
            "delayed": DELAYED, "closed": CLOSED, "no": "否", "choices": choices, "layout": (", " if en else "、").join(_LAYOUT)}


@dataclass(frozen=True)
class LedgerProblem:
    """One problem: its code, spreadsheet row (None for the whole file or an edit form), column letter and header.

    `key` names the kept value of a problem without a file column (an edit form's), so its name follows the language."""

    code: str
    row: int | None = None
    column: str = ""
    header: str = ""
    values: Mapping[str, object] = field(default_factory=dict, hash=False)
    key: str = ""

    def header_in(self, lang: str = "zh") -> str:
        """The file's header as written, or the edited field's name in `lang`."""
        return field_name(self.key, lang) if self.key else self.header

    def _say(self, templates: Templates, lang: str) -> str:
        values = {k: v.render(lang)[:_REASON_CHARS] if isinstance(v, Said) else v for k, v in self.values.items()}
        return say(templates, self.code, lang, **{**_words(lang), **values, "header": self.header_in(lang)})

    def message_in(self, lang: str = "zh") -> str:
        """What is wrong, in `lang`; the user's values are quoted as written."""
        return self._say(TEMPLATES, lang)

    def fix_in(self, lang: str = "zh") -> str:
        """How to fix it, in `lang`."""
        return self._say(FIXES, lang)

    def where_in(self, lang: str = "zh") -> str:
        """Row and column as a spreadsheet user says it (第 5 行 H 列“完成时限”; row 5, column H “完成时限”)."""
        header = self.header_in(lang)
        row = say(WHERE, "row", lang, row=self.row) if self.row is not None else ""
        column = (say(WHERE, "cell", lang, column=self.column, header=header) if self.column
                  else say(WHERE, "header", lang, header=header) if header else "")
        return say(WHERE, "and", lang).join(p for p in (row, column) if p) or say(WHERE, "file", lang)

    @property
    def message(self) -> str:
        """What is wrong, in Chinese."""
        return self.message_in()

    @property
    def fix(self) -> str:
        """How to fix it, in Chinese."""
        return self.fix_in()

    @property
    def where(self) -> str:
        """Where it is, in Chinese."""
        return self.where_in()


def describe(problems: Sequence[LedgerProblem], lang: str = "zh") -> str:
    """The problems as one text: where, what and how to fix each."""
    return say(WHERE, "entries", lang).join(
        say(WHERE, "entry", lang, where=p.where_in(lang), message=p.message_in(lang), fix=p.fix_in(lang)) for p in problems)


def check_values(values: Mapping[str, str], columns: Mapping[str, tuple[str, str]] | None = None,
                 row: int | None = None) -> list[LedgerProblem]:
    """Problems of one entry's values: unknown status, bad dates, 延期 without a reason, 已销号 without a date.

    `columns` maps a field to its (column letter, header) in a file, so problems point at the cell.
    """
    def at(key: str, code: str, **found: object) -> LedgerProblem:
        # a missing companion (延期原因, 销号时间) in a file without that column points at the status that needs it
        known = columns or {}
        place = known.get(key) or known.get("status") or known.get("closed")
        if place is None:
            return LedgerProblem(code, row, "", FIELDS.get(key, key), found, key=key)
        return LedgerProblem(code, row, place[0], place[1], found)

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
        found.append(at("accepted_on", "closed_date"))
    return found
