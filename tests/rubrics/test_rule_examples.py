"""Every runnable example of rubrics/README.md (rubrics/examples/rules/) loads, reads its CSV and scores as worked out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rubrics" / "examples" / "rules"

EXPECTED = {  # example → ({branch: (total, grade)}, [(problem code, row)] of warnings and errors)
    "not_applicable": ({
        "R1": (10.0, "合格"),
        "R2": (10.0, "合格"),    # 5 members: 支委会 and 党小组 ruled out, 培训 + 网站 (4 of 4) scaled to 10
        "R3": (6.67, "合格"),    # 党小组 ruled out, 培训 typed 不适用 (rescaled), 网站 不适用 counts 0: (4 + 0) × 10 / 6
        "R4": (4.0, "不合格"),   # 12 members: 支委会 applies, 不适用 earns nothing (reported); 党小组 2 + 网站 2
    }, [("na-contradicts-rule", 5)]),
    "sources": ({
        "S1": (10.0, "好"),
        "S2": (7.5, "一般"),     # 会议 0.6×2 + 0.4×3 = 2.4; 台账 0.6×1.5 + 0.4×3 = 2.1; 业务 3 (上级评定 only)
        "S3": (7.6, "一般"),     # 自评 blank counts zero: 0.6×3 = 1.8 twice; 业务 4
    }, [("blank-cell", 4), ("blank-cell", 4)]),
    "combined": ({
        "M1": (8.0, "好"),       # best of 省级/市级 = 2; 8+4 meetings = 3; worse of 好/一般 = 1; 复核 2
        "M2": (7.0, "一般"),     # 国家级 3; 2+0 = 0.5; 好 2; no 复核: 初评 1.5
        "M3": (4.5, "一般"),     # 市级 1; 12 × 0.25 = 3; 差 0; 复核 0.5
    }, [("blank-cell", 3)]),
    "skip_and_grading": ({
        "K1": (9.0, "优"),       # tie at 9 with K2: the single 25% seat goes to the smaller code
        "K2": (9.0, "良"),       # 8.5 rounds to 9 before the bands
        "K3": (7.0, "良"),       # blank 成立时间 is not < 12: rated
        "K5": (4.0, "良"),
    }, [("blank-cell", 4)]),
}


def test_every_rule_example_is_checked_here_and_named_in_the_readme():
    readme = (ROOT / "rubrics" / "README.md").read_text(encoding="utf-8")
    assert sorted(p.stem for p in RULES.glob("*.yaml")) == sorted(EXPECTED)
    named = set(re.findall(r"rubrics/examples/rules/(\w+)\.yaml", readme))
    assert named == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rule_example_scores_as_worked_out_by_hand(name):
    expected, problems = EXPECTED[name]
    rubrics = load_rubrics([RULES / f"{name}.yaml"])
    ingested = read_assessments(RULES / f"{name}.csv", rubrics)
    assert [(p.code, p.row) for p in ingested.report.problems if p.severity != "info"] == problems
    results = score(ingested.frame, rubrics, ingested.not_applicable)
    got = results.branches.set_index("branch_id")
    assert {k: (float(got.loc[k, "total"]), str(got.loc[k, "grade"])) for k in got.index} == expected


def test_skip_example_lists_the_young_branch_with_its_reason():
    rubrics = load_rubrics([RULES / "skip_and_grading.yaml"])
    ingested = read_assessments(RULES / "skip_and_grading.csv", rubrics)
    unscored = score(ingested.frame, rubrics, ingested.not_applicable).unscored
    assert unscored["branch_id"].tolist() == ["K4"]
    assert unscored["reason"].tolist() == ["不参评：成立不满一年的党支部不参加评定"]
