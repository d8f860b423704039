"""Workbooks users have: .xls and .ods (made by LibreOffice from the .xlsx beside them) read exactly like .xlsx;
a WPS .et file gets advice; total and subtotal rows are notes, not rejected rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.errors import InputError
from scoring.ingest import read_assessments, sheet_names
from scoring.ingest.workbook import WorkbookLimits
from tests.ingest.files import COMMUNITY, VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields

FIXTURES = Path(__file__).with_name("fixtures")


def _read(suffix: str):
    return read_assessments((FIXTURES / f"assessment.{suffix}").read_bytes(), fields(), filename=f"考评.{suffix}")


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_old_excel_and_opendocument_read_like_xlsx(suffix):
    expected, got = _read("xlsx"), _read(suffix)
    assert got.report.summary() == expected.report.summary().replace("考评.xlsx", f"考评.{suffix}")
    assert got.report.problems == expected.report.problems
    assert got.report.header_row == 2  # below the title row
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert [p.code for p in got.report.problems] == ["note-row"]  # the 合计 row


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_sheet_names_come_from_the_same_reader(suffix):
    assert sheet_names((FIXTURES / f"assessment.{suffix}").read_bytes(), f"a.{suffix}", WorkbookLimits()) == ["考评表"]


def test_csv_has_no_sheet_names():
    assert sheet_names(csv_bytes([VILLAGE]), "a.csv", WorkbookLimits()) == []


@pytest.mark.parametrize("suffix", ["et", "ett"])
def test_a_wps_file_is_refused_with_advice_to_save_as_xlsx(suffix):
    with pytest.raises(InputError, match=r"WPS 表格（\.et+）.*另存为.*\.xlsx"):
        read_assessments((FIXTURES / "assessment.xls").read_bytes(), fields(), filename=f"考评.{suffix}")


TOTALS = [
    ("合计", "B"), ("小  计", "B"), ("总计：", "B"), ("东镇小计", "B"),
]


@pytest.mark.parametrize(("label", "column"), TOTALS)
def test_total_rows_are_notes_not_rejected_rows(label, column):
    total = ["", label, "", "", "", "42", "22", "", "", "", "6", "350", "", ""]
    data = csv_bytes([VILLAGE, total, COMMUNITY, total])
    report = read_assessments(data, fields(), filename="t.csv").report
    assert report.rows_rejected == 0
    assert report.rows_total == 2
    notes = [(p.row, p.column, p.severity) for p in report.problems if p.code == "note-row"]
    assert notes == [(3, column, "info"), (5, column, "info")]


def test_a_row_with_a_branch_code_is_a_branch_whatever_its_name():
    data = csv_bytes([VILLAGE, row(COMMUNITY, 党组织名称="东镇小计")])
    ingested = read_assessments(data, fields(), filename="t.csv")
    assert ingested.report.rows_total == 2
    assert "东镇小计" in set(ingested.frame["name"])


def test_a_table_that_starts_below_and_right_of_a1_keeps_its_letters_and_rows():
    from tests.ingest.files import HEADER, xlsx_bytes

    pad = [None, None]
    book = xlsx_bytes({"得分": [[], [], [*pad, *HEADER], [*pad, *VILLAGE], [], [*pad, *COMMUNITY]]})
    ingested = read_assessments(book, fields(), filename="offset.xlsx")
    report = ingested.report
    assert report.header_row == 3
    assert ingested.frame.index.tolist() == [4, 6]
    assert [(p.code, p.row) for p in report.problems] == [("blank-row", 5)]
    assert report.columns["branch_id"] == "党组织代码"
    bad = read_assessments(xlsx_bytes({"得分": [[], [], [*pad, *HEADER], [*pad, *row(VILLAGE, 党员人数="很多")]]}), fields(),
                           filename="offset.xlsx")
    assert [(p.row, p.column) for p in bad.report.problems if p.severity == "error"] == [(4, "H")]  # F + 2 columns
