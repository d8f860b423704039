"""Rule checks on a merged rubric document that a type schema cannot express (sums, order, references)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scoring.conditions import OPERATORS, located_columns
from scoring.methods import METHODS
from scoring.rules import KINDS, Alerts, Bands
from scoring.rules.base import CheckContext

Found = tuple[tuple[Any, ...], str, str]
_TOLERANCE = 1e-6


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
        if "column" in cond and operator is not None and (message := operator.check(cond.get("value"))):
            yield (*path, "value"), "condition-value", message
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
            yield (*path, rules[1]), "na-two-rules", "applies_when 和 not_applicable_when 只能写一个；请保留其一"
        if rules and ind.get("blank") == "not_applicable":
            yield (*path, "blank"), "na-rule-blank", (
                "本项由适用条件判定是否适用，空白不能再表示“不适用”；请删除 blank: not_applicable（条件不适用时无需填写）")
        for key in rules:
            for sub, column in located_columns(ind.get(key), (key,)):
                if column not in columns:
                    yield (*path, *sub), "unknown-column", f"适用条件引用了未定义的列“{column}”；请在 columns 中声明它"


def _combined(doc: dict[str, Any]) -> Iterator[Found]:
    """Combined columns are declared, not mixed with `column`, and levels are not summed."""
    declared = {c.get("id") for _, c in _items(doc, "columns")}
    for path, ind in _indicators(doc):
        names = ind.get("columns")
        if not names:
            continue
        if ind.get("column") is not None:
            yield (*path, "column"), "column-and-columns", "column 与 columns 只能写一个：读取多列时只写 columns"
        for j, name in enumerate(names if isinstance(names, list) else []):
            if name not in declared:
                yield (*path, "columns", j), "unknown-column", f"合并读取的列“{name}”未定义；请在 columns 中声明它（含表头和类型）"
        method = ind.get("method")
        if ind.get("combine") == "sum" and isinstance(method, dict) and method.get("kind") in ("level", "yes_no"):
            yield (*path, "combine"), "combine-sum-level", "等次和是/否不能相加；请改用 combine: max、min 或 first_filled"


def _scoped_sources(doc: dict[str, Any]) -> Iterator[Found]:
    """Sources named by a standard, a bonus or penalty section or an indicator exist."""
    known = [s.get("id") for _, s in _items(doc, "sources")]
    sections = [*_sections(doc), *((path, ind) for path, ind in _indicators(doc))]
    for path, item in sections:
        for j, name in enumerate(item.get("sources") or []):
            if name not in known:
                choices = "、".join(map(str, known)) or "（本细则未设 sources）"
                yield (*path, "sources", j), "unknown-source", f"评价来源“{name}”未在 sources 中定义；可用的有：{choices}"


def _skips(doc: dict[str, Any]) -> Iterator[Found]:
    columns = _known_columns(doc)
    for i, rule in _items(doc, "skip"):
        for sub, column in located_columns(rule.get("when"), ("when",)):
            if column not in columns:
                yield ("skip", i, *sub), "unknown-column", f"不参评条件引用了未定义的列“{column}”；请在 columns 中声明它"


def _blank_levels(doc: dict[str, Any]) -> Iterator[Found]:
    """A blank level cell cannot mean 0: level 0 is the best level, so it would silently award full points."""
    hint = "等次列的空白不能记作 0（0 表示第一个、最好的等次）；请改用 blank: not_applicable 或 missing，或增加“无”等次并要求填写"
    for i, column in _items(doc, "columns"):
        if column.get("type") == "level" and column.get("blank") == "zero":
            yield ("columns", i, "blank"), "blank-zero-level", hint
    for path, ind in _indicators(doc):
        method = ind.get("method")
        if isinstance(method, dict) and method.get("kind") == "level" and ind.get("blank") == "zero":
            yield (*path, "blank"), "blank-zero-level", hint


def _duplicates(doc: dict[str, Any]) -> Iterator[Found]:
    groups: list[tuple[str, list[tuple[tuple[Any, ...], dict[str, Any]]]]] = [
        ("标准", [(("standards", i), s) for i, s in _items(doc, "standards")]),
        ("指标", list(_indicators(doc))),
        ("列", [(("columns", i), c) for i, c in _items(doc, "columns")]),
        ("评定规则", [(("grading", k, i), r) for k in KINDS
                      for i, r in _items(doc.get("grading", {}), k)]),
    ]
    for kind, entries in groups:
        seen: set[Any] = set()
        for path, item in entries:
            key = item.get("id")
            if key in seen:
                yield (*path, "id"), "duplicate-id", f"{kind} id“{key}”重复，每个{kind}的 id 必须唯一；请改名或删除重复项"
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
                yield (*path, "points"), "points-mismatch", (
                    f"标准“{section.get('name', section.get('id'))}”分值为 {declared:g}，"
                    f"但其指标分值合计 {sum(p for p in parts if p):g}；请调整使两者相等")
    if total is not None and _items(doc, "standards") and abs(std_sum - total) > _TOLERANCE:
        yield ("total",), "total-mismatch", f"总分 total 为 {total:g}，但各标准分值合计 {std_sum:g}；请调整使两者相等"


def _methods(doc: dict[str, Any]) -> Iterator[Found]:
    """Each method names a known kind, and the kind checks its own parameters."""
    for path, ind in _indicators(doc):
        method = ind.get("method")
        if not isinstance(method, dict):
            continue
        kind = method.get("kind")
        if kind is not None and (not isinstance(kind, str) or kind not in METHODS):
            yield (*path, "method", "kind"), "unknown-method", f"未知的评分方法“{kind}”；可用的有：{'、'.join(METHODS)}"
        elif isinstance(kind, str):
            for sub, code, message in METHODS[kind].check(method, _num(ind.get("points")) or 0.0):
                yield (*path, "method", *sub), code, message


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
        yield ("grading", "rank_by"), "unknown-column", f"排名分组列“{rank_by}”未定义；请在 columns 中声明它"


def _known_columns(doc: dict[str, Any]) -> set[Any]:
    declared = {c.get("id") for _, c in _items(doc, "columns")}
    read = {ind.get("column") or ind.get("id") for _, ind in _indicators(doc) if not ind.get("columns")}
    return declared | read


def _sources(doc: dict[str, Any]) -> Iterator[Found]:
    for i, source in _items(doc, "sources"):
        header = source.get("header", "{label}")
        if i > 0 and (not isinstance(header, str) or "{label}" not in header or header == "{label}"):
            yield ("sources", i, "header"), "source-header", "第二个及以后的评价来源需要自己的表头模板，须含 {label}，如 “{label}（自评）”"
