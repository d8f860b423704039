"""Blank input files for a field: the headers users fill in, in the order of the rubric, with help for filling them."""

from __future__ import annotations

import io
from typing import Any

from scoring.conditions import Clause, Condition
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Column, Rubric, Source

DATA_SHEET, HELP_SHEET, EXAMPLE_SHEET = "填报", "填写说明", "示例"
VALIDATED_ROWS = 5000  # drop-down lists cover this many rows below the header
YES_NO = ("是", "否")
EXAMPLE_TEXT = {BRANCH_ID: "A0001", NAME: "示例党支部", PERIOD: "2025", "district": "示例县", "township": "示例镇",
                "parent": "示例镇党委"}
TYPE_HINTS = {
    "bool": "从下拉列表选“是”或“否”（也可填 有/无、√/×、1/0）",
    "number": "填数字",
    "rate": "填比率，如 95% 或 0.95",
    "level": "从下拉列表选：{levels}",
    "points": "填得分（0 至 {max:g}）",
    "text": "填文字",
}


def _columns(rubric: Rubric) -> list[tuple[str, Column]]:
    """Each header of the input file with the column it fills (other sources repeat their indicator's column)."""
    further: dict[str, list[Source]] = {}
    for _, suffix, source, cid in rubric.source_columns():
        if suffix and source not in further.setdefault(cid, []):
            further[cid].append(source)
    out: list[tuple[str, Column]] = []
    for cid, column in rubric.input_columns().items():
        out.append((column.label, column))
        out.extend((source.header.format(label=column.label), column) for source in further.get(cid, ()))
    return out


def template_headers(rubric: Rubric) -> list[str]:
    """Every header of the rubric's input file: identity columns, then indicators (and their other sources)."""
    return [header for header, _ in _columns(rubric)]


def _floors(rubric: Rubric) -> dict[str, float]:
    """Numbers below which a row is skipped (不参评, e.g. months since founding < 12) or an item is ruled not applicable
    (e.g. 正式党员数 < 7), per column: the example row stays above them so that every item it shows is scored."""
    below: list[Condition | None] = [s.when for s in rubric.skip]
    for ind in rubric.indicators():
        below.append(ind.not_applicable_when)
        if isinstance(ind.applies_when, Clause) and ind.applies_when.op in (">", ">="):
            below.append(ind.applies_when.model_copy(update={"op": "<"}))
    floors: dict[str, float] = {}
    for when in below:
        if isinstance(when, Clause) and when.op in ("<", "<=") and isinstance(when.value, int | float):
            floors[when.column] = max(floors.get(when.column, 0.0), float(when.value))
    return floors


def _example(column: Column, rubric: Rubric) -> Any:
    """A plausible value for one column of the example row (one that the rubric scores rather than skips)."""
    if column.id in (floors := _floors(rubric)):
        return floors[column.id] * 2
    if column.id == FIELD:
        return rubric.fields[0] if rubric.fields else ""
    if column.type == "bool":
        return YES_NO[0]
    if column.type == "level":
        return column.levels[0] if column.levels else ""
    if column.type == "rate":
        return "95%"
    if column.type == "points":
        return column.max if column.max is not None else 0
    if column.type == "number":
        return column.min if column.min is not None and column.min > 0 else (0 if column.max is not None else 1)
    return EXAMPLE_TEXT.get(column.id, "")


def _hint(column: Column) -> str:
    """How to fill one column: its type, allowed values, unit and whether it is required."""
    text = TYPE_HINTS[column.type].format(levels="、".join(column.levels), max=column.max or 0)
    if column.unit:
        text += f"，单位：{column.unit}"
    return text + ("；必填" if column.required else "")


def template_bytes(rubric: Rubric, *, xlsx: bool = False) -> bytes:
    """An empty input file: UTF-8 CSV with BOM (Excel opens it correctly), or .xlsx with a title row, drop-down lists,
    an instructions sheet and an example sheet."""
    columns = _columns(rubric)
    headers = [header for header, _ in columns]
    if not xlsx:
        return (",".join(headers) + "\r\n").encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([f"{rubric.name}（{rubric.version}）填报表：从第 3 行起每行填一个党组织；填写说明和示例见后两个工作表"])
    sheet.append(headers)
    sheet.freeze_panes = "A3"
    for at, (header, column) in enumerate(columns, start=1):
        letter = get_column_letter(at)
        sheet.column_dimensions[letter].width = max(10, min(30, len(header) * 2 + 2))
        choices = YES_NO if column.type == "bool" else column.levels if column.type == "level" else ()
        if choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=header, error="请从下拉列表中选择：" + "、".join(choices),
                                  showInputMessage=True, promptTitle=header[:32], prompt=_hint(column)[:255])
            rule.add(f"{letter}3:{letter}{VALIDATED_ROWS + 2}")
            sheet.add_data_validation(rule)
    guide = book.create_sheet(HELP_SHEET)
    guide.append(["表头", "填写要求"])
    guide.append(["（总说明）", "表头必须保留在第 2 行；不适用或无此项可留空；上传后看板会逐行检查并指出需修改的单元格"])
    for header, column in columns:
        guide.append([header, _hint(column)])
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 70
    example = book.create_sheet(EXAMPLE_SHEET)
    example.append(["示例：一行填好的数据（仅供参考，请在“填报”工作表中填写）"])
    example.append(headers)
    example.append([_example(column, rubric) for _, column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
