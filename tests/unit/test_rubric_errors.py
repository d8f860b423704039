"""Every rubric mistake is reported at once, each with file, line, column and a Chinese fix hint."""

from pathlib import Path

import pytest
import yaml

from scoring.errors import RubricError
from scoring.loader import load_rubrics, parse_rubrics
from tests.unit.mini import BASE

VALID = yaml.safe_dump(BASE, allow_unicode=True, sort_keys=False)
VETO = """  vetoes:
  - id: v1
    reason: 事故
    when: {column: COLUMN, op: is_true}
    force: GRADE
"""


def problems(text: str, extra: dict[str, str] | None = None):
    with pytest.raises(RubricError) as info:
        parse_rubrics({"bad.yaml": text, **(extra or {})})
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def with_veto(column: str = "incident", grade: str = "差") -> str:
    return VALID.replace("  rank_by: parent\n", "  rank_by: parent\n" + VETO.replace("COLUMN", column).replace("GRADE", grade))


@pytest.mark.parametrize(
    ("text", "code", "marker"),
    [
        pytest.param(VALID.replace("kind: direct", "kind: magic", 1), "unknown-method", "kind: magic", id="unknown-method"),
        pytest.param(VALID.replace("  - id: y\n", "  - id: x  # again\n", 1), "duplicate-id", "# again", id="duplicate-indicator"),
        pytest.param(VALID.replace("total: 10", "total: 12"), "total-mismatch", "total: 12", id="total"),
        pytest.param(VALID.replace("min: 7", "min: 9.5"), "bands-order", "min: 9.5", id="bands-order"),
        pytest.param(VALID.replace("name: Y\n", "nmae: Y\n"), "extra-forbidden", "nmae: Y", id="typo-key"),
        pytest.param(VALID.replace("rank_by: parent", "rank_by: nowhere"), "unknown-column", "rank_by: nowhere", id="rank-by"),
        pytest.param(with_veto(column="nowhere"), "unknown-column", "column: nowhere", id="veto-column"),
        pytest.param(with_veto(grade="最好"), "unknown-grade", "force: 最好", id="veto-grade"),
        pytest.param(VALID + "id: again\n", "duplicate-key", "id: again", id="duplicate-key"),
        pytest.param("id: x\nname: [unclosed\n", "yaml-syntax", None, id="yaml-syntax"),
        pytest.param(VALID.replace("total: 10", "total: ten"), "float-type", "total: ten", id="wrong-type"),
    ],
)
def test_mistake_is_located_with_a_chinese_hint(text, code, marker):
    found = problems(text)
    hit = next((p for p in found if p.code == code), None)
    assert hit is not None, [str(p) for p in found]
    assert hit.file == "bad.yaml"
    assert hit.line == (line_of(text, marker) if marker else 3)
    assert hit.column >= 1
    assert has_chinese(hit.message)


def test_points_mismatch_points_at_the_standard():
    text = VALID.replace("points: 2\n", "points: 3\n", 1)
    hit = next(p for p in problems(text) if p.code == "points-mismatch")
    assert "甲" in hit.message and "7" in hit.message
    assert hit.line == line_of(text, "points: 6")


def test_every_mistake_reported_at_once():
    text = with_veto(column="nowhere", grade="最好").replace("kind: direct", "kind: magic", 1).replace("total: 10", "total: 12")
    codes = {p.code for p in problems(text)}
    assert {"unknown-method", "unknown-column", "unknown-grade", "total-mismatch"} <= codes


def test_tiers_out_of_order():
    text = VALID.replace("      kind: direct", "      kind: tiers\n      tiers: [{min: 1, points: 1}, {min: 2, points: 2}]", 1)
    assert text != VALID
    hit = next(p for p in problems(text) if p.code == "tiers-order")
    assert hit.line == line_of(text, "tiers: [{min: 1")


CHILD = "id: child\nname: 子细则\nextends: {parent}\nfields: [子]\n"


def test_extends_cycle_is_reported():
    docs = {"a.yaml": CHILD.replace("child", "a").replace("{parent}", "b"), "b.yaml": CHILD.replace("child", "b").replace("{parent}", "a")}
    with pytest.raises(RubricError) as info:
        parse_rubrics(docs)
    hit = next(p for p in info.value.problems if p.code == "extends-cycle")
    assert hit.line == 3 and "循环" in hit.message


def test_unknown_parent_is_reported():
    found = problems(CHILD.format(parent="ghost"))
    hit = next(p for p in found if p.code == "unknown-parent")
    assert hit.line == 3 and "ghost" in hit.message


def test_removing_an_unknown_item_is_reported():
    child = CHILD.format(parent="mini") + "standards:\n  - id: a\n    indicators:\n      - id: nope\n        remove: true\n"
    found = problems(child, {"mini.yaml": VALID})
    hit = next(p for p in found if p.code == "remove-unknown")
    assert hit.file == "bad.yaml" and hit.line == line_of(child, "id: nope")


def test_error_in_child_after_merge_names_the_child_file():
    child = CHILD.format(parent="mini") + "standards:\n  - id: b\n    points: 5\n"
    found = problems(child, {"mini.yaml": VALID})
    hit = next(p for p in found if p.code == "points-mismatch")
    assert hit.file == "bad.yaml" and hit.line == line_of(child, "points: 5")


def test_child_overrides_adds_and_removes_by_id():
    child = CHILD.format(parent="mini") + (
        "standards:\n  - id: a\n    indicators:\n      - id: y\n        remove: true\n"
        "      - id: w\n        name: W\n        points: 2\n        method: {kind: yes_no}\n"
        "  - id: b\n    name: 乙改\n"
    )
    rubrics = parse_rubrics({"child.yaml": child}, {"mini.yaml": VALID})
    rubric = rubrics.get("child")
    assert [i.id for i in rubric.standards[0].indicators] == ["x", "w"]
    assert rubric.standards[1].name == "乙改"
    assert rubric.grading.bands[0].name == "优"
    assert rubrics.library == {"mini.yaml": VALID}


def test_shipped_rubrics_load_and_a_broken_file_is_named(tmp_path):
    assert {r.id for r in load_rubrics(["rubrics"]).rubrics} >= {"core", "rural"}
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nname: 坏\nextends: core\nfields: [坏]\ntotal: 99\n", encoding="utf-8")
    (tmp_path / "core.yaml").write_text(Path("rubrics/core.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubrics([bad])
    assert any(p.file.endswith("broken.yaml") and p.code == "total-mismatch" and p.line == 5 for p in info.value.problems)


def test_blank_zero_on_a_level_column_is_refused():
    text = VALID.replace("  type: level\n", "  type: level\n  blank: zero  # the trap\n", 1)
    assert text != VALID
    hit = next(p for p in problems(text) if p.code == "blank-zero-level")
    assert hit.line == line_of(text, "# the trap") and "最好的等次" in hit.message


def test_skip_condition_on_unknown_column_is_refused():
    text = VALID + "skip:\n- id: young\n  reason: 新成立\n  when: {column: founded_months, op: '<', value: 12}\n"
    hit = next(p for p in problems(text) if p.code == "unknown-column")
    assert hit.line == line_of(text, "founded_months")


def test_inherited_value_broken_by_the_child_is_reported_in_the_child():
    child = CHILD.format(parent="mini") + (
        "standards:\n  - id: a\n    points: 7\n    indicators:\n      - {id: w, name: W, points: 1, method: {kind: yes_no}}\n"
    )
    found = problems(child, {"mini.yaml": VALID})
    hit = next(p for p in found if p.code == "total-mismatch")
    assert hit.file == "bad.yaml" and hit.line == line_of(child, "extends:")
    assert "继承自 mini.yaml" in hit.message
