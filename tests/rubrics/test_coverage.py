"""What a rubric set would leave unscored, per field and reason, agrees with what scoring then leaves unscored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.coverage import left_unscored
from scoring.engine import score
from scoring.loader import load_rubrics, parse_rubrics
from scoring.synthetic import synthetic_frame

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
BUILTIN = load_rubrics([RUBRICS], relative_to=RUBRICS.parent)
NARROW = "id: rural_narrow\nname: 只认行政村\nextends: rural\nfields: [行政村]\n"
SKIPPING = NARROW.replace("rural_narrow", "rural_skip") + (
    "skip:\n- id: young\n  reason: 成立不满一年\n  when: {column: members, op: '<', value: 3}\n"
)


def city(fields: dict[str, int]) -> pd.DataFrame:
    """Rural rows (every column the rural rubric reads) under the given field names, so many of each."""
    frame = synthetic_frame(BUILTIN.get("rural"), sum(fields.values()), seed=3)
    frame["field"] = [name for name, n in fields.items() for _ in range(n)]
    return frame


def narrowed(text: str):
    return parse_rubrics({"mine.yaml": text}, BUILTIN.documents)


def test_a_field_the_rubrics_no_longer_cover_is_counted_with_its_reason():
    frame = city({"农村": 30, "行政村": 20, "城市社区": 5})
    table = left_unscored(frame, narrowed(NARROW))
    assert list(table.columns) == ["field", "reason", "rows"]
    assert list(zip(table["field"], table["rows"])) == [("农村", 30), ("城市社区", 5)]
    assert all("没有对应的评分细则" in r and "行政村" in r for r in table["reason"])


def test_nothing_is_left_when_the_rubrics_cover_every_field():
    assert left_unscored(city({"农村": 10, "社区": 4}), BUILTIN).empty


def test_skip_rules_are_counted_per_field():
    frame = city({"行政村": 40})
    frame.loc[frame.index[:7], "members"] = 1.0
    frame.loc[frame.index[7:], "members"] = 30.0
    table = left_unscored(frame, narrowed(SKIPPING))
    assert table.to_dict("records") == [{"field": "行政村", "reason": "不参评：成立不满一年", "rows": 7}]


@pytest.mark.parametrize("text", [NARROW, SKIPPING])
def test_the_count_is_what_scoring_leaves_unscored(text):
    frame = city({"农村": 12, "行政村": 25, "党政机关": 3})
    frame.loc[frame.index[12:15], "members"] = 1.0
    rubrics = narrowed(text)
    predicted = left_unscored(frame, rubrics)
    unscored = score(frame, rubrics).unscored
    assert int(predicted["rows"].sum()) == len(unscored)
    actual = unscored.groupby(["field", "reason"]).size()
    assert {(f, r): n for f, r, n in predicted.itertuples(index=False)} == actual.to_dict()
