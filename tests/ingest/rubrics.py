"""Small rubrics for ingestion tests: a shared core with identity columns and two fields."""

from __future__ import annotations

from functools import cache

from scoring.loader import parse_rubrics
from scoring.rubricset import RubricSet

CORE = """
id: core
name: 公共核心
abstract: true
total: 20
columns:
  - {id: branch_id, label: 党组织代码, aliases: [组织代码], type: text, required: true}
  - {id: name, label: 党组织名称, aliases: [支部名称], type: text, required: true}
  - {id: field, label: 领域, type: text, required: true}
  - {id: period, label: 考核年度, aliases: [年度], type: text}
  - {id: parent, label: 上级党组织, type: text}
  - {id: remarks, label: 备注说明, type: text}
standards:
  - id: organization
    name: 组织健全
    points: 10
    indicators:
      - {id: committee, name: 支部委员会, points: 4, method: {kind: yes_no}}
      - {id: members, name: 党员人数, points: 3, unit: 人, max: 500, method: {kind: tiers, tiers: [{min: 7, points: 3}, {min: 3, points: 1}]}}
      - {id: meetings, name: 三会一课次数, points: 3, unit: 次, method: {kind: count, per_unit: 0.5}}
  - id: role
    name: 作用突出
    points: 10
    indicators:
      - {id: satisfaction, name: 群众满意度, points: 4, method: {kind: rate, target: 0.95, zero_at: 0.6}}
      - {id: evaluation, name: 综合评价, points: 4, method: {kind: level, levels: {好: 4, 较好: 3, 一般: 2, 差: 0}}}
      - {id: group_size, name: 党小组设置, points: 2, blank: not_applicable, method: {kind: yes_no}}
grading:
  bands: [{name: 先进, min: 18}, {name: 中间, min: 12}, {name: 后进, min: 0}]
"""

VILLAGE = """
id: village
name: 农村党支部
extends: core
fields: [农村, 行政村, 村]
total: 25
standards:
  - id: role
    name: 作用突出
    points: 15
    indicators:
      - {id: income, name: 集体经济收入, points: 5, unit: 万元, method: {kind: tiers, tiers: [{min: 5, points: 5}, {min: 1, points: 2}]}}
"""

COMMUNITY = """
id: community
name: 社区党组织
extends: core
fields: [城市社区, 社区]
total: 25
standards:
  - id: role
    name: 作用突出
    points: 15
    indicators:
      - {id: venue_area, name: 活动场所面积, points: 5, unit: ㎡, method: {kind: tiers, tiers: [{min: 300, points: 5}, {min: 100, points: 2}]}}
"""

SOURCES = """
id: school
name: 学校党支部
fields: [学校]
total: 10
columns:
  - {id: branch_id, label: 党组织代码, type: text, required: true}
  - {id: name, label: 党组织名称, type: text, required: true}
  - {id: field, label: 领域, type: text}
sources:
  - {id: review, name: 上级评定, weight: 0.6}
  - {id: self, name: 自评, weight: 0.4, header: "{label}（自评）"}
standards:
  - id: institutions
    name: 制度规范
    points: 10
    indicators:
      - {id: meetings, name: 三会一课次数, points: 6, method: {kind: count, per_unit: 0.5}}
      - {id: lessons, name: 党课, points: 4, method: {kind: count, per_unit: 1}}
grading:
  bands: [{name: 先进, min: 9}, {name: 后进, min: 0}]
"""


@cache
def fields() -> RubricSet:
    """Core + village + community."""
    return parse_rubrics({"village.yaml": VILLAGE, "community.yaml": COMMUNITY}, {"core.yaml": CORE})


@cache
def school() -> RubricSet:
    """A rubric with two assessment sources."""
    return parse_rubrics({"school.yaml": SOURCES})
