"""The workbench's view model: tables show a rubric's values with their origin, and edited cells become the right draft edits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.draft import AddItem, Draft, RemoveItem, ResetValue, SetValue, key_path
from scoring.loader import load_rubrics
from scoring.rubricset import RubricSet
from scoring.whatif import Hold, Impact
from tests.rubrics.test_draft import changed_lines
from ui.model import workbench as wb

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = load_rubrics([ROOT / "rubrics"])
DRAFT = Draft.of(RUBRICS)
TABLES: dict[tuple[str, str], wb.Table] = {}


def tab(rubric: str, section: str) -> wb.Table:
    if (rubric, section) not in TABLES:
        TABLES[rubric, section] = wb.table(DRAFT, RUBRICS.get(rubric), section)
    return TABLES[rubric, section]


def edit(rubric: str, section: str, item: str, column: str, value: Any, write_to: wb.WriteTo = "own") -> wb.Edits:
    """The edits made by changing one cell of a table."""
    table = tab(rubric, section)
    edited = table.frame.copy()
    row = int(np.flatnonzero(edited[wb.ITEM] == item)[0])
    edited.at[row, column] = value
    return wb.edits(DRAFT, rubric, table, edited, write_to)


def file_text(draft: Draft, file: str) -> tuple[str, str]:
    name = next(n for n in draft.texts if Path(n).name == file)
    return DRAFT.texts[name], draft.texts[name]


@pytest.mark.parametrize("rubric", [r.id for r in RUBRICS.concrete])
@pytest.mark.parametrize("section", list(wb.SECTIONS))
def test_an_untouched_table_makes_no_edit_and_every_row_has_a_written_origin(rubric: str, section: str) -> None:
    table = tab(rubric, section)
    assert wb.edits(DRAFT, rubric, table, table.frame.copy(), "own") == wb.Edits((), ())
    assert len(table.paths) == len(table.frame) == len(table.cells)
    for cells in table.cells:
        where = wb.row_origin(cells)
        assert where is None or where.file_name.endswith(".yaml")


def test_the_rural_first_line_is_shown_as_inherited_from_core_and_points_as_overrides() -> None:
    bands = tab("rural", "bands")
    assert list(bands.frame[wb.ITEM]) == ["先进", "中间", "后进"] and list(bands.frame["min"]) == [90, 75, 0]
    first = bands.cells[0][("min",)]
    assert first is not None and (first.file_name, first.inherited, first.overrides) == ("core.yaml", True, False)
    assert first.line == file_text(DRAFT, "core.yaml")[0].splitlines().index("    - {name: 先进, name_en: Advanced, min: 90}") + 1
    standards = tab("rural", "standards")
    organization = standards.cells[list(standards.frame[wb.ITEM]).index("organization")]
    points = organization[("points",)]
    assert points is not None and (points.file_name, points.overrides) == ("rural.yaml", True)
    assert wb.row_origin(organization) == points  # the row shows what its own file writes


CASES: list[tuple[str, tuple[str, str, str, str, Any, wb.WriteTo], SetValue, str, list[str] | None, Callable[[RubricSet], bool]]] = [
    ("inherited line, written as an override", ("rural", "bands", "先进", "min", 85.0, "own"),
     SetValue("rural", key_path("grading.bands.先进.min"), 85), "rural.yaml", None,
     lambda rs: rs.get("rural").grading.bands[0].min == 85 and rs.get("urban_community").grading.bands[0].min == 90),
    ("inherited line, edited where it is written", ("rural", "bands", "先进", "min", 85.0, "source"),
     SetValue("core", key_path("grading.bands.先进.min"), 85), "core.yaml",
     ["-    - {name: 先进, name_en: Advanced, min: 90}", "+    - {name: 先进, name_en: Advanced, min: 85}"],
     lambda rs: rs.get("rural").grading.bands[0].min == 85 and rs.get("urban_community").grading.bands[0].min == 85),
    ("quota share", ("rural", "quotas", "advanced_quota", "max_share", 0.2, "own"),
     SetValue("rural", key_path("grading.quotas.advanced_quota.max_share"), 0.2), "rural.yaml", None,
     lambda rs: rs.get("rural").grading.quotas[0].max_share == 0.2),
    ("own indicator name", ("rural", "indicators", "组织健全 / one_shoulder", "name", "一肩挑", "own"),
     SetValue("rural", key_path("standards.organization.indicators.one_shoulder.name"), "一肩挑"), "rural.yaml",
     ["-        name: 书记、主任“一肩挑”", "+        name: 一肩挑"], lambda rs: rs.get("rural").standards[0].indicators[-2].name == "一肩挑"),
    ("method parameters", ("rural", "indicators", "队伍完善 / training_rate", "params", "target: 0.8, zero_at: 0.6", "source"),
     SetValue("core", key_path("standards.team.indicators.training_rate.method"), {"kind": "rate", "target": 0.8, "zero_at": 0.6}),
     "core.yaml", ["-        method: {kind: rate, target: 0.95, zero_at: 0.6}", "+        method: {kind: rate, target: 0.8, zero_at: 0.6}"],
     lambda rs: rs.get("rural").standards[1].indicators[1].method.target == 0.8),  # type: ignore[union-attr]
    ("condition value read as YAML", ("rural", "vetoes", "low_satisfaction", "when.value", "0.8", "source"),
     SetValue("core", key_path("grading.vetoes.low_satisfaction.when.value"), 0.8), "core.yaml",
     ["-      when: {column: satisfaction, op: \"<\", value: 0.9}", "+      when: {column: satisfaction, op: \"<\", value: 0.8}"],
     lambda rs: next(v for v in rs.get("rural").grading.vetoes if v.id == "low_satisfaction").when.value == 0.8),  # type: ignore[union-attr]
    ("veto grade picked from the grades", ("core", "vetoes", "mass_incident", "force", "中间", "own"),
     SetValue("core", key_path("grading.vetoes.mass_incident.force"), "中间"), "core.yaml",
     ["-      force: 后进", "+      force: 中间"],
     lambda rs: next(v for v in rs.get("rural").grading.vetoes if v.id == "mass_incident").force == "中间"),
    ("bonus cap", ("rural", "settings", "bonus_cap", "value", 5.0, "source"),
     SetValue("core", key_path("bonus.cap"), 5), "core.yaml", ["-  cap: 3", "+  cap: 5"],
     lambda rs: rs.get("rural").bonus is not None and rs.get("rural").bonus.cap == 5),  # type: ignore[union-attr]
    ("N/A allowed", ("core", "indicators", "组织健全 / election_on_time", "allow_not_applicable", True, "own"),
     SetValue("core", key_path("standards.organization.indicators.election_on_time.allow_not_applicable"), True), "core.yaml",
     None, lambda rs: rs.get("rural").standards[0].indicators[1].allow_not_applicable),
]


@pytest.mark.parametrize(("cell", "expected", "file", "lines", "check"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_edited_cell_becomes_one_edit_that_loads_as_intended(cell, expected, file, lines, check) -> None:
    found = edit(*cell)
    assert found.bad == () and found.edits == (expected,)
    draft, failed = wb.apply(DRAFT, found.edits)
    assert failed is None and [Path(n).name for n in draft.changed()] == [file]
    if lines is not None:
        assert changed_lines(*file_text(draft, file)) == lines
    assert check(draft.load())


def test_an_override_lists_every_band_of_the_rubric_as_its_own_and_only_band_lines_change() -> None:
    draft, _ = wb.apply(DRAFT, edit("rural", "bands", "先进", "min", 85.0).edits)
    lines = changed_lines(*file_text(draft, "rural.yaml"))
    assert lines == ["+  bands:", "+    - {name: 先进, name_en: Advanced, min: 85}", "+    - {name: 中间, name_en: Average, min: 75}",
                     "+    - {name: 后进, name_en: Lagging, min: 0}"]
    again = wb.table(draft, draft.load().get("rural"), "bands")
    assert all(c[("min",)] is not None and c[("min",)].overrides for c in again.cells)  # type: ignore[union-attr]


def test_points_that_no_longer_add_up_are_a_located_problem_as_validate_rubric_reports_it() -> None:
    found = edit("rural", "indicators", "组织健全 / one_shoulder", "points", 3.0)
    assert found.edits == (SetValue("rural", key_path("standards.organization.indicators.one_shoulder.points"), 3),)
    draft, _ = wb.apply(DRAFT, found.edits)
    problems = draft.problems()
    assert [(Path(p.file).name, p.line, p.code) for p in problems] == [("rural.yaml", 13, "points-mismatch")]
    assert "19" in problems[0].message


@pytest.mark.parametrize(("text", "column"), [("target: [", "params"), ("[1, 2]", "params")])
def test_a_cell_that_is_not_yaml_is_reported_not_written(text: str, column: str) -> None:
    found = edit("rural", "indicators", "队伍完善 / training_rate", column, text)
    assert found.edits == () and found.bad == (("队伍完善 / training_rate", column, text),)


def test_a_reset_brings_the_inherited_value_back() -> None:
    tables = [tab("rural", s) for s in wb.SECTIONS]
    found = dict(wb.overrides(tables))
    assert key_path("standards.organization.points") in found
    path = key_path("grading.bottom.bottom_share.share")
    assert path in found and found[path].file_name == "rural.yaml"
    assert key_path("grading.bands.先进.min") not in found  # inherited, nothing to reset
    draft, failed = wb.apply(DRAFT, wb.resets("rural", [path]))
    assert failed is None and wb.resets("rural", [path]) == (ResetValue("rural", path),)
    assert draft.load().get("rural").grading.bottom[0].share == 0.05 == RUBRICS.get("core").grading.bottom[0].share
    assert changed_lines(*file_text(draft, "rural.yaml")) == ["-      share: 0.1"]


def test_an_edit_that_cannot_be_applied_keeps_the_base_and_says_why() -> None:
    draft, failed = wb.apply(DRAFT, [SetValue("rural", key_path("grading.nothing_here.min"), 1)])
    assert draft is DRAFT and failed is not None and "nothing_here" in failed


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("number", 85.0, 85), ("number", 0.25, 0.25), ("number", float("nan"), None), ("number", None, None),
    ("flag", True, True), ("text", "  中间 ", "中间"), ("text", "", None),
    ("params", "target: 0.8", {"target": 0.8}), ("params", "{levels: {好: 2, 差: 0}}", {"levels": {"好": 2, "差": 0}}),
])
def test_cells_are_read_as_the_yaml_values_their_column_holds(kind: wb.Kind, value: Any, expected: Any) -> None:
    assert wb.parse(kind, value) == expected


def test_choices_come_from_the_rubric() -> None:
    rural = RUBRICS.get("rural")
    assert wb.grade_options(rural) == ["先进", "中间", "后进"]
    columns = wb.column_options(rural)
    assert {"secretary_violation", "satisfaction", "collective_income", "parent"} <= set(columns)
    assert {"<", ">=", "is_true", "in"} <= set(wb.operator_options())
    assert {"yes_no", "tiers", "rate"} <= set(wb.method_options())
    assert wb.sweep_grades(rural) == ["先进", "中间"]


def test_grade_mix_keeps_only_groups_that_change_when_asked() -> None:
    mix = pd.DataFrame({"period": ["2025"] * 4, "township": ["甲", "甲", "乙", "乙"], "grade": ["先进", "中间"] * 2,
                        "before": [3, 7, 2, 8], "after": [4, 6, 2, 8]})
    mix["change"] = mix["after"] - mix["before"]
    assert list(wb.mix_rows(mix, True)["township"]) == ["甲", "甲"]
    assert len(wb.mix_rows(mix, False)) == 4


def test_impact_lines_name_rubric_and_period_in_both_languages() -> None:
    impact = Impact("rural", "2025", "先进", 90, 85, 150, 212, 165, 167, (Hold("advanced_quota", "先进不超过 30%", 45),), 0,
                    "阈值降到 85 分后有 212 个支部达到先进线，但先进比例上限 30 % 只允许 167 个（调整前 165 个）")
    zh, = wb.impact_lines([impact], {"rural": "农村细则"})
    assert zh == "农村细则 · 2025：阈值降到 85 分后有 212 个支部达到先进线，但先进比例上限 30 % 只允许 167 个（调整前 165 个）"
    en, = wb.impact_lines([impact], {"rural": "农村细则"}, "en")
    assert en == ("农村细则 · 2025：With the line lowered to 85, 212 branches reach the 先进 line and 167 get it; "
                  "held back: 45 by “先进不超过 30%” (before: 165)")


def test_a_workspace_keeps_every_text_by_its_plain_file_name() -> None:
    kept = wb.texts_to_keep(DRAFT)
    assert "core.yaml" in kept and "rural.yaml" in kept and all("/" not in name for name in kept)
    assert kept["rural.yaml"] == file_text(DRAFT, "rural.yaml")[0]


def test_a_sweep_series_is_one_period() -> None:
    sweep = pd.DataFrame({"period": ["2024", "2025"], "threshold": [85.0, 85.0], "grade": ["先进"] * 2, "count": [1, 2],
                          "current": [False, False]})
    assert list(wb.sweep_series(sweep, "2025")["count"]) == [2]


def test_a_deleted_row_removes_the_rule_and_an_added_row_adds_one_in_the_own_file() -> None:
    table = tab("rural", "vetoes")
    edited = table.frame.drop(index=list(table.frame[wb.ITEM]).index("low_satisfaction"))
    added = {wb.ITEM: "small_venue", "when.column": "venue_area", "when.op": "<", "when.value": "30", "force": None,
             "cap": "中间", "flag": None, "reason": "活动场所不足 30 ㎡，不能评为先进"}
    edited = pd.concat([edited, pd.DataFrame([added], index=[len(table.frame)])])
    found = wb.edits(DRAFT, "rural", table, edited, "own")
    assert found.bad == ()
    assert found.edits == (RemoveItem("rural", key_path("grading.vetoes.low_satisfaction")),
                           AddItem("rural", ("grading", "vetoes"), {"id": "small_venue", "when": {"column": "venue_area", "op": "<", "value": 30},
                                                                     "cap": "中间", "reason": "活动场所不足 30 ㎡，不能评为先进"}))
    draft, failed = wb.apply(DRAFT, found.edits)
    assert failed is None and [Path(n).name for n in draft.changed()] == ["rural.yaml"]
    vetoes = {v.id: v for v in draft.load().get("rural").grading.vetoes}
    assert "low_satisfaction" not in vetoes and vetoes["small_venue"].cap == "中间"
    assert "low_satisfaction" in {v.id for v in draft.load().get("urban_community").grading.vetoes}  # core untouched


@pytest.mark.parametrize(("section", "fixed"), [("indicators", True), ("bands", True), ("settings", True), ("quotas", False)])
def test_only_rule_tables_grow_or_shrink(section: str, fixed: bool) -> None:
    table = tab("rural", section)
    found = wb.edits(DRAFT, "rural", table, table.frame.iloc[1:], "own")
    assert (found.edits == ()) is fixed


@pytest.mark.parametrize(("change", "bad"), [
    (lambda f: f.assign(item=["renamed", *f["item"][1:]]), ("advanced_quota", "item", "renamed")),
    (lambda f: pd.concat([f, pd.DataFrame([{wb.ITEM: None, "grade": "先进"}], index=[len(f)])]), ("—", "item", "")),
])
def test_a_renamed_rule_or_a_new_row_without_id_is_reported_not_written(change, bad) -> None:
    table = tab("rural", "quotas")
    found = wb.edits(DRAFT, "rural", table, change(table.frame.copy()), "own")
    assert found.edits == () and found.bad == (bad,)


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x], b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a], c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b], " \
         "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]"


@pytest.mark.parametrize("text", [LAUGHS, "x" * (wb.CELL_CHARS + 1), "{" * 60])
def test_a_cell_too_large_or_expanding_too_far_is_refused_quickly(text: str) -> None:
    with pytest.raises(wb.CellError):
        wb.parse("params", text)
    found = edit("rural", "vetoes", "secretary_vacant", "when.value", f"[{text}]" if text == LAUGHS else text)
    assert found.edits == () and len(found.bad) == 1


@pytest.mark.parametrize(("shown", "expected"), [({}, ["先进", "后进"]), ({"先进": "Advanced"}, ["Advanced", "后进"])])
def test_what_if_tables_show_grades_in_the_user_s_language(shown: dict[str, str], expected: list[str]) -> None:
    frame = pd.DataFrame({"grade_before": ["先进", "后进"], "reason": ["先进比例上限", "分数线"]})
    out = wb.named(frame, shown)
    assert list(out["grade_before"]) == expected and list(out["reason"]) == ["先进比例上限", "分数线"]


def test_kept_grade_lines_go_back_to_their_inputs_and_every_other_edit_stays_an_edit() -> None:
    bands = tab("rural", "bands")
    line = SetValue("rural", key_path("grading.bands.中间.min"), 70)
    inherited = SetValue("core", key_path("grading.bands.先进.min"), 85)  # written at source: not the rural input's value
    veto = RemoveItem("rural", key_path("grading.vetoes.empty_shell"))
    seeds, rest = wb.band_seeds(bands, "rural", [line, inherited, veto])
    assert seeds == {list(bands.frame[wb.ITEM]).index("中间"): 70}
    assert rest == (inherited, veto)
