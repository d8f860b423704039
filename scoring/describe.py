"""Rubrics for people and editors: a printable Chinese document, tables for the dashboard, the rubric file schema."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.conditions import describe as describe_condition
from scoring.methods import fmt_points
from scoring.reading import COMBINERS
from scoring.rubric import Adjustment, Column, Indicator, Rubric
from scoring.rules import KINDS
from scoring.rules.base import group_words

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "rubrics" / "rubric.schema.json"
_NUMERALS = "一二三四五六七八九十"
_ITEM_TYPES = ("Column", "Indicator", "Standard", "Source", "Veto", "Floor", "DirectGrade", "Quota", "Bottom")
_INDICATOR_HEADERS = ["序号", "指标", "分值", "评分方法", "考评方式", "说明"]
_RULE_HEADERS = ["类别", "规则", "条件", "处理", "说明"]


# ---------------------------------------------------------------- JSON Schema of rubric files


def rubric_file_schema() -> dict[str, Any]:
    """The JSON Schema of a rubric YAML file: the model's schema, relaxed so partial files using `extends` validate."""
    schema = Rubric.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs")
    for name, definition in defs.items():
        _relax(definition)
        if name in _ITEM_TYPES:
            definition["required"] = ["id"]
            definition["properties"]["remove"] = {
                "const": True,
                "description": "在继承的细则中删除同 id 的项（仅用于 extends 的子细则）",
            }
    complete = schema.pop("required")  # only files without `extends` must be complete
    _relax(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "党支部标准化考评细则（评分细则 YAML）",
        "description": (
            "一个评分细则文件。不含 extends 的文件必须完整（id、name、total、standards、grading）；"
            "含 extends 的子细则只写与上级不同的部分，列表项按 id 合并，remove: true 删除继承项。"
        ),
        **schema,
        "required": ["id"],
        "anyOf": [{"required": ["extends"]}, {"required": complete}],
        "$defs": defs,
    }


def _relax(node: Any) -> None:
    """Drop `required` lists and make the method union tolerant of partial overrides, recursively."""
    if isinstance(node, dict):
        if isinstance(node.get("required"), list):
            del node["required"]
        if "discriminator" in node and "oneOf" in node:
            node.pop("discriminator")
            node["anyOf"] = node.pop("oneOf")
        for key, value in node.items():
            _relax(list(value.values()) if key == "properties" else value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


def rubric_schema_text() -> str:
    """The schema exactly as committed in rubrics/rubric.schema.json."""
    return json.dumps(rubric_file_schema(), ensure_ascii=False, indent=2) + "\n"


def write_rubric_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate the committed schema file after the rubric model changes."""
    path.write_text(rubric_schema_text(), encoding="utf-8")
    return path


# ---------------------------------------------------------------- tables


def rubric_tables(rubric: Rubric, columns: Mapping[str, Column] | None = None, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """The rubric as tables: overview, standards, indicators, adjustments, bands, rules, alerts, sources (headers are keys;
    with lang="en" the fixed wording and the names the rubric gives in English are English; 评分方法 stays Chinese)."""
    cols = columns if columns is not None else rubric.input_columns()
    en = _english_names(rubric, lang)
    indicators = [
        {"标准": en.get(std.name, std.name), **row, "填报列": _label(ind, cols), "指标 id": ind.id}
        for std in rubric.standards
        for ind, row in zip(std.indicators, _indicator_rows(std.indicators, rubric=rubric, columns=cols, lang=lang))
    ]
    adjustments = [
        {"类别": _EN.get(kind, kind) if lang == "en" else kind, **row, "填报列": _label(ind, cols), "指标 id": ind.id}
        for kind, section, penalty in _adjustments(rubric)
        for ind, row in zip(section.indicators, _indicator_rows(section.indicators, penalty, True, rubric, cols, lang))
    ]
    return {
        "overview": pd.DataFrame(_overview(rubric), columns=["项目", "内容"]),
        "standards": pd.DataFrame(
            [{"序号": i + 1, "标准": en.get(s.name, s.name), "分值": s.points, "指标数": len(s.indicators), "说明": s.description}
             for i, s in enumerate(rubric.standards)],
            columns=["序号", "标准", "分值", "指标数", "说明"],
        ),
        "indicators": pd.DataFrame(indicators, columns=["标准", *_INDICATOR_HEADERS, "填报列", "指标 id"]),
        "adjustments": pd.DataFrame(adjustments, columns=["类别", *_INDICATOR_HEADERS, "填报列", "指标 id"]),
        "bands": pd.DataFrame(rubric.grading.banding.describe(lang, en), columns=["等次", "最低分", "分数范围"]),
        "rules": pd.DataFrame([rule.describe({s.id: s.name for s in rubric.standards}, cols, lang, en) for rule in rubric.grading.rules()],
                              columns=_RULE_HEADERS),
        "alerts": pd.DataFrame(rubric.grading.alerts.describe(lang, en) if rubric.grading.alerts else [], columns=["预警", "未达标指标数"]),
        "sources": pd.DataFrame(
            [{"来源": s.name, "权重": s.weight, "表头": s.header} for s in rubric.sources],
            columns=["来源", "权重", "表头"],
        ),
    }


# The tables' fixed wording in English (rubric content keeps its own words unless the rubric names it in English).
_EN = {"加分": "Bonus", "减分": "Penalty"}


def _english_names(rubric: Rubric, lang: str) -> dict[str, str]:
    """Standard, grade and warning names → the English names the rubric gives (when tables are wanted in English)."""
    if lang != "en":
        return {}
    items: list[Any] = [*rubric.standards, *rubric.grading.bands, *(rubric.grading.alerts.levels if rubric.grading.alerts else ())]
    return {item.name: item.name_en for item in items if item.name_en}


def _label(ind: Indicator, columns: Mapping[str, Column]) -> str:
    column = columns.get(ind.column_id)
    return column.label if column else (ind.label or ind.name)


def _indicator_rows(items: tuple[Indicator, ...], penalty: bool = False, adjustment: bool = False,
                    rubric: Rubric | None = None, columns: Mapping[str, Column] | None = None, lang: str = "zh") -> list[dict[str, Any]]:
    """One printable row per indicator: number, name, points, rule, evidence and notes."""
    rows = []
    for i, ind in enumerate(items, start=1):
        rule = ind.method.describe(ind.points, lang)
        rows.append({
            "序号": i, "指标": ind.name, "分值": ind.points,
            "评分方法": _as_penalty(rule, lang) if penalty else rule,
            "考评方式": ind.evidence, "说明": _notes(ind, adjustment, rubric, columns or {}, lang),
        })
    return rows


# Method sentences speak of points earned; in a penalty section the same points are deducted.
_PENALTY_WORDS = {"zh": (("最高 ", "最多扣 "), ("得 ", "扣 ")), "en": (("up to ", "at most "), ("earns ", "loses "))}


def _as_penalty(rule: str, lang: str = "zh") -> str:
    """A method sentence reworded for a penalty section."""
    for earned, deducted in _PENALTY_WORDS["en" if lang == "en" else "zh"]:
        rule = rule.replace(earned, deducted)
    return rule


def _notes(ind: Indicator, adjustment: bool = False, rubric: Rubric | None = None, columns: Mapping[str, Column] | None = None,
           lang: str = "zh") -> str:
    """The indicator's description, then when it does not apply, which columns it combines and which sources it reads."""
    cols = columns or {}
    parts = [ind.description] if ind.description else []
    if lang == "en":
        return " ".join([*parts, *_notes_en(ind, adjustment, rubric, cols)])
    then = "本项记 0 分。" if adjustment or ind.not_applicable == "zero" else "本标准按其余指标分值折算。"
    if ind.not_applicable_when is not None:
        parts.append(f"{describe_condition(ind.not_applicable_when, cols)}时不适用（无需填写），{then}")
    elif ind.applies_when is not None:
        parts.append(f"仅在{describe_condition(ind.applies_when, cols)}时适用，否则不适用（无需填写），{then}")
    elif ind.blank == "not_applicable" and adjustment:
        parts.append("不涉及的可填空白。")
    elif ind.blank == "not_applicable":
        parts.append("不适用的填空白，" + then)
    elif ind.allow_not_applicable:
        parts.append("不适用的填“不适用”，" + then)
    if len(ind.column_ids) > 1:
        labels = [f"“{cols[c].label if c in cols else c}”" for c in ind.column_ids]
        parts.append(COMBINERS[ind.combine].describe(labels) + "计分。")
    if rubric is not None and rubric.sources:
        read = rubric.sources_of()[ind.id]
        if len(read) < len(rubric.sources):
            parts.append(f"仅按{'、'.join(s.name for _, s in read)}计分。")
    return "".join(parts)


def _notes_en(ind: Indicator, adjustment: bool, rubric: Rubric | None, cols: Mapping[str, Column]) -> list[str]:
    """The fixed wording of an indicator's notes, in English."""
    then = "the item scores 0." if adjustment or ind.not_applicable == "zero" else "the standard is rescaled over its other items."
    parts = []
    if ind.not_applicable_when is not None:
        parts.append(f"Not applicable when {describe_condition(ind.not_applicable_when, cols, 'en')} (leave it blank); {then}")
    elif ind.applies_when is not None:
        parts.append(f"Applies only when {describe_condition(ind.applies_when, cols, 'en')}; otherwise leave it blank and {then}")
    elif ind.blank == "not_applicable":
        parts.append("Leave it blank when it does not apply" + ("." if adjustment else f"; {then}"))
    elif ind.allow_not_applicable:
        parts.append(f"Enter “不适用” when it does not apply; {then}")
    if len(ind.column_ids) > 1:
        parts.append("Combines " + ", ".join(f"“{cols[c].label if c in cols else c}”" for c in ind.column_ids) + f" ({ind.combine}).")
    if rubric is not None and rubric.sources:
        read = rubric.sources_of()[ind.id]
        if len(read) < len(rubric.sources):
            parts.append(f"Scored from {', '.join(s.name for _, s in read)} only.")
    return parts


def _adjustments(rubric: Rubric) -> Iterator[tuple[str, Adjustment, bool]]:
    if rubric.bonus:
        yield "加分", rubric.bonus, False
    if rubric.penalty:
        yield "减分", rubric.penalty, True


def _overview(rubric: Rubric) -> list[tuple[str, str]]:
    standards = "、".join(f"{s.name} {fmt_points(s.points)} 分" for s in rubric.standards)
    rows = [("版本", rubric.version)]
    if rubric.fields:
        rows.append(("适用领域", "、".join(rubric.fields)))
    period = _period(rubric.effective_from, rubric.effective_to)
    if period:
        rows.append(("施行期间", period))
    rows.append(("基础分", f"{fmt_points(rubric.total)} 分（{standards}）"))
    if rubric.bonus:
        rows.append(("加分", f"最高加 {fmt_points(rubric.bonus.cap)} 分"))
    if rubric.penalty:
        rows.append(("减分", f"最多减 {fmt_points(rubric.penalty.cap)} 分"))
    rows.append(("总分", "加分后可超过基础分" if rubric.allow_exceed else f"不超过 {fmt_points(rubric.total)} 分，不低于 0 分"))
    rows.append(("等次", "、".join(rubric.grade_names())))
    if rubric.sources:
        rows.append(("评价来源", "、".join(f"{s.name} {s.weight:.0%}" for s in rubric.sources)))
    return rows


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{_day(start)}至{_day(end)}"
    if start:
        return f"{_day(start)}起施行"
    return f"至{_day(end)}" if end else ""




# ---------------------------------------------------------------- Markdown document


def rubric_markdown(rubric: Rubric, columns: Mapping[str, Column] | None = None) -> str:
    """The rubric as a printable Chinese Markdown document: overview, one table per standard, adjustments, grading."""
    cols = columns if columns is not None else rubric.input_columns()
    tables = rubric_tables(rubric, cols)
    out = [f"# {rubric.name}", ""]
    out += _table(["项目", "内容"], tables["overview"].itertuples(index=False))
    if rubric.description:
        out += ["", rubric.description.strip()]
    if rubric.abstract:
        out += ["", "> 本细则为公共核心，供各领域细则继承，不直接用于评分。"]
    section = iter(_NUMERALS)
    if rubric.sources:
        out += ["", f"## {next(section)}、评价来源", ""]
        first = rubric.sources[0]
        weights = "；".join(
            f"{s.name}占 {s.weight:.0%}，填写在“{s.header.format(label='指标名称')}”列" for s in rubric.sources
        )
        blank = "按其余来源的权重折算" if rubric.blank_source == "rescale" else "该来源记 0 分"
        out.append(f"各指标由多个来源分别评分后加权计算：{weights}。某一来源未填的，{blank}；"
                   f"指标说明中注明“仅按…计分”的只读取所列来源。否决和限制条件以{first.name}为准。")
    for std in rubric.standards:
        out += ["", f"## {next(section)}、{std.name}（{fmt_points(std.points)} 分）", ""]
        if std.description:
            out += [std.description, ""]
        out += _table(_INDICATOR_HEADERS, (r.values() for r in _indicator_rows(std.indicators, rubric=rubric, columns=cols)))
    for _, adjustment, penalty in _adjustments(rubric):
        cap = f"最多扣 {fmt_points(adjustment.cap)} 分" if penalty else f"最高 {fmt_points(adjustment.cap)} 分"
        out += ["", f"## {next(section)}、{adjustment.name}（{cap}）", ""]
        rows = _indicator_rows(adjustment.indicators, penalty, True, rubric, cols)
        out += _table(_INDICATOR_HEADERS, (r.values() for r in rows))
    out += ["", f"## {next(section)}、等次评定", "", "### （一）等次划分", ""]
    out += _table(["等次", "总分"], ((b.name, text) for b, text in zip(rubric.grading.bands, tables["bands"]["分数范围"])))
    out += ["", f"先按总分划分等次，再依次适用{'、'.join(kind.step for kind in KINDS.values())}；"
            f"排名在{group_words(rubric.grading.rank_by, cols)}按总分进行，同分按党组织代码先后排列。"]
    sub = iter("二三四五六七八九十")
    names = {s.id: s.name for s in rubric.standards}
    for key, kind in KINDS.items():
        rows = [rule.describe(names, cols) for rule in getattr(rubric.grading, key)]
        if rows:
            out += ["", f"### （{next(sub)}）{kind.title}", ""]
            out += _table(["条件", "处理", "说明"], ([r["条件"], r["处理"], r["说明"]] for r in rows))
    alerts = rubric.grading.alerts
    if alerts is not None:
        out += ["", f"### （{next(sub)}）红黄绿预警", "",
                f"得分低于该项分值 {alerts.unmet_below:.0%} 的指标记为未达标，按未达标指标数预警：", ""]
        out += _table(["预警", "未达标指标数"], tables["alerts"].itertuples(index=False))
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    text = fmt_points(value) if isinstance(value, float) else str(value)
    return " ".join(text.replace("|", "\\|").split())


def _table(headers: list[str], rows: Any) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


if __name__ == "__main__":
    print(write_rubric_schema())
