"""Hostile files built at test time (nothing committed): each is small on disk and costly to read naively."""

from __future__ import annotations

import io
import re
import zipfile

from tests.ingest.files import HEADER, VILLAGE, xlsx_bytes


def _rewrite(book: bytes, member: str, edit) -> bytes:
    """The workbook with one member's XML rewritten by `edit`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item.filename, edit(data) if item.filename == member else data)
    return out.getvalue()


def far_cell(ref: str, *, declared: bool = True) -> bytes:
    """A valid assessment sheet plus one cell at `ref` (XFD1048576, A1048576); `declared=False` drops the
    <dimension> element so only the reader's own limits stand between the file and the allocation."""
    book = xlsx_bytes({"数据": [HEADER, VILLAGE]})
    sheet = "xl/worksheets/sheet1.xml"
    _, row = re.fullmatch(r"([A-Z]+)([0-9]+)", ref).groups()  # type: ignore[union-attr]
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()

    def edit(xml: bytes) -> bytes:
        xml = xml.replace(b"</sheetData>", cell + b"</sheetData>")
        if declared:
            return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{ref}"'.encode(), xml)
        return re.sub(rb"<dimension [^>]*/>", b"", xml)

    return _rewrite(book, sheet, edit)


def zip_bomb(rows: int = 1_500_000) -> bytes:
    """A workbook whose sheet XML expands about 400 times (~570 KB on disk, ~230 MB unpacked)."""
    book = xlsx_bytes({"数据": [HEADER, VILLAGE]})
    out = io.BytesIO()
    line = '<row><c t="inlineStr"><is><t>一村党支部一村党支部一村党支部一村党支部一村党支部</t></is></c></row>'.encode()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(item.filename, "w") as stream:
                stream.write(head)
                chunk = line * 10_000
                for _ in range(rows // 10_000):
                    stream.write(chunk)
                stream.write(b"</sheetData>" + tail)
    return out.getvalue()


def entity_expansion() -> bytes:
    """Shared strings with nested DTD entities (the 'billion laughs' shape)."""
    book = xlsx_bytes({"数据": [HEADER, VILLAGE]})
    levels = ['<!ENTITY a0 "哈哈哈哈哈哈哈哈哈哈">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    strings = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [' + "".join(levels) + ']>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               "<si><t>&a9;</t></si></sst>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="B2" t="s"><v>0</v></c>', data)
            target.writestr(item.filename, data)
        target.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def long_field(chars: int = 131_073) -> bytes:
    """A CSV whose second record holds one field longer than the csv module's default limit."""
    lines = [",".join(HEADER), ",".join([*VILLAGE[:-1], "x" * chars])]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
