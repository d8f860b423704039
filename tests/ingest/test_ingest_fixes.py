"""Fixed rows are validated again in the context of the accepted rows: nothing validation rejects is ever scored.

Reproduces issue 9: re-checking sample_data/messy.csv's rejected rows without editing them re-admitted the
duplicate of branch 102001021, which was then scored twice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from scoring.ingest import read_assessments
from scoring.ingest.fixes import PROBLEM_CELLS, apply_edits, fix_view, problem_columns, revalidate
from scoring.loader import load_rubrics
from scoring.rubricset import RubricSet

ROOT = Path(__file__).resolve().parents[2]


@cache
def _rubrics() -> RubricSet:
    return load_rubrics([ROOT / "rubrics"])


@cache
def _messy():
    return read_assessments(ROOT / "sample_data" / "messy.csv", _rubrics())


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["branch_id"].tolist()


def test_rechecking_unedited_rows_admits_no_duplicate_of_an_accepted_row():
    messy = _messy()
    again = revalidate(messy.rejected, messy.frame, _rubrics(), filename="messy（修正）")
    combined = _ids(messy.frame) + _ids(again.frame)
    assert len(combined) == len(set(combined)), "a branch and period would be scored twice"
    assert "102001021" not in _ids(again.frame)
    assert 24 in again.rejected.index  # the duplicate keeps its spreadsheet row
    reason = again.rejected.loc[24, "reason"]
    assert "与第 23 行的党组织代码“102001021”、年度“2025”重复" in reason
    assert len(again.frame) + len(again.rejected) == len(messy.rejected)  # every edited row is in one bucket


def test_unedited_rows_that_failed_on_their_own_cells_stay_rejected():
    messy = _messy()
    again = revalidate(messy.rejected, messy.frame, _rubrics(), filename="m")
    assert again.frame.empty  # nothing was fixed, so nothing re-enters
    assert set(again.rejected.index) == set(messy.rejected.index)


def test_a_fixed_row_enters_with_its_own_row_number_and_problems_name_the_users_rows():
    messy = _messy()
    bad = messy.report.problems
    row, column = next((p.row, p.column_name) for p in bad if p.code == "type-error")
    edited = messy.rejected.loc[[row]].copy()
    edited.loc[row, column] = "4"
    again = revalidate(edited, messy.frame, _rubrics(), filename="m")
    assert again.frame.index.tolist() == [row]
    assert again.rejected.empty
    assert all(p.row in (None, row) for p in again.report.problems)


def test_two_fixed_rows_of_one_branch_admit_only_the_first():
    messy = _messy()
    twins = pd.concat([messy.rejected.loc[[24]]] * 2).set_axis(pd.Index([40, 41], name="row"))
    twins["党组织代码"] = "999000001"  # a new branch: valid on its own, twice
    again = revalidate(twins, messy.frame, _rubrics(), filename="m")
    assert again.frame.index.tolist() == [40]
    assert again.rejected.index.tolist() == [41]
    assert "与第 40 行的党组织代码“999000001”" in again.rejected.loc[41, "reason"]


def test_many_rechecked_copies_of_one_branch_are_each_set_aside_with_their_reason():
    messy = _messy()
    copies = pd.concat([messy.rejected.loc[[24]]] * 2_000).set_axis(pd.Index(range(40, 2_040), name="row"))
    copies["党组织代码"] = "999000001"
    again = revalidate(copies, messy.frame, _rubrics(), filename="m")
    assert again.frame.index.tolist() == [40]
    assert again.rejected.index.tolist() == list(range(41, 2_040))
    assert again.rejected["reason"].str.contains("与第 40 行的党组织代码“999000001”").all()
    assert again.report.rows_rejected == 1_999


@pytest.mark.parametrize("row", [24])
def test_problem_columns_name_the_cells_to_fix(row):
    columns = problem_columns(_messy())
    assert columns[row] == ["党组织代码"]
    assert all(names for names in columns.values())


def test_the_fix_view_shows_identity_and_problem_columns_only():
    messy = _messy()
    view = fix_view(messy)
    assert view.identity[:2] == ["党组织代码", "党组织名称"]
    shown = list(view.frame.columns)
    assert shown[:2] == ["reason", PROBLEM_CELLS]
    assert set(shown[2:]) == set(view.identity) | set(view.problems)
    assert len(shown) < len(messy.rejected.columns)  # the 60-column file is narrowed
    for row, cells in problem_columns(messy).items():
        assert view.frame.loc[row, PROBLEM_CELLS] == "、".join(cells)


def test_edits_in_the_narrow_view_are_written_back_to_the_full_rows():
    messy = _messy()
    view = fix_view(messy)
    edited = view.frame.copy()
    row = edited.index[0]
    column = view.problems[-1]
    edited.loc[row, column] = "修改后"
    merged = apply_edits(messy.rejected, edited)
    assert list(merged.columns) == list(messy.rejected.columns)
    assert merged.loc[row, column] == "修改后"
    untouched = [c for c in messy.rejected.columns if c not in edited.columns]
    pd.testing.assert_frame_equal(merged[untouched], messy.rejected[untouched])
