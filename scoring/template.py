"""Blank input files for a field: the headers users fill in, in the order of the rubric."""

from __future__ import annotations

import io

from scoring.rubric import Rubric, Source


def template_headers(rubric: Rubric) -> list[str]:
    """Every header of the rubric's input file: identity columns, then indicators (and their other sources)."""
    sources = rubric.sources or (Source(id="main", name="", weight=1.0),)
    scored = {ind.column_id for ind in rubric.indicators()}
    headers: list[str] = []
    for cid, column in rubric.input_columns().items():
        headers.append(column.label)
        if cid in scored:
            headers.extend(source.header.format(label=column.label) for source in sources[1:])
    return headers


def template_bytes(rubric: Rubric, *, xlsx: bool = False) -> bytes:
    """An empty input file: UTF-8 CSV with BOM (Excel opens it correctly), or .xlsx with a title row."""
    headers = template_headers(rubric)
    if not xlsx:
        return (",".join(headers) + "\r\n").encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "填报"
    sheet.append([f"{rubric.name}（{rubric.version}）填报表"])
    sheet.append(headers)
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
