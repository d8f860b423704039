"""Each scoring method as a table: value → points, and its Chinese explanation."""

import numpy as np
import pytest
from pydantic import TypeAdapter

from scoring.methods import AnyMethod

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


@pytest.mark.parametrize("spec", [c[0] for c in CASES[::4]])
def test_every_method_describes_itself(spec):
    assert METHOD.validate_python(spec).describe(4.0)


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
