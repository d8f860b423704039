"""From bytes to a grid of cells: file type sniffing, an explicit encoding cascade, delimiter detection,
workbook sheets (.xlsx, .xlsb, .xls, .ods), and the spreadsheet row number of every record."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import islice, zip_longest
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import InputError, input_texts, said
from scoring.ingest.cells import STR, distinct, is_text
from scoring.ingest.workbook import WorkbookLimits, check_archive, sheet_rows, worksheets
from scoring.rubricset import normalize_label

HEAD_ROWS = 40  # records searched for the header
_HEAD_BYTES = 256 * 1024
_DELIMITERS = (",", "\t", ";", "|")
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32（BOM）"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32（BOM）"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8（BOM）"),
    (b"\xff\xfe", "utf-16", "UTF-16LE（BOM）"),
    (b"\xfe\xff", "utf-16", "UTF-16BE（BOM）"),
)
_MAGIC = (  # formats users rename or upload by mistake: the template saying what to do instead
    (b"%PDF", "file-pdf"),
    (b"\x89PNG", "file-image"),
    (b"\xff\xd8\xff", "file-image"),
    (b"GIF8", "file-image"),
    (b"Rar!", "file-archive"),
    (b"7z\xbc\xaf", "file-archive"),
    (b"\x1f\x8b", "file-archive"),
    (b"{\\rtf", "file-rtf"),
)
_OLE = b"\xd0\xcf\x11\xe0"  # the container of .xls (and of encrypted .xlsx, which calamine refuses)
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe,;]")  # anything but spaces, BOMs and delimiters
_CONTROL = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r"\ufeff?sep=(.)\s*")
_SAW = re.compile(r"saw (\d+)")
_EOF_IN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")

input_texts({
    "file-unreadable": {"zh": "无法读取文件“{name}”：{error}；请确认文件存在且未被其他程序占用",
                        "en": "the file “{name}” cannot be read ({error}); check that it exists and that no other program has it open"},
    "file-empty": {"zh": "文件“{name}”是空的；请确认选择了填好的表格",
                   "en": "the file “{name}” is empty; check that you chose the filled-in table"},
    "file-wps": {"zh": "文件“{name}”是 WPS 表格（.{suffix}）格式，无法直接读取；请在 WPS 中“另存为” Excel 工作簿（.xlsx）后再上传",
                 "en": "the file “{name}” is a WPS spreadsheet (.{suffix}), which cannot be read directly; in WPS, use "
                       "“Save As” to save it as an Excel workbook (.xlsx) and upload that"},
    "file-pdf": {"zh": "文件“{name}”是PDF 文件，请上传原始的 Excel 或 CSV 表格",
                 "en": "the file “{name}” is a PDF file; upload the original Excel or CSV table instead"},
    "file-image": {"zh": "文件“{name}”是图片，请上传原始的 Excel 或 CSV 表格",
                   "en": "the file “{name}” is an image; upload the original Excel or CSV table instead"},
    "file-archive": {"zh": "文件“{name}”是压缩包，请解压后上传其中的 Excel 或 CSV 文件",
                     "en": "the file “{name}” is a compressed archive; unpack it and upload the Excel or CSV file inside"},
    "file-rtf": {"zh": "文件“{name}”是RTF 文档，请上传 Excel 或 CSV 表格",
                 "en": "the file “{name}” is an RTF document; upload an Excel or CSV table instead"},
    "file-binary": {"zh": "文件“{name}”不是文本表格（含有二进制内容），可能是改了扩展名的其他文件；请上传 .xlsx 或 CSV",
                    "en": "the file “{name}” is not a text table (it holds binary content), perhaps another kind of file "
                          "renamed; upload an .xlsx or CSV file"},
    "file-html": {"zh": "文件“{name}”是网页或 XML 格式的表格（有些系统导出的 .xls 其实是网页）；请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV 再上传",
                  "en": "the file “{name}” is a table in web page or XML format (some systems export web pages as .xls); "
                        "open it in Excel/WPS, save it as .xlsx or CSV and upload that"},
    "encoding-broken": {"zh": "文件“{name}”无法按 {codec} 解码（第 {byte} 字节附近）；请在 Excel/WPS 中另存为 CSV（UTF-8）后再上传",
                        "en": "the file “{name}” cannot be decoded as {codec} (near byte {byte}); in Excel/WPS, save it as "
                              "CSV (UTF-8) and upload that"},
    "encoding-bad-byte": {"zh": "文件“{name}”是 UTF-8 编码，但第 {row:,} 行（第 {byte:,} 个字节）有一个无效字节 0x{value:02X}，"
                                "文件可能在保存或传输中损坏；请在 Excel/WPS 中打开该行核对后，另存为 CSV（UTF-8）再上传",
                          "en": "the file “{name}” is UTF-8, but row {row:,} (byte {byte:,}) has an invalid byte 0x{value:02X}; "
                                "the file may have been damaged when it was saved or sent. Open it in Excel/WPS, check that row, "
                                "save it as CSV (UTF-8) and upload it again"},
    "encoding-unknown": {"zh": "无法识别文件“{name}”的编码（既不是 UTF-8 也不是 GBK/GB18030）；请另存为 CSV（UTF-8）后再上传",
                         "en": "the encoding of the file “{name}” is not recognised (it is neither UTF-8 nor GBK/GB18030); "
                               "save it as CSV (UTF-8) and upload it again"},
    "csv-long-cell": {"zh": "文件“{name}”开头部分有一个单元格超过 {limit:,} 个字符（Excel 单元格最多 32,767 个字符），不是正常的表格数据；"
                            "请检查是否选错了文件，或在 Excel/WPS 中打开后重新另存为 CSV",
                      "en": "near its start, the file “{name}” has a cell longer than {limit:,} characters (an Excel cell holds "
                            "at most 32,767), so it is not ordinary table data; check that you chose the right file, or open "
                            "it in Excel/WPS and save it again as CSV"},
    "csv-quotes-at": {"zh": "文件“{name}”第 {row} 行附近的引号（\"）不配对，无法分列；请在 Excel/WPS 中打开后重新另存为 CSV",
                      "en": "the quotes (\") in the file “{name}” near row {row} do not pair up, so it cannot be split into "
                            "columns; open it in Excel/WPS and save it again as CSV"},
    "csv-quotes": {"zh": "文件“{name}”的引号（\"）不配对，无法分列；请在 Excel/WPS 中打开后重新另存为 CSV",
                   "en": "the quotes (\") in the file “{name}” do not pair up, so it cannot be split into columns; open it "
                         "in Excel/WPS and save it again as CSV"},
    "csv-ragged": {"zh": "文件“{name}”各行的列数相差太大，无法分列；请在 Excel/WPS 中打开后重新另存为 CSV",
                   "en": "the rows of the file “{name}” differ too much in how many columns they have, so it cannot be split "
                         "into columns; open it in Excel/WPS and save it again as CSV"},
    "workbook-extension": {"zh": "文件“{name}”的扩展名是 .{suffix}，但内容不是 Excel 工作簿；请在 Excel/WPS 中重新另存为 .xlsx",
                           "en": "the file “{name}” ends in .{suffix} but is not an Excel workbook; open it in Excel/WPS and "
                                 "save it again as .xlsx"},
    "workbook-damaged": {"zh": "文件“{name}”已损坏，无法作为 Excel 工作簿打开；请在 Excel/WPS 中重新另存为 .xlsx",
                         "en": "the file “{name}” is damaged and cannot be opened as an Excel workbook; open it in Excel/WPS "
                               "and save it again as .xlsx"},
    "zip-word": {"zh": "文件“{name}”是Word 文档，不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
                 "en": "the file “{name}” is a Word document, not an Excel workbook; save it as .xlsx or CSV and upload that"},
    "zip-opendocument": {"zh": "文件“{name}”是OpenDocument 文档（不是表格），不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
                         "en": "the file “{name}” is an OpenDocument document (not a spreadsheet), not an Excel workbook; "
                               "save it as .xlsx or CSV and upload that"},
    "zip-archive": {"zh": "文件“{name}”是压缩包，不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
                    "en": "the file “{name}” is a compressed archive, not an Excel workbook; save it as .xlsx or CSV and "
                          "upload that"},
    "workbook-no-sheets": {"zh": "文件“{name}”中没有工作表", "en": "the file “{name}” has no worksheets"},
    "workbook-no-such-sheet": {"zh": "文件“{name}”中没有名为“{sheet}”的工作表；现有工作表：{sheets}",
                               "en": "the file “{name}” has no worksheet named “{sheet}”; its worksheets are {sheets}"},
})


@dataclass(frozen=True)
class RawTable:
    """A grid of text cells: the first records (to find the header) and a loader for the records below it."""

    head: list[list[str]]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    # (header index, positions pandas may type, positions read as exact text) → (body below the header, encoding)
    load: Callable[[int, frozenset[int], frozenset[int]], tuple[pd.DataFrame, str | None]]


class Payload:
    """A file's bytes: the first part at once, the whole only when something needs it (pandas reads a UTF-8
    file from its path, so a large CSV is not read twice)."""

    def __init__(self, head: bytes, size: int, path: str | None = None, data: bytes | None = None) -> None:
        self.head, self.size, self.path, self._data = head, size, path, data

    @classmethod
    def of_bytes(cls, data: bytes) -> Payload:
        """A payload already in memory."""
        return cls(data[:_HEAD_BYTES], len(data), None, data)

    @classmethod
    def of_path(cls, path: str, size: int) -> Payload:
        """A payload on disk; only its first part is read now."""
        with open(path, "rb") as file:
            head = file.read(_HEAD_BYTES)
        return cls(head, size, path, head if size <= len(head) else None)

    def whole(self) -> bytes:
        """Every byte of the file."""
        if self._data is None:
            try:
                with open(str(self.path), "rb") as file:
                    self._data = file.read()
            except OSError as exc:
                raise InputError(said("file-unreadable", name=self.path, error=str(exc.strerror or exc))) from exc
        return self._data

    @property
    def truncated(self) -> bool:
        """True when the head is not the whole file."""
        return self.size > len(self.head)


def open_tables(payload: Payload, name: str, sheet: str | None,
                limits: WorkbookLimits) -> Generator[RawTable, None, None]:
    """The grids in a file (a CSV's one, a workbook's named sheet or every sheet); InputError for anything else."""
    # A workbook without a named sheet yields every sheet, visible ones first: the caller takes the first with a header.
    head = payload.head
    if _CONTENT.search(head) is None and (not payload.truncated or _CONTENT.search(payload.whole()) is None):
        raise InputError(said("file-empty", name=name))
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix in {"et", "ett"}:
        raise InputError(said("file-wps", name=name, suffix=suffix))
    if head[:4] == b"PK\x03\x04":
        data = payload.whole()
        _zip_kind(data, name)
        check_archive(data, name, limits)
        yield from _workbook_tables(data, name, sheet, limits)
        return
    if head.startswith(_OLE):
        yield from _workbook_tables(payload.whole(), name, sheet, limits)
        return
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise InputError(said(kind, name=name))
    if suffix in {"xlsx", "xlsm", "xlsb", "ods"}:  # a ".xls" may be text or HTML some systems export: read on
        raise InputError(said("workbook-extension", name=name, suffix=suffix))
    yield _csv_table(payload, name)  # a sheet name means nothing for a CSV and is ignored


# ---------------------------------------------------------------------------------------------- CSV


def _binary(name: str) -> InputError:
    return InputError(said("file-binary", name=name))


def _utf16_without_bom(head: bytes) -> str | None:
    """The UTF-16 codec of a BOM-less file with NUL bytes (Excel 'Unicode text' variants), when one of the two
    byte orders reads as printable text; None otherwise (then NUL bytes mean a binary file)."""
    sample = head[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if b"\x00" not in sample:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        decoded = sample.decode(codec, errors="replace")
        readable = sum(1 for ch in decoded if ch.isprintable() or ch in "\t\r\n")
        if "\x00" not in decoded and readable >= 0.98 * len(decoded):
            return codec
    return None


def _decode_all(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(said("encoding-broken", name=name, codec=codec, byte=exc.start)) from exc


def _gb18030(data: bytes, name: str) -> str:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, name) from exc


def _undecodable(data: bytes, name: str) -> InputError:
    """The error for bytes neither codec reads: a UTF-8 file with a bad byte is named by row and byte offset."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not data[: exc.start].isascii():  # valid UTF-8 text with Chinese before the bad byte: a damaged UTF-8 file
            row = data.count(b"\n", 0, exc.start) + 1
            return InputError(said("encoding-bad-byte", name=name, row=row, byte=exc.start + 1, value=data[exc.start]))
    return InputError(said("encoding-unknown", name=name))


def _head_text(head: bytes, truncated: bool) -> str | None:
    """The first part of a UTF-8 file up to a line end, or None when it is not UTF-8."""
    if truncated:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head[: len(head) - 4]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _check_text(head: str, name: str) -> None:
    """Reject text full of control characters: a binary file that happened to decode."""
    sample = head[:20000]
    if "\x00" in head or len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise _binary(name)


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most rows into the same number of fields (more than one)."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
        common = Counter(w for w in widths if w > 1).most_common(1)
        score = (common[0][1], common[0][0]) if common else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_table(source: Payload, name: str) -> RawTable:
    # pandas reads a UTF-8 file given by its path in parallel chunks: hand it the path whenever no transcoding is needed
    payload: bytes | str = source.path or source.whole()
    codec, label = "utf-8", "UTF-8"
    text: str | None = None
    for bom, bom_codec, bom_label in _BOMS:
        if source.head.startswith(bom):
            codec, label = bom_codec, bom_label
            break
    else:
        utf16 = _utf16_without_bom(source.head)
        if utf16 is not None:
            codec, label = utf16, utf16.upper().replace("-LE", "LE").replace("-BE", "BE")
        elif b"\x00" in source.head:  # a renamed binary shows itself in its first part
            raise _binary(name)
    if codec.startswith(("utf-16", "utf-32")):
        text = _decode_all(source.whole(), codec, name).lstrip("\ufeff")
        head = text[:_HEAD_BYTES]
    else:
        decoded = _head_text(source.head, source.truncated)
        if decoded is None:
            text = _gb18030(source.whole(), name)
            codec, label = "gb18030", "GBK/GB18030"
            head = text[:_HEAD_BYTES]
        else:
            head = decoded.lstrip("\ufeff")
    if text is not None:
        payload, codec = text.encode("utf-8"), "utf-8"
    _check_text(head, name)
    if head.lstrip().lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise InputError(said("file-html", name=name))
    # records end at \n, \r or \r\n, as pandas splits them (str.splitlines would also split at \u2028 and more)
    lines = list(io.StringIO(head, newline=""))
    if source.truncated and len(lines) > 1:
        lines = lines[:-1]  # possibly cut short
    lead = 0
    sep = _SEP_LINE.fullmatch(lines[0]) if lines else None
    try:
        if sep:  # Excel's "sep=;" hint line: Excel hides it, so rows are numbered from the next line
            delimiter, lead, lines = sep[1], 1, lines[1:]
        else:
            delimiter = _sniff_delimiter(lines[:100])
        head_rows = [[c for c in r] or [""] for r in islice(csv.reader(lines, delimiter=delimiter), HEAD_ROWS)]
    except csv.Error as exc:  # a field longer than csv.field_size_limit(): no spreadsheet cell holds that much
        raise InputError(said("csv-long-cell", name=name, limit=csv.field_size_limit())) from exc
    width = max((len(r) for r in head_rows), default=1)

    def load(header: int, typed: frozenset[int], exact: frozenset[int]) -> tuple[pd.DataFrame, str | None]:
        """The records below the header and the encoding they were finally read in."""
        nonlocal payload, codec, label
        shape = _Shape(lead + header + 1, len(head_rows[header]), width)
        try:
            body = _read_csv(payload, codec, delimiter, shape, typed, exact, name)
        except UnicodeDecodeError:  # the first part was UTF-8 but a later part is not
            if not head.isascii():  # Chinese text read as UTF-8 above: a damaged UTF-8 file, not a GBK one
                raise _undecodable(source.whole(), name) from None
            payload, codec, label = _gb18030(source.whole(), name).lstrip("\ufeff").encode("utf-8"), "utf-8", "GBK/GB18030"
            body = _read_csv(payload, codec, delimiter, shape, typed, exact, name)
        body.index = pd.RangeIndex(header + 2, header + 2 + len(body))
        return body, label

    return RawTable(head_rows, label, delimiter, None, load)


@dataclass(frozen=True)
class _Shape:
    """Where the data starts (records to skip) and how wide the header and the widest record seen are."""

    skip: int
    header_width: int
    width: int


def _read_csv(payload: bytes | str, codec: str, delimiter: str, shape: _Shape, typed: frozenset[int],
              exact: frozenset[int], name: str) -> pd.DataFrame:
    """All records below the header, as many columns as the widest record.

    Positions in `typed` may be typed by pandas; `exact` ones are read as text. Every other column is text
    too, but reading it as such costs more than letting pandas infer it, so it is re-read as text only
    when pandas found numbers in it (their leading zeros would otherwise be lost).
    """
    body = _parse(payload, codec, delimiter, shape, exact, None, name)
    positions: list[int] = [int(i) for i in body.columns]
    loose = [i for i in positions if i not in typed | exact and not is_text(body[i]) and body[i].notna().any()]
    if loose:
        wide = _Shape(shape.skip, shape.header_width, body.shape[1])
        again = _parse(payload, codec, delimiter, wide, frozenset(loose), loose, name)
        for i in loose:
            body[i] = again[i]
    return body


def _source(payload: bytes | str) -> io.BytesIO | str:
    """What pandas reads: the file's path, or the (transcoded) bytes."""
    return payload if isinstance(payload, str) else io.BytesIO(payload)


def _parse(payload: bytes | str, codec: str, delimiter: str, shape: _Shape, text: frozenset[int],
           usecols: list[int] | None, name: str) -> pd.DataFrame:
    """The records below the header; positions in `text` are read as the exact text of each cell."""
    # `converters` rather than `dtype`: any dtype mapping makes pandas assemble every column one by one (slower)
    options: dict[str, Any] = {
        "sep": delimiter, "usecols": usecols, "keep_default_na": False, "na_values": [""], "skip_blank_lines": False,
        "index_col": False, "encoding": codec, "encoding_errors": "strict", "quotechar": '"', "engine": "c",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:  # fast path: no record wider than the header; header=<row> skips the rows above far faster than skiprows
            header_width = max([shape.header_width, *(i + 1 for i in usecols or ())])
            return pd.read_csv(_source(payload), header=shape.skip - 1, names=list(range(header_width)),
                               converters={i: str for i in text if i < header_width}, **options)
        except pd.errors.EmptyDataError:
            return pd.DataFrame({i: pd.Series(dtype=STR) for i in range(shape.width)})
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            pass
        except OSError as exc:  # the file went away between sniffing and reading
            raise InputError(said("file-unreadable", name=name, error=str(exc.strerror or exc))) from exc
    width = shape.width
    for _ in range(64):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                return pd.read_csv(_source(payload), header=None, skiprows=shape.skip, names=list(range(width)),
                                   converters={i: str for i in text if i < width}, **options)
        except pd.errors.EmptyDataError:
            return pd.DataFrame({i: pd.Series(dtype=STR) for i in range(width)})
        except pd.errors.ParserError as exc:
            saw = _SAW.search(str(exc))
            if saw and int(saw[1]) > width:
                width = int(saw[1])
                continue
            eof = _EOF_IN_QUOTE.search(str(exc))
            quotes = said("csv-quotes-at", name=name, row=int(eof[1]) + shape.skip + 1) if eof else said("csv-quotes", name=name)
            raise InputError(quotes) from exc
    raise InputError(said("csv-ragged", name=name))


# ----------------------------------------------------------------------------------------- WORKBOOKS


def _zip_kind(data: bytes, name: str) -> str:
    """'xlsx', 'xlsb' or 'ods' for a zip-based workbook; InputError for any other zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(said("workbook-damaged", name=name)) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
        return "ods"
    kind = "zip-word" if "word/document.xml" in names else ("zip-opendocument" if mimetype else "zip-archive")
    raise InputError(said(kind, name=name))


def is_workbook(head: bytes) -> bool:
    """Whether a file's first bytes are those of a zip-based or OLE workbook."""
    return head.startswith((b"PK\x03\x04", _OLE))


def sheet_names(data: bytes, name: str, limits: WorkbookLimits) -> list[str]:
    """A workbook's worksheet names, visible ones first (empty for a text file); InputError when it cannot be read."""
    if not is_workbook(data[:4]):
        return []
    if data.startswith(b"PK"):
        _zip_kind(data, name)
        check_archive(data, name, limits)
    return _sheets(worksheets(data, name, limits), name, None)


def _workbook_tables(data: bytes, name: str, sheet: str | None, limits: WorkbookLimits) -> Generator[RawTable, None, None]:
    """A workbook's named sheet, or every worksheet with the visible ones first, each read in a bounded process."""
    for sheet_name in _sheets(worksheets(data, name, limits), name, sheet):
        yield _grid_table(sheet_rows(data, name, sheet_name, limits), sheet_name)


def _grid_table(rows: list[tuple[int, tuple[object, ...]]], title: str) -> RawTable:
    grid = _text_grid(rows)
    head = [["" if pd.isna(v) else str(v) for v in row] for row in grid.iloc[:HEAD_ROWS].itertuples(index=False)]

    def load(header: int, typed: frozenset[int], exact: frozenset[int]) -> tuple[pd.DataFrame, str | None]:
        """The rows below the header (a workbook has no encoding)."""
        body = grid.iloc[header + 1:].copy()
        body.index = pd.RangeIndex(header + 2, header + 2 + len(body))
        return body, None

    return RawTable(head, None, None, title, load)


def _sheets(sheets: list[tuple[str, bool]], name: str, sheet: str | None) -> list[str]:
    """The named sheet, or every worksheet with the visible ones first."""
    if not sheets:
        raise InputError(said("workbook-no-sheets", name=name))
    if sheet is None:
        return [title for title, _ in sorted(sheets, key=lambda s: not s[1])]
    for match in (lambda t: t == sheet, lambda t: normalize_label(t) == normalize_label(sheet)):
        found = [title for title, _ in sheets if match(title)]
        if found:
            return found[:1]
    raise InputError(said("workbook-no-such-sheet", name=name, sheet=sheet, sheets=tuple(f"“{title}”" for title, _ in sheets)))


def _text_grid(rows: list[tuple[int, tuple[object, ...]]]) -> pd.DataFrame:
    """Cell values as the text a user sees (each distinct value converted once) down to the last row with a value;
    rows not given are blank. Empty cells are NA."""
    height = rows[-1][0] + 1 if rows else 0
    at = np.fromiter((i for i, _ in rows), dtype=np.intp, count=len(rows))
    columns: dict[int, pd.Series] = {}
    for position, cells in enumerate(zip_longest(*(r for _, r in rows))):  # rows differ in length: short ones end in empty cells
        codes, texts = distinct(pd.Series(cells, dtype=object))
        placed = np.full(height, -1, dtype=np.intp)
        placed[at] = codes
        columns[position] = pd.Series(texts.array.take(placed, allow_fill=True), dtype=STR)
    return pd.DataFrame(columns, index=pd.RangeIndex(height), columns=range(len(columns)))


__all__ = ["HEAD_ROWS", "Payload", "RawTable", "open_tables", "sheet_names"]
