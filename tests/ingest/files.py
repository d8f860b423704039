"""Assessment files built from bytes for the ingestion tests: the shapes users really send."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl

# Columns A..N of the usual test file, as a township would type them.
HEADER = ["党组织代码", "党组织名称", "领域", "考核年度", "支部委员会", "党员人数", "三会一课次数", "群众满意度",
          "综合评价", "党小组设置", "集体经济收入", "活动场所面积", "上级党组织", "备注说明"]
LETTER = {name: chr(ord("A") + i) for i, name in enumerate(HEADER)}
VILLAGE = ["001", "一村党支部", "农村", "2025", "是", "12", "10", "85%", "好", "是", "6", "", "镇党委", ""]
COMMUNITY = ["002", "二社区党支部", "城市社区", "2025", "否", "30", "12", "0.9", "较好", "否", "", "350", "街道党工委", ""]


def row(base: Sequence[str] = VILLAGE, **changes: str) -> list[str]:
    """A copy of a row with some cells changed, by header name (e.g. row(党员人数="12人"))."""
    out = list(base)
    for name, value in changes.items():
        out[HEADER.index(name)] = value
    return out


def text(rows: Sequence[Sequence[object]], *, header: Sequence[str] | None = HEADER, above: Sequence[Sequence[object]] = (),
         delimiter: str = ",", newline: str = "\r\n") -> str:
    """CSV text with optional title rows above the header, as Excel saves it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for line in above:
        writer.writerow(line)
    if header is not None:
        writer.writerow(header)
    for line in rows:
        writer.writerow(line)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", **options: object) -> bytes:
    """CSV bytes in an encoding (utf-8-sig, gb18030, utf-16 with tabs …)."""
    return text(rows, **options).encode(encoding)  # type: ignore[arg-type]


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]], merges: dict[str, Sequence[str]] | None = None,
               hidden: Sequence[str] = ()) -> bytes:
    """An .xlsx workbook with the given sheets (cell values as Excel would store them) and merged ranges."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for line in rows:
            sheet.append(list(line))
        for cells in (merges or {}).get(title, ()):
            sheet.merge_cells(cells)
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
