"""A corpus of bad and awkward assessment files, each with the exact problems (code, row, column) it must yield."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from scoring.errors import InputError
from scoring.ingest import Ingested, read_assessments
from tests.ingest.files import COMMUNITY, HEADER, LETTER, VILLAGE, csv_bytes, row, text, xlsx_bytes
from tests.ingest.rubrics import fields, school

Found = tuple[str, "int | None", "str | None"]


@dataclass(frozen=True)
class Case:
    """One file, the problems it must yield (exactly, in any order) and optional further checks."""

    id: str
    data: bytes
    problems: list[Found] = field(default_factory=list)
    filename: str = "考评.csv"
    sheet: str | None = None
    check: Callable[[Ingested], None] | None = None
    school: bool = False


def _values(**expected: object) -> Callable[[Ingested], None]:
    """A check on frame values: key=(row, column id, value)."""

    def check(found: Ingested) -> None:
        for _, (label, column, value) in expected.items():
            got = found.frame.loc[label, column]
            if isinstance(value, float):
                assert got == pytest.approx(value), (label, column, got)
            else:
                assert got == value, (label, column, got)

    return check


def _report(**expected: object) -> Callable[[Ingested], None]:
    def check(found: Ingested) -> None:
        for name, value in expected.items():
            assert getattr(found.report, name) == value, (name, getattr(found.report, name))

    return check


def _all(*checks: Callable[[Ingested], None]) -> Callable[[Ingested], None]:
    def check(found: Ingested) -> None:
        for one in checks:
            one(found)

    return check


def _normalized(**counts: int) -> Callable[[Ingested], None]:
    def check(found: Ingested) -> None:
        for kind, n in counts.items():
            assert found.report.normalizations.get(kind, 0) == n, (kind, found.report.normalizations)

    return check


TWO = [VILLAGE, COMMUNITY]
L = LETTER

CASES = [
    # -- encodings and delimiters ----------------------------------------------------------------------------
    Case("utf8", csv_bytes(TWO), check=_report(encoding="UTF-8", delimiter=",", header_row=1, rows_total=2, rows_scored=2)),
    Case("utf8-bom", csv_bytes(TWO, encoding="utf-8-sig"), check=_report(encoding="UTF-8（BOM）")),
    Case("gbk", csv_bytes(TWO, encoding="gbk"), check=_all(_report(encoding="GBK/GB18030"), _values(a=(3, "name", "二社区党支部")))),
    Case("gb18030", csv_bytes([row(党组织名称="䶮村党支部"), COMMUNITY], encoding="gb18030"),
         check=_values(a=(2, "name", "䶮村党支部"))),
    Case("utf16-unicode-text", csv_bytes(TWO, encoding="utf-16", delimiter="\t"),
         check=_report(encoding="UTF-16LE（BOM）", delimiter="\t", rows_scored=2)),
    Case("utf16le-no-bom", csv_bytes(TWO, encoding="utf-16-le", delimiter="\t"), check=_report(encoding="UTF-16LE")),
    Case("semicolon", csv_bytes(TWO, delimiter=";"), check=_report(delimiter=";", rows_scored=2)),
    Case("tab-utf8", csv_bytes(TWO, delimiter="\t"), check=_report(delimiter="\t")),
    Case("excel-sep-line", ("sep=;\r\n" + text(TWO, delimiter=";")).encode(), check=_report(delimiter=";", header_row=1)),
    Case("lf-line-ends", csv_bytes(TWO, newline="\n"), check=_report(rows_scored=2)),
    # -- where the table is ----------------------------------------------------------------------------------
    Case("title-row", csv_bytes(TWO, above=[["某县2025年度党支部标准化建设考评得分表"]]),
         check=_all(_report(header_row=2), lambda f: list(f.frame.index) == [3, 4] or pytest.fail(str(f.frame.index)))),
    Case("title-and-blank-rows", csv_bytes(TWO, above=[["某县2025年度党支部标准化建设考评得分表"], [], ["填报单位：某镇", "", "日期：2025-12"]]),
         check=_report(header_row=4, rows_total=2)),
    Case("blank-row-between", csv_bytes([VILLAGE, [""] * 14, COMMUNITY]), [("blank-row", 3, None)], check=_report(rows_total=2)),
    Case("empty-line-between", csv_bytes([VILLAGE, [], COMMUNITY]), [("blank-row", 3, None)],
         check=lambda f: list(f.frame.index) == [2, 4] or pytest.fail(str(f.frame.index))),
    Case("trailing-blank-rows", csv_bytes([*TWO, [""] * 14, [""] * 14, []]), check=_report(rows_total=2)),
    Case("trailing-note", csv_bytes([*TWO, [], ["填表人：张三", "", "审核人：李四"]]), [("note-row", 5, "A")], check=_report(rows_total=2)),
    Case("quoted-newline", csv_bytes([row(备注说明="第一行\n第二行"), COMMUNITY]),
         check=_all(_values(a=(2, "remarks", "第一行 第二行")), lambda f: list(f.frame.index) == [2, 3] or pytest.fail("rows"))),
    # -- headers ---------------------------------------------------------------------------------------------
    Case("header-spelling", csv_bytes(TWO, header=["党 组 织 代 码", "*党组织名称", "领域：", "考核年度（年）", "支部委员会（是/否）",
                                                 "党员人数（人）", "ＢＲＡＮＣＨ", "群众满意度(%)", "综合评价", "党小组设置",
                                                 "集体经济收入（万元）", "活动场所面积（㎡）", "上级党组织", "备注说明"]),
         [("unknown-column", None, "G"), ("missing-column", None, None)], check=_report(rows_with_warnings=0, rows_scored=2)),
    Case("header-by-id-and-alias", csv_bytes(TWO, header=["branch_id", "支部名称", "field", "年度", *HEADER[4:]]), check=_report(rows_scored=2)),
    Case("blank-column-ignored", csv_bytes([[*VILLAGE[:3], "", *VILLAGE[3:]], [*COMMUNITY[:3], "", *COMMUNITY[3:]]],
                                           header=[*HEADER[:3], "", *HEADER[3:]]), check=_report(rows_scored=2)),
    Case("blank-header-with-data", csv_bytes([[*VILLAGE, "x"], [*COMMUNITY, ""]], header=[*HEADER, ""]), [("blank-header", None, "O")],
         check=lambda f: list(f.extra.columns) == ["O列"] or pytest.fail(str(f.extra.columns))),
    Case("wider-rows-than-header", csv_bytes([[*VILLAGE, "多出来"], COMMUNITY]), [("blank-header", None, "O")]),
    Case("unknown-column", csv_bytes([[*VILLAGE, "13800000000"], [*COMMUNITY, ""]], header=[*HEADER, "联系电话"]),
         [("unknown-column", None, "O")], check=lambda f: f.extra["联系电话"].tolist()[0] == "13800000000" or pytest.fail("extra")),
    Case("serial-number-column", csv_bytes([["1", *VILLAGE], ["2", *COMMUNITY]], header=["序号", *HEADER]), [("ignored-column", None, "A")]),
    Case("duplicate-header", csv_bytes([[*VILLAGE, "99"], [*COMMUNITY, "99"]], header=[*HEADER, "党员人数"]),
         [("duplicate-header", None, "O")], check=_values(a=(2, "members", 12.0))),
    Case("missing-required-column", csv_bytes([[c for i, c in enumerate(r) if i != 1] for r in TWO], header=[h for h in HEADER if h != "党组织名称"]),
         [("missing-column", None, None)], check=_report(rows_rejected=2, rows_total=2)),
    Case("missing-value-column", csv_bytes([r[:4] + r[5:] for r in TWO], header=HEADER[:4] + HEADER[5:]),
         [("missing-column", None, None)], check=_report(rows_scored=2)),
    # -- cells -----------------------------------------------------------------------------------------------
    Case("units", csv_bytes([row(党员人数="12人", 三会一课次数="10次", 集体经济收入="50000元"),
                             row(COMMUNITY, 活动场所面积="350平方米", 党员人数="30 人")]),
         check=_all(_values(a=(2, "income", 5.0), b=(3, "venue_area", 350.0), c=(3, "members", 30.0)),
                    _normalized(单位=4, 单位换算=1))),
    Case("unit-in-header", csv_bytes([row(集体经济收入="50000"), row(COMMUNITY, 活动场所面积="350")],
                                     header=[*HEADER[:10], "集体经济收入（元）", "活动场所面积（亩）", *HEADER[12:]]),
         [("header-unit", None, "K")], check=_values(a=(2, "income", 5.0), b=(3, "venue_area", 350.0))),
    Case("unit-mismatch", csv_bytes([row(三会一课次数="10㎡"), COMMUNITY]), [("type-error", 2, L["三会一课次数"])]),
    Case("unknown-unit", csv_bytes([row(三会一课次数="10打"), COMMUNITY]), [("type-error", 2, L["三会一课次数"])]),
    Case("fullwidth-digits", csv_bytes([row(党员人数="１２", 三会一课次数="１０．５"), COMMUNITY]),
         check=_all(_values(a=(2, "members", 12.0), b=(2, "meetings", 10.5)), _normalized(全角数字=2))),
    Case("thousands-separator", csv_bytes([row(三会一课次数="1,234"), COMMUNITY]), check=_values(a=(2, "meetings", 1234.0))),
    Case("percent-forms", csv_bytes([row(群众满意度="85%"), row(COMMUNITY, 群众满意度="85"), row(VILLAGE, 党组织代码="003", 群众满意度="0.85")]),
         check=_all(_values(a=(2, "satisfaction", 0.85), b=(3, "satisfaction", 0.85), c=(4, "satisfaction", 0.85)),
                    _normalized(百分比=1, 百分数=1))),
    Case("percent-out-of-range", csv_bytes([row(群众满意度="120%"), row(COMMUNITY, 群众满意度="150")]),
         [("constraint-error", 2, L["群众满意度"]), ("constraint-error", 3, L["群众满意度"])], check=_report(rows_rejected=2)),
    Case("percent-in-number-column", csv_bytes([row(党员人数="12%"), COMMUNITY]), [("type-error", 2, L["党员人数"])]),
    Case("yes-no-variants", csv_bytes([row(党组织代码=str(i), 支部委员会=v)
                                       for i, v in enumerate(["有", "无", "√", "×", "Y", "n", "TRUE", "false", "1", "0", "是 "])]),
         check=lambda f: f.frame["committee"].tolist() == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1] or pytest.fail(str(f.frame["committee"].tolist()))),
    Case("yes-no-invalid", csv_bytes([row(支部委员会="可能"), COMMUNITY]), [("type-error", 2, L["支部委员会"])]),
    Case("level-synonyms", csv_bytes([row(综合评价="优秀"), row(COMMUNITY, 综合评价="良好")]),
         check=_all(_values(a=(2, "evaluation", 0.0), b=(3, "evaluation", 1.0)), _normalized(等次=2))),
    Case("level-invalid", csv_bytes([row(综合评价="优良"), COMMUNITY]), [("level-error", 2, L["综合评价"])]),
    # 三会一课 may not be 不适用 (only 党小组设置 says so): the word is still recognized, and reported
    Case("not-applicable-words", csv_bytes([row(党小组设置="不适用", 三会一课次数="—"), row(COMMUNITY, 党小组设置="N/A")]),
         [("na-not-allowed", 2, L["三会一课次数"])],
         check=lambda f: (f.not_applicable.loc[2, "group_size"] and f.not_applicable.loc[2, "meetings"]
                          and f.not_applicable.loc[3, "group_size"] and np.isnan(f.frame.loc[2, "meetings"])) or pytest.fail("na")),
    Case("blank-means-not-applicable", csv_bytes([row(党小组设置=""), COMMUNITY]),
         check=lambda f: bool(f.not_applicable.loc[2, "group_size"]) or pytest.fail("na")),
    Case("blank-value-cell", csv_bytes([row(三会一课次数=""), COMMUNITY]), [("blank-cell", 2, L["三会一课次数"])],
         check=_report(rows_with_warnings=1, rows_scored=1)),
    Case("blank-required-text", csv_bytes([row(党组织名称=""), COMMUNITY]), [("blank-required", 2, "B")], check=_report(rows_rejected=1)),
    Case("negative-number", csv_bytes([row(三会一课次数="-3"), COMMUNITY]), [("constraint-error", 2, L["三会一课次数"])]),
    Case("lone-dash-is-ambiguous", csv_bytes([row(三会一课次数="-"), COMMUNITY]), [("type-error", 2, L["三会一课次数"])]),
    Case("words-for-numbers", csv_bytes([row(三会一课次数="十次"), COMMUNITY]), [("type-error", 2, L["三会一课次数"])]),
    Case("over-maximum", csv_bytes([row(党员人数="600"), COMMUNITY]), [("constraint-error", 2, L["党员人数"])]),
    Case("spaces-and-width-in-text", csv_bytes([row(党组织名称="  一村\u3000党支部 ", 党组织代码="００１"), COMMUNITY]),
         check=_values(a=(2, "name", "一村 党支部"), b=(2, "branch_id", "001"))),
    Case("leading-zeros-kept", csv_bytes([row(党组织代码="000123"), COMMUNITY]), check=_values(a=(2, "branch_id", "000123"))),
    Case("scientific-code", csv_bytes([row(党组织代码="1.23457E+17"), COMMUNITY]), [("code-format", 2, "A")]),
    # -- rows ------------------------------------------------------------------------------------------------
    Case("duplicate-branch", csv_bytes([VILLAGE, COMMUNITY, row(党员人数="13")]),
         [("duplicate-row", 2, "A"), ("duplicate-row", 4, "A")],
         check=_all(_report(rows_rejected=1, rows_with_warnings=1), _values(a=(2, "members", 12.0)))),
    Case("same-branch-two-periods", csv_bytes([VILLAGE, row(考核年度="2024")]), check=_report(rows_scored=2)),
    Case("identity-conflict", csv_bytes([VILLAGE, row(考核年度="2024", 党组织名称="第一村党支部")]),
         [("identity-conflict", 2, "B"), ("identity-conflict", 3, "B")], check=_report(rows_with_warnings=2)),
    Case("unknown-field", csv_bytes([VILLAGE, row(COMMUNITY, 领域="机关")]), [("unknown-field", 3, "C")],
         check=lambda f: "农村" in f.rejected.loc[3, "reason"] or pytest.fail(f.rejected.loc[3, "reason"])),
    Case("blank-field", csv_bytes([VILLAGE, row(COMMUNITY, 领域="")]), [("blank-required", 3, "C")]),
    Case("field-alias", csv_bytes([row(领域="村"), row(COMMUNITY, 领域="社区")]),
         check=_all(_values(a=(2, "field", "农村"), b=(3, "field", "城市社区")), _normalized(领域别称=2))),
    Case("period-spelling", csv_bytes([row(考核年度="2025年度"), row(COMMUNITY, 考核年度="2025年")]),
         check=_all(_values(a=(2, "period", "2025"), b=(3, "period", "2025")), _normalized(年度=2))),
    Case("inapplicable-column-ignored", csv_bytes([row(活动场所面积="abc"), COMMUNITY]), check=_report(rows_scored=2)),
    Case("many-problems-one-row", csv_bytes([row(党员人数="x", 群众满意度="200%", 综合评价="?"), COMMUNITY]),
         [("type-error", 2, L["党员人数"]), ("constraint-error", 2, L["群众满意度"]), ("level-error", 2, L["综合评价"])],
         check=lambda f: f.rejected.loc[2, "reason"].count("；") >= 2 or pytest.fail(f.rejected.loc[2, "reason"])),
    # -- workbooks -------------------------------------------------------------------------------------------
    Case("xlsx-plain", xlsx_bytes({"Sheet1": [HEADER, VILLAGE, COMMUNITY]}), filename="考评.xlsx",
         check=_report(sheet="Sheet1", encoding=None, delimiter=None, rows_scored=2)),
    Case("xlsx-typed-cells", xlsx_bytes({"得分": [HEADER, ["001", "一村", "农村", 2025, True, 12, 10.0, 0.85, "好", False, 6, None, None, None],
                                                 [2, "二社区", "城市社区", "2025", "否", 30, 12, "90%", "较好", None, None, 350.5, None, None]]}),
         filename="考评.xlsx",
         check=_values(a=(2, "period", "2025"), b=(2, "committee", 1.0), c=(3, "branch_id", "2"), d=(3, "venue_area", 350.5),
                       e=(2, "satisfaction", 0.85))),
    Case("xlsx-named-sheet", xlsx_bytes({"说明": [["填表说明"]], "2024": [HEADER, row(考核年度="2024")], "2025": [HEADER, *TWO]}),
         filename="考评.xlsx", sheet="2025", check=_report(sheet="2025", rows_total=2)),
    Case("xlsx-first-sheet-is-instructions", xlsx_bytes({"填表说明": [["请按模板填写"]], "得分表": [HEADER, *TWO]}), filename="考评.xlsx",
         check=_report(sheet="得分表")),
    Case("xlsx-hidden-sheet-last", xlsx_bytes({"下拉选项": [["是", "否"]], "得分表": [HEADER, *TWO]}, hidden=["下拉选项"]),
         filename="考评.xlsx", check=_report(sheet="得分表")),
    Case("xlsx-title-merged", xlsx_bytes({"得分": [["某县2025年度党支部标准化建设考评得分表"], HEADER, *TWO]}, {"得分": ["A1:N1"]}),
         filename="考评.xlsx", check=_all(_report(header_row=2), lambda f: list(f.frame.index) == [3, 4] or pytest.fail("rows"))),
    Case("xlsx-two-row-header", xlsx_bytes({"得分": [
        ["某县2025年度党支部标准化建设考评得分表"],
        ["党组织代码", "党组织名称", "领域", "考核年度", "组织健全", None, None, "作用突出", None, None, None, None, "上级党组织", "备注说明"],
        [None, None, None, None, "支部委员会", "党员人数", "三会一课次数", "群众满意度", "综合评价", "党小组设置", "集体经济收入", "活动场所面积"],
        *TWO]}, {"得分": ["A1:N1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:G2", "H2:L2", "M2:M3", "N2:N3"]}),
         filename="考评.xlsx", check=_all(_report(header_row=3, rows_scored=2), _values(a=(4, "name", "一村党支部")))),
    Case("xlsx-trailing-empty-rows", xlsx_bytes({"得分": [HEADER, *TWO, [None] * 14, [None] * 14]}), filename="考评.xlsx",
         check=_report(rows_total=2)),
    # -- assessment sources ----------------------------------------------------------------------------------
    Case("sources-one-row", csv_bytes([["S1", "一小支部", "学校", "10", "3", "12", "4"]],
                                      header=["党组织代码", "党组织名称", "领域", "三会一课次数", "党课", "三会一课次数（自评）", "党课（自评）"]),
         school=True, check=_values(a=(2, "meetings@self", 12.0), b=(2, "lessons", 3.0))),
    Case("sources-two-row-header", xlsx_bytes({"S": [["党组织代码", "党组织名称", "领域", "三会一课次数", None, "党课", None],
                                                     [None, None, None, "上级评定", "自评", "上级评定", "自评"],
                                                     ["S1", "一小支部", "学校", 10, 12, 3, 4]]},
                                              {"S": ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:G1"]}),
         filename="s.xlsx", school=True, check=_all(_report(header_row=2), _values(a=(3, "meetings", 10.0), b=(3, "lessons@self", 4.0)))),
    Case("sources-missing-self-column", csv_bytes([["S1", "一小支部", "学校", "10", "3"]],
                                                  header=["党组织代码", "党组织名称", "领域", "三会一课次数", "党课"]),
         [("missing-column", None, None), ("missing-column", None, None)], school=True),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus(case: Case) -> None:
    found = read_assessments(case.data, school() if case.school else fields(), filename=case.filename, sheet=case.sheet)
    got = sorted((p.code, p.row, p.column) for p in found.report.problems if p.code != "missing-column" or p.severity != "info")
    assert got == sorted(case.problems, key=lambda p: (p[0], p[1] or 0, p[2] or "")), found.report.to_text()
    report = found.report
    assert report.rows_scored + report.rows_with_warnings + report.rows_rejected == report.rows_total
    assert len(found.frame) + len(found.rejected) == report.rows_total
    if case.check is not None:
        case.check(found)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


ERRORS = [
    ("empty", b"", "考评.csv", "空的"),
    ("only-bom-and-spaces", b"\xef\xbb\xbf \r\n\r\n", "考评.csv", "空的"),
    ("only-delimiters", b",,,\r\n,,,\r\n", "考评.csv", "空的"),
    ("renamed-png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "考评.csv", "图片"),
    ("renamed-pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "考评.xlsx", "PDF"),
    ("old-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "考评.xls", ".xls"),
    ("binary-with-nul", bytes(range(256)) * 4, "考评.csv", "二进制"),
    ("not-a-workbook", b"just some text, with commas\n", "考评.xlsx", "不是 Excel"),
    ("word-document", _docx(), "考评.xlsx", "Word"),
    ("corrupt-zip", b"PK\x03\x04" + bytes(200), "考评.xlsx", "损坏"),
    ("html-as-xls", "<html><body><table><tr><td>党组织代码</td></tr></table></body></html>".encode(), "考评.xls", "网页"),
    ("no-header", "这是一份会议纪要。\n今天讨论了支部建设。\n".encode(), "纪要.csv", "找不到表头"),
    ("unknown-headers-only", csv_bytes([["1", "2"]], header=["甲", "乙"]), "考评.csv", "找不到表头"),
    ("unclosed-quote", (text([VILLAGE]) + '003,"未闭合,农村,2025\r\n').encode(), "考评.csv", "引号"),
    ("missing-sheet", xlsx_bytes({"2024": [HEADER, VILLAGE]}), "考评.xlsx", "没有名为“2025”"),
    ("not-utf8-nor-gbk", b"a,b\n" + b"\xff\x80" * 50, "考评.csv", "编码"),
]


@pytest.mark.parametrize(("data", "filename", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_unreadable_files_raise_input_error(data: bytes, filename: str, message: str) -> None:
    sheet = "2025" if "没有名为" in message else None
    with pytest.raises(InputError) as raised:
        read_assessments(data, fields(), filename=filename, sheet=sheet)
    assert message in str(raised.value)


def test_too_large(tmp_path) -> None:
    data = csv_bytes(TWO)
    with pytest.raises(InputError, match="超过上限"):
        read_assessments(data, fields(), max_bytes=len(data) - 1)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match="超过上限"):
        read_assessments(path, fields(), max_bytes=len(data) - 1)
    assert read_assessments(path, fields(), max_bytes=len(data)).report.file == "big.csv"


def test_missing_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="无法读取"):
        read_assessments(tmp_path / "nowhere.csv", fields())


def test_utf8_head_but_gbk_later_falls_back_to_gbk() -> None:
    header = ["branch_id", "name", "meetings", "lessons", "meetings@self", "lessons@self"]
    rows = [[f"S{i:05d}", f"Branch {i}", "10", "3", "12", "4"] for i in range(12000)]
    rows.append(["S99999", "最后一个学校党支部", "10", "3", "12", "4"])
    data = csv_bytes(rows, header=header, encoding="gbk")
    assert len(data) > 256 * 1024
    found = read_assessments(data, school())
    assert found.report.encoding == "GBK/GB18030"
    assert found.frame["name"].iloc[-1] == "最后一个学校党支部"
