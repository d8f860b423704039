"""What-if on the sample city: figures equal scoring the edited YAML from scratch; impacts name the binding rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.draft import AddItem, Draft, Edit, RemoveItem, SetValue, key_path
from scoring.engine import score
from scoring.results import Results
from scoring.rubricset import RubricSet
from scoring.whatif import BAND, Comparison, Hold, sweep_values, threshold_sweep, what_if

CITY = "city.csv"
GRADE_COLUMNS = ["total", "band_grade", "grade", "level", "rank", "group_size", "alert"]
ALL = ("government", "hospital", "private_enterprise", "rural", "school", "social_org", "state_enterprise", "urban_community")

EDITS: dict[str, tuple[list[Edit], dict[str, tuple[str, ...]]]] = {
    "rural 先进 threshold 90 → 85": ([SetValue("rural", key_path("grading.bands.先进.min"), 85)], {"regraded": ("rural",)}),
    "core quota 30 % → 20 %": ([SetValue("core", key_path("grading.quotas.advanced_quota.max_share"), 0.2)],
                               {"regraded": ("rural",), "reused": ("private_enterprise",)}),  # which already has 20 %
    "core satisfaction veto 90 % → 80 %": ([SetValue("core", key_path("grading.vetoes.low_satisfaction.when.value"), 0.8)],
                                           {"regraded": ("rural", "urban_community")}),
    "core floor 60 % → 70 %": ([SetValue("core", key_path("grading.floors.standard_floor.min_share"), 0.7)], {}),
    "rural drops a veto": ([RemoveItem("rural", key_path("grading.vetoes.low_satisfaction"))], {"regraded": ("rural",)}),
    "rural training target 95 % → 80 %": ([SetValue("rural", key_path("standards.team.indicators.training_rate.method.target"), 0.8)],
                                          {"rescored": ("rural",)}),
    "rural gains a field alias (rows re-assigned: full score)": ([AddItem("rural", key_path("fields"), "农村党组织")], {"rescored": ALL}),
}


@pytest.fixture(scope="module")
def city(ingested: dict[str, Any], scored: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, Results]:
    return ingested[CITY].frame, ingested[CITY].not_applicable, scored[CITY]


def edited(rubrics: RubricSet, *edits: Edit) -> RubricSet:
    return Draft.of(rubrics).apply(*edits).load()


_COMPARED: dict[tuple[Edit, ...], tuple[Comparison, Results, RubricSet]] = {}


def compare(rubrics: RubricSet, city, *edits: Edit) -> tuple[Comparison, Results, RubricSet]:
    """The what-if comparison and the full scoring of the edited YAML (computed once per edit in this module)."""
    if edits not in _COMPARED:
        frame, na, before = city
        draft = edited(rubrics, *edits)
        _COMPARED[edits] = what_if(frame, rubrics, draft, na, before=before), score(frame, draft, na), draft
    return _COMPARED[edits]


@pytest.mark.parametrize(("edits", "plan"), list(EDITS.values()), ids=list(EDITS))
def test_what_if_equals_scoring_the_edited_yaml_from_scratch(rubrics: RubricSet, city, edits: list[Edit], plan) -> None:
    comparison, full, _ = compare(rubrics, city, *edits)
    after = comparison.after
    assert after.branches.index.equals(full.branches.index)
    for column in GRADE_COLUMNS:
        assert after.branches[column].astype(str).tolist() == full.branches[column].astype(str).tolist(), column
    assert set(full.rules.columns) <= set(after.rules.columns)
    assert (after.rules.reindex(columns=full.rules.columns) == full.rules).all().all()
    assert (after.flags.reindex(columns=full.flags.columns) == full.flags).all().all()
    assert np.allclose(after.indicators.reindex(columns=full.indicators.columns).to_numpy(dtype=float),
                       full.indicators.to_numpy(dtype=float), equal_nan=True)
    for kind, ids in plan.items():
        assert set(ids) <= set(getattr(comparison, kind))


@pytest.mark.parametrize(("edits", "plan"), list(EDITS.values())[:3], ids=list(EDITS)[:3])
def test_grade_mix_and_changed_branches_match_the_two_full_scorings(rubrics: RubricSet, city, edits: list[Edit], plan) -> None:
    comparison, full, _ = compare(rubrics, city, *edits)
    before = city[2].branches
    for by, mix in (("field", comparison.by_field), ("township", comparison.by_township)):
        keys = ["period", by, "grade"]
        for side, branches in (("before", before), ("after", full.branches)):
            expected = branches.assign(grade=branches["grade"].astype(str)).fillna({by: "—"}).groupby(keys).size()
            got = mix.fillna({by: "—"}).set_index(keys)[side]  # branches without a township are counted too
            assert got[got > 0].sort_index().to_dict() == expected[expected > 0].sort_index().to_dict()
        assert (mix["change"] == mix["after"] - mix["before"]).all()
    moved = before.index[before["grade"].astype(str).to_numpy() != full.branches["grade"].astype(str).to_numpy()]
    assert sorted(comparison.changes.index) == sorted(moved)
    assert (comparison.changes["grade_after"] == full.branches.loc[comparison.changes.index, "grade"].astype(str)).all()


def test_the_impact_of_lowering_the_rural_threshold_names_the_quota(rubrics: RubricSet, city) -> None:
    comparison, full, draft = compare(rubrics, city, SetValue("rural", key_path("grading.bands.先进.min"), 85))
    before, after = city[2].branches, full.branches
    rows = (after["rubric"].astype(str) == "rural") & (after["period"].astype(str) == "2025")
    reached = int((rows & (after["band_grade"].astype(str) == "先进")).sum())
    final = int((rows & (after["grade"].astype(str) == "先进")).sum())
    final_before = int((rows & (before["grade"].astype(str) == "先进")).sum())
    demoted = int((rows & full.rules["advanced_quota"]).sum())
    quota = draft.get("rural").grading.quotas[0]
    impact = next(i for i in comparison.impacts if (i.rubric, i.period, i.grade) == ("rural", "2025", "先进"))
    assert impact.text.startswith(f"阈值降到 85 分后有 {reached} 个支部达到先进线，但先进比例上限 {quota.max_share * 100:g} % 只允许 {final} 个")
    assert impact.text.endswith(f"（调整前 {final_before} 个）")
    assert impact.held[0] == Hold("advanced_quota", quota.reason, demoted)
    assert max(h.count for h in impact.held) == demoted
    assert sum(h.count for h in impact.held) == reached - final  # every branch held back is attributed to one rule
    assert (impact.threshold_before, impact.threshold_after, impact.reached_after, impact.final_after) == (90, 85, reached, final)


def test_branches_pushed_out_by_a_tighter_quota_name_the_quota(rubrics: RubricSet, city) -> None:
    comparison, full, _ = compare(rubrics, city, SetValue("core", key_path("grading.quotas.advanced_quota.max_share"), 0.2))
    newly = full.rules["advanced_quota"] & ~city[2].rules["advanced_quota"]
    changes = comparison.changes
    assert len(changes) == int(newly.sum()) > 0
    assert set(changes["rule"]) == {"advanced_quota"}
    assert (changes["move"] == -1).all() and (changes["grade_before"] == "先进").all()


def test_branches_lifted_by_a_lower_threshold_name_the_bands(rubrics: RubricSet, city) -> None:
    comparison, _, _ = compare(rubrics, city, SetValue("rural", key_path("grading.bands.先进.min"), 85))
    up = comparison.changes[comparison.changes["move"] == 1]
    assert len(up) > 0 and set(up["rule"]) == {BAND}
    assert (up["band_before"] == "中间").all() and (up["band_after"] == "先进").all()


def test_a_threshold_sweep_equals_scoring_each_threshold_from_scratch(rubrics: RubricSet, city) -> None:
    frame, na, before = city
    values = [80.0, 87.5, 95.0]
    sweep = threshold_sweep(before, rubrics, "rural", "先进", values)
    for value in values:
        full = score(frame, edited(rubrics, SetValue("rural", key_path("grading.bands.先进.min"), value)), na).branches
        rural = full[full["rubric"].astype(str) == "rural"]
        expected = rural.groupby([rural["period"].astype(str), rural["grade"].astype(str)]).size()
        got = sweep[sweep["threshold"] == value].set_index(["period", "grade"])["count"]
        assert got[got > 0].to_dict() == expected.to_dict()


def test_the_default_sweep_marks_the_current_threshold_and_never_gains_top_grades_as_it_rises(rubrics: RubricSet, city) -> None:
    sweep = threshold_sweep(city[2], rubrics, "rural", "先进")
    rural = rubrics.get("rural")
    assert sorted(sweep["threshold"].unique()) == sorted(sweep_values(rural, "先进"))
    assert len(sweep["threshold"].unique()) == 51
    assert set(sweep.loc[sweep["current"], "threshold"]) == {90.0}
    for _, curve in sweep[sweep["grade"] == "先进"].groupby("period"):
        assert curve.sort_values("threshold")["count"].is_monotonic_decreasing
    per_threshold = sweep.groupby(["period", "threshold"])["count"].sum()
    rows = city[2].branches[city[2].branches["rubric"].astype(str) == "rural"]
    assert set(per_threshold.groupby("period").unique().map(tuple)) == {(n,) for n in rows.groupby(rows["period"].astype(str)).size()}
