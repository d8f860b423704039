"""A tiny rubric built in tests: totals are set directly through three `direct` indicators (x, y, z)."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import yaml

from scoring.engine import score
from scoring.loader import parse_rubrics
from scoring.results import Results

BASE: dict[str, Any] = {
    "id": "mini", "name": "测试细则", "total": 10, "fields": ["测试"],
    "columns": [
        {"id": "branch_id", "label": "代码"}, {"id": "name", "label": "名称"}, {"id": "field", "label": "领域"},
        {"id": "period", "label": "年度"}, {"id": "parent", "label": "上级"},
        {"id": "incident", "label": "发生事故", "type": "bool", "blank": "zero"},
        {"id": "award", "label": "表彰", "type": "level", "levels": ["国家级", "无"]},
    ],
    "standards": [
        {"id": "a", "name": "甲", "points": 6, "indicators": [
            {"id": "x", "name": "X", "points": 4, "method": {"kind": "direct"}},
            {"id": "y", "name": "Y", "points": 2, "method": {"kind": "direct"}},
        ]},
        {"id": "b", "name": "乙", "points": 4, "indicators": [{"id": "z", "name": "Z", "points": 4, "method": {"kind": "direct"}}]},
    ],
    "grading": {"bands": [{"name": "优", "min": 9}, {"name": "良", "min": 7}, {"name": "差", "min": 0}], "rank_by": "parent"},
}


def mini_rubrics(grading: dict[str, Any] | None = None, **top: Any):
    """The mini rubric with grading rules (and top-level keys) replaced."""
    doc = copy.deepcopy(BASE)
    doc["grading"].update(grading or {})
    doc.update(top)
    return parse_rubrics({"mini.yaml": yaml.safe_dump(doc, allow_unicode=True)})


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows with defaults: one group, one period, totals split over x (≤4), y (≤2), z (≤4)."""
    out = []
    for i, given in enumerate(rows):
        row = dict(given)
        total = row.pop("total", None)
        values = {"x": 4.0, "y": 2.0, "z": 4.0}
        if total is not None:  # spread a total over the three items, z first
            z = min(total, 4.0)
            x = min(total - z, 4.0)
            values = {"z": z, "x": x, "y": total - z - x}
        out.append({"branch_id": f"B{i:03d}", "name": f"支部{i}", "field": "测试", "period": "2025", "parent": "P1",
                    "incident": 0.0, "award": 1.0, **values, **row})
    return pd.DataFrame(out)


def run(grading: dict[str, Any] | None, rows: list[dict[str, Any]], **top: Any) -> Results:
    """Score rows with the mini rubric."""
    rubrics = mini_rubrics(grading, **top)
    return score(frame(rows), rubrics)
