"""The 台账 file: the departments' layout, formula safety, round trips, and imports whose bad rows are each located and explained."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.model import CLOSED, DELAYED, LISTED, UNLISTED, Entry, clean
from ledger.sheet import HEADERS, plan, read_ledger, summary, to_csv, to_xlsx

BRANCHES = pd.DataFrame({
    "branch_id": ["101", "102", "103", "104", "105"],
    "name": ["甲村党支部", "乙村党支部", "丙社区党支部", "同名党支部", "同名党支部"],
    "parent": ["甲镇党委", "甲镇党委", "乙街道党工委", "甲镇党委", "乙街道党工委"],
    "township": ["甲镇", "甲镇", "乙街道", "甲镇", "乙街道"],
})
DEPARTMENT_LAYOUT = ("序号", "党组织名称", "上级党组织", "主要问题", "整改措施", "包联领导", "责任人", "完成时限", "进展情况",
                     "是否销号", "销号时间")


def entry(branch_id: str = "101", name: str = "甲村党支部", **values: str) -> Entry:
    base = {"listed": LISTED, "reason": "后进", "status": "整改中", "problems": "1. 三会一课不落实", "deadline": "2025-06-30"}
    return Entry("2024", branch_id, name, "甲镇党委", "甲镇", "后进", clean({**base, **values}))  # as the store keeps them


def kept() -> list[Entry]:
    return [entry(), entry("102", "乙村党支部", status=CLOSED, accepted_on="2025-05-20", result="验收合格"),
            entry("103", "丙社区党支部", status=DELAYED, delay_reason="场所改造未完工", leader="王明（副县长）")]


def csv_of(rows: list[list[str]], title: str | None = None) -> bytes:
    lines = ([title] if title else []) + [",".join(r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_the_export_starts_with_the_departments_layout_under_a_title_row():
    data = to_xlsx(kept(), "示例市2024年度软弱涣散基层党组织整顿台账")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "示例市2024年度软弱涣散基层党组织整顿台账"
    header = [c.value for c in sheet[2]]
    assert tuple(header[:len(DEPARTMENT_LAYOUT)]) == DEPARTMENT_LAYOUT
    assert [c.value for c in sheet[3]][:3] == ["1", "甲村党支部", "甲镇党委"]
    closed = dict(zip(header, (c.value for c in sheet[4]), strict=True))
    assert (closed["是否销号"], closed["销号时间"], closed["进展情况"]) == ("是", "2025-05-20", CLOSED)


def test_removed_entries_are_not_on_the_exported_list():
    frame = to_csv([entry(), entry("102", "乙村党支部", listed=UNLISTED)]).decode("utf-8-sig")
    assert "甲村党支部" in frame and "乙村党支部" not in frame


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "'=already quoted"])
def test_exports_never_carry_a_formula_and_read_back_exactly(evil):
    entries = [entry(measures=evil, leader=evil)]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(entries, evil)))
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not str(cell.value or "").startswith(("=", "+", "-", "@", "\t"))
    text = to_csv(entries).decode("utf-8-sig")
    assert f'"{evil}' not in text.replace(f"\"'{evil}", "")  # every dangerous cell starts with a quote
    for data, name in ((to_csv(entries), "t.csv"), (to_xlsx(entries, "台账"), "t.xlsx")):
        imported = read_ledger(data, name, BRANCHES, "2024")
        assert imported.rows[0].values["measures"] == evil.strip()
        assert plan(imported, {e.branch_id: e for e in entries}) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_reimported_unchanged_changes_nothing(kind):
    entries = kept()
    data = to_csv(entries) if kind == "csv" else to_xlsx(entries, "台账")
    imported = read_ledger(data, f"台账.{kind}", BRANCHES, "2024")
    assert imported.problems == () and imported.rows_in == 3 and len(imported.rows) == 3
    assert plan(imported, {e.branch_id: e for e in entries}) == []


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures=texts, leader=texts, notes=texts)
def test_any_text_survives_the_csv_round_trip(measures, leader, notes):
    entries = [entry(measures=measures, leader=leader, notes=notes)]
    imported = read_ledger(to_csv(entries), "t.csv", BRANCHES, "2024")
    assert plan(imported, {e.branch_id: e for e in entries}) == []


def test_a_changed_cell_is_planned_as_a_change_and_a_new_row_as_an_addition():
    entries = kept()
    frame = pd.read_csv(io.BytesIO(to_csv(entries)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[0, "进展情况"] = "待验收"
    frame.loc[len(frame)] = {**dict.fromkeys(frame.columns, ""), "序号": "4", "党组织代码": "104", "进展情况": "未开始"}
    imported = read_ledger(frame.to_csv(index=False).encode("utf-8-sig"), "t.csv", BRANCHES, "2024")
    planned = plan(imported, {e.branch_id: e for e in entries})
    assert summary(planned) == (1, 1)
    change = next(p for p in planned if p.current is not None)
    assert [(c.key, c.old, c.new) for c in change.changes] == [("status", "整改中", "待验收")]


def test_bad_rows_are_each_listed_with_row_column_and_a_fix_and_good_rows_still_import():
    rows = [
        [*DEPARTMENT_LAYOUT, "党组织代码"],
        ["1", "甲村党支部", "甲镇党委", "问题", "措施", "王明", "李四", "2025-06-30", "整改中", "否", "", ""],
        ["2", "不存在村党支部", "", "", "", "", "", "2025-06-30", "整改中", "否", "", ""],
        ["3", "", "", "", "", "", "", "2025-06-30", "整改中", "否", "", "999"],
        ["4", "乙村党支部", "", "", "", "", "", "下月底", "整改中", "否", "", ""],
        ["5", "丙社区党支部", "", "", "", "", "", "2025-06-30", "基本完成", "否", "", ""],
        ["6", "同名党支部", "", "", "", "", "", "2025-06-30", "整改中", "否", "", ""],
        ["7", "", "甲镇党委", "", "", "", "", "", "", "", "", ""],
        ["8", "甲村党支部", "", "", "", "", "", "2025-06-30", "整改中", "否", "", ""],
        ["9", "乙村党支部", "", "", "", "", "", "2025-06-30", "已销号", "否", "", ""],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    imported = read_ledger(csv_of(rows, "某县2024年度软弱涣散基层党组织整顿台账"), "台账.csv", BRANCHES, "2024")
    found = {(p.row, p.column, p.header, p.code) for p in imported.problems}
    assert found == {
        (4, "B", "党组织名称", "unmatched_name"),
        (5, "L", "党组织代码", "unmatched_code"),
        (6, "H", "完成时限", "bad_date"),
        (7, "I", "进展情况", "unknown_status"),
        (8, "B", "党组织名称", "ambiguous_name"),
        (9, "B", "党组织名称", "no_branch"),
        (10, "B", "党组织名称", "duplicate"),
        (11, "J", "是否销号", "closed_mismatch"),
        (11, "K", "销号时间", "closed_date"),
    }
    assert [r.row for r in imported.rows] == [3]
    assert imported.rows_in == 9 and imported.rejected == 8  # the blank line is not a row; every other row is imported or listed
    for problem in imported.problems:
        assert problem.message and problem.fix and "第" in problem.where
    message = next(p for p in imported.problems if p.code == "bad_date")
    assert "下月底" in message.message and "2025-06-30" in message.fix


def test_a_gbk_csv_with_other_header_names_and_delay_in_the_progress_cell_is_read():
    rows = [["序号", "支部名称", "存在问题", "整改时限", "进度", "包联县级领导"],
            ["1", "甲村党支部", "书记缺位", "2025年9月30日", "延期：新书记尚未到岗", "张三"]]
    data = "\r\n".join(",".join(r) for r in rows).encode("gbk")
    imported = read_ledger(data, "台账.csv", BRANCHES, "2024")
    assert imported.problems == ()
    values = imported.rows[0].values
    assert values == {"problems": "书记缺位", "deadline": "2025-09-30", "status": DELAYED, "delay_reason": "新书记尚未到岗",
                      "leader": "张三"}


def test_a_workbook_with_date_cells_and_a_title_row_is_read():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某县软弱涣散基层党组织整顿台账"])
    sheet.append(["序号", "党组织代码", "党组织名称", "完成时限", "是否销号", "销号时间"])
    sheet.append([1, "102", "乙村党支部", pd.Timestamp("2025-06-30").to_pydatetime(), "是", pd.Timestamp("2025-06-01").to_pydatetime()])
    out = io.BytesIO()
    book.save(out)
    imported = read_ledger(out.getvalue(), "台账.xlsx", BRANCHES, "2024")
    assert imported.problems == ()
    assert imported.rows[0].values == {"deadline": "2025-06-30", "status": CLOSED, "accepted_on": "2025-06-01"}


@pytest.mark.parametrize(("data", "name", "code"), [
    (csv_of([["编号", "单位", "情况"], ["1", "甲", "好"]]), "t.csv", "no_header"),
    (b"%PDF-1.4 not a sheet", "t.xlsx", "unreadable"),
    (b"", "t.csv", "unreadable"),
])
def test_files_that_are_no_ledger_are_one_problem_not_a_crash(data, name, code):
    imported = read_ledger(data, name, BRANCHES, "2024")
    assert [p.code for p in imported.problems] == [code] and imported.rows == ()
    assert imported.problems[0].fix


def test_the_headers_are_unique():
    assert len(set(HEADERS)) == len(HEADERS)


cells = st.sampled_from(["", "甲村党支部", "乙村党支部", "同名党支部", "不存在党支部", "101", "999", "2025-06-30", "下月底",
                         "整改中", "已销号", "延期", "延期：资金未到位", "好", "是", "否", "=1+1"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cells, cells, cells, cells, cells, cells), min_size=1, max_size=12))
def test_every_row_read_is_either_imported_or_listed_with_its_problems(rows):
    header = ["党组织名称", "党组织代码", "完成时限", "进展情况", "是否销号", "销号时间"]
    data = csv_of([header, *[list(r) for r in rows]])
    imported = read_ledger(data, "t.csv", BRANCHES, "2024")
    assert imported.rows_in == sum(any(c for c in r) for r in rows)
    assert imported.rows_in == len(imported.rows) + imported.rejected
    assert not {r.row for r in imported.rows} & {p.row for p in imported.problems}
    assert all(p.row is not None and p.column and p.fix for p in imported.problems)
