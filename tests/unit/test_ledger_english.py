"""The 台账's problems and refusals in English: every code has both texts with the same fields, and a bad file reads in English."""

from __future__ import annotations

import io
import re
import string

import pandas as pd
import pytest

from ledger.model import FIELDS, FIELDS_EN, STATUSES, STATUSES_EN
from ledger.problems import FIXES, TEMPLATES, WHERE, check_values, describe
from ledger.sheet import ALIASES, HEADERS, read_ledger
from scoring.base import Templates
from snapshots import text
from snapshots.ledger_service import EntryInvalid
from tests.unit.test_ledger_sheet import BRANCHES, csv_of

CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff，。、；：（）《》]")
# The 台账 file's own words: its headers and statuses are written in Chinese whatever the UI language, so English texts
# quote them (with their English meaning) where they tell the user what to write.
FILE_WORDS = (*HEADERS, *ALIASES, *STATUSES, "是", "否")
TABLES: dict[str, Templates] = {"problem": TEMPLATES, "fix": FIXES, "where": WHERE, "text": text.TEXTS, "label": text.LABELS}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(("table", "code"), [(name, code) for name, table in TABLES.items() for code in table])
def test_every_code_has_chinese_and_english_with_the_same_fields_and_no_chinese_in_english(table, code):
    texts = TABLES[table][code]
    assert set(texts) == {"zh", "en"} and texts["zh"] and texts["en"]
    assert fields(texts["zh"]) == fields(texts["en"])
    assert not CHINESE.search(texts["en"]), texts["en"]


def test_every_problem_has_a_fix_and_every_field_and_status_an_english_name():
    assert set(TEMPLATES) == set(FIXES)
    assert set(FIELDS_EN) == set(FIELDS) and set(STATUSES_EN) == set(STATUSES)
    assert not any(CHINESE.search(name) for name in (*FIELDS_EN.values(), *STATUSES_EN.values()))


def left(said: str, user: set[str]) -> str:
    """The Chinese of a text once the user's values and the file's own words are taken out."""
    allowed = re.compile("|".join(map(re.escape, sorted({*user, *FILE_WORDS}, key=len, reverse=True))))
    return "".join(CHINESE.findall(allowed.sub(" ", said)))


BAD = [
    ["序号", "支部名称", "整改时限", "整改进度", "是否销号", "销号时间", "延期原因", "党组织代码"],
    ["1", "不存在村党支部", "2025-06-30", "整改中", "否", "", "", ""],
    ["2", "", "2025-06-30", "整改中", "否", "", "", "999"],
    ["3", "乙村党支部", "下月底", "整改中", "否", "", "", ""],
    ["4", "丙社区党支部", "2025-06-30", "基本完成", "否", "", "", ""],
    ["5", "同名党支部", "2025-06-30", "整改中", "否", "", "", ""],
    ["6", "", "", "", "", "", "", ""],
    ["7", "甲村党支部", "2025-06-30", "延期", "否", "", "", ""],
    ["8", "乙村党支部", "2025-06-30", "已销号", "否", "", "", ""],
    ["9", "甲村党支部", "2025-06-30", "整改中", "否", "", "", ""],
    ["10", "甲村党支部", "2025-06-30", "整改中", "否", "", "", ""],
]


def test_a_bad_ledger_file_is_explained_in_english_with_the_users_values_as_written():
    imported = read_ledger(csv_of(BAD, "某县整顿台账"), "台账.csv", BRANCHES, "2024")
    codes = {p.code for p in imported.problems}
    assert codes >= {"unmatched_name", "unmatched_code", "bad_date", "unknown_status", "ambiguous_name", "no_branch",
                     "delay_reason", "closed_mismatch", "closed_date", "duplicate"}
    user = {cell for row in BAD for cell in row} | {str(v) for v in BRANCHES.to_numpy().ravel()}
    for problem in imported.problems:
        said = (problem.where_in("en"), problem.message_in("en"), problem.fix_in("en"))
        assert all(said) and said != (problem.where, problem.message, problem.fix)
        assert [left(s, user) for s in said] == ["", "", ""], said
        assert said[0].startswith(f"row {problem.row}, column {problem.column}")
    bad_date = next(p for p in imported.problems if p.code == "bad_date")
    assert "下月底" in bad_date.message_in("en") and "整改时限" in bad_date.where_in("en")  # the user's cell and header as written


@pytest.mark.parametrize(("data", "name"), [(csv_of([["编号", "单位"], ["1", "甲"]]), "t.csv"), (b"", "t.csv")])
def test_a_file_that_is_no_ledger_is_explained_in_english(data, name):
    problem = read_ledger(data, name, BRANCHES, "2024").problems[0]
    assert problem.where_in("en") == "the whole file"
    assert left(problem.fix_in("en"), set()) == ""
    assert left(problem.message_in("en"), set()) == ""  # an unreadable file's reason too (an InputError's English)
    if problem.code == "unreadable":
        assert problem.message_in("en") == "The file cannot be read: the file “t.csv” is empty; check that you chose the filled-in table"
        assert problem.message == "文件无法读取：文件“t.csv”是空的；请确认选择了填好的表格"


def test_an_edit_forms_problems_name_the_field_in_the_language_and_the_chinese_stays():
    found = check_values({"status": "延期", "deadline": "年底"})
    assert [p.where for p in found] == ["“完成时限”", "“延期原因”"]
    assert [p.where_in("en") for p in found] == [f"“{FIELDS_EN['deadline']}”", f"“{FIELDS_EN['delay_reason']}”"]
    english = EntryInvalid(found).message_in("en")
    assert left(english, {"年底"}) == "" and "年底" in english
    assert str(EntryInvalid(found)).startswith("台账条目没有保存：") and describe(found) in str(EntryInvalid(found))


@pytest.mark.parametrize(("given", "code"), [("  \u200b ", "missing"), ("长" * 61, "long")])
def test_a_refused_name_is_worded_in_both_languages(given, code):
    with pytest.raises(text.TextInvalid) as caught:
        text.check_line(given, label="修改人姓名", limit=60, key="ws.invalid")
    error = caught.value
    assert error.code == code and error.key == "ws.invalid" and "修改人姓名" in str(error)
    assert error.message_in("zh") == str(error) and not CHINESE.search(error.message_in("en"))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_english_export_has_english_headers_and_statuses_and_reimports_unchanged(kind):
    from ledger.sheet import HEADERS_EN, plan, to_csv, to_xlsx
    from tests.unit.test_ledger_sheet import kept

    entries = kept()
    data = to_csv(entries, "en") if kind == "csv" else to_xlsx(entries, "Ledger 2024", "en")
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig") if kind == "csv" else \
        pd.read_excel(io.BytesIO(data), dtype=str, header=1, keep_default_na=False, engine="openpyxl")
    assert tuple(frame.columns) == HEADERS_EN and not any(CHINESE.search(h) for h in HEADERS_EN)
    assert set(frame[FIELDS_EN["status"]]) <= set(STATUSES_EN.values()) and set(frame["Closed (yes/no)"]) <= {"Yes", "No"}
    imported = read_ledger(data, f"ledger.{kind}", BRANCHES, "2024")
    assert imported.problems == () and len(imported.rows) == len(entries)
    assert plan(imported, {e.branch_id: e for e in entries}) == []
