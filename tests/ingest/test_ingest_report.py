"""The validation report as data, text, JSON and a table; the problem codes it may use."""

from __future__ import annotations

import json
import re

import pandas as pd

from scoring.ingest import PROBLEM_TYPES, Problem, ValidationReport, read_assessments
from tests.ingest.files import COMMUNITY, VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields


def _report() -> ValidationReport:
    rows = [VILLAGE, row(COMMUNITY, 党员人数="很多"), row(三会一课次数="", 党组织代码="003"), [], row(党组织代码="004", 领域="机关")]
    return read_assessments(csv_bytes(rows, encoding="gbk"), fields(), filename="某镇.csv").report


def test_summary_line_comes_first() -> None:
    report = _report()
    first = report.to_text().splitlines()[0]
    assert first == report.summary()
    assert first.startswith("文件：某镇.csv；编码：GBK/GB18030；分隔符：逗号；表头：第 1 行；")
    assert "共 4 行：计分 1 行，有警告仍计分 1 行，拒收 2 行" in first


def test_text_lists_every_problem_with_row_column_and_fix() -> None:
    text = _report().to_text()
    assert "[错误] 第 3 行 F 列“党员人数”（值：很多）：无法识别“很多”；请填写数字" in text
    assert "[警告] 第 4 行 G 列“三会一课次数”：未填写" in text
    assert "[提示] 第 5 行：空行，已跳过" in text
    assert "领域“机关”没有对应的评分细则；可用的领域有：农村、城市社区" in text


def test_counts_add_up_and_errors_are_known() -> None:
    report = _report()
    assert report.rows_scored + report.rows_with_warnings + report.rows_rejected == report.rows_total
    assert report.has_errors
    assert report.count("error") == 2
    assert {p.code for p in report.problems} <= set(PROBLEM_TYPES)
    assert all(p.title for p in report.problems)


def test_json_round_trips_the_fields() -> None:
    report = _report()
    data = json.loads(report.to_json())
    assert data["file"] == "某镇.csv" and data["encoding"] == "GBK/GB18030"
    assert data["has_errors"] is True
    assert data["summary"] == report.summary()
    assert [Problem(**p) for p in data["problems"]] == list(report.problems)
    assert "很多" in report.to_json()  # Chinese kept readable, not \\u-escaped


def test_frame_has_chinese_headers_and_spreadsheet_rows() -> None:
    frame = _report().to_frame()
    assert list(frame.columns) == ["代码", "级别", "行", "列", "列名", "值", "说明"]
    assert frame["行"].dtype == "Int64"
    assert set(frame["级别"]) <= {"错误", "警告", "提示"}
    assert frame.loc[frame["代码"] == "type-error", ["行", "列"]].values.tolist() == [[3, "F"]]


def test_a_clean_file_says_so() -> None:
    report = read_assessments(csv_bytes([VILLAGE, COMMUNITY]), fields()).report
    assert not report.has_errors
    assert report.to_text().splitlines()[-1] == "没有发现问题。"
    assert report.to_frame().empty and report.to_frame().columns[0] == "代码"
    assert isinstance(report.to_frame(), pd.DataFrame)


def test_every_problem_code_has_an_english_title_and_message_template() -> None:
    for kind in PROBLEM_TYPES.values():
        assert kind.title_en and kind.message_en, kind.code
        assert not re.search(r"[\u4e00-\u9fff]", kind.title_en + kind.message_en.replace("“不适用”", "")), kind.code


def test_problems_render_in_english_with_every_detail_filled() -> None:
    report = _report()
    for problem in report.problems:
        text = problem.text("en")
        assert text != PROBLEM_TYPES[problem.code].title_en and "{" not in text, (problem.code, text)
    frame = report.to_frame("en")
    assert set(frame["级别"]) <= {"error", "warning", "note"}
    assert "“很多” cannot be read. Expected: a number" in frame.loc[frame["代码"] == "type-error", "说明"].iloc[0]
    assert "The field “机关” has no rubric. Fields with a rubric: 农村, 城市社区." in frame["说明"].str.cat()
    assert report.summary("en").startswith("File: 某镇.csv; encoding: GBK/GB18030; delimiter: comma; header: row 1; 4 rows: ")
    assert report.counts_text("en") == "Problems found: 2 errors, 1 warning, 1 note"
    assert report.row_reasons("en")[3] == "column F “党员人数”: “很多” cannot be read. Expected: a number such as 12 (the unit “人” may follow)."
    assert report.to_frame()["说明"].tolist() == [p.message for p in report.problems]  # Chinese as found
