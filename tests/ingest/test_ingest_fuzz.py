"""Whole files from random bytes and random cells: never an unhandled exception, and every row accounted for."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.errors import InputError
from scoring.ingest import Ingested, read_assessments
from tests.ingest.files import HEADER, csv_bytes, xlsx_bytes
from tests.ingest.rubrics import fields

CELLS = st.one_of(
    st.sampled_from(["", "", "是", "否", "有", "√", "好", "优秀", "不适用", "—", "-", "12", "１２", "12次", "85%", "0.85", "120㎡",
                     "6万元", "农村", "城市社区", "社区", "机关", "2025", "2025年度", "001", "002", "一村党支部", "=1+1", "@SUM(A1)",
                     "填表人：张三", "序号", "党组织代码"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=len(HEADER) + 2), min_size=0, max_size=12)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def accounted(found: Ingested) -> None:
    """The invariants every successful read keeps."""
    report = found.report
    assert report.rows_scored + report.rows_with_warnings + report.rows_rejected == report.rows_total
    assert len(found.frame) == report.rows_scored + report.rows_with_warnings
    assert len(found.rejected) == report.rows_rejected
    assert found.frame.index.intersection(found.rejected.index).empty
    assert sorted([*found.frame.index, *found.rejected.index]) == sorted(found.extra.index)
    assert list(found.not_applicable.index) == list(found.frame.index)
    assert (found.rejected["reason"].str.len() > 0).all() if len(found.rejected) else True
    rows = set(found.extra.index)
    for problem in report.problems:
        assert problem.severity in ("error", "warning", "info")
        assert problem.message
        if problem.severity != "info" and problem.row is not None:
            assert problem.row in rows, problem
    for label in found.rejected.index:
        assert any(p.row == label and p.severity == "error" for p in report.problems) or "缺少" in found.rejected.loc[label, "reason"]
    assert report.to_text().startswith("文件：")
    assert report.to_json()
    assert list(report.to_frame().columns) == ["代码", "级别", "行", "列", "列名", "值", "说明"]


def read_or_refuse(data: bytes, filename: str = "fuzz.csv") -> None:
    try:
        found = read_assessments(data, fields(), filename=filename)
    except InputError as exc:
        assert str(exc)
        return
    accounted(found)


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    read_or_refuse(data)


@SETTINGS
@given(data=st.binary(max_size=512), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", "党组织代码,领域\n".encode()]))
def test_random_bytes_behind_a_plausible_start(data: bytes, prefix: bytes) -> None:
    read_or_refuse(prefix + data)


@SETTINGS
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), delimiter=st.sampled_from([",", ";", "\t"]),
       title=st.booleans())
def test_random_cells_under_a_real_header(rows, encoding, delimiter, title) -> None:
    above = [["某县2025年度党支部标准化建设考评得分表"]] if title else []
    data = csv_bytes(rows, encoding=encoding, delimiter=delimiter, above=above)
    read_or_refuse(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(st.one_of(st.none(), CELLS, st.integers(-5, 500), st.floats(allow_nan=False, width=32), st.booleans()),
                              max_size=len(HEADER)), max_size=8))
def test_random_cells_in_a_workbook(rows) -> None:
    clean = [[c if not isinstance(c, str) else "".join(ch for ch in c if ch.isprintable()) for c in line] for line in rows]
    read_or_refuse(xlsx_bytes({"得分": [HEADER, *clean]}), "fuzz.xlsx")


def test_every_row_lands_in_one_bucket_on_a_mixed_file() -> None:
    rows = [["001", "一村", "农村", "2025", "是", "12", "10", "85%", "好", "", "", "", "", ""],
            ["001", "一村", "农村", "2025", "是", "12", "10", "85%", "好", "", "", "", "", ""],
            ["003", "", "社区", "2025", "x", "12", "10", "85%", "好", "", "", "", "", ""],
            [""] * 14,
            ["004", "四", "机关", "2025"]]
    found = read_assessments(csv_bytes(rows), fields())
    accounted(found)
    assert (found.report.rows_total, found.report.rows_rejected) == (4, 3)
    assert pd.Index([2]).equals(found.frame.index)
