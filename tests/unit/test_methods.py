"""Each scoring method as a table: value → points, and its Chinese explanation."""

import re

import numpy as np
import pytest
from pydantic import TypeAdapter

from scoring.methods import METHODS, AnyMethod

METHOD = TypeAdapter(AnyMethod)
NAN = float("nan")

CASES = [
    # (method spec, indicator points, input value, expected points)
    ({"kind": "yes_no"}, 4, 1.0, 4.0),
    ({"kind": "yes_no"}, 4, 0.0, 0.0),
    ({"kind": "yes_no", "good": False}, 4, 0.0, 4.0),
    ({"kind": "yes_no", "good": False}, 4, 1.0, 0.0),
    ({"kind": "count", "per_unit": 0.25}, 3, 12, 3.0),
    ({"kind": "count", "per_unit": 0.25}, 3, 8, 2.0),
    ({"kind": "count", "per_unit": 0.25}, 3, 20, 3.0),
    ({"kind": "count", "per_unit": 0.25}, 3, -2, 0.0),
    ({"kind": "tiers", "tiers": [{"min": 200, "points": 5}, {"min": 100, "points": 3}]}, 5, 250, 5.0),
    ({"kind": "tiers", "tiers": [{"min": 200, "points": 5}, {"min": 100, "points": 3}]}, 5, 200, 5.0),
    ({"kind": "tiers", "tiers": [{"min": 200, "points": 5}, {"min": 100, "points": 3}]}, 5, 199.9, 3.0),
    ({"kind": "tiers", "tiers": [{"min": 200, "points": 5}, {"min": 100, "points": 3}]}, 5, 99, 0.0),
    ({"kind": "rate", "target": 0.95, "zero_at": 0.6}, 8, 0.95, 8.0),
    ({"kind": "rate", "target": 0.95, "zero_at": 0.6}, 8, 1.0, 8.0),
    ({"kind": "rate", "target": 0.95, "zero_at": 0.6}, 8, 0.775, 4.0),
    ({"kind": "rate", "target": 0.95, "zero_at": 0.6}, 8, 0.5, 0.0),
    ({"kind": "rate", "target": 1.0}, 4, 0.5, 2.0),
    ({"kind": "level", "levels": {"好": 3, "较好": 2, "一般": 1, "差": 0}}, 3, 0, 3.0),
    ({"kind": "level", "levels": {"好": 3, "较好": 2, "一般": 1, "差": 0}}, 3, 1, 2.0),
    ({"kind": "level", "levels": {"好": 3, "较好": 2, "一般": 1, "差": 0}}, 3, 3, 0.0),
    ({"kind": "deduction", "per_occurrence": 0.2}, 2, 0, 2.0),
    ({"kind": "deduction", "per_occurrence": 0.2}, 2, 3, 1.4),
    ({"kind": "deduction", "per_occurrence": 0.2}, 2, 50, 0.0),
    ({"kind": "deduction", "per_occurrence": 1, "floor": 1}, 4, 10, 1.0),
    ({"kind": "direct"}, 4, 3.5, 3.5),
    ({"kind": "direct"}, 4, 9, 4.0),
    ({"kind": "direct"}, 4, -1, 0.0),
]


@pytest.mark.parametrize(("spec", "points", "value", "expected"), CASES)
def test_method_points(spec, points, value, expected):
    method = METHOD.validate_python(spec)
    got = method.score(np.array([float(value)]), float(points))
    assert got[0] == pytest.approx(expected)


@pytest.mark.parametrize(("spec", "points", "value", "expected"), CASES)
def test_blank_stays_blank(spec, points, value, expected):
    method = METHOD.validate_python(spec)
    assert np.isnan(method.score(np.array([NAN]), float(points))[0])


@pytest.mark.parametrize(
    ("spec", "value", "fragment"),
    [
    ({"kind": "yes_no"}, 0.0, "应为“是”"),
    ({"kind": "count", "per_unit": 0.25}, 8, "满分需 20次"),
    ({"kind": "tiers", "unit": "㎡", "tiers": [{"min": 200, "points": 5}, {"min": 100, "points": 3}]}, 120, "达到 200㎡ 可得 5 分"),
    ({"kind": "rate", "target": 0.95}, 0.8, "80.0%"),
    ({"kind": "level", "levels": {"好": 3, "较好": 2}}, 1, "较好"),
    ({"kind": "deduction", "per_occurrence": 0.2}, 3, "每次扣 0.2 分"),
    ({"kind": "direct"}, 2.5, "2.5 分"),
    ],
)
def test_explanations_name_the_shortfall(spec, value, fragment):
    method = METHOD.validate_python(spec)
    earned = float(method.score(np.array([float(value)]), 5.0)[0])
    assert fragment in method.explain(value, earned, 5.0)


_DESCRIBE_CASES = [
    ({"kind": "yes_no"}, "是得 4 分，否不得分", "yes earns 4, no earns 0"),
    ({"kind": "yes_no", "good": False}, "否得 4 分，是不得分", "no earns 4, yes earns 0"),
    ({"kind": "count", "per_unit": 0.5}, "每次得 0.5 分，最高 4 分", "each earns 0.5, up to 4"),
    ({"kind": "tiers", "unit": "学时", "tiers": [{"min": 56, "points": 2}, {"min": 40, "points": 1}]},
     "≥56学时 得 2 分；≥40学时 得 1 分；其余 0 分", "≥56 earns 2; ≥40 earns 1; otherwise 0"),
    ({"kind": "rate", "target": 0.95, "zero_at": 0.6}, "达到 95% 得满分，60% 及以下不得分，其间按比例计分",
     "95% or more earns full points, 60% or less earns 0, in proportion between"),
    ({"kind": "level", "levels": {"好": 4, "较好": 2.5}}, "好 4 分；较好 2.5 分", "好 4; 较好 2.5"),
    ({"kind": "deduction", "per_occurrence": 0.5}, "每次扣 0.5 分，扣完为止", "0.5 off each, down to 0"),
    ({"kind": "deduction", "per_occurrence": 0.5, "floor": 1}, "每次扣 0.5 分，最低 1 分", "0.5 off each, never below 1"),
    ({"kind": "direct"}, "考评组按实际情况直接评分，0–4 分", "scored directly by the assessors, 0–4"),
]


@pytest.mark.parametrize(("spec", "zh", "en"), _DESCRIBE_CASES)
def test_every_method_describes_itself_in_both_languages(spec, zh, en):
    method = METHOD.validate_python(spec)
    assert method.describe(4.0) == zh
    assert method.describe(4.0, "en") == en
    assert method.describe(4.0, "fr") == zh  # any other language falls back to Chinese
    chrome = en
    for name in sorted(spec.get("levels", {}), key=len, reverse=True):  # level names are the rubric's own words
        chrome = chrome.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", chrome), en


def test_every_method_kind_has_a_describe_case():
    kinds = {c[0]["kind"] for c in _DESCRIBE_CASES}
    assert kinds == set(METHODS)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "rate", "target": 0.5, "zero_at": 0.6},
        {"kind": "count", "per_unit": 0},
        {"kind": "tiers", "tiers": []},
        {"kind": "unknown"},
        {"kind": "count", "per_unit": 1, "typo": 2},
    ],
)
def test_invalid_method_specs_are_rejected(spec):
    with pytest.raises(ValueError):
        METHOD.validate_python(spec)
