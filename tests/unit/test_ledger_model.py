"""The 台账 entry's rules: dates, the overdue rule, value checks, change lists, and the pure layers' imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.model import CLOSED, DELAYED, FIELDS, LISTED, STATUSES, UNLISTED, Change, Entry, changes, clean, is_overdue, parse_date, problems_text
from ledger.problems import TEMPLATES, LedgerProblem, check_values

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 7, 1)


def entry(**values: str) -> Entry:
    return Entry("2024", "101", "甲村党支部", "镇党委", "镇", "后进", {"listed": LISTED, **values})


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-06-30", date(2025, 6, 30)),
    ("2025/6/30", date(2025, 6, 30)),
    ("2025.6.3", date(2025, 6, 3)),
    ("2025年6月30日", date(2025, 6, 30)),
    (" 2025-06-30 00:00:00 ", date(2025, 6, 30)),
    ("2025-02-30", None),
    ("6/30/2025", None),
    ("下月底", None),
    ("", None),
    (None, None),
])
def test_dates_are_read_as_departments_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("values", "overdue"), [
    ({"deadline": "2025-06-30", "status": "整改中"}, True),
    ({"deadline": "2025-06-30", "status": "未开始"}, True),
    ({"deadline": "2025-06-30", "status": DELAYED, "delay_reason": "工程未完"}, True),
    ({"deadline": "2025-06-30", "status": "待验收"}, True),
    ({"deadline": "2025-06-30", "status": CLOSED, "accepted_on": "2025-06-01"}, False),
    ({"deadline": "2025-07-01", "status": "整改中"}, False),  # due today is not yet late
    ({"deadline": "2025-12-31", "status": "整改中"}, False),
    ({"status": "整改中"}, False),  # no deadline set
    ({"deadline": "2025-06-30", "status": "整改中", "listed": UNLISTED}, False),  # taken off the list
])
def test_overdue_means_past_the_deadline_and_not_closed(values, overdue):
    assert is_overdue(entry(**values), TODAY) is overdue


@pytest.mark.parametrize(("values", "codes"), [
    ({"status": "整改中"}, []),
    ({"status": "完成了"}, ["unknown_status"]),
    ({"status": DELAYED}, ["delay_reason"]),
    ({"status": DELAYED, "delay_reason": "资金未到位"}, []),
    ({"status": CLOSED}, ["closed_date"]),
    ({"status": CLOSED, "accepted_on": "2025-06-01"}, []),
    ({"deadline": "年底"}, ["bad_date"]),
    ({"deadline": "年底", "accepted_on": "不详", "status": "好"}, ["unknown_status", "bad_date", "bad_date"]),
])
def test_values_are_checked_before_they_are_kept(values, codes):
    found = check_values(values)
    assert [p.code for p in found] == codes
    assert all(p.message and p.fix for p in found)


def test_every_problem_template_renders_with_its_location():
    problem = LedgerProblem("bad_date", 7, "H", "完成时限", {"value": "年底"})
    assert problem.where == "第 7 行 H 列“完成时限”"
    assert "年底" in problem.message and "2025-06-30" in problem.fix
    assert LedgerProblem("no_header").where == "整个文件"
    assert set(TEMPLATES) >= {"unmatched_code", "unmatched_name", "bad_date", "unknown_status"}


def test_clean_keeps_known_fields_as_text_and_dates_in_one_form():
    kept = clean({"deadline": date(2025, 6, 30), "accepted_on": "2025/7/1", "leader": "  王明 ", "notes": "", "unknown": "x"})
    assert kept == {"deadline": "2025-06-30", "accepted_on": "2025-07-01", "leader": "王明"}


def test_changes_list_each_differing_field_in_ledger_order():
    found = changes({"status": "未开始", "leader": "王明"}, {"status": "整改中", "leader": "王明", "measures": "补课"})
    assert found == [Change("measures", "", "补课"), Change("status", "未开始", "整改中")]
    assert [c.label for c in found] == [FIELDS["measures"], FIELDS["status"]]


@given(st.dictionaries(st.sampled_from(list(FIELDS)), st.text(max_size=30), max_size=len(FIELDS)))
def test_clean_is_idempotent_and_changes_are_empty_only_for_equal_values(values):
    once = clean(values)
    assert clean(once) == once
    assert changes(once, once) == []
    assert len(changes({}, once)) == len(once)


def test_problem_list_is_numbered_from_the_reasons():
    assert problems_text("后进；党费：失 2 分；\n场所：失 1 分") == "1. 后进\n2. 党费：失 2 分\n3. 场所：失 1 分"
    assert problems_text("") == ""


def test_statuses_are_the_five_of_the_issue():
    assert STATUSES == ("未开始", "整改中", "待验收", "已销号", "延期")


def test_the_ledger_domain_and_its_view_model_never_import_streamlit():
    probe = ("import sys, ledger.model, ledger.problems, ledger.sheet, ui.model.ledger\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
    offenders = [p.name for p in (ROOT / "ledger").rglob("*.py") if "streamlit" in p.read_text(encoding="utf-8")]
    assert offenders == []
