"""InputError texts are templates keyed by code: the Chinese exactly as before, English with the same file names and numbers.

Every case provokes a real InputError from a real bad or hostile file (a stand-in workbook reader only where the
reader's own failure is the case: a crash, a stall, a nonsensical answer)."""

from __future__ import annotations

import ast
import gzip
import io
import pickle
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from unittest import mock

import pytest

import scoring.export  # noqa: F401  (each module that raises InputError adds its templates on import)
from scoring.errors import INPUT_TEXTS, RUBRIC_TEXTS, InputError, Said, input_texts, said
from scoring.export import read_table
from scoring.ingest import read_assessments, workbook
from scoring.ingest.files import Payload
from scoring.ingest.workbook import WorkbookLimits
from tests.hostile import files as hostile
from tests.ingest.files import HEADER, VILLAGE, csv_bytes, text, xlsx_bytes
from tests.ingest.rubrics import fields
from tests.rubrics.test_problem_texts import CHINESE, content

FIXTURES = Path(__file__).with_name("fixtures")


def _read(data: bytes, filename: str, **options: object) -> Callable[[Path], object]:
    return lambda _: read_assessments(data, fields(), filename=filename, **options)  # type: ignore[arg-type]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@contextmanager
def _reader(tmp: Path, body: str) -> Iterator[None]:
    """A stand-in for the workbook reader process, running `body` after reading the file from stdin."""
    script = tmp / "worker.py"
    script.write_text(f"import pickle, sys, time\nsys.stdin.buffer.read()\n{body}\n", encoding="utf-8")
    with mock.patch.object(workbook, "_WORKER", str(script)):
        yield


def _with_reader(body: str, **limits: int) -> Callable[[Path], object]:
    def run(tmp: Path) -> object:
        with _reader(tmp, body):
            return read_assessments(xlsx_bytes({"数据": [HEADER, VILLAGE]}), fields(), filename="考评.xlsx",
                                    limits=WorkbookLimits(**limits))
    return run


def _missing_file(tmp: Path) -> object:
    return read_assessments(tmp / "缺失.csv", fields())


def _file_gone(tmp: Path) -> object:
    path = tmp / "big.csv"
    path.write_bytes(csv_bytes([VILLAGE] * 5000))  # larger than the first part read at once
    payload = Payload.of_path(str(path), path.stat().st_size)
    path.unlink()
    return payload.whole()


def _bad_utf8() -> bytes:
    data = bytearray(csv_bytes([VILLAGE, VILLAGE]))
    data[data.rindex("一村".encode())] = 0xFF
    return bytes(data)


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], object]  # raises the InputError
    zh: str  # the Chinese text, exactly as it was before the templates ("<dir>" is the case's folder)
    en: str


CASES = [
    Case("missing-file", _missing_file,
         "无法读取文件“缺失.csv”：No such file or directory；请确认文件存在且未被其他程序占用",
         "the file “缺失.csv” cannot be read (No such file or directory); check that it exists and that no other program has it open"),
    Case("file-gone", _file_gone,
         "无法读取文件“<dir>/big.csv”：No such file or directory；请确认文件存在且未被其他程序占用",
         "the file “<dir>/big.csv” cannot be read (No such file or directory); check that it exists and that no other program has it open"),
    Case("empty", _read(b"", "考评.csv"),
         "文件“考评.csv”是空的；请确认选择了填好的表格",
         "the file “考评.csv” is empty; check that you chose the filled-in table"),
    Case("wps", _read((FIXTURES / "assessment.xls").read_bytes(), "考评.et"),
         "文件“考评.et”是 WPS 表格（.et）格式，无法直接读取；请在 WPS 中“另存为” Excel 工作簿（.xlsx）后再上传",
         "the file “考评.et” is a WPS spreadsheet (.et), which cannot be read directly; in WPS, use “Save As” to save it as an "
         "Excel workbook (.xlsx) and upload that"),
    Case("pdf", _read(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "考评.xlsx"),
         "文件“考评.xlsx”是PDF 文件，请上传原始的 Excel 或 CSV 表格",
         "the file “考评.xlsx” is a PDF file; upload the original Excel or CSV table instead"),
    Case("image", _read(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "考评.csv"),
         "文件“考评.csv”是图片，请上传原始的 Excel 或 CSV 表格",
         "the file “考评.csv” is an image; upload the original Excel or CSV table instead"),
    Case("archive", _read(gzip.compress(b"a,b\n" * 100), "考评.csv"),
         "文件“考评.csv”是压缩包，请解压后上传其中的 Excel 或 CSV 文件",
         "the file “考评.csv” is a compressed archive; unpack it and upload the Excel or CSV file inside"),
    Case("rtf", _read(b"{\\rtf1\\ansi hello}", "考评.csv"),
         "文件“考评.csv”是RTF 文档，请上传 Excel 或 CSV 表格",
         "the file “考评.csv” is an RTF document; upload an Excel or CSV table instead"),
    Case("xlsx-not-a-workbook", _read(b"just some text, with commas\n", "考评.xlsx"),
         "文件“考评.xlsx”的扩展名是 .xlsx，但内容不是 Excel 工作簿；请在 Excel/WPS 中重新另存为 .xlsx",
         "the file “考评.xlsx” ends in .xlsx but is not an Excel workbook; open it in Excel/WPS and save it again as .xlsx"),
    Case("binary", _read(bytes(range(256)) * 4, "考评.csv"),
         "文件“考评.csv”不是文本表格（含有二进制内容），可能是改了扩展名的其他文件；请上传 .xlsx 或 CSV",
         "the file “考评.csv” is not a text table (it holds binary content), perhaps another kind of file renamed; upload an .xlsx or CSV file"),
    Case("utf16-broken", _read(b"\xff\xfe" + "党组织代码,x\r\n".encode("utf-16-le") + b"\x00\xd8a\x00", "考评.csv"),
         "文件“考评.csv”无法按 utf-16 解码（第 20 字节附近）；请在 Excel/WPS 中另存为 CSV（UTF-8）后再上传",
         "the file “考评.csv” cannot be decoded as utf-16 (near byte 20); in Excel/WPS, save it as CSV (UTF-8) and upload that"),
    Case("utf8-bad-byte", _read(_bad_utf8(), "考评.csv"),
         "文件“考评.csv”是 UTF-8 编码，但第 3 行（第 287 个字节）有一个无效字节 0xFF，文件可能在保存或传输中损坏；请在 Excel/WPS "
         "中打开该行核对后，另存为 CSV（UTF-8）再上传",
         "the file “考评.csv” is UTF-8, but row 3 (byte 287) has an invalid byte 0xFF; the file may have been damaged when it "
         "was saved or sent. Open it in Excel/WPS, check that row, save it as CSV (UTF-8) and upload it again"),
    Case("unknown-encoding", _read(b"a,b\n" + b"\xff\x80" * 50, "考评.csv"),
         "无法识别文件“考评.csv”的编码（既不是 UTF-8 也不是 GBK/GB18030）；请另存为 CSV（UTF-8）后再上传",
         "the encoding of the file “考评.csv” is not recognised (it is neither UTF-8 nor GBK/GB18030); save it as CSV (UTF-8) and upload it again"),
    Case("html", _read("<html><body><table><tr><td>党组织代码</td></tr></table></body></html>".encode(), "考评.xls"),
         "文件“考评.xls”是网页或 XML 格式的表格（有些系统导出的 .xls 其实是网页）；请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV 再上传",
         "the file “考评.xls” is a table in web page or XML format (some systems export web pages as .xls); open it in Excel/WPS, "
         "save it as .xlsx or CSV and upload that"),
    Case("long-cell", _read(hostile.long_field(), "long.csv"),
         "文件“long.csv”开头部分有一个单元格超过 131,072 个字符（Excel 单元格最多 32,767 个字符），不是正常的表格数据；请检查是否选错了文件，"
         "或在 Excel/WPS 中打开后重新另存为 CSV",
         "near its start, the file “long.csv” has a cell longer than 131,072 characters (an Excel cell holds at most 32,767), "
         "so it is not ordinary table data; check that you chose the right file, or open it in Excel/WPS and save it again as "
         "CSV"),
    Case("unclosed-quote", _read((text([VILLAGE]) + '003,"未闭合,农村,2025\r\n').encode(), "考评.csv"),
         '文件“考评.csv”第 4 行附近的引号（"）不配对，无法分列；请在 Excel/WPS 中打开后重新另存为 CSV',
         'the quotes (") in the file “考评.csv” near row 4 do not pair up, so it cannot be split into columns; open it in Excel/WPS '
         'and save it again as CSV'),
    Case("corrupt-zip", _read(b"PK\x03\x04" + bytes(200), "考评.xlsx"),
         "文件“考评.xlsx”已损坏，无法作为 Excel 工作簿打开；请在 Excel/WPS 中重新另存为 .xlsx",
         "the file “考评.xlsx” is damaged and cannot be opened as an Excel workbook; open it in Excel/WPS and save it again as .xlsx"),
    Case("word", _read(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}), "考评.xlsx"),
         "文件“考评.xlsx”是Word 文档，不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
         "the file “考评.xlsx” is a Word document, not an Excel workbook; save it as .xlsx or CSV and upload that"),
    Case("opendocument-text", _read(_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "考评.ods"),
         "文件“考评.ods”是OpenDocument 文档（不是表格），不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
         "the file “考评.ods” is an OpenDocument document (not a spreadsheet), not an Excel workbook; save it as .xlsx or CSV and upload that"),
    Case("zip", _read(_zip({"考评.csv": b"a,b\n"}), "考评.xlsx"),
         "文件“考评.xlsx”是压缩包，不是 Excel 工作簿；请另存为 .xlsx 或 CSV 后再上传",
         "the file “考评.xlsx” is a compressed archive, not an Excel workbook; save it as .xlsx or CSV and upload that"),
    Case("no-such-sheet", _read(xlsx_bytes({"2024": [HEADER, VILLAGE], "汇总": [["x"]]}), "考评.xlsx", sheet="2025"),
         "文件“考评.xlsx”中没有名为“2025”的工作表；现有工作表：“2024”、“汇总”",
         "the file “考评.xlsx” has no worksheet named “2025”; its worksheets are “2024”, “汇总”"),
    Case("zip-bomb", _read(hostile.zip_bomb(), "bomb.xlsx"),
         "文件“bomb.xlsx”解压后有 185 MB，是文件本身的 292 倍，超过上限 100 倍，疑似异常文件；请在 Excel/WPS 中打开后另存为 CSV 再上传",
         "the file “bomb.xlsx” unpacks to 185 MB, 292 times its own size and over the limit of 100 times, so it looks abnormal; "
         "open it in Excel/WPS, save it as CSV and upload that"),
    Case("declared-range", _read(hostile.far_cell("XFD1048576"), "far.xlsx"),
         "文件“far.xlsx”的工作表声明的范围 A1:XFD1048576（1,048,576 行 × 16,384 列）超过上限 50,000,000 个单元格；请删除表格下方和右侧多余的"
         "行列（或另存为 CSV）后再上传",
         "a worksheet of the file “far.xlsx” declares the range A1:XFD1048576 (1,048,576 rows × 16,384 columns), over the limit "
         "of 50,000,000 cells; delete the unused rows and columns below and to the right of the table (or save it as CSV) and "
         "upload it again"),
    Case("cells", _read((FIXTURES / "assessment.xls").read_bytes(), "考评.xls", limits=WorkbookLimits(cells=20)),
         "文件“考评.xls”的工作表有 6 行 × 14 列，超过上限 20 个单元格；请删除多余的行列、拆分文件，或在 Excel/WPS 中另存为 CSV 后再上传",
         "a worksheet of the file “考评.xls” has 6 rows × 14 columns, over the limit of 20 cells; delete unused rows and columns, "
         "split the file, or save it as CSV in Excel/WPS, and upload it again"),
    Case("unreadable-workbook", _read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "考评.xls"),
         "文件“考评.xls”无法作为工作簿读取（CalamineError），可能已损坏或加密；请在 Excel/WPS 中重新另存为 .xlsx",
         "the file “考评.xls” cannot be read as a workbook (CalamineError); it may be damaged or encrypted. Open it in Excel/WPS "
         "and save it again as .xlsx"),
    Case("reader-stalled", _with_reader("time.sleep(60)", seconds=1),
         "读取文件“考评.xlsx”超过时间上限 1 秒，已停止；请删除多余的行列、拆分文件，或在 Excel/WPS 中另存为 CSV 后再上传",
         "reading the file “考评.xlsx” took longer than the time limit (1 s) and was stopped; delete unused rows and columns, "
         "split the file, or save it as CSV in Excel/WPS, and upload it again"),
    Case("reader-crashed", _with_reader("sys.exit(5)"),
         "文件“考评.xlsx”无法作为工作簿读取（读取进程异常退出，代码 5）；请在 Excel/WPS 中重新另存为 .xlsx",
         "the file “考评.xlsx” cannot be read as a workbook (the reading process stopped with code 5); open it in Excel/WPS and "
         "save it again as .xlsx"),
    Case("reader-out-of-memory", _with_reader("sys.exit(134)"),
         "读取文件“考评.xlsx”需要的内存超过上限 2 GB，已停止（常见原因：表格很远处有内容或格式，如 XFD1048576 单元格）；请删除多余的行列、"
         "拆分文件，或在 Excel/WPS 中另存为 CSV 后再上传",
         "reading the file “考评.xlsx” needs more memory than the limit of 2 GB and was stopped (a common cause: content or formatting "
         "far out in the sheet, such as in cell XFD1048576); delete unused rows and columns, split the file, or save it as CSV "
         "in Excel/WPS, and upload it again"),
    Case("reader-nonsense", _with_reader("sys.stdout.buffer.write(b'nonsense')"),
         "文件“考评.xlsx”无法作为工作簿读取（读取进程的结果无效）；请在 Excel/WPS 中重新另存为 .xlsx",
         "the file “考评.xlsx” cannot be read as a workbook (the reading process gave an invalid answer); open it in Excel/WPS "
         "and save it again as .xlsx"),
    Case("reader-memory", _with_reader("pickle.dump(('memory', None), sys.stdout.buffer)", memory=2**29),
         "读取文件“考评.xlsx”需要的内存超过上限 0.5 GB，已停止；请删除多余的行列、拆分文件，或在 Excel/WPS 中另存为 CSV 后再上传",
         "reading the file “考评.xlsx” needs more memory than the limit of 0.5 GB and was stopped; delete unused rows and columns, "
         "split the file, or save it as CSV in Excel/WPS, and upload it again"),
    Case("no-header", _read("这是一份会议纪要。\n今天讨论了支部建设。\n".encode(), "纪要.csv"),
         "在文件“纪要.csv”的前 40 行中找不到表头：没有一行含有评分细则中的列名（如 党组织代码、党组织名称、领域、考核年度、上级党组织、"
         "备注说明）；请检查是否选错了文件或工作表，或把表头改为评分细则中的列名",
         "no header in the first 40 rows of the file “纪要.csv”: no row holds a column name of the rubric (such as 党组织代码, "
         "党组织名称, 领域, 考核年度, 上级党组织, 备注说明); check that you chose the right file or worksheet, or rename the headers "
         "to the rubric's column names"),
    Case("no-header-in-any-sheet", _read(xlsx_bytes({"说明": [["填表说明"]], "数据": [["甲", "乙"], ["1", "2"]]}), "考评.xlsx"),
         "在工作表“说明”、工作表“数据”的前 40 行中找不到表头：没有一行含有评分细则中的列名（如 党组织代码、党组织名称、领域、考核年度、"
         "上级党组织、备注说明）；请检查是否选错了文件或工作表，或把表头改为评分细则中的列名",
         "no header in the first 40 rows of the worksheet “说明”, the worksheet “数据”: no row holds a column name of the rubric "
         "(such as 党组织代码, 党组织名称, 领域, 考核年度, 上级党组织, 备注说明); check that you chose the right file or worksheet, "
         "or rename the headers to the rubric's column names"),
    Case("too-large", _read(b"x" * 1_500_000, "大文件.csv", max_bytes=1_000_000),
         "文件“大文件.csv”有 1.5 MB（1,500,000 字节），超过上限 1 MB（1,000,000 字节）；请按乡镇或领域拆分后分别上传",
         "the file “大文件.csv” is 1.5 MB (1,500,000 bytes), over the limit of 1 MB (1,000,000 bytes); split it by township or "
         "field and upload the parts one by one"),
    Case("too-large-bytes", _read(b"x" * 2000, "小.csv", max_bytes=1000),
         "文件“小.csv”有 2,000 字节，超过上限 1,000 字节；请按乡镇或领域拆分后分别上传",
         "the file “小.csv” is 2,000 bytes, over the limit of 1,000 bytes; split it by township or field and upload the parts one by one"),
    Case("not-xlsx-results", lambda _: read_table(b"a,b\n1,2\n", filename="结果.xlsx"),
         "文件“结果.xlsx”不是 .xlsx 工作簿",
         "the file “结果.xlsx” is not an .xlsx workbook"),
]




def provoke(case: Case, tmp: Path) -> InputError:
    """The InputError the case's file raises."""
    with pytest.raises(InputError) as raised:
        case.make(tmp)
    return raised.value


@pytest.fixture(scope="module")
def provoked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[InputError, Path]]:
    """Each case's error (provoked once: some files take a second to build or refuse) and the folder it used."""
    found = {}
    for case in CASES:
        tmp = tmp_path_factory.mktemp(case.id)
        found[case.id] = provoke(case, tmp), tmp
    return found


def _keys(text: Said) -> Iterator[str]:
    """The template keys a text uses, nested ones included."""
    yield text.key
    for _, value in text.fields:
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Said):
                yield from _keys(item)


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"[0-9][0-9,.]*[0-9]|[0-9]", text))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_an_unreadable_file_is_explained_in_chinese_as_before_and_in_english(case: Case, provoked) -> None:
    error, tmp = provoked[case.id]
    assert str(error) == error.text("zh") == case.zh.replace("<dir>", str(tmp))
    english = error.text("en")
    assert english == case.en.replace("<dir>", str(tmp))
    assert chinese_left(error) == ""
    assert _numbers(english) == _numbers(str(error))  # the same sizes, limits, rows and bytes
    inserted = [value for value in content(error.said) if value in str(error)]  # file and sheet names, headers, codecs
    assert inserted and all(value in english for value in inserted)


# Templates no case above reaches (a worker's MemoryError is the "memory" case; these need a broken pandas or calamine).
UNREACHED = {"csv-quotes", "csv-ragged", "workbook-no-sheets"}


def test_every_template_is_reached_by_a_case_or_listed(provoked) -> None:
    used = {key for error, _ in provoked.values() for key in _keys(error.said)}
    assert set(INPUT_TEXTS) - used == UNREACHED


@pytest.mark.parametrize("key", sorted(INPUT_TEXTS))
def test_every_template_renders_in_both_languages_with_the_same_fields(key: str) -> None:
    texts = INPUT_TEXTS[key]
    assert set(texts) == {"zh", "en"}
    assert not CHINESE.search(texts["en"]), texts["en"]
    fields = {lang: {name: spec for _, name, spec, _ in Formatter().parse(texts[lang]) if name} for lang in texts}
    assert fields["zh"] == fields["en"]
    shown = {name: 1234 if spec else f"<{name}>" for name, spec in fields["zh"].items()}  # numbers where a format spec asks
    for lang in texts:
        rendered = said(key, **shown).render(lang)
        assert "{" not in rendered and "}" not in rendered
        assert all(value in rendered for value in shown.values() if isinstance(value, str))


def chinese_left(error: InputError) -> str:
    """The Chinese characters of an error's English text once the inserted file names, sheet names and headers are out."""
    rest = error.text("en")
    for value in sorted(content(error.said), key=len, reverse=True):
        rest = rest.replace(value, " ") if value else rest
    return "".join(CHINESE.findall(rest))


def test_a_template_key_belongs_to_one_module_across_rubric_and_input_texts() -> None:
    with pytest.raises(ValueError, match="file-empty"):
        input_texts({"file-empty": {"zh": "重复", "en": "again"}})
    with pytest.raises(ValueError, match="bands-order"):  # one table of keys: a rubric problem's key is taken too
        input_texts({"bands-order": {"zh": "重复", "en": "again"}})
    assert not INPUT_TEXTS.keys() & RUBRIC_TEXTS.keys()


def test_an_input_error_takes_a_template_not_a_plain_string() -> None:
    with pytest.raises(TypeError, match="Said"):
        InputError("文件“a.csv”是空的")  # type: ignore[arg-type]


def test_no_raise_site_builds_its_own_text() -> None:
    """Every InputError(...) in the code base is given a template (said(...) or a name holding one), never text."""
    root = Path(__file__).resolve().parents[2]
    built = []
    for path in [p for folder in ("scoring", "ledger", "snapshots", "ui") for p in (root / folder).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InputError"):
                continue
            if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Call | ast.Name):
                built.append(f"{path.relative_to(root)}:{node.lineno}")
    assert built == []


def test_an_input_error_pickles_with_its_template(provoked) -> None:
    error, _ = provoked["too-large"]
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is InputError and str(again) == str(error) and again.text("en") == error.text("en")
