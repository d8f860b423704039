"""The engine, the plain-Python reference and the DuckDB SQL reference agree exactly on totals, grades and flags.

The two references (benchmarks/reference_python.py, benchmarks/reference_duckdb.py) re-implement the rubric
semantics independently of the vectorized engine, so agreement on varied synthetic data (not-applicable items,
whole standards not applicable, blank cells, two weighted sources, out-of-range values) cross-checks the engine.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import reference_duckdb, reference_python
from benchmarks.bench_scoring import BENCH_RUBRIC, bench_rubrics, library_texts, make_inputs
from scoring.engine import score
from scoring.loader import load_rubrics, parse_rubrics
from scoring.methods import Level
from scoring.results import Results
from scoring.rubric import Rubric
from scoring.rubricset import RubricSet

ROWS = 1000
GROUP_SIZE = 15

# Everything the bench rubric lacks: two weighted sources, one decimal, totals above 100 allowed, a direct grade on
# an all/in condition, a floor on two standards, a veto on a blank cell that forces a middle grade, a flag on a text
# column, a tighter quota and one on the middle grade, bottom rules with other roundings and groups, and a second
# skip rule (不参评) on a text column or a blank cell.
VARIANT = """
id: variant
name: 变体细则
extends: bench
fields: [变体]
precision: 1
allow_exceed: true
sources:
  - {id: main, name: 上级评定, weight: 0.7}
  - {id: self, name: 自评, weight: 0.3, header: "{label}（自评）"}
blank_source: zero
columns:
  - {id: honour_party, label: 党内表彰等级, type: level, levels: [国家级, 省级, 市级, 县级, 无], blank: not_applicable}
  - {id: honour_gov, label: 政府表彰等级, type: level, levels: [国家级, 省级, 市级, 县级, 无], blank: not_applicable}
  - {id: volunteers_members, label: 党员志愿者人数, type: number, unit: 人}
  - {id: volunteers_public, label: 群众志愿者人数, type: number, unit: 人}
  - {id: audit_internal, label: 内部审计问题数, type: number, unit: 个}
  - {id: audit_external, label: 外部审计问题数, type: number, unit: 个}
standards:
  - id: support                 # every item may be typed 不适用; read from the higher level only, but one item weighted
    sources: [main]
    indicators:
      - {id: secretary_pay, allow_not_applicable: true}
      - {id: contact_visits, allow_not_applicable: true, sources: [main, self]}
      - {id: funds_used, allow_not_applicable: true}
      - {id: running_funds, allow_not_applicable: true}
      - {id: training_funds, allow_not_applicable: true}
  - id: position
    indicators:
      - {id: digital_platform, allow_not_applicable: true, not_applicable: zero}
  - id: role
    indicators:
      - {id: grid_coverage, blank: missing, applies_when: {column: members, op: ">=", value: 20}}
      - id: volunteer_hours
        not_applicable_when: {any: [{column: members, op: "<", value: 8}, {column: satisfaction, op: is_blank}]}
      - {id: work_goals, sources: [self]}
bonus:
  indicators:
    - id: best_honour
      name: 最高表彰
      points: 2
      columns: [honour_party, honour_gov]
      combine: max
      method: {kind: level, levels: {国家级: 2, 省级: 1.5, 市级: 1, 县级: 0.5, 无: 0}}
    - id: volunteers
      name: 志愿者
      points: 1
      columns: [volunteers_members, volunteers_public]
      combine: sum
      sources: [self]
      not_applicable_when: {column: members, op: "<", value: 6}
      method: {kind: count, per_unit: 0.05, unit: 人}
penalty:
  indicators:
    - id: audit_findings
      name: 审计发现问题
      points: 2
      columns: [audit_internal, audit_external]
      combine: first_filled
      method: {kind: count, per_unit: 0.5, unit: 个}
skip:
  - id: merged_away
    when: {any: [{column: parent, op: "==", value: 示例党委5}, {column: months_since_founding, op: is_blank}]}
    reason: 所属党委已撤并或成立时间不明
grading:
  direct:
    - id: star_branch
      when: {all: [{column: award_level, op: in, value: [省级, 市级]}, {column: pledges, op: "==", value: 好}]}
      grade: 先进
      reason: 获省市级表彰且承诺践诺好
  floors:
    - id: two_standards
      min_share: 0.7
      cap: 后进
      standards: [organization, role]
      reason: 组织健全或作用突出低于 70%
  vetoes:
    - id: unrated
      when: {column: satisfaction, op: is_blank}
      force: 中间
      reason: 满意度未测评
    - id: watched
      when: {column: parent, op: in, value: [示例党委3, 示例党委7]}
      flag: 重点关注
      reason: 所属党委列入重点关注
  quotas:
    - {id: advanced_quota, max_share: 0.1}
    - id: middle_quota
      group_by: parent
      grade: 中间
      max_share: 0.5
  bottom:
    - id: bottom_share
      rounding: round
      min_group_size: 10
    - id: bottom_field
      group_by: field
      share: 0.02
      rounding: floor
      flag: 全领域后 2%
"""


@functools.cache
def _variant_set(text: str = VARIANT) -> RubricSet:
    return parse_rubrics({"variant.yaml": text}, library={**library_texts(), "bench.yaml": BENCH_RUBRIC})


@functools.cache
def _rural() -> tuple[RubricSet, Rubric]:
    rubrics = load_rubrics([Path(__file__).resolve().parents[2] / "rubrics"])
    rubric = rubrics.for_field("农村")
    assert rubric is not None
    return rubrics, rubric


@functools.cache
def _bench() -> tuple[RubricSet, Rubric]:
    rubrics = bench_rubrics()
    return rubrics, rubrics.get("bench")


def _variant() -> tuple[RubricSet, Rubric]:
    rubrics = _variant_set()
    return rubrics, rubrics.get("variant")


def _inputs(rubric: Rubric, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic rows with not-applicable items (some whole standards, a few whole rubrics), blanks and a second
    source when the rubric has one."""
    frame, na = make_inputs(rubric, ROWS, seed=seed, group_size=GROUP_SIZE, na_share=0.1, missing_share=0.03)
    rng = np.random.default_rng(seed + 100)
    whole_std = next((std.id for std in rubric.standards if all(_typed_na_counts(i) for i in std.indicators)), None)
    some = rng.random(ROWS) < 0.05
    everything = rng.random(ROWS) < 0.01  # 不适用 typed everywhere: it counts only where the rubric allows it
    for std in rubric.standards:
        for ind in std.indicators:
            marks = everything | (some if std.id == whole_std else False)
            for cid in ind.column_ids:
                na[cid] = (na[cid].to_numpy() if cid in na else np.zeros(ROWS, dtype=bool)) | marks
                frame[cid] = np.where(marks, np.nan, frame[cid].to_numpy())
    if "months_since_founding" in frame:
        frame["months_since_founding"] = np.where(rng.random(ROWS) < 0.02, np.nan, frame["months_since_founding"].to_numpy())
    if len(rubric.sources) > 1:
        for ind, suffix, _, cid in rubric.source_columns():
            if not suffix or cid + suffix in frame:
                continue
            main = frame[cid].to_numpy()
            kind = ind.method.kind
            if kind == "yes_no":
                other = np.where(rng.random(ROWS) < 0.15, 1.0 - main, main)
            elif isinstance(ind.method, Level):
                other = rng.integers(0, len(ind.method.levels) + 1, ROWS).astype(float)  # the last is out of range
            elif kind == "rate":
                other = np.round(rng.uniform(0.3, 1.05, ROWS), 3)
            else:
                other = np.round(main * rng.uniform(0.5, 1.5, ROWS) - (rng.random(ROWS) < 0.02), 1)  # a few negatives
            frame[cid + suffix] = np.where(rng.random(ROWS) < 0.1, np.nan, other)
    return frame.copy(), na


def std_items(rubric):
    return [i for s in rubric.standards for i in s.indicators]


def _typed_na_counts(ind) -> bool:
    return ind.may_be_not_applicable and ind.applies_when is None and ind.not_applicable_when is None


def _engine(rubrics: RubricSet, rubric: Rubric, frame: pd.DataFrame, na: pd.DataFrame) -> tuple[pd.DataFrame, Results]:
    results = score(frame, rubrics, na)
    assert len(results.branches) + len(results.unscored) == len(frame)
    out = results.branches[["total", "level", "grade"]].join(results.flags)
    for name in reference_python.flag_names(rubric):
        if name not in out:
            out[name] = False
    return out, results


def _assert_same(name: str, left: pd.DataFrame, right: pd.DataFrame, frame: pd.DataFrame, flags: list[str]) -> None:
    rated = left.index.symmetric_difference(right.index)
    assert not len(rated), f"{name}: rated by one side only (不参评 differs): {frame.loc[rated[:5], 'branch_id'].tolist()}"
    totals = np.abs(left["total"].to_numpy(dtype=float) - right["total"].to_numpy(dtype=float)) > 1e-6
    grades = left["grade"].to_numpy() != right["grade"].to_numpy()
    flagged = np.zeros(len(left), dtype=bool)
    for f in flags:
        flagged |= left[f].to_numpy(dtype=bool) != right[f].to_numpy(dtype=bool)
    bad = np.flatnonzero(totals | grades | flagged)
    sample = pd.concat({"left": left.iloc[bad[:5]], "right": right.iloc[bad[:5]]}, axis=1)
    sample.index = frame.loc[left.index[bad[:5]], "branch_id"]
    assert not len(bad), (f"{name}: {int(totals.sum())} totals, {int(grades.sum())} grades, {int(flagged.sum())} flags differ\n"
                          f"{sample.to_string()}")


CASES = [("rural", _rural, seed) for seed in (1, 2, 3)] + [("bench", _bench, seed) for seed in (4, 5)] + \
        [("variant", _variant, seed) for seed in (36,)]  # seeds whose data makes every rule fire


@pytest.mark.parametrize(("label", "make", "seed"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_engine_and_references_agree(label, make, seed):
    rubrics, rubric = make()
    frame, na = _inputs(rubric, seed)
    flags = reference_python.flag_names(rubric)
    engine, results = _engine(rubrics, rubric, frame, na)
    python = reference_python.score_frame(frame, rubric, na)
    duck = reference_duckdb.score_frame(frame, rubric, na)
    _assert_same(f"{label}: engine vs python", engine, python, frame, flags)
    _assert_same(f"{label}: engine vs duckdb", engine, duck, frame, flags)
    # the data exercised what it was built for
    assert engine["grade"].nunique() == len(rubric.grade_names())
    if any(all(_typed_na_counts(i) and i.not_applicable == "rescale" for i in std.indicators) for std in rubric.standards):
        assert np.isnan(results.standards.to_numpy()).any()  # whole standards not applicable
    ruled = [i for i in rubric.indicators() if i.applies_when or i.not_applicable_when]
    assert all(np.isnan(results.indicators[i.id]).any() or i.not_applicable == "zero" for i in ruled if i in std_items(rubric))
    assert len(results.unscored) == len(frame) - len(engine)
    assert (len(results.unscored) > 0) == bool(rubric.skip)  # 不参评 rows where the rubric has skip rules
    assert any(engine[f].any() for f in flags)
    for rule in (*rubric.grading.quotas, *rubric.grading.floors, *rubric.grading.direct):
        assert results.rules[rule.id].any(), f"{rule.id} never changed a grade"


def test_python_reference_standards_match_engine():
    """Per-standard points (rescaled, None when all of a standard is not applicable) agree as well."""
    rubrics, rubric = _variant()
    frame, na = _inputs(rubric, 8)
    engine = score(frame, rubrics, na).standards
    rows = reference_python.score_rows(rubric, frame.to_dict("records"),  # type: ignore[arg-type]
                                       [set(na.columns[m]) for m in na.to_numpy(dtype=bool)], frame.columns)
    python = pd.DataFrame([r.standards for r in rows if r is not None], index=frame.index[[r is not None for r in rows]],
                          columns=engine.columns).astype(float)
    assert python.index.equals(engine.index)
    np.testing.assert_allclose(python.to_numpy(), engine.to_numpy(), rtol=0, atol=1e-9)


def test_floor_listing_standards_out_of_rubric_order():
    """A floor's standards may be listed in any order (the engine once paired them with points in rubric order)."""
    rubrics = _variant_set(VARIANT.replace("standards: [organization, role]", "standards: [role, organization]"))
    rubric = rubrics.get("variant")
    frame, na = _inputs(rubric, 9)
    engine, results = _engine(rubrics, rubric, frame, na)
    assert results.rules["two_standards"].any()
    flags = reference_python.flag_names(rubric)
    _assert_same("engine vs python", engine, reference_python.score_frame(frame, rubric, na), frame, flags)
    _assert_same("engine vs duckdb", engine, reference_duckdb.score_frame(frame, rubric, na), frame, flags)
