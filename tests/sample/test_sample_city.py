"""The sample city: deterministic files in the layouts users have, scored like a real county's results."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.sample.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.xdist_group("sample")
KEY = ["period", "branch_id"]
GRADES = ["先进", "中间", "后进"]


def test_generator_is_deterministic_and_the_committed_files_are_current(tmp_path: Path, generator):
    first, second = tmp_path / "a", tmp_path / "b"
    run = subprocess.run([sys.executable, str(SAMPLE / "generate.py"), str(first)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    generator.write_all(second)
    for name in generator.FILES:
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), f"{name} differs between two runs"
        assert data == (SAMPLE / name).read_bytes(), f"{name} is stale: run python sample_data/generate.py"


def test_another_seed_gives_another_city(generator, rubrics):
    a = generator.build(seed=1, rubrics=rubrics).encoded
    b = generator.build(seed=2, rubrics=rubrics).encoded
    assert not np.allclose(a["satisfaction"].to_numpy(float), b["satisfaction"].to_numpy(float), equal_nan=True)


def test_city_structure(sample, rubrics):
    e = sample.encoded
    per_period = e.groupby("period").size()
    assert list(per_period.index) == ["2024", "2025"]
    assert per_period.nunique() == 1 and 1300 <= per_period.iloc[0] <= 1700
    assert not e.duplicated(KEY).any() and not e.groupby("period")["name"].apply(lambda s: s.duplicated().any()).any()
    assert e["district"].nunique() == 3 and 25 <= e["parent"].nunique() <= 40
    rubric = e["field"].map(lambda f: rubrics.for_field(f).id)
    share = rubric[e["period"] == "2025"].value_counts(normalize=True)
    assert set(share.index) == {r.id for r in rubrics.concrete}
    assert share["rural"] + share["urban_community"] > 0.5 and share["rural"] > share["urban_community"] > share["social_org"]
    assert e["branch_id"].str.fullmatch(r"\d{9}").all()
    assert (e["branch_id"].str[:6].groupby(e["parent"]).nunique() == 1).all(), "codes are hierarchical"


def test_typed_values_look_like_what_users_type(sample):
    t = sample.typed
    assert list(t.columns[:4]) == ["党组织代码", "党组织名称", "领域", "考核年度"]
    assert set(t["按期换届"]) <= {"是", "否"}
    assert t["群众满意度"].str.fullmatch(r"\d+(\.\d+)?%").all()
    assert set(t.loc[t["领域"] == "国有企业", "党建工作经费占上年度工资总额比例"].str[-1]) == {"%"}
    assert set(t["书记履职能力"]) <= {"好", "较好", "一般", "差"}
    school = t["领域"] == "学校"
    assert (t.loc[school, "书记“双带头人”（自评）"] != "").all() and (t.loc[~school, "书记“双带头人”（自评）"] == "").all()
    assert (t.loc[t["领域"] == "农村", "机关党委配备专职副书记"] == "").all()
    assert (t["支委会按规定设置"] == "").any(), "small branches leave not-applicable items blank"


def test_the_ingested_city_is_the_generated_city(sample, ingested):
    got = ingested["city.csv"]
    assert len(got.rejected) == 0 and not got.report.has_errors
    want = sample.encoded.set_index(KEY)
    frame = got.frame.set_index(KEY).loc[want.index]
    for column in want.columns:
        if pd.api.types.is_float_dtype(want[column].dtype):
            np.testing.assert_allclose(frame[column].to_numpy(float), want[column].to_numpy(float), atol=1e-12, err_msg=column)
    assert frame["name"].equals(want["name"])


def test_every_grade_in_every_field_and_period(scored):
    b = scored["city.csv"].branches
    assert len(scored["city.csv"].unscored) == 0
    counts = pd.crosstab([b["rubric"], b["period"]], b["grade"]).reindex(columns=GRADES, fill_value=0)
    assert (counts > 0).all().all(), counts


def test_quota_caps_hold_in_every_parent(scored, rubrics):
    results = scored["city.csv"]
    b = results.branches
    for rubric in rubrics.concrete:
        mine = b["rubric"] == rubric.id
        direct = results.rules.loc[mine, [d.id for d in rubric.grading.direct]].any(axis=1)
        for quota in rubric.grading.quotas:
            groups = b[mine].groupby(["period", quota.group_by])
            for (period, parent), rows in groups:
                held = ((rows["grade"] == quota.grade) & ~direct.loc[rows.index]).sum()
                assert held <= math.floor(quota.max_share * len(rows) + 1e-9), (rubric.id, period, parent)


def test_grades_are_spread_like_a_real_county(scored):
    b = scored["city.csv"].branches
    share = pd.crosstab(b["period"], b["grade"], normalize="index")
    for period in ("2024", "2025"):
        assert 0.15 <= share.loc[period, "先进"] <= 0.32
        assert 0.04 <= share.loc[period, "后进"] <= 0.2
    assert share.loc["2025", "先进"] > share.loc["2024", "先进"] and share.loc["2025", "后进"] < share.loc["2024", "后进"]


def test_year_over_year_movement(scored, rubrics):
    results = scored["city.csv"]
    b = results.branches
    level = b.pivot_table(index="branch_id", columns="period", values="level", aggfunc="first")
    total = b.pivot_table(index="branch_id", columns="period", values="total", aggfunc="first")
    n = len(level)
    assert (total["2025"] > total["2024"]).mean() > 0.6, "most improve a little"
    up, down = (level["2025"] < level["2024"]).sum(), (level["2025"] > level["2024"]).sum()
    assert 0.1 * n <= up and 0 < down < up and down < 0.1 * n
    both = ((level["2024"] == 2) & (level["2025"] == 2)).sum()
    assert 0 < both < 0.06 * n, "a few are 后进 both years"
    forced = [v.id for r in rubrics.concrete for v in r.grading.vetoes if v.force]
    vetoed = results.rules[[c for c in forced if c in results.rules]].any(axis=1)
    assert 5 <= vetoed.sum() <= 0.03 * len(b), "a few hit a veto"
    flags = results.flags.sum()
    assert flags["软弱涣散候选"] > 0 and flags["软弱涣散"] > 0 and flags["连续2年未发展党员"] > 0


def test_self_assessment_is_combined_with_the_review(ingested):
    f = ingested["city.csv"].frame
    school = f[f["field"] == "学校"]
    assert school["satisfaction@self"].notna().all()
    assert school["satisfaction@self"].mean() > school["satisfaction"].mean(), "branches rate themselves kindly"


def test_layouts_score_identically(scored):
    full = scored["city.csv"].branches.set_index(KEY)
    flags = scored["city.csv"].flags.set_axis(full.index)
    columns = ["rubric", "base", "bonus", "penalty", "total", "grade", "level", "rank", "group_size", "alert"]
    for name, period in (("city_2024_gbk.csv", "2024"), ("city_2025.xlsx", "2025")):
        part = scored[name].branches.set_index(KEY)
        assert set(part.index) == set(full.index[full.index.get_level_values(0) == period])
        ref = full.loc[part.index]
        for column in columns:
            if pd.api.types.is_float_dtype(part[column].dtype):
                np.testing.assert_allclose(part[column].to_numpy(float), ref[column].to_numpy(float), atol=1e-9, err_msg=column)
            else:
                assert part[column].astype(str).equals(ref[column].astype(str)), (name, column)
        got_flags = scored[name].flags.set_axis(part.index)
        assert got_flags.equals(flags.loc[part.index, got_flags.columns]), name


def test_messy_file_reports_every_planted_problem(generator, sample, ingested):
    report = ingested["messy.csv"].report
    _, planted = generator.messy(sample)
    for p in planted:
        if not p.code:
            continue
        hits = [q for q in report.problems if q.code == p.code and (q.row == p.line or (p.line == 1 and q.row in (None, 1)))
                and (not p.header or q.column_name == p.header or p.code == "duplicate-row")]
        assert hits, f"expected {p.code} at line {p.line} ({p.header})"
    errors = [q for q in report.problems if q.severity == "error"]
    assert len(errors) == sum(1 for p in planted if p.code not in ("", "blank-row", "unknown-column"))
    assert report.rows_rejected == len(errors)
    normalized = set(report.normalizations)
    assert {"全角数字", "单位", "是否", "等次", "年度"} <= normalized


def test_readme_documents_the_messy_file(generator, sample):
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    _, planted = generator.messy(sample)
    assert generator.planted_markdown(planted) in readme
    assert generator.normalized_markdown() in readme
