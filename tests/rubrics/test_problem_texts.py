"""Rubric problems are templates keyed by code: Chinese as before, English with no Chinese but the rubric's own words."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from string import Formatter
from typing import Any

import pytest
import yaml

import scoring.loader  # every module that finds rubric problems adds its templates on import (load_rubrics is used below)
from scoring.base import say
from scoring.errors import RUBRIC_TEXTS, RubricError, RubricProblem, Said, rubric_texts, said
from scoring.loader import decode_rubric, parse_rubrics
from tests.rubrics import hostile
from tests.rubrics.test_loader_malformed import CASES as MALFORMED
from tests.rubrics.test_loader_malformed import CORE
from tests.unit.mini import BASE
from tests.unit.test_rule_kinds import KIND_CASES

CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff，。、；：（）《》]")  # as tests/app/test_english.py


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(RUBRIC_TEXTS))
def test_every_template_has_chinese_and_english_naming_the_same_fields(key: str) -> None:
    texts = RUBRIC_TEXTS[key]
    assert set(texts) == {"zh", "en"}
    assert not CHINESE.search(texts["en"]), texts["en"]
    assert _names(texts["zh"]) == _names(texts["en"])
    assert all(name.isidentifier() for name in _names(texts["zh"]))  # a literal brace is written {{ }}
    specs = {name: spec for lang in texts for _, name, spec, _ in Formatter().parse(texts[lang]) if name}
    shown = {name: 1234.0 if spec else f"<{name}>" for name, spec in specs.items()}  # numbers where a format spec asks
    for lang in texts:
        text = say(RUBRIC_TEXTS, key, lang, **shown)
        assert all(str(value) in text for value in shown.values() if isinstance(value, str))


def test_a_template_key_belongs_to_one_module() -> None:
    with pytest.raises(ValueError, match="bands-order"):
        rubric_texts({"bands-order": {"zh": "重复", "en": "again"}})


def content(text: Said) -> Iterator[str]:
    """The values a text inserts from the rubric or the file (ids, keys, values, file names), nested texts looked into."""
    for _, value in text.fields:
        for item in value if isinstance(value, tuple) else (value,):
            yield from content(item) if isinstance(item, Said) else (str(item),)


def chinese_left(problem: RubricProblem) -> str:
    """The Chinese characters of a problem's English text once the inserted rubric content is taken out."""
    assert problem.said is not None, str(problem)
    rest = problem.text("en")
    for value in sorted(content(problem.said), key=len, reverse=True):
        rest = rest.replace(value, " ") if value else rest
    return "".join(CHINESE.findall(rest))


def _doc(change: Any) -> str:
    doc = copy.deepcopy(BASE)
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _indicator(doc: dict[str, Any], **fields: Any) -> None:
    doc["standards"][0]["indicators"][0].update(fields)


def _kind_case(name: str) -> str:
    grading, *_, (field, bad, _, _) = KIND_CASES[name]
    rule = copy.deepcopy(grading)
    key = name.split("-", maxsplit=1)[0]
    if bad is None:
        del rule[key][0][field]
    else:
        rule[key][0][field] = bad
    return _doc(lambda d: d["grading"].update(rule))


WHEN = {"column": "incident", "op": "is_true"}
SOURCES = [{"id": "main", "name": "考评组", "weight": 0.5}, {"id": "self", "name": "自评", "weight": 0.5, "header": "自评分"}]
MINI_CASES = {  # name → (rubric text, a code it must earn)
    **{f"kind-{name}": (_kind_case(name), case[-1][2]) for name, case in KIND_CASES.items()},
    "duplicate-id": (_doc(lambda d: d["standards"][1].update(id="a")), "duplicate-id"),
    "points-mismatch": (_doc(lambda d: d["standards"][0].update(points=7)), "points-mismatch"),
    "total-mismatch": (_doc(lambda d: d.update(total=12)), "total-mismatch"),
    "unknown-method": (_doc(lambda d: _indicator(d, method={"kind": "magic"})), "unknown-method"),
    "tiers-order": (_doc(lambda d: _indicator(d, method={"kind": "tiers", "tiers": [{"min": 1, "points": 1}, {"min": 2, "points": 2}]})),
                    "tiers-order"),
    "exceeds": (_doc(lambda d: _indicator(d, method={"kind": "level", "levels": {"好": 9, "差": 0}})), "method-exceeds-points"),
    "rate-order": (_doc(lambda d: _indicator(d, method={"kind": "rate", "target": 0.5, "zero_at": 0.8})), "value-error"),
    "blank-zero-level": (_doc(lambda d: d["columns"][6].update(blank="zero")), "blank-zero-level"),
    "two-rules": (_doc(lambda d: _indicator(d, applies_when={"column": "incident", "op": "is_true"},
                                            not_applicable_when={"column": "incident", "op": "is_false"})), "na-two-rules"),
    "na-unknown-column": (_doc(lambda d: _indicator(d, applies_when={"column": "nowhere", "op": "is_true"})), "unknown-column"),
    "combine-sum-level": (_doc(lambda d: _indicator(d, columns=["award", "incident"], combine="sum",
                                                    method={"kind": "level", "levels": {"国家级": 4, "无": 0}})), "combine-sum-level"),
    "column-and-columns": (_doc(lambda d: _indicator(d, column="x", columns=["award"])), "column-and-columns"),
    "unknown-combined": (_doc(lambda d: _indicator(d, columns=["nowhere"])), "unknown-column"),
    "unknown-source": (_doc(lambda d: (d.update(sources=SOURCES), _indicator(d, sources=["nowhere"]))), "unknown-source"),
    "no-sources": (_doc(lambda d: _indicator(d, sources=["nowhere"])), "unknown-source"),
    "source-header": (_doc(lambda d: d.update(sources=SOURCES)), "source-header"),
    "skip-column": (_doc(lambda d: d.update(skip=[{"when": {"column": "nowhere", "op": "is_true"}}])), "unknown-column"),
    "rank-by": (_doc(lambda d: d["grading"].update(rank_by="nowhere")), "unknown-column"),
    "bands-order": (_doc(lambda d: d["grading"]["bands"][1].update(min=9)), "bands-order"),
    "alerts-order": (_doc(lambda d: d["grading"].update(alerts={"unmet_below": 0.6, "levels": [{"name": "绿"}, {"name": "红", "max_unmet": 2}]})),
                     "alerts-order"),
    "condition-value": (_doc(lambda d: d["grading"].update(vetoes=[{"id": "v", "reason": "r", "cap": "良",
                                                                     "when": {"column": "incident", "op": "in", "value": 1}}])), "condition-value"),
    "typo-key": (_doc(lambda d: d["standards"][0].update(nmae="甲")), "extra-forbidden"),
    "missing": (_doc(lambda d: d["standards"][0].pop("name")), "missing"),
    "wrong-type": (_doc(lambda d: d.update(total="十")), "float-type"),
    "pattern": (_doc(lambda d: d["standards"][0].update(id="甲 乙")), "string-pattern-mismatch"),
    "literal": (_doc(lambda d: d["columns"][5].update(type="布尔")), "literal-error"),
    "missing-id": (_doc(lambda d: d.pop("id")), "missing-id"),
    "duplicate-key": (_doc(lambda d: None) + "id: again\n", "duplicate-key"),
    "na-rule-blank": (_doc(lambda d: _indicator(d, applies_when={"column": "incident", "op": "is_true"}, blank="not_applicable")),
                      "na-rule-blank"),
    "duplicate-indicator": (_doc(lambda d: d["standards"][0]["indicators"][1].update(id="x")), "duplicate-id"),
    "duplicate-column": (_doc(lambda d: d["columns"][1].update(id="branch_id")), "duplicate-id"),
    "duplicate-rule": (_doc(lambda d: d["grading"].update(vetoes=[{"id": "v", "reason": "r", "cap": "良", "when": WHEN}] * 2)), "duplicate-id"),
    "value-needed": (_doc(lambda d: d["grading"].update(vetoes=[{"id": "v", "reason": "r", "cap": "良",
                                                                  "when": {"column": "incident", "op": ">="}}])), "condition-value"),
    "value-not-needed": (_doc(lambda d: d["grading"].update(vetoes=[{"id": "v", "reason": "r", "cap": "良", "when": {**WHEN, "value": 1}}])),
                         "condition-value"),
    "value-not-scalar": (_doc(lambda d: d["grading"].update(vetoes=[{"id": "v", "reason": "r", "cap": "良",
                                                                      "when": {"column": "incident", "op": "==", "value": [1]}}])),
                         "condition-value"),
    "int-type": (_doc(lambda d: d["grading"].update(bottom=[{"id": "b", "group_by": "parent", "share": 0.1, "flag": "f", "min_group_size": 1.5}])),
                 "int-type"),
    "bool-type": (_doc(lambda d: _indicator(d, method={"kind": "yes_no", "good": "是"})), "bool-type"),
    "date-type": (_doc(lambda d: d.update(effective_from="明年")), "date-type"),
    "greater-than": (_doc(lambda d: _indicator(d, method={"kind": "count", "per_unit": 0})), "greater-than"),
    "greater-than-equal": (_doc(lambda d: _indicator(d, method={"kind": "deduction", "per_occurrence": 1, "floor": -1})),
                           "greater-than-equal"),  # a field's own bound (it used to give way to the magnitude bound)
    "magnitude-negative": (_doc(lambda d: d.update(total=-2e9)), "greater-than"),  # above 0 is said before the magnitude
    "less-than": (_doc(lambda d: _indicator(d, method={"kind": "rate", "target": 1, "zero_at": 1})), "less-than"),
    "less-than-equal": (_doc(lambda d: d.update(total=2e9)), "less-than-equal"),
    "finite-number": (_doc(lambda d: None).replace("total: 10", "total: .inf"), "finite-number"),
    "union-tag": (_doc(lambda d: _indicator(d, method={"good": True})), "union-tag-not-found"),
    "dict-type": (_doc(lambda d: _indicator(d, method={"kind": "level", "levels": ["好"]})), "dict-type"),
    **{f"syntax-{name}": (f"id: x\nname: 甲\n{text}\n", "yaml-syntax") for name, text in {
        "colon": "a: b: c", "alias": "a: *nowhere", "brace": "a: {b: 1", "bracket": "a: [b", "quote": 'a: "b', "escape": 'a: "\\q"',
        "start": "a: @b", "no-colon": "a\nb: 1", "mixed": "- a\nb: 1", "other": "a: &x 1\nb: &x 2"}.items()},
    "nested-key": ("id: x\nname: 甲\n? [a]\n: 1\n", "key-not-text"),
}
CHILD = "id: child\nname: 子细则\nextends: mini\nfields: [子]\n"
FAMILY_CASES = {  # name → (files, a code they must earn)
    "inherited": ({"child.yaml": CHILD + "grading:\n  bands:\n  - {name: 甲等, min: 0}\n"}, "unknown-grade"),
    "extends-cycle": ({"a.yaml": "id: a\nname: 甲\nextends: b\n", "b.yaml": "id: b\nname: 乙\nextends: a\n"}, "extends-cycle"),
    "duplicate-rubric": ({"one.yaml": "id: same\nname: 一\n", "two.yaml": "id: same\nname: 二\n"}, "duplicate-rubric"),
    "remove-unknown": ({"child.yaml": CHILD + "standards:\n- {id: nope, remove: true}\n"}, "remove-unknown"),
    "unknown-parent": ({"child.yaml": CHILD.replace("extends: mini", "extends: 无此细则")}, "unknown-parent"),
}


def _found(docs: dict[str, str], library: dict[str, str] | None = None) -> list[RubricProblem]:
    return _refused(lambda: parse_rubrics(docs, library))


def _broken() -> Iterator[Any]:
    for case, text, code, _ in MALFORMED:
        library = None if text.lstrip().startswith("id: core") else {"rubrics/core.yaml": CORE}
        yield pytest.param(lambda text=text, library=library: _found({"我的细则.yaml": text}, library), code, id=f"malformed-{case}")
    for name, (text, code) in hostile.CASES.items():
        yield pytest.param(lambda text=text: _found({"上传.yaml": text}), code, id=f"hostile-{name}")
    for name, (text, code) in MINI_CASES.items():
        yield pytest.param(lambda text=text: _found({"mini.yaml": text}), code, id=f"mini-{name}")
    mini = _doc(lambda d: d["grading"].update(KIND_CASES["vetoes-force"][0]))  # a veto forcing 差, which a child's bands may drop
    for name, (files, code) in FAMILY_CASES.items():
        yield pytest.param(lambda files=files: _found(files, {"mini.yaml": mini}), code, id=f"family-{name}")
    yield pytest.param(lambda: _refused(lambda: scoring.loader.load_rubrics(["/nonexistent/细则.yaml"])), "unreadable", id="unreadable")
    for name, data in {"encoding": b"id: x\nname: \x80\xff\xfe\n", "not-text": b"id: x\x00\x00\n", "limit-size": b"#" * (600 * 1024)}.items():
        yield pytest.param(lambda data=data: _found_bytes(data), name, id=f"bytes-{name}")


def _found_bytes(data: bytes) -> list[RubricProblem]:
    return _refused(lambda: decode_rubric(data, "上传.yaml"))


def _refused(load: Any) -> list[RubricProblem]:
    with pytest.raises(RubricError) as info:
        load()
    return info.value.problems


@pytest.mark.parametrize(("find", "code"), list(_broken()))
def test_a_broken_rubric_reads_in_english_and_in_chinese_as_before(find, code) -> None:
    found = find()
    assert code in {p.code for p in found}, [str(p) for p in found]
    for problem in found:
        english = problem.text("en")
        assert problem.text("zh") == problem.text() == problem.message and str(problem).endswith(problem.message)
        assert english != problem.message and english.strip(), str(problem)
        assert chinese_left(problem) == "", (english, list(content(problem.said)))  # type: ignore[arg-type]
        assert problem.report("en") == f"{problem.file}:{problem.line}:{problem.column}: [{problem.code}] {english}"


def test_the_english_of_a_list_and_of_a_nested_text_is_english() -> None:
    found = _found({"mini.yaml": MINI_CASES["duplicate-id"][0]}) + _found({"mini.yaml": MINI_CASES["kind-vetoes-cap"][0]})
    texts = {p.code: (p.message, p.text("en")) for p in found}
    assert texts["duplicate-id"] == ("标准 id“a”重复，每个标准的 id 必须唯一；请改名或删除重复项",
                                     "the standard id “a” is repeated; each standard needs its own id, rename or delete the repeat")
    assert texts["unknown-grade"] == ("等次“特优”未在 bands 中定义；可用的有：优、良、差",
                                      "the grade “特优” is not defined under bands; defined: 优, 良, 差")


def test_the_error_reports_every_problem_in_the_language_asked() -> None:
    with pytest.raises(RubricError) as info:
        parse_rubrics({"mini.yaml": MINI_CASES["total-mismatch"][0]})
    error = info.value
    assert str(error) == error.report() == "\n".join(map(str, error.problems))
    assert error.report("en").splitlines() == [p.report("en") for p in error.problems]
    assert said("total-mismatch", total=12.0, parts=10.0).render("en") in error.report("en")


def _keys(text: Said) -> Iterator[str]:
    yield text.key
    for _, value in text.fields:
        for item in value if isinstance(value, tuple) else (value,):
            yield from _keys(item) if isinstance(item, Said) else ()


# Texts no broken rubric above reaches: PyYAML complaints met only in odd layouts, a YAML error without a place, pydantic
# errors no rubric field raises, and the UI's own refusal of a core-only upload (tested in tests/app/test_english.py).
UNREACHED = {"syntax-tab", "syntax-indent", "syntax-anchor", "yaml-error", "type-other", "type-value_error", "abstract-only"}


def test_the_broken_rubrics_render_every_template() -> None:
    used = {key for param in _broken() for problem in param.values[0]() for key in _keys(problem.said)}
    assert set(RUBRIC_TEXTS) - used == UNREACHED
