"""Rubrics rendered for people: the printable Markdown document and the dashboard tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.describe import rubric_markdown, rubric_tables
from scoring.loader import load_rubrics, parse_rubrics
from scoring.methods import fmt_points
from scoring.rubric import Rubric

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
SET = load_rubrics([RUBRICS])
ALL = {r.id: r for r in SET.rubrics}


@pytest.mark.parametrize("rubric", ALL.values(), ids=ALL)
def test_markdown_names_every_standard_indicator_and_rule(rubric: Rubric):
    text = rubric_markdown(rubric)
    assert text.startswith(f"# {rubric.name}\n")
    for std in rubric.standards:
        assert f"、{std.name}（{fmt_points(std.points)} 分）" in text
    for std in rubric.standards:
        for ind in std.indicators:
            assert f"| {ind.name} | {fmt_points(ind.points)} | {ind.method.describe(ind.points)} | {ind.evidence} |" in text
    for ind in rubric.indicators():
        assert f"| {ind.name} | {fmt_points(ind.points)} |" in text
    for rule in (*rubric.grading.vetoes, *rubric.grading.direct, *rubric.grading.quotas, *rubric.grading.bottom):
        assert rule.reason in text
    for band in rubric.grade_names():
        assert f"| {band} |" in text
    assert "\n\n\n" not in text


def test_markdown_reads_like_a_published_rubric():
    text = rubric_markdown(ALL["school"])
    assert "| 施行期间 | 2024年1月1日起施行 |" in text
    assert "上级评定占 60%，填写在“指标名称”列；自评占 40%，填写在“指标名称（自评）”列" in text
    assert "| 先进 | 90 分及以上 |" in text and "| 中间 | 75 分及以上、不足 90 分 |" in text and "| 后进 | 不足 75 分 |" in text
    assert "| 书记空缺月数 ≥ 3个月 | 直接定为后进；标记“软弱涣散” |" in text
    assert "| 群众满意度 < 90% | 最高评为中间 |" in text
    assert "正式党员数 < 7人时不适用（无需填写），本标准按其余指标分值折算。" in text  # applicability by rule
    assert "| 绿 | 0–2 项 |" in text and "| 红 | 7 项及以上 |" in text
    assert "每次扣 2 分，最多扣 6 分" in text  # penalty items speak of deductions
    payroll = rubric_markdown(ALL["state_enterprise"])
    assert "达到 1% 得满分" in payroll and "作用突出得分低于该标准分值的 70%" in payroll
    assert "公共核心" in rubric_markdown(ALL["core"])


def test_markdown_escapes_table_cells():
    text = """
id: pipes
name: 竖线|测试
total: 10
standards:
  - id: s
    name: 标准
    points: 10
    indicators:
      - {id: a, name: "甲|乙", description: "第一行\\n第二行", points: 10, method: {kind: yes_no}}
grading:
  bands: [{name: 好, min: 5}, {name: 差, min: 0}]
"""
    rubric = parse_rubrics({"pipes.yaml": text}).get("pipes")
    md = rubric_markdown(rubric)
    assert "| 1 | 甲\\|乙 | 10 |" in md and "第一行 第二行" in md


def test_tables_for_the_dashboard():
    tables = rubric_tables(ALL["urban_community"])
    assert set(tables) == {"overview", "standards", "indicators", "adjustments", "bands", "rules", "alerts", "sources"}
    rubric = ALL["urban_community"]
    assert tables["standards"]["分值"].sum() == rubric.total
    indicators = tables["indicators"]
    assert len(indicators) == sum(len(s.indicators) for s in rubric.standards)
    assert indicators.groupby("标准", sort=False)["分值"].sum().tolist() == [s.points for s in rubric.standards]
    assert "在职党员到社区报到率" in set(indicators["填报列"])
    assert set(tables["adjustments"]["类别"]) == {"加分", "减分"}
    assert tables["bands"]["等次"].tolist() == ["先进", "中间", "后进"]
    rules = tables["rules"]
    assert {"单项底线", "一票否决", "等次限制", "比例控制", "倒排", "直接评定"} <= set(rules["类别"])
    assert tables["sources"].empty and not rubric_tables(ALL["school"])["sources"].empty


@pytest.mark.parametrize("rubric", ALL.values(), ids=ALL)
def test_english_tables_leave_only_rubric_content_in_chinese(rubric: Rubric):
    zh, en = rubric_tables(rubric), rubric_tables(rubric, lang="en")
    for name in zh:
        assert list(en[name].columns) == list(zh[name].columns) and len(en[name]) == len(zh[name]), name  # same keys, same rows
    assert en["bands"]["等次"].tolist() == [b.name_en or b.name for b in rubric.grading.bands]
    assert en["bands"]["分数范围"].iloc[0].endswith("or more") and en["bands"]["分数范围"].iloc[-1].startswith("below")
    assert not en["rules"]["类别"].str.contains(r"[\u4e00-\u9fff]").any()
    assert not en["rules"]["处理"].str.replace(r"“[^”]*”", "", regex=True).str.contains(r"[\u4e00-\u9fff]").any()
    assert (en["rules"]["说明"] == zh["rules"]["说明"]).all()  # the rule's reason is the rubric's own text
    indicators = [ind for s in rubric.standards for ind in s.indicators]
    indicators += [ind for a in (rubric.bonus, rubric.penalty) if a for ind in a.indicators]
    sentences = [*en["indicators"]["评分方法"], *en["adjustments"]["评分方法"]]
    for ind, sentence in zip(indicators, sentences, strict=True):
        chrome = sentence
        for level in sorted(getattr(ind.method, "levels", {}), key=len, reverse=True):  # level names are rubric content
            chrome = chrome.replace(level, "")
        assert not re.search(r"[\u4e00-\u9fff]", chrome), (ind.id, sentence)
