"""Reason texts as a table: each rule kind's line, weighted sources, not-applicable items, outcomes said once, English."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from scoring.engine import score
from scoring.explain import TEMPLATES, reasons
from tests.unit.mini import BASE, frame, mini_rubrics

TWO_SOURCES = [{"id": "review", "name": "上级评定", "weight": 0.6}, {"id": "self", "name": "自评", "weight": 0.4, "header": "{label}（自评）"}]
VETO_SAYS_GRADE = {"vetoes": [{"id": "accident", "reason": "发生事故，定为差", "when": {"column": "incident", "op": "is_true"}, "force": "差"}]}
VETO_PLAIN = {"vetoes": [{"id": "accident", "reason": "发生事故，一票否决", "when": {"column": "incident", "op": "is_true"}, "force": "差"}]}
DIRECT = {"direct": [{"id": "award", "when": {"column": "award", "op": "==", "value": "国家级"}, "grade": "优",
                       "reason": "获国家级表彰，直接评为优"}]}


def _standards_with(**extra):
    standards = [dict(s) for s in BASE["standards"]]
    standards[0] = {**standards[0], "indicators": [standards[0]["indicators"][0], {**standards[0]["indicators"][1], **extra}]}
    return standards


def _reasons(rubrics, row, na=None, lang="zh"):
    data = frame([row])
    results = score(data, rubrics, None if na is None else pd.DataFrame(na, index=data.index))
    return reasons(results, rubrics, results.branches.index[0], lang)


@pytest.mark.parametrize(("rubric", "row", "na", "wanted", "unwanted"), [
    pytest.param(mini_rubrics(sources=TWO_SOURCES), {"x": 2.0, "x@self": 4.0}, None,
                 "甲·X：失 1.2 分（得 2.8 分）——上级评定：考评组直接评分 2 分；自评：考评组直接评分 4 分", None, id="weighted-quotes-every-source"),
    pytest.param(mini_rubrics(sources=TWO_SOURCES), {"x": 2.0, "x@self": float("nan")}, None,
                 "自评未填（按其余来源的权重折算）", None, id="weighted-blank-source-says-policy"),
    pytest.param(mini_rubrics(sources=TWO_SOURCES, blank_source="zero"), {"x": 2.0, "x@self": float("nan")}, None,
                 "自评未填（该来源记 0 分）", None, id="weighted-blank-source-zero"),
    pytest.param(mini_rubrics(VETO_SAYS_GRADE), {"incident": 1.0}, None,
                 "发生事故，定为差（发生事故为“是”）", "定为“差”", id="veto-reason-not-repeated"),
    pytest.param(mini_rubrics(VETO_PLAIN), {"incident": 1.0}, None,
                 "发生事故，一票否决（发生事故为“是”），定为“差”", None, id="veto-effect-added-once"),
    pytest.param(mini_rubrics(DIRECT), {"award": 0.0}, None, "获国家级表彰，直接评为优", "定为“优”", id="direct-not-repeated"),
    pytest.param(mini_rubrics(standards=_standards_with(allow_not_applicable=True)), {"y": float("nan")}, {"y": [True]},
                 "甲·Y：填报为“不适用”，本标准按其余指标分值折算", "失", id="typed-not-applicable-line"),
    pytest.param(mini_rubrics(standards=_standards_with(not_applicable_when={"column": "incident", "op": "is_true"})),
                 {"incident": 1.0, "y": 0.0}, None, "甲·Y：不适用（发生事故为“是”），本标准按其余指标分值折算", "甲·Y：失",
                 id="ruled-not-applicable-line"),
    pytest.param(mini_rubrics(), {"y": float("nan")}, {"y": [True]}, "甲·Y：失 2 分（得 0 分）——未填写，不得分", "不适用",
                 id="not-allowed-is-not-filled"),
])
def test_reason_lines(rubric, row, na, wanted, unwanted):
    lines = _reasons(rubric, row, na)
    assert any(wanted in line for line in lines), lines
    if unwanted:
        assert not any(unwanted in line for line in lines), lines


def test_every_template_has_chinese_and_english_with_the_same_fields():
    for code, texts in TEMPLATES.items():
        assert set(texts) == {"zh", "en"}, code
        assert set(re.findall(r"{(\w+)}", texts["zh"])) == set(re.findall(r"{(\w+)}", texts["en"])), code


def test_english_reasons_carry_no_chinese_of_their_own():
    rubrics = mini_rubrics(VETO_PLAIN)
    lines = _reasons(rubrics, {"incident": 1.0, "x": 1.0}, lang="en")
    content = r"“[^”]*”|发生事故，一票否决|发生事故|甲|乙|\bX\b|优|良|差"  # rubric content: names, reasons, grades
    own = [re.sub(content, "", line) for line in lines]
    assert lines and not any(re.search(r"[\u4e00-\u9fff]", line) for line in own), lines


def test_english_reasons_use_the_english_names_a_rubric_gives():
    standards = [{**s, "name_en": f"Std {s['id']}", "indicators": [{**i, "name_en": f"Item {i['id']}"} for i in s["indicators"]]}
                 for s in BASE["standards"]]
    bands = [{"name": "优", "name_en": "Top", "min": 9}, {"name": "良", "name_en": "Good", "min": 7}, {"name": "差", "name_en": "Poor", "min": 0}]
    rubrics = mini_rubrics({"bands": bands, **VETO_PLAIN}, standards=standards)
    lines = _reasons(rubrics, {"incident": 1.0, "x": 1.0}, lang="en")
    assert "Std a · Item x: lost 3 (earned 1) — scored 1 by the assessors" in lines
    assert "total 7: band “Good” (7 or more)" in lines
    assert "发生事故，一票否决 (发生事故 is “yes”), graded “Poor”" in lines
    assert lines[-1] == "final grade: Poor"
    assert _reasons(rubrics, {"incident": 1.0, "x": 1.0})[-1] == "最终等次：差"  # Chinese keeps the Chinese names
