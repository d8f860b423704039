"""Repeated branches are reported per row in messages of bounded length, however many rows repeat.

Each duplicate row used to list every other copy, so n copies made n messages of n row numbers: 6,000 rows sharing a
code took minutes, and an 88 KB workbook of 200,000 identical rows grew the server past 19 GB."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.ingest import read_assessments
from scoring.ingest.reader import listed
from tests.ingest.files import VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields

ROOT = Path(__file__).resolve().parents[2]
LISTED = 5


@pytest.mark.parametrize(("count", "zh", "en"), [
    (1, "2", "2"),
    (5, "2、3、4、5、6", "2, 3, 4, 5, 6"),
    (6, "2、3、4、5、6 等 6", "2, 3, 4, 5, 6 and 1 more"),
    (12_345, "2、3、4、5、6 等 12,345", "2, 3, 4, 5, 6 and 12,340 more"),
])
def test_a_list_names_its_first_few_and_then_how_many(count, zh, en):
    assert listed([str(n) for n in range(2, 2 + min(count, 50))], count) == (zh, en)


def _problems(rows: list[list[str]], code: str) -> list:
    found = read_assessments(csv_bytes(rows), fields(), filename="dup.csv").report.problems
    return [p for p in found if p.code == code]


def _rows_named(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"第 ([0-9、 ]+?)(?: 等 [0-9,]+)? 行", message)[0].split("、")]


@pytest.mark.parametrize("copies", [2, 6, 7, 400])
def test_the_kept_row_names_the_first_few_copies_and_their_number(copies):
    problems = _problems([row(VILLAGE) for _ in range(copies)], "duplicate-row")
    kept = [p for p in problems if p.severity == "warning"]
    assert len(problems) == copies and len(kept) == 1 and kept[0].row == 2
    named = _rows_named(kept[0].message)
    assert named == list(range(3, 3 + min(copies - 1, LISTED)))
    assert (f"等 {copies - 1:,} 行" in kept[0].message) == (copies - 1 > LISTED)
    assert all(p.message.startswith("与第 2 行") for p in problems if p is not kept[0])


@pytest.mark.parametrize("copies", [3, 6, 7, 400])
def test_copies_that_all_have_other_errors_each_name_a_few_others(copies):
    broken = row(VILLAGE, 党员人数="很多")
    problems = _problems([broken for _ in range(copies)], "duplicate-row")
    assert len(problems) == copies and all(p.severity == "error" for p in problems)
    for problem in problems:
        named = _rows_named(problem.message)
        assert problem.row not in named and len(named) == min(copies - 1, LISTED)
        assert (f"等 {copies - 1:,} 行" in problem.message) == (copies - 1 > LISTED)
        english = dict(problem.params)["first"]
        assert english.startswith(", ".join(map(str, named)))


@pytest.mark.parametrize("names", [2, 5, 9, 300])
def test_a_code_spelled_many_ways_lists_each_name_once_with_its_first_row(names):
    rows = [row(VILLAGE, 党组织名称=f"第{i % names}村党支部") for i in range(2 * names)]
    problems = _problems(rows, "identity-conflict")
    assert len(problems) == 2 * names
    message = problems[0].message
    assert message.count("“第") == min(names, LISTED)
    assert "“第0村党支部”（第 2 行）" in message and "“第0村党支部”（第 " + str(2 + names) not in message
    assert (f"等 {names} 个名称" in message) == (names > LISTED)
    assert len({p.message for p in problems}) == 1
    assert max(len(p.message) for p in problems) < 300


def test_a_workbook_of_two_hundred_thousand_identical_rows_is_read_in_bounded_memory():
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from tests.hostile.files import zip_bomb\n"
        "from tests.ingest.rubrics import fields\n"
        "from scoring.ingest import read_assessments\n"
        "report = read_assessments(zip_bomb(200_000), fields(), filename='bomb.xlsx').report\n"
        "print(report.rows_total, report.rows_rejected, max(len(p.message) for p in report.problems))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    total, rejected, longest = map(int, done.stdout.split())
    assert total == 200_001 and rejected == 200_000 and longest < 300
