"""Blank input files for a field: the headers users fill in, in the order of the rubric."""

from __future__ import annotations

import io

from scoring.rubric import Rubric, Source


def template_headers(rubric: Rubric) -> list[str]:
    """Every header of the rubric's input file: identity columns, then indicators (and their other sources)."""
    further: dict[str, list[Source]] = {}
    for _, suffix, source, cid in rubric.source_columns():
        if suffix and source not in further.setdefault(cid, []):
            further[cid].append(source)
    headers: list[str] = []
    for cid, column in rubric.input_columns().items():
        headers.append(column.label)
        headers.extend(source.header.format(label=column.label) for source in further.get(cid, ()))
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
