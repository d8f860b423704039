"""The ranking order and the joined flags of the exports, against a plain row-by-row reference on random branches:
period, field, the rubric's ranking group, rank (missing values last, ties in input order); flags joined in column order."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import export
from scoring.rubric import FIELD, PERIOD

RUBRICS = SimpleNamespace(concrete=[SimpleNamespace(id="rural", grading=SimpleNamespace(rank_by="township")),
                                    SimpleNamespace(id="school", grading=SimpleNamespace(rank_by="parent")),
                                    SimpleNamespace(id="city", grading=SimpleNamespace(rank_by="township"))])
FLAGS = ["软弱涣散", "空壳村", "候选"]
TEXTS = st.sampled_from(["2024", "2025", "农村", "学校", "城关镇", "教育系统党委", "", "a", "Z", None])
ROW = st.fixed_dictionaries({
    PERIOD: TEXTS, FIELD: TEXTS, "township": TEXTS, "parent": TEXTS,
    "rubric": st.sampled_from(["rural", "school", "city", "other"]),
    "rank": st.one_of(st.integers(1, 4).map(float), st.just(float("nan"))),
    "flags": st.tuples(*(st.booleans() for _ in FLAGS)),
})


def _results(rows: list[dict]) -> SimpleNamespace:
    index = pd.Index(np.arange(len(rows)) * 7 + 3)  # not 0..n-1: the order must be an order of the index
    branches = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype="str") for c in (PERIOD, FIELD, "township", "parent", "rubric")})
    branches["rank"] = [r["rank"] for r in rows]
    flags = pd.DataFrame([r["flags"] for r in rows], columns=FLAGS, dtype=bool).reindex(range(len(rows)), fill_value=False)
    return SimpleNamespace(branches=branches.set_axis(index), flags=flags.set_axis(index))


def _reference_order(b: pd.DataFrame) -> list[int]:
    rank_by = {r.id: r.grading.rank_by for r in RUBRICS.concrete}
    keys = pd.DataFrame({"period": b[PERIOD], "field": b[FIELD], "rank": b["rank"]}, index=b.index)
    keys["group"] = [("" if pd.isna(v := row[rank_by[row["rubric"]]]) else v) if row["rubric"] in rank_by else ""
                     for _, row in b.iterrows()]
    return keys.sort_values(["period", "field", "group", "rank"], kind="stable", na_position="last").index.tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=40))
def test_ranking_order_is_period_field_group_rank_with_missing_last(rows) -> None:
    results = _results(rows)
    assert export._order(results, RUBRICS).tolist() == _reference_order(results.branches)


@settings(max_examples=150, deadline=None)
@pytest.mark.parametrize(("lang", "sep"), [("zh", "、"), ("en", ", ")])
@given(rows=st.lists(ROW, max_size=40))
def test_flags_are_each_rows_raised_flags_joined_in_column_order(lang, sep, rows) -> None:
    results = _results(rows)
    expected = [sep.join(n for n, on in zip(FLAGS, r["flags"]) if on) or None for r in rows]
    got = export._flags(results, lang)
    assert got.index.equals(results.branches.index)
    assert [None if pd.isna(v) else v for v in got] == expected


def test_no_flag_columns_give_no_flags() -> None:
    results = SimpleNamespace(branches=pd.DataFrame(index=[5, 9]), flags=pd.DataFrame(index=[5, 9]))
    assert export._flags(results).isna().all() and len(export._flags(results)) == 2


@pytest.mark.parametrize("values", [
    pd.Categorical(["先进", None, "后进", "先进"], categories=["先进", "中间", "后进"]),
    pd.Categorical(["", "绿", None, "红"]),
    pd.Categorical([None, None]),
])
def test_categorical_text_is_the_same_as_its_values_as_text(values) -> None:
    series = pd.Series(values, index=[4, 3, 2, 1][: len(values)])
    expected = [None if pd.isna(v) or v == "" else str(v) for v in series.astype(object)]
    got = export._text(series)
    assert got.index.equals(series.index)
    assert [None if pd.isna(v) else v for v in got] == expected
