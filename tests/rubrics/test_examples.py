"""Published 考评细则 of different shapes, encoded in rubrics/examples/, score hand-made branches to hand-computed results.

Every expected figure below was worked out by hand from the rubric's item table (the comments show the sums), not
taken from the engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics

EXAMPLES = Path(__file__).resolve().parents[2] / "rubrics" / "examples"

FIVE_STAR = {  # standards (领导班子+骨干队伍+活动阵地+制度+保障+业绩+群众评价) + bonus → total, final grade
    "F01": (109.6, "五星"),  # 15+10+10+10+10+25+19.6 = 99.6, +5 创新 +5 市级表彰
    "F02": (103.0, "四星"),  # 15+10+10+9+9+23+19 = 95, +5 +3; 五星 quota (1 of 10) keeps only F01
    "F03": (92.0, "四星"),   # 15+10+10+9+8+22+18 = 92; no innovation project: at best 四星
    "F04": (91.0, "四星"),   # 10+10+10+8+8+22+18 = 86, +5; demoted by the 五星 quota
    "F05": (83.0, "三星"),   # no venue: 活动阵地 0 (facilities not applicable); 15+10+0+9+9+22+18; 四星 quota (3) is full
    "F06": (81.0, "三星"),   # 骨干队伍 0+2+2+0 = 4: 15+4+10+8+7+20+17; 四星 quota
    "F07": (73.0, "三星"),   # inactive for half a year: 10+10+5+7+7+18+16
    "F08": (69.0, "二星"),   # 10+8+10+6+6+15+14
    "F09": (72.0, "三星"),   # 15+10+10+5+5+10+12 = 67, +5
    "F10": (34.0, "一星"),   # 5+0+0+5+4+10+10 (设施 typed 是 with no venue: not applicable, reported)
}

COLLEGE = {  # 班子建设 (缺额+职责+三项等次) + 工作开展 (两项等次+中心工作+思想工作)
    "C01": (40.0, "优秀"),    # 20 + 20
    "C02": (34.5, "良好"),    # 1.25+2.5+5+3.75+5 = 17.5; 3.75+5+4.5+3.75 = 17
    "C03": (30.25, "良好"),   # 2.5+2.5+3.75×3 = 16.25; 3.75+3.75+4 (管理服务)+2.5 = 14
    "C04": (34.75, "良好"),   # 18.75; 5+3.75+3.5 (学习成绩)+3.75 = 16
    "C05": (15.75, "不合格"),  # 0+0+2.5×3 = 7.5; 2.5+2.5+2+1.25 = 8.25
    "C06": (37.5, "优秀"),    # 职责不清: 17.5; 20
    "C07": (21.75, "不合格"),  # 1.25+2.5+2.5+3.75+2.5 = 12.5; 2.5+3.75+3+0 = 9.25
    "C08": (6.0, "不合格"),    # 3 missing members floor at 0: 0+0+0+2.5+0; 2.5+0+1+0
    "C09": (34.0, "良好"),    # blank 缺额 means 0: 18.75; 3.75+5+4+2.5 = 15.25
    "C10": (36.75, "优秀"),   # 20; 5+5+3 (first filled of 3 and 5)+3.75
}

GRADUATE = {  # 基础工作 + 创新加分 − 扣分 (total may exceed 100): total, rank
    "G06": (200.0, 1),    # 100 + min(45+30+30+10+30, 100)
    "G01": (145.0, 2),    # 100 + 15+10+10+10
    "G09": (128.5, 3),    # 10+19+20+9.5+20+10+10 = 98.5, +20+10
    "G02": (109.0, 4),    # 10+18+19+9+15+8+10 = 89, +10+10
    "G04": (102.0, 5),    # 10+12+16+10+20 (5 times, capped)+10+0 = 78, +30, −6
    "G10": (88.0, 6),     # 10+14+15+7+15+5+10 = 76, +15, −3
    "G08": (77.0, 7),     # 通过率 blank: 0; 10+16+17+0+10+4+10 = 67, +10
    "G03": (67.0, 8),     # 0+15+18+8+10+6+10
    "G05": (44.0, 9),     # 10+10+14+5+5+2+10 = 56, −12
    "G07": (0.0, 10),     # 0+8+12+6+0+0+0 = 26, −30 (capped) → never below 0
}


def _scored(name: str):
    rubrics = load_rubrics([EXAMPLES / f"{name}.yaml"])
    ingested = read_assessments(EXAMPLES / f"{name}.csv", rubrics)
    return ingested, score(ingested.frame, rubrics, ingested.not_applicable)


@pytest.mark.parametrize(("name", "expected"), [("five_star", FIVE_STAR), ("college_branch", COLLEGE)])
def test_example_totals_and_grades(name, expected):
    ingested, results = _scored(name)
    assert ingested.report.rows_rejected == 0
    got = results.branches.set_index("branch_id")
    assert {k: (float(got.loc[k, "total"]), str(got.loc[k, "grade"])) for k in expected} == expected


def test_graduate_example_ranks_totals_above_100():
    ingested, results = _scored("graduate_branch")
    got = results.branches.set_index("branch_id")
    assert {k: (float(got.loc[k, "total"]), int(got.loc[k, "rank"])) for k in GRADUATE} == GRADUATE
    assert [(p.code, p.row) for p in ingested.report.problems if p.severity == "warning"] == [("blank-cell", 9)]


def test_five_star_reports_a_value_where_the_rule_says_not_applicable():
    ingested, results = _scored("five_star")
    found = [(p.code, p.row, p.column_name) for p in ingested.report.problems if p.severity != "info"]
    assert found == [("value-not-applicable", 11, "活动场所有宣传教育设施")]  # F10 has no venue but typed 是
    assert results.rules["no_innovation"].sum() == 1
