"""Rule checks on a merged rubric document that a type schema cannot express (sums, order, references)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scoring.conditions import OPERATORS, located_columns
from scoring.errors import Said, rubric_texts, said
from scoring.methods import METHODS
from scoring.rules import KINDS, Alerts, Bands
from scoring.rules.base import CheckContext

Found = tuple[tuple[Any, ...], str, Said]
_TOLERANCE = 1e-6

rubric_texts({
    "na-two-rules": {"zh": "applies_when 和 not_applicable_when 只能写一个；请保留其一",
                     "en": "write either applies_when or not_applicable_when, not both; keep one"},
    "na-rule-blank": {"zh": "本项由适用条件判定是否适用，空白不能再表示“不适用”；请删除 blank: not_applicable（条件不适用时无需填写）",
                      "en": "a rule decides whether this item applies, so a blank cannot also mean “not applicable”; delete "
                            "blank: not_applicable (nothing needs entering when the rule says it does not apply)"},
    "unknown-column-applicability": {"zh": "适用条件引用了未定义的列“{column}”；请在 columns 中声明它",
                                     "en": "the applicability rule reads the undefined column “{column}”; declare it under columns"},
    "column-and-columns": {"zh": "column 与 columns 只能写一个：读取多列时只写 columns",
                           "en": "write either column or columns, not both: to read several columns write only columns"},
    "unknown-column-combined": {"zh": "合并读取的列“{column}”未定义；请在 columns 中声明它（含表头和类型）",
                                "en": "the combined column “{column}” is not defined; declare it under columns (with its header and type)"},
    "combine-sum-level": {"zh": "等次和是/否不能相加；请改用 combine: max、min 或 first_filled",
                          "en": "levels and yes/no answers cannot be added up; use combine: max, min or first_filled instead"},
    "unknown-source": {"zh": "评价来源“{source}”未在 sources 中定义；可用的有：{choices}",
                       "en": "the source “{source}” is not defined under sources; defined: {choices}"},
    "no-sources": {"zh": "（本细则未设 sources）", "en": "(this rubric has no sources)"},
    "unknown-column-skip": {"zh": "不参评条件引用了未定义的列“{column}”；请在 columns 中声明它",
                            "en": "the skip rule reads the undefined column “{column}”; declare it under columns"},
    "blank-zero-level": {"zh": "等次列的空白不能记作 0（0 表示第一个、最好的等次）；"
                                "请改用 blank: not_applicable 或 missing，或增加“无”等次并要求填写",
                         "en": "a blank level cell cannot count as 0 (0 is the first, best level); use blank: not_applicable or "
                               "missing, or add a “none” level and require it to be filled in"},
    "duplicate-id": {"zh": "{kind} id“{id}”重复，每个{kind}的 id 必须唯一；请改名或删除重复项",
                     "en": "the {kind} id “{id}” is repeated; each {kind} needs its own id, rename or delete the repeat"},
    "kind-standard": {"zh": "标准", "en": "standard"},
    "kind-indicator": {"zh": "指标", "en": "indicator"},
    "kind-column": {"zh": "列", "en": "column"},
    "kind-rule": {"zh": "评定规则", "en": "grading rule"},
    "points-mismatch": {"zh": "标准“{name}”分值为 {declared:g}，但其指标分值合计 {parts:g}；请调整使两者相等",
                        "en": "the standard “{name}” is worth {declared:g}, but its indicators add up to {parts:g}; make them equal"},
    "total-mismatch": {"zh": "总分 total 为 {total:g}，但各标准分值合计 {parts:g}；请调整使两者相等",
                       "en": "the total is {total:g}, but the standards add up to {parts:g}; make them equal"},
    "unknown-method": {"zh": "未知的评分方法“{kind}”；可用的有：{choices}", "en": "unknown scoring method “{kind}”; one of: {choices}"},
    "unknown-column-rank-by": {"zh": "排名分组列“{column}”未定义；请在 columns 中声明它",
                               "en": "the ranking group column “{column}” is not defined; declare it under columns"},
    "source-header": {"zh": "第二个及以后的评价来源需要自己的表头模板，须含 {{label}}，如 “{{label}}（自评）”",
                      "en": "every source after the first needs its own header template containing {{label}}, such as “{{label}} (self)”"},
})


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _items(doc: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = doc.get(key) if isinstance(doc, dict) else None
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _sections(doc: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every place indicators live: each standard, then bonus and penalty."""
    for i, std in _items(doc, "standards"):
        yield ("standards", i), std
    for key in ("bonus", "penalty"):
        if isinstance(doc.get(key), dict):
            yield (key,), doc[key]


def _indicators(doc: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for path, section in _sections(doc):
        for j, ind in _items(section, "indicators"):
            yield (*path, "indicators", j), ind


def semantic_problems(doc: dict[str, Any]) -> list[Found]:
    """Every rule problem of a merged rubric document, each with its path in the document."""
    return [*_duplicates(doc), *_points(doc), *_methods(doc), *_grading(doc), *_skips(doc), *_blank_levels(doc), *_sources(doc),
            *_applicability(doc), *_combined(doc), *_scoped_sources(doc), *_condition_values(doc)]


def _conditions(doc: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every condition of the rubric with its path: grading rules, skip rules and applicability rules."""
    grading = doc.get("grading") if isinstance(doc.get("grading"), dict) else {}
    for key, kind in KINDS.items():
        for i, rule in _items(grading, key):
            for name in kind.condition_fields:
                yield ("grading", key, i, name), rule.get(name)
    for i, rule in _items(doc, "skip"):
        yield ("skip", i, "when"), rule.get("when")
    for path, ind in _indicators(doc):
        for key in ("applies_when", "not_applicable_when"):
            yield (*path, key), ind.get(key)


def _condition_values(doc: dict[str, Any]) -> Iterator[Found]:
    """Each clause's `value` suits its operator (each operator checks its own literal)."""
    def walk(cond: Any, path: tuple[Any, ...]) -> Iterator[Found]:
        if not isinstance(cond, dict):
            return
        op = cond.get("op")
        operator = OPERATORS.get(op) if isinstance(op, str) else None
        if "column" in cond and operator is not None and (text := operator.problem(cond.get("value"))):
            yield (*path, "value"), "condition-value", text
        for key in ("any", "all"):
            for i, sub in enumerate(cond.get(key) or []):
                yield from walk(sub, (*path, key, i))

    for path, cond in _conditions(doc):
        yield from walk(cond, path)


def _applicability(doc: dict[str, Any]) -> Iterator[Found]:
    """Applicability rules name known columns, one rule per indicator, and a blank cell does not also mean 不适用."""
    columns = _known_columns(doc)
    for path, ind in _indicators(doc):
        rules = [k for k in ("applies_when", "not_applicable_when") if ind.get(k) is not None]
        if len(rules) > 1:
            yield (*path, rules[1]), "na-two-rules", said("na-two-rules")
        if rules and ind.get("blank") == "not_applicable":
            yield (*path, "blank"), "na-rule-blank", said("na-rule-blank")
        for key in rules:
            for sub, column in located_columns(ind.get(key), (key,)):
                if column not in columns:
                    yield (*path, *sub), "unknown-column", said("unknown-column-applicability", column=column)


def _combined(doc: dict[str, Any]) -> Iterator[Found]:
    """Combined columns are declared, not mixed with `column`, and levels are not summed."""
    declared = {c.get("id") for _, c in _items(doc, "columns")}
    for path, ind in _indicators(doc):
        names = ind.get("columns")
        if not names:
            continue
        if ind.get("column") is not None:
            yield (*path, "column"), "column-and-columns", said("column-and-columns")
        for j, name in enumerate(names if isinstance(names, list) else []):
            if name not in declared:
                yield (*path, "columns", j), "unknown-column", said("unknown-column-combined", column=name)
        method = ind.get("method")
        if ind.get("combine") == "sum" and isinstance(method, dict) and method.get("kind") in ("level", "yes_no"):
            yield (*path, "combine"), "combine-sum-level", said("combine-sum-level")


def _scoped_sources(doc: dict[str, Any]) -> Iterator[Found]:
    """Sources named by a standard, a bonus or penalty section or an indicator exist."""
    known = [s.get("id") for _, s in _items(doc, "sources")]
    sections = [*_sections(doc), *((path, ind) for path, ind in _indicators(doc))]
    for path, item in sections:
        for j, name in enumerate(item.get("sources") or []):
            if name not in known:
                choices = tuple(map(str, known)) or said("no-sources")
                yield (*path, "sources", j), "unknown-source", said("unknown-source", source=name, choices=choices)


def _skips(doc: dict[str, Any]) -> Iterator[Found]:
    columns = _known_columns(doc)
    for i, rule in _items(doc, "skip"):
        for sub, column in located_columns(rule.get("when"), ("when",)):
            if column not in columns:
                yield ("skip", i, *sub), "unknown-column", said("unknown-column-skip", column=column)


def _blank_levels(doc: dict[str, Any]) -> Iterator[Found]:
    """A blank level cell cannot mean 0: level 0 is the best level, so it would silently award full points."""
    hint = said("blank-zero-level")
    for i, column in _items(doc, "columns"):
        if column.get("type") == "level" and column.get("blank") == "zero":
            yield ("columns", i, "blank"), "blank-zero-level", hint
    for path, ind in _indicators(doc):
        method = ind.get("method")
        if isinstance(method, dict) and method.get("kind") == "level" and ind.get("blank") == "zero":
            yield (*path, "blank"), "blank-zero-level", hint


def _duplicates(doc: dict[str, Any]) -> Iterator[Found]:
    groups: list[tuple[str, list[tuple[tuple[Any, ...], dict[str, Any]]]]] = [
        ("kind-standard", [(("standards", i), s) for i, s in _items(doc, "standards")]),
        ("kind-indicator", list(_indicators(doc))),
        ("kind-column", [(("columns", i), c) for i, c in _items(doc, "columns")]),
        ("kind-rule", [(("grading", k, i), r) for k in KINDS
                       for i, r in _items(doc.get("grading", {}), k)]),
    ]
    for kind, entries in groups:
        seen: set[Any] = set()
        for path, item in entries:
            key = item.get("id")
            if key in seen:
                yield (*path, "id"), "duplicate-id", said("duplicate-id", kind=said(kind), id=key)
            seen.add(key)


def _points(doc: dict[str, Any]) -> Iterator[Found]:
    total = _num(doc.get("total"))
    std_sum = 0.0
    for path, section in _sections(doc):
        declared = _num(section.get("points"))
        parts = [_num(ind.get("points")) for _, ind in _items(section, "indicators")]
        if path[0] == "standards":
            std_sum += declared or 0.0
            if declared is not None and None not in parts and abs(sum(p for p in parts if p) - declared) > _TOLERANCE:
                yield (*path, "points"), "points-mismatch", said(
                    "points-mismatch", name=section.get("name", section.get("id")), declared=declared, parts=sum(p for p in parts if p))
    if total is not None and _items(doc, "standards") and abs(std_sum - total) > _TOLERANCE:
        yield ("total",), "total-mismatch", said("total-mismatch", total=total, parts=std_sum)


def _methods(doc: dict[str, Any]) -> Iterator[Found]:
    """Each method names a known kind, and the kind checks its own parameters."""
    for path, ind in _indicators(doc):
        method = ind.get("method")
        if not isinstance(method, dict):
            continue
        kind = method.get("kind")
        if kind is not None and (not isinstance(kind, str) or kind not in METHODS):
            yield (*path, "method", "kind"), "unknown-method", said("unknown-method", kind=kind, choices=tuple(METHODS))
        elif isinstance(kind, str):
            for sub, code, text in METHODS[kind].check(method, _num(ind.get("points")) or 0.0):
                yield (*path, "method", *sub), code, text


def _grading(doc: dict[str, Any]) -> Iterator[Found]:
    """The bands, then each rule, checked by its own kind; the rank column is known."""
    grading = doc.get("grading")
    if not isinstance(grading, dict):
        return
    bands = _items(grading, "bands")
    columns = _known_columns(doc)
    ctx = CheckContext(tuple(b.get("name") for _, b in bands), columns, {s.get("id") for _, s in _items(doc, "standards")})
    yield from Bands.check(bands, ("grading", "bands"), ctx)
    for key, kind in KINDS.items():
        for i, rule in _items(grading, key):
            yield from kind.check(rule, ("grading", key, i), ctx)
    if isinstance(grading.get("alerts"), dict):
        yield from Alerts.check(grading["alerts"], ("grading", "alerts"))
    rank_by = grading.get("rank_by")
    if rank_by is not None and rank_by not in columns:
        yield ("grading", "rank_by"), "unknown-column", said("unknown-column-rank-by", column=rank_by)


def _known_columns(doc: dict[str, Any]) -> set[Any]:
    declared = {c.get("id") for _, c in _items(doc, "columns")}
    read = {ind.get("column") or ind.get("id") for _, ind in _indicators(doc) if not ind.get("columns")}
    return declared | read


def _sources(doc: dict[str, Any]) -> Iterator[Found]:
    for i, source in _items(doc, "sources"):
        header = source.get("header", "{label}")
        if i > 0 and (not isinstance(header, str) or "{label}" not in header or header == "{label}"):
            yield ("sources", i, "header"), "source-header", said("source-header")
