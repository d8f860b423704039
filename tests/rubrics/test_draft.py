"""Rubric drafts: edits change only the lines they must, keep comments, and load into the intended model."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.draft import AddItem, Draft, DraftError, Edit, RemoveItem, ResetValue, SetValue, key_path
from scoring.loader import load_rubrics
from scoring.rubricset import RubricSet

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = load_rubrics([ROOT / "rubrics"])
DRAFT = Draft.of(RUBRICS)


def name_of(file: str) -> str:
    return next(n for n in DRAFT.texts if Path(n).name == file)


def changed_lines(before: str, after: str) -> list[str]:
    """The removed (-) and added (+) lines of a diff, in order."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def rural(rs: RubricSet):
    return rs.get("rural")


CASES: list[tuple[str, Edit | tuple[Edit, ...], str, list[str], Callable[[RubricSet], bool]]] = [
    ("core band threshold", SetValue("core", key_path("grading.bands.中间.min"), 70), "core.yaml",
     ["-    - {name: 中间, name_en: Average, min: 75}", "+    - {name: 中间, name_en: Average, min: 70}"],
     lambda rs: rs.get("core").grading.bands[1].min == 70 and rural(rs).grading.bands[1].min == 70),
    ("inherited threshold becomes an override", SetValue("rural", key_path("grading.bands.先进.min"), 85), "rural.yaml",
     ["+  bands:", "+    - {name: 先进, name_en: Advanced, min: 85}", "+    - {name: 中间, name_en: Average, min: 75}",
      "+    - {name: 后进, name_en: Lagging, min: 0}"],
     lambda rs: [b.min for b in rural(rs).grading.bands] == [85, 75, 0]),
    ("indicator points", (SetValue("core", key_path("standards.team.indicators.secretary_training.points"), 3),
                          SetValue("core", key_path("standards.team.indicators.member_review.points"), 1)), "core.yaml",
     ["-        points: 2", "+        points: 3", "-        points: 2", "+        points: 1"],
     lambda rs: [i.points for i in rural(rs).standards[1].indicators][2:4] == [3, 1]),
    ("method parameter in a flow mapping", SetValue("core", key_path("standards.team.indicators.training_rate.method.target"), 0.9),
     "core.yaml", ["-        method: {kind: rate, target: 0.95, zero_at: 0.6}", "+        method: {kind: rate, target: 0.9, zero_at: 0.6}"],
     lambda rs: rural(rs).standards[1].indicators[1].method.target == 0.9),
    ("quota share", SetValue("core", key_path("grading.quotas.advanced_quota.max_share"), 0.25), "core.yaml",
     ["-      max_share: 0.3", "+      max_share: 0.25"], lambda rs: rural(rs).grading.quotas[0].max_share == 0.25),
    ("inherited quota share becomes an override", SetValue("rural", key_path("grading.quotas.advanced_quota.max_share"), 0.35),
     "rural.yaml", ["+  quotas:", "+    - id: advanced_quota", "+      max_share: 0.35"],
     lambda rs: rural(rs).grading.quotas[0].max_share == 0.35 and rural(rs).grading.quotas[0].group_by == "parent"),
    ("quoted operator kept beside the edited value", SetValue("core", key_path("grading.vetoes.secretary_vacant.when.value"), 6),
     "core.yaml", ['-      when: {column: secretary_vacant_months, op: ">=", value: 3}',
                   '+      when: {column: secretary_vacant_months, op: ">=", value: 6}'],
     lambda rs: next(v for v in rural(rs).grading.vetoes if v.id == "secretary_vacant").when.value == 6),
    ("reset an override", ResetValue("rural", key_path("grading.bottom.bottom_share.share")), "rural.yaml",
     ["-      share: 0.1"], lambda rs: rural(rs).grading.bottom[0].share == 0.05),
    ("remove an inherited item", RemoveItem("rural", key_path("grading.vetoes.low_satisfaction")), "rural.yaml",
     ["+    - id: low_satisfaction", "+      remove: true"],
     lambda rs: "low_satisfaction" not in {v.id for v in rural(rs).grading.vetoes}),
    ("add an item", AddItem("core", key_path("grading.vetoes"), {"id": "audit_failed", "when": {"column": "mass_incident", "op": "is_true"},
                                                                "cap": "中间", "reason": "审计未通过"}), "core.yaml",
     ["+    - id: audit_failed", "+      when: {column: mass_incident, op: is_true}", "+      cap: 中间", "+      reason: 审计未通过"],
     lambda rs: rs.get("core").grading.vetoes[-1].id == "audit_failed" and "audit_failed" in {v.id for v in rural(rs).grading.vetoes}),
    ("remove one tier of an overriding tier list",
     RemoveItem("rural", key_path("standards.position.indicators.venue_area.method.tiers.1")), "rural.yaml",
     ["-        method: {kind: tiers, unit: ㎡, tiers: [{min: 200, points: 5}, {min: 150, points: 4}, {min: 100, points: 3}]}",
      "+        method: {kind: tiers, unit: ㎡, tiers: [{min: 200, points: 5}, {min: 100, points: 3}]}"],
     lambda rs: [t.min for t in rural(rs).standards[3].indicators[0].method.tiers] == [200, 100]),
]


@pytest.mark.parametrize(("edit", "file", "expected", "check"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_edit_changes_only_its_lines_keeps_comments_and_loads(edit, file: str, expected: list[str], check) -> None:
    draft = DRAFT.apply(*(edit if isinstance(edit, tuple) else (edit,)))
    name = name_of(file)
    assert draft.changed() == [name]
    assert changed_lines(DRAFT.texts[name], draft.texts[name]) == expected
    comments = [line for line in DRAFT.texts[name].splitlines() if line.lstrip().startswith("#")]
    assert [line for line in draft.texts[name].splitlines() if line.lstrip().startswith("#")] == comments
    loaded = draft.load()
    assert check(loaded)
    untouched = [r.id for r in RUBRICS.rubrics if r.id not in ("core", "rural") and file == "rural.yaml"]
    assert all(loaded.get(i) == RUBRICS.get(i) for i in untouched)


def test_each_rubric_is_found_in_its_own_file() -> None:
    assert {Path(DRAFT.file_of(r.id)).stem for r in RUBRICS.rubrics} == {p.stem for p in (ROOT / "rubrics").glob("*.yaml")}


def test_a_reset_after_an_override_restores_the_file_exactly() -> None:
    path = key_path("grading.bands.先进.min")
    draft = DRAFT.apply(SetValue("rural", path, 85), ResetValue("rural", path))
    assert draft.changed() == []
    assert draft.load().get("rural") == RUBRICS.get("rural")


def test_a_removed_own_item_is_deleted_and_the_loader_reports_what_it_broke() -> None:
    draft = DRAFT.apply(RemoveItem("rural", key_path("standards.organization.indicators.young_cadre")))
    text = draft.texts[name_of("rural.yaml")]
    assert "young_cadre" not in text
    problems = draft.problems()
    assert [p.code for p in problems] == ["points-mismatch"]
    assert Path(problems[0].file).name == "rural.yaml"


def test_the_origin_of_an_inherited_value_names_the_parent_file_and_line() -> None:
    core_lines = DRAFT.texts[name_of("core.yaml")].splitlines()
    line = core_lines.index("    - {name: 先进, name_en: Advanced, min: 90}") + 1
    origin = DRAFT.origin("rural", "grading.bands.先进.min")
    assert (origin.file_name, origin.line, origin.inherited, origin.overrides) == ("core.yaml", line, True, False)
    assert origin.describe() == f"继承自 core.yaml 第 {line} 行"


def test_the_origin_of_an_override_and_of_an_own_item() -> None:
    rural_lines = DRAFT.texts[name_of("rural.yaml")].splitlines()
    override = DRAFT.origin("rural", "standards.organization.points")
    assert (override.file_name, override.inherited, override.overrides) == ("rural.yaml", False, True)
    assert rural_lines[override.line - 1].strip() == "points: 18"
    own = DRAFT.origin("rural", "standards.organization.indicators.one_shoulder.points")
    assert (own.inherited, own.overrides) == (False, False)
    moved = DRAFT.apply(SetValue("rural", key_path("grading.bands.先进.min"), 85)).origin("rural", "grading.bands.先进.min")
    assert (moved.file_name, moved.inherited, moved.overrides) == ("rural.yaml", False, True)


@pytest.mark.parametrize(("edit", "message"), [
    (SetValue("rural", key_path("grading.nonsense.min"), 1), "不存在"),
    (ResetValue("rural", key_path("grading.bands.先进.min")), "没有在本文件中覆盖"),
    (ResetValue("rural", key_path("standards.organization.indicators.one_shoulder.points")), "没有可恢复的继承值"),
    (RemoveItem("rural", key_path("grading.vetoes.no_such_veto")), "不是可删除的列表项目"),
    (SetValue("nowhere", key_path("total"), 1), "没有 id"),
    (SetValue("rural", key_path("total"), object()), "不支持的取值类型"),
])
def test_an_edit_that_cannot_apply_is_a_draft_error(edit: Edit, message: str) -> None:
    with pytest.raises(DraftError, match=message):
        DRAFT.apply(edit)


INDICATORS = [(s.id, i.id, i.points) for s in RUBRICS.get("core").standards for i in s.indicators]


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(INDICATORS), st.integers(min_value=1, max_value=30))
def test_setting_any_core_indicator_points_changes_exactly_that_line(target: tuple[str, str, float], points: int) -> None:
    standard, indicator, old = target
    draft = DRAFT.apply(SetValue("core", ("standards", standard, "indicators", indicator, "points"), points))
    changed = changed_lines(DRAFT.texts[name_of("core.yaml")], draft.texts[name_of("core.yaml")])
    if points == old:
        assert changed == []
    else:
        assert [line[0] + line[1:].strip() for line in changed] == [f"-points: {old:g}", f"+points: {points}"]
        assert changed[0][1:].replace(f"{old:g}", str(points)) == changed[1][1:]  # same indentation
