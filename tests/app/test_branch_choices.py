"""The branch picker's choices: the matching branches, each once at its best row, best totals first, ties by code;
checked against sorting every row, on random branches with repeated codes, tied and missing totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.model import branch as branch_model

ROW = st.tuples(st.sampled_from([f"10{i}" for i in range(12)]), st.sampled_from([88.0, 90.5, 75.0, 60.0, float("nan")]))


def _frame(rows: list[tuple[str, float]]) -> pd.DataFrame:
    index = np.arange(len(rows)) * 3 + 1  # not 0..n-1, as a selection of rows is not
    return pd.DataFrame({"branch_id": pd.array([c for c, _ in rows], dtype="str"),
                         "name": pd.array([f"第{c}支部" for c, _ in rows], dtype="str"),
                         "total": [t for _, t in rows], "grade": "中间"}, index=index)


def _sorting_every_row(frame: pd.DataFrame, query: str, limit: int) -> dict[str, str]:
    rows = frame[branch_model.search(frame, query)].sort_values(["total", "branch_id"], ascending=[False, True], kind="stable")
    rows = rows.drop_duplicates("branch_id").head(limit)
    return {c: f"{n}（{c}）" for c, n in zip(rows["branch_id"], rows["name"], strict=True)}


@settings(max_examples=200, deadline=None)
@given(st.lists(ROW, max_size=60), st.sampled_from(["", "101", "支部", "9"]), st.integers(0, 8))
def test_choices_are_what_sorting_every_row_gives(rows, query, limit) -> None:
    frame = _frame(rows)
    got = branch_model.branch_choices(frame, query, limit)
    expected = _sorting_every_row(frame, query, limit)
    assert list(got.items()) == list(expected.items())
