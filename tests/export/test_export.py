"""Exports: every view in Chinese, formula injection neutralized in CSV and .xlsx, numbers left as numbers,
and files that read back as the frames they were written from."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import export
from scoring.engine import score
from scoring.ingest import read_assessments
from tests.ingest.files import COMMUNITY, VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields

EVIL = "=cmd|' /C calc'!A0"
ROWS = [
    VILLAGE, COMMUNITY,
    row(党组织代码="003", 党组织名称=EVIL, 党员人数="3", 三会一课次数="1", 群众满意度="50%", 综合评价="差"),
    row(党组织代码="004", 党组织名称="+1村党支部", 备注说明="@SUM(A1:A9)"),
    row(党组织代码="005", 党组织名称="-5村党支部", 支部委员会="否", 党员人数="1", 三会一课次数="0", 群众满意度="10%", 综合评价="差",
        党小组设置="否", 集体经济收入="0"),
    row(考核年度="2024", 党员人数="5"), row(COMMUNITY, 考核年度="2024", 综合评价="差"),
    row(党组织代码="003", 党组织名称=EVIL, 考核年度="2024"),
    row(党组织代码="005", 党组织名称="-5村党支部", 考核年度="2024"),
]


@pytest.fixture(scope="module")
def scored():
    ingested = read_assessments(csv_bytes(ROWS), fields())
    assert ingested.report.rows_rejected == 0
    return score(ingested.frame, fields(), ingested.not_applicable)


@pytest.fixture(scope="module")
def workbook(scored):
    return openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(scored, fields())))


# -- neutralize -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-5村", "'-5村"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=1", "''=1"), ("''+1", "'''+1"), ("正常", "正常"), ("a=b", "a=b"), ("'quoted'", "'quoted'"), ("", ""),
    (-3.5, -3.5), (0, 0), (None, None),
])
def test_neutralize(value, safe) -> None:
    assert export.neutralize(value) == safe
    assert export.unneutralize(export.neutralize(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_neutralize_is_safe_and_reversible(text) -> None:
    safe = export.neutralize(text)
    assert export.unneutralize(safe) == text
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=20))
def test_neutralize_frame_is_neutralize_on_every_cell(texts) -> None:
    safe = export.neutralize_frame(pd.DataFrame({"a": pd.Series(texts, dtype="str"), "b": pd.Series(texts, dtype=object)}))
    expected = [None if t is None else export.neutralize(t) for t in texts]
    for column in ("a", "b"):
        assert [None if pd.isna(v) else v for v in safe[column]] == expected


def test_dates_are_written_as_text() -> None:
    frame = pd.DataFrame({"日期": pd.to_datetime(["2025-01-02", None]), "n": [1, 2]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.frames_to_xlsx_bytes({"t": frame}))).active
    assert sheet["A2"].value == "2025-01-02" and sheet["A3"].value is None


def test_neutralize_frame_leaves_numbers_alone() -> None:
    frame = pd.DataFrame({"名称": pd.Series([EVIL, "-1", "正常", None], dtype="str"), "分数变化": [-3.5, 2.0, np.nan, -0.25],
                          "=表头": ["x", "y", "z", "w"]})
    safe = export.neutralize_frame(frame)
    assert safe["名称"].tolist()[:3] == ["'" + EVIL, "'-1", "正常"] and pd.isna(safe["名称"].iloc[3])
    assert safe["分数变化"].tolist()[:2] == [-3.5, 2.0] and safe["分数变化"].dtype == "float64"
    assert list(safe.columns) == ["名称", "分数变化", "'=表头"]
    assert frame["名称"].iloc[0] == EVIL  # the input is not changed


# -- CSV --------------------------------------------------------------------------------------------------------------

def test_csv_neutralizes_text_and_keeps_negative_numbers(scored) -> None:
    data = export.to_csv_bytes(scored, fields())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = lines[0], lines[1:]
    names = [line[header.index("党组织名称")] for line in body]
    assert f"'{EVIL}" in names and "'+1村党支部" in names and "'-5村党支部" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in body for cell in line if not _number(cell))
    assert len(body) == len(scored)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_moves_csv_keeps_negative_changes_as_numbers(scored) -> None:
    data = export.to_csv_bytes(scored, fields(), view=export.MOVES)
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"党组织代码": str})
    assert (table["分数变化"].dropna() < 0).any()
    assert table["分数变化"].dtype == "float64"


@pytest.mark.parametrize("view", [export.RANKING, export.STANDARDS, export.INDICATORS, export.REASONS, export.LAGGING, export.MOVES])
def test_csv_reads_back_unchanged(scored, view) -> None:
    data = export.to_csv_bytes(scored, fields(), view=view)
    expected = export.result_views(scored, fields())[view]
    back = export.read_table(data, text_headers=export.text_headers(fields()))
    pd.testing.assert_frame_equal(back, expected, check_dtype=True)


def test_read_results_round_trips_the_ranking(scored) -> None:
    expected = export.ranking_view(scored, fields())
    pd.testing.assert_frame_equal(export.read_results(export.to_csv_bytes(scored, fields()), fields()), expected)
    pd.testing.assert_frame_equal(export.read_results(export.to_xlsx_bytes(scored, fields()), fields()), expected)


# -- xlsx -------------------------------------------------------------------------------------------------------------

def test_xlsx_has_every_view_with_chinese_headers(workbook, scored) -> None:
    assert workbook.sheetnames == ["排名", "各标准得分", "各指标得分", "失分原因", "后进及软弱涣散候选", "晋位升级"]
    ranking = workbook["排名"]
    headers = [c.value for c in ranking[1]]
    assert headers[:4] == ["党组织代码", "党组织名称", "领域", "考核年度"]
    assert {"总分", "等次", "组内排名", "得分率"} <= set(headers)
    assert [c.value for c in workbook["各标准得分"][1]][5:7] == ["组织健全", "作用突出"]
    assert "三会一课次数" in [c.value for c in workbook["各指标得分"][1]]
    assert ranking.max_row == len(scored) + 1


def test_xlsx_is_formatted(workbook) -> None:
    sheet = workbook["排名"]
    assert sheet.freeze_panes == "C2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDE6F0"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert 6 <= sheet.column_dimensions["B"].width <= 60
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width
    percent = next(c for c in sheet[1] if c.value == "得分率").column_letter
    assert sheet[f"{percent}2"].number_format == "0.0%"


def test_xlsx_writes_formulas_as_text_and_numbers_as_numbers(workbook) -> None:
    cells = [cell for sheet in workbook.worksheets for line in sheet.iter_rows() for cell in line]
    assert not [c for c in cells if c.data_type == "f"]
    evil = [c for c in cells if c.value == EVIL]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    for text in ("+1村党支部", "-5村党支部", "@SUM(A1:A9)"):
        found = [c for c in cells if c.value == text]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found), text
    plain = [c for c in cells if c.value == "一村党支部"]
    assert plain and not any(c.quotePrefix for c in plain)
    moves = workbook["晋位升级"]
    change = next(c for c in moves[1] if c.value == "分数变化").column_letter
    negative = [c for c in moves[change][1:] if isinstance(c.value, float | int) and c.value < 0]
    assert negative and all(c.data_type == "n" for c in negative)


def test_lagging_sheet_lists_the_lowest_with_reasons(scored) -> None:
    lagging = export.lagging_view(scored, fields())
    assert "-5村党支部" in set(lagging["党组织名称"])
    assert (lagging["等次"] == "后进").all()
    assert lagging["主要原因"].str.len().min() > 0
    assert list(lagging["总分"]) == sorted(lagging["总分"])


def test_moves_sheet_only_with_two_periods(scored) -> None:
    one = scored.take(scored.branches.index[scored.branches["period"] == "2025"])
    assert export.MOVES not in export.result_views(one, fields())
    with pytest.raises(ValueError, match="两个考核期"):
        export.to_csv_bytes(one, fields(), view=export.MOVES)


def test_any_frames_to_xlsx_with_tabs_control_characters_and_long_sheets(monkeypatch) -> None:
    monkeypatch.setattr(export, "_MAX_ROWS", 3)
    frame = pd.DataFrame({"名称": ["\t=1", "\rx", "bad\x01char", "ok", "<&>", " 前后空格 "], "值": [-1, -2.5, 3, np.nan, 0, 1e20]})
    book = openpyxl.load_workbook(io.BytesIO(export.frames_to_xlsx_bytes({"名单/2025": frame})))
    assert book.sheetnames == ["名单_2025", "名单_2025(2)"]
    first, second = book.worksheets
    assert [c.value for c in first["A"]] == ["名称", "\t=1", "\rx", "bad\ufffdchar"]
    assert first["A2"].data_type == "s" and first["A2"].quotePrefix
    assert [c.value for c in second["A"]] == ["名称", "ok", "<&>", " 前后空格 "]
    assert [c.value for c in first["B"]][1:] == [-1, -2.5, 3]
    assert second["B2"].value is None and second["B4"].value == 1e20


def test_xlsx_package_has_the_parts_excel_needs(scored) -> None:
    with zipfile.ZipFile(io.BytesIO(export.to_xlsx_bytes(scored, fields()))) as archive:
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                "xl/worksheets/sheet1.xml"} <= names
        assert archive.testzip() is None


def test_empty_frames_still_make_a_workbook() -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.frames_to_xlsx_bytes({"空": pd.DataFrame({"a": []})})))
    assert book.sheetnames == ["空"]
    book = openpyxl.load_workbook(io.BytesIO(export.frames_to_xlsx_bytes({})))
    assert book.sheetnames == ["Sheet1"]


# -- the validation report ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    bad = [row(党组织名称=EVIL, 党员人数="=1+1"), row(COMMUNITY, 领域="@机关"), row(三会一课次数="")]
    return read_assessments(csv_bytes(bad), fields(), filename="坏数据.csv").report


def test_problems_csv(report) -> None:
    lines = list(csv.reader(io.StringIO(export.problems_to_csv_bytes(report).decode("utf-8-sig"))))
    assert lines[0] == ["代码", "级别", "行", "列", "列名", "值", "说明"]
    values = [line[5] for line in lines[1:]]
    assert "'=1+1" in values and "'@机关" in values
    back = export.read_table(export.problems_to_csv_bytes(report), text_headers=export.text_headers(fields()))
    pd.testing.assert_frame_equal(back, report.to_frame())


def test_problems_xlsx(report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.problems_to_xlsx_bytes(report)))
    assert book.sheetnames == [export.PROBLEMS_SHEET, "概要"]
    sheet = book[export.PROBLEMS_SHEET]
    assert [c.value for c in sheet[1]] == ["代码", "级别", "行", "列", "列名", "值", "说明"]
    formula = [c for c in sheet["F"] if c.value == "=1+1"]
    assert formula and formula[0].data_type == "s" and formula[0].quotePrefix
    assert book["概要"]["B2"].value.startswith("文件：坏数据.csv")


# -- numbers (issue 14 item 6) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("view", [export.RANKING, export.STANDARDS, export.INDICATORS, export.REASONS, export.LAGGING, export.MOVES])
def test_view_numbers_are_rounded_to_the_rubric_precision(scored, view) -> None:
    frame = export.result_views(scored, fields())[view]
    places = export.decimals(fields())
    floats = [c for c in frame.columns if frame[c].dtype == np.float64]
    assert floats
    for column in floats:
        digits = places + 2 if column == "得分率" else places
        values = frame[column].dropna().to_numpy()
        np.testing.assert_array_equal(values, np.round(values, digits), err_msg=column)
    text = export.frame_to_csv_bytes(frame).decode("utf-8-sig")
    assert not re.search(r"\d\.\d{5,}", text)


def test_xlsx_number_formats_follow_the_kind_of_number() -> None:
    frame = pd.DataFrame({"总分": [8.725714286, 90.0], "组内排名": [1, 2], "得分率": [0.87257, 0.9], "名称": ["a", "b"]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.frames_to_xlsx_bytes({"t": frame}, decimals=1))).active
    assert [sheet.cell(2, i).number_format for i in range(1, 5)] == ["0.0", "0", "0.0%", "General"]
    assert sheet["A2"].value == 8.725714286  # the cell keeps its value; the format only rounds what Excel shows
