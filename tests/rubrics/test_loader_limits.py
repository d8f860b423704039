"""Hostile rubrics are refused inside time and memory bounds, with a located Chinese message naming the limit."""

from __future__ import annotations

import pytest

from scoring.errors import RubricError
from scoring.loader import parse_rubrics
from scoring.located import LIMITS, read_located
from tests.rubrics.hostile import CASES, alias_bomb, load_bounded

MAX_SECONDS = 5.0  # each case takes well under a second; before the bounds the alias bomb ran for minutes
MAX_PEAK = 64 * 2**20  # bytes traced while loading; before the bounds the alias bomb reached gigabytes
LIMIT_NUMBERS = {"limit-values": LIMITS.values, "limit-aliases": LIMITS.aliases, "limit-depth": LIMITS.depth,
                 "limit-number": LIMITS.number_digits, "limit-size": LIMITS.chars // 1024}


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, object]]:
    return load_bounded({name: text for name, (text, _) in CASES.items()})


def test_the_alias_bomb_is_as_small_as_reported():
    assert len(alias_bomb().encode("utf-8")) < 600


@pytest.mark.parametrize("name", CASES)
def test_hostile_rubric_is_refused_within_bounds(measured, name):
    _, code = CASES[name]
    result = measured[name]
    outcome = result["outcome"]
    assert outcome not in (["loaded"],) and outcome[0] != "escaped", outcome
    assert [p[3] for p in outcome] == [code], outcome
    file, line, column, _, message = outcome[0]
    assert file == "用户上传.yaml" and line >= 1 and column >= 1
    assert f"{LIMIT_NUMBERS[code]:,}" in message and "上限" in message
    assert result["seconds"] < MAX_SECONDS, result
    assert result["peak"] < MAX_PEAK, result


def test_limits_are_located_where_the_document_crosses_them():
    text = "id: deep\nname: 深\nx:\n  y: " + "[" * 100 + "]" * 100 + "\n"
    with pytest.raises(RubricError) as info:
        parse_rubrics({"deep.yaml": text})
    (problem,) = info.value.problems
    assert (problem.code, problem.line) == ("limit-depth", 4)


def test_anchors_and_merge_keys_within_the_limits_still_load():
    shared = "id: shared\nname: 共用\nbase: &base {name: 甲, points: 1}\nlist: [*base, *base]\nmerged:\n  <<: *base\n  points: 2\n"

    found = read_located(shared, "shared.yaml")
    assert found.problems == []
    assert found.data["list"] == [{"name": "甲", "points": 1}] * 2
    assert found.data["merged"] == {"name": "甲", "points": 2}
    assert found.data["list"][0] is not found.data["list"][1]  # copies, so no later step walks shared structure unbounded
