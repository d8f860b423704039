"""Downloads: filtered results, any table and the notice list as formula-safe CSV/xlsx, built by the core's exporter."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from ui import exports
from ui.data import sample_dataset
from ui.model import rectify as rectify_model
from ui.model import select
from ui.model.view import Filters


def _needs_exporter() -> None:
    pytest.importorskip("scoring.export", reason="the exporter lands with the ingestion work")


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


def _rows(payload: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))


def test_filtered_results_as_csv_and_xlsx(data):
    _needs_exporter()
    filters = Filters(fields=("农村",))
    expected = int(select.selection(data.results.branches, filters).sum())
    assert len(_rows(exports.results_csv(data, filters)())) == expected + 1
    book = openpyxl.load_workbook(io.BytesIO(exports.results_xlsx(data, filters)()), read_only=True)
    assert book.sheetnames


def test_any_table_is_formula_safe():
    _needs_exporter()
    frame = pd.DataFrame({"党组织名称": ["=cmd|' /C calc'!A0", "+1", "正常"], "总分": [1.0, 2.0, 3.0]})
    for row in _rows(exports.frame_csv(lambda: frame)())[1:]:
        assert not row[0].startswith(("=", "+", "-", "@"))
    sheet = openpyxl.load_workbook(io.BytesIO(exports.frame_xlsx(lambda: frame, "名单")()))["名单"]
    cell = sheet["A2"]
    assert cell.data_type == "s" and cell.quotePrefix  # stored as typed text, never evaluated


def test_notice_list_has_reasons_for_every_branch(data):
    table = rectify_model.notice_list(data.results, data.rubrics, Filters(), "持续问题")
    assert (table["主要原因"].str.len() > 0).all()
    assert list(table["序号"]) == list(range(1, len(table) + 1))
    assert (table["持续问题"] != "").any()
