"""Condition operators as a table: what each matches (a blank never, but for is_blank), how it reads, its literal check, its SQL."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from scoring.conditions import OPERATORS, Clause, describe, evaluate
from scoring.rubric import Column

VALUES = [0.0, 3.0, 5.0, np.nan]
COLUMNS = {"n": Column(id="n", label="空缺月数", type="number", unit="个月")}


@pytest.mark.parametrize(("op", "value", "hits", "zh", "en"), [
    ("==", 3, [False, True, False, False], "空缺月数 为 3个月", "空缺月数 is 3个月"),
    ("!=", 3, [True, False, True, False], "空缺月数 不为 3个月", "空缺月数 is not 3个月"),
    (">", 3, [False, False, True, False], "空缺月数 > 3个月", "空缺月数 > 3个月"),
    (">=", 3, [False, True, True, False], "空缺月数 ≥ 3个月", "空缺月数 ≥ 3个月"),
    ("<", 3, [True, False, False, False], "空缺月数 < 3个月", "空缺月数 < 3个月"),  # a blank is never below anything
    ("<=", 3, [True, True, False, False], "空缺月数 ≤ 3个月", "空缺月数 ≤ 3个月"),
    ("in", [0, 5], [True, False, True, False], "空缺月数 属于 0、5个月", "空缺月数 is one of 0, 5个月"),
    ("not_in", [0, 5], [False, True, False, False], "空缺月数 不属于 0、5个月", "空缺月数 is none of 0, 5个月"),
    ("is_true", None, [False, True, True, False], "空缺月数为“是”", "空缺月数 is “yes”"),
    ("is_false", None, [True, False, False, False], "空缺月数为“否”", "空缺月数 is “no”"),
    ("is_blank", None, [False, False, False, True], "空缺月数未填", "空缺月数 is blank"),
])
def test_operator(op, value, hits, zh, en):
    clause = Clause(column="n", op=op, value=value)
    frame = pd.DataFrame({"n": VALUES})
    assert evaluate(clause, frame, COLUMNS).tolist() == hits
    assert describe(clause, COLUMNS) == zh
    assert describe(clause, COLUMNS, "en") == en
    assert OPERATORS[op].check(value) is None
    literal = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
    sql = OPERATORS[op].sql('"n"', literal)
    con = duckdb.connect()
    con.register("frame", frame.reset_index())
    got = con.sql(f"SELECT coalesce({sql}, FALSE) AS h FROM frame ORDER BY \"index\"").fetchnumpy()["h"].tolist()
    assert got == hits


@pytest.mark.parametrize(("op", "value", "fragment"), [
    ("in", 3, "应是列表"), (">=", None, "需要 value"), ("is_true", 1, "不需要 value"), ("==", [1, 2], "应是单个值"),
])
def test_operator_checks_its_literal(op, value, fragment):
    assert fragment in (OPERATORS[op].check(value) or "")


def test_rubric_check_reports_a_literal_that_does_not_suit_its_operator():
    from scoring.errors import RubricError
    from tests.unit.mini import mini_rubrics

    with pytest.raises(RubricError) as raised:
        mini_rubrics({"vetoes": [{"id": "v", "reason": "r", "cap": "良", "when": {"column": "incident", "op": "in", "value": 1}}]})
    assert [p.code for p in raised.value.problems] == ["condition-value"]
