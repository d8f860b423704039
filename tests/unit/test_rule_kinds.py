"""Every rule kind is one object with every face: grading kinds evaluate, explain (zh and en), describe, check and render
SQL; scoring methods and condition operators likewise. One table row per kind exercises all its faces."""

from __future__ import annotations

import copy
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from benchmarks import reference_duckdb
from scoring.checks import semantic_problems
from scoring.conditions import OPERATORS
from scoring.methods import METHODS, AnyMethod, Method
from scoring.rules import KINDS, Bands, Grading, GradingRule
from scoring.sql import q
from tests.unit.mini import BASE, frame, mini_rubrics, run


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_every_grading_kind_implements_every_face(kind: type[GradingRule]) -> None:
    for face in ("evaluate", "explain", "describe", "sql"):
        assert getattr(kind, face) is not getattr(GradingRule, face), f"{kind.__name__}.{face} is not implemented"
    assert callable(kind.check)
    assert kind.title and kind.step and kind.templates
    assert all(set(text) == {"zh", "en"} for text in kind.templates.values())


def test_bands_implement_every_face() -> None:
    assert all(callable(getattr(Bands, face)) for face in ("evaluate", "explain", "describe", "check", "sql"))


def test_every_grading_list_has_a_kind() -> None:
    """A new list under `grading:` without its kind object (or the reverse) fails here."""
    assert set(KINDS) == set(Grading.model_fields) - {"bands", "rank_by", "alerts"}
    assert all(Grading.model_fields[key].annotation == tuple[kind, ...] for key, kind in KINDS.items())


@pytest.mark.parametrize("kind", list(METHODS.values()), ids=list(METHODS))
def test_every_method_implements_every_face(kind: type[Method]) -> None:
    for face in ("score", "explain", "describe", "sql"):
        assert getattr(kind, face) is not getattr(Method, face), f"{kind.__name__}.{face} is not implemented"
    assert callable(kind.check)


METHOD_SPECS = [
    {"kind": "yes_no"}, {"kind": "yes_no", "good": False}, {"kind": "count", "per_unit": 0.25},
    {"kind": "tiers", "tiers": [{"min": 2, "points": 3}, {"min": 1, "points": 1}]}, {"kind": "rate", "target": 0.9, "zero_at": 0.5},
    {"kind": "level", "levels": {"好": 3, "一般": 1, "差": 0}}, {"kind": "deduction", "per_occurrence": 0.5, "floor": 1},
    {"kind": "direct"},
]


def test_method_specs_cover_every_method() -> None:
    assert {s["kind"] for s in METHOD_SPECS} == set(METHODS)


@pytest.mark.parametrize("spec", METHOD_SPECS, ids=lambda s: s["kind"])
def test_method_sql_scores_like_the_method(spec: dict[str, Any]) -> None:
    method = TypeAdapter(AnyMethod).validate_python(spec)
    values = np.array([np.nan, -1.0, 0.0, 0.4, 0.7, 1.0, 1.5, 2.0, 3.0])
    expected = method.score(values, 3.0)
    table = pd.DataFrame({"i": range(len(values)), "v": values})
    found = duckdb.query_df(table, "t", f"SELECT {method.sql(q('v'), 3.0)} AS p FROM t ORDER BY i").df()
    np.testing.assert_allclose(found["p"].to_numpy(dtype=float), expected, equal_nan=True)


@pytest.mark.parametrize(("spec", "points", "code", "path"), [
    ({"kind": "tiers", "tiers": [{"min": 1, "points": 1}, {"min": 2, "points": 2}]}, 3, "tiers-order", ("tiers",)),
    ({"kind": "tiers", "tiers": [{"min": 2, "points": 5}]}, 3, "method-exceeds-points", ()),
    ({"kind": "level", "levels": {"好": 5, "差": 0}}, 3, "method-exceeds-points", ()),
])
def test_method_checks_its_parameters(spec: dict[str, Any], points: float, code: str, path: tuple[Any, ...]) -> None:
    assert [(p, c) for p, c, _ in METHODS[spec["kind"]].check(spec, points)] == [(path, code)]


@pytest.mark.parametrize("op", list(OPERATORS))
def test_every_operator_implements_every_face(op: str) -> None:
    operator = OPERATORS[op]
    value = None if operator.takes == "none" else ([1.0] if operator.takes == "list" else 1.0)
    series = pd.Series([1.0, 0.0, np.nan])
    hits = operator.evaluate(series, value)
    assert hits.dtype == bool and len(hits) == 3
    assert hits[2] == (op == "is_blank")  # a blank cell satisfies nothing but is_blank
    assert "列" in operator.describe("列", "1") and operator.describe("col", "1", "en").startswith("col")
    assert operator.check(value) is None and operator.check("x" if operator.takes == "none" else None) is not None
    found = duckdb.query_df(pd.DataFrame({"c": series}), "t", f"SELECT {operator.sql(q('c'), '1.0')} AS h FROM t").df()["h"]
    assert found.fillna(False).astype(bool).tolist() == hits.tolist()


WHEN_INCIDENT = {"column": "incident", "op": "is_true"}
# (grading lists, rows, grades, where the rule fired, reason zh, reason en, printed 类别/条件/处理, a bad field and the code it earns)
KIND_CASES = {
    "direct": (
        {"direct": [{"id": "r", "when": {"column": "award", "op": "==", "value": "国家级"}, "grade": "优", "reason": "国家级表彰"}]},
        [{"total": 5, "award": 0.0}, {"total": 5}], ["优", "差"], [True, False],
        "国家级表彰，定为“优”", "国家级表彰, graded “优”", ("直接评定", "表彰 为 国家级", "直接评为优"),
        ("grade", "特优", "unknown-grade", ("grade",)),
    ),
    "floors": (
        {"floors": [{"id": "r", "min_share": 0.9, "cap": "良", "standards": ["a"]}]},
        [{"x": 3.5, "y": 2, "z": 4}, {"x": 3, "y": 2, "z": 4}], ["优", "良"], [False, True],
        "标准得分低于底线（低于 90%），最高评为“良”", "a standard scored below its floor (below 90%), at best “良”",
        ("单项底线", "甲得分低于该标准分值的 90%", "最高评为良"), ("standards", ["c"], "unknown-standard", ("standards", 0)),
    ),
    "vetoes-force": (
        {"vetoes": [{"id": "r", "reason": "发生事故", "when": WHEN_INCIDENT, "force": "差"}]},
        [{"total": 10, "incident": 1.0}, {"total": 10}], ["差", "优"], [True, False],
        "发生事故（发生事故为“是”），定为“差”", "发生事故 (发生事故 is “yes”), graded “差”", ("一票否决", "发生事故为“是”", "直接定为差"),
        ("force", None, "veto-without-effect", ()),
    ),
    "vetoes-cap": (
        {"vetoes": [{"id": "r", "reason": "发生事故", "when": WHEN_INCIDENT, "cap": "良"}]},
        [{"total": 10, "incident": 1.0}, {"total": 6, "incident": 1.0}], ["良", "差"], [True, False],
        "发生事故（发生事故为“是”），最高评为“良”", "发生事故 (发生事故 is “yes”), at best “良”", ("等次限制", "发生事故为“是”", "最高评为良"),
        ("cap", "特优", "unknown-grade", ("cap",)),
    ),
    "vetoes-flag": (
        {"vetoes": [{"id": "r", "reason": "发生事故", "when": WHEN_INCIDENT, "flag": "需关注"}]},
        [{"total": 10, "incident": 1.0}, {"total": 10}], ["优", "优"], [True, False],
        "发生事故（发生事故为“是”），标记“需关注”", "发生事故 (发生事故 is “yes”), flagged “需关注”", ("预警标记", "发生事故为“是”", "标记“需关注”"),
        ("when", {"column": "nope", "op": "is_true"}, "unknown-column", ("when", "column")),
    ),
    "quotas": (
        {"quotas": [{"id": "r", "group_by": "parent", "grade": "优", "max_share": 0.3}]},
        [{"total": 10}] * 4, ["优", "良", "良", "良"], [False, True, True, True],
        "等次比例限制：超出名额，由“优”调整为下一等次", "grade quota: over the quota, moved down from “优”",
        ("比例控制", "同一上级内（各考核年度分别计算）评为优的超过 30%", "超出部分按总分从低到高降一个等次"),
        ("group_by", "nope", "unknown-column", ("group_by",)),
    ),
    "bottom": (
        {"bottom": [{"id": "r", "group_by": "parent", "share": 0.2, "flag": "候选", "force": "差", "reason": "倒排后 20%"}]},
        [{"total": 10 - i} for i in range(10)], ["优", "优", "良", "良", *["差"] * 6], [False] * 8 + [True] * 2,
        "倒排后 20%，定为“差”，标记“候选”", "倒排后 20%, graded “差”, flagged “候选”",
        ("倒排", "同一上级内（各考核年度分别计算）总分位于后 20%（向上取整）", "直接定为差；标记“候选”"),
        ("force", "特差", "unknown-grade", ("force",)),
    ),
}


def test_kind_cases_cover_every_kind() -> None:
    assert {name.split("-")[0] for name in KIND_CASES} == set(KINDS)


@pytest.mark.parametrize("name", list(KIND_CASES))
def test_grading_kind_table(name: str) -> None:
    grading, rows, grades, fired, zh, en, printed, (field, bad, code, sub) = KIND_CASES[name]
    key = name.split("-", maxsplit=1)[0]
    rubric = mini_rubrics(grading).get("mini")
    [rule] = rubric.grading.rules()
    assert isinstance(rule, KINDS[key])
    # evaluate (through the engine), and the SQL rendering agrees
    results = run(grading, rows)
    assert results.branches["grade"].tolist() == grades
    assert results.rules["r"].tolist() == fired
    assert reference_duckdb.score_frame(frame(rows), rubric)["grade"].tolist() == grades
    # explain, zh and en
    columns = rubric.input_columns()
    assert (rule.explain(columns, "zh"), rule.explain(columns, "en")) == (zh, en)
    # describe
    row = rule.describe({s.id: s.name for s in rubric.standards}, columns)
    assert (row["类别"], row["条件"], row["处理"], row["规则"]) == (*printed, "r")
    # check: the good rule passes, the bad field is reported where it is, with its code
    doc = copy.deepcopy(BASE)
    doc["grading"].update(copy.deepcopy(grading))
    assert semantic_problems(doc) == []
    raw = doc["grading"][key][0]
    if bad is None:
        del raw[field]
    else:
        raw[field] = bad
    assert ((("grading", key, 0, *sub)), code) in [(p, c) for p, c, _ in semantic_problems(doc)]


def test_bands_table() -> None:
    rubric = mini_rubrics().get("mini")
    bands = rubric.grading.banding
    assert [r["分数范围"] for r in bands.describe()] == ["9 分及以上", "7 分及以上、不足 9 分", "不足 7 分"]
    totals = [10, 9, 8.99, 7, 6.99, 0]
    assert run({}, [{"total": t} for t in totals]).branches["band_grade"].tolist() == ["优", "优", "良", "良", "差", "差"]
    assert bands.explain(np.array([8.5]), np.array(["良"]), "zh") == ["总分 8.5 分，按分数线评为“良”（7 分及以上）"]
    assert bands.explain(np.array([3.0]), np.array(["差"]), "en") == ["total 3: band “差” (below 7)"]
    doc = copy.deepcopy(BASE)
    doc["grading"]["bands"][1]["min"] = 9
    assert [(p, c) for p, c, _ in semantic_problems(doc)] == [(("grading", "bands", 1, "min"), "bands-order")]
    assert reference_duckdb.score_frame(frame([{"total": t} for t in totals]), rubric)["grade"].tolist() == ["优", "优", "良", "良", "差", "差"]


@pytest.mark.parametrize(("levels", "problem"), [
    ([{"name": "绿", "max_unmet": 2}, {"name": "黄", "max_unmet": 6}, {"name": "红"}], False),
    ([{"name": "绿", "max_unmet": 6}, {"name": "黄", "max_unmet": 2}, {"name": "红"}], True),
    ([{"name": "绿"}, {"name": "红", "max_unmet": 2}], True),
])
def test_alerts_table(levels: list[dict[str, Any]], problem: bool) -> None:
    doc = copy.deepcopy(BASE)
    doc["grading"]["alerts"] = {"unmet_below": 0.6, "levels": levels}
    found = [(p, c) for p, c, _ in semantic_problems(doc)]
    assert found == ([(("grading", "alerts", "levels"), "alerts-order")] if problem else [])
    if not problem:
        alerts = mini_rubrics({"alerts": doc["grading"]["alerts"]}).get("mini").grading.alerts
        assert alerts is not None
        assert list(alerts.evaluate(np.array([0, 2, 3, 6, 7]))) == ["绿", "绿", "黄", "黄", "红"]
        assert [r["未达标指标数"] for r in alerts.describe()] == ["0–2 项", "3–6 项", "7 项及以上"]
