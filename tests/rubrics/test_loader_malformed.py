"""Every malformed rubric becomes located RubricErrors in Chinese, named as the user named the file; nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import RubricError
from scoring.loader import load_rubrics, parse_rubrics

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
CORE = (RUBRICS / "core.yaml").read_text(encoding="utf-8")
RURAL = (RUBRICS / "rural.yaml").read_text(encoding="utf-8")
NAME = "我的细则.yaml"


def first_line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def swap(text: str, start: str, replacement: str) -> str:
    """`text` with the first line starting with `start` (after indentation) replaced, indentation kept."""
    line = first_line(text, start)
    changed = text.replace(line, line[: len(line) - len(line.lstrip())] + replacement, 1)
    assert changed != text
    return changed


DEEP = "[" * 5_000 + "]" * 5_000
CHILD = "id: mine\nname: 我的细则\nextends: core\nfields: [我的]\n"
CASES = [  # (id, the uploaded text, expected code, text on the line it must point at or None)
    ("extends-list", swap(RURAL, "extends:", "extends: [core]"), "bad-extends", "extends: [core]"),
    ("extends-map", swap(RURAL, "extends:", "extends: {id: core}"), "bad-extends", "extends: {id: core}"),
    ("extends-unknown", swap(RURAL, "extends:", "extends: nowhere"), "unknown-parent", "extends: nowhere"),
    ("id-list", swap(RURAL, "id: rural", "id: [rural]"), "bad-id", "id: [rural]"),
    ("id-map", swap(RURAL, "id: rural", "id: {a: rural}"), "bad-id", "id: {a: rural}"),
    ("id-number", swap(RURAL, "id: rural", "id: 12"), "bad-id", "id: 12"),
    ("kind-list", CORE.replace("{kind: yes_no}", "{kind: [yes_no]}", 1), "unknown-method", "kind: [yes_no]"),
    ("kind-map", CORE.replace("{kind: yes_no}", "{kind: {a: 1}}", 1), "unknown-method", "kind: {a: 1}"),
    ("method-as-list", CORE.replace("method: {kind: yes_no}", "method: [yes_no]", 1), "model-attributes-type", "method: [yes_no]"),
    ("standard-id-list", swap(CORE, "- id: organization", "- id: [organization]"), "string-type", "- id: [organization]"),
    ("indicator-id-map", swap(CORE, "- id: committee_set", "- id: {a: committee_set}"), "string-type", "- id: {a: committee_set}"),
    ("column-id-list", CORE.replace("{id: branch_id,", "{id: [branch_id],", 1), "string-type", "{id: [branch_id],"),
    ("veto-id-list", swap(CORE, "- id: secretary_violation", "- id: [v]"), "string-type", "- id: [v]"),
    ("child-id-list", CHILD + "standards:\n- id: [organization]\n  points: 15\n", "string-type", "- id: [organization]"),
    ("child-id-map", CHILD + "standards:\n- id: {a: 1}\n", "string-type", "- id: {a: 1}"),
    ("grading-as-list", CHILD + "grading: [bands]\n", "model-type", "grading: [bands]"),
    ("standards-as-map", CHILD + "standards: {a: 1}\n", "tuple-type", "standards: {a: 1}"),
    ("columns-as-map", CHILD + "columns: {id: x}\n", "tuple-type", "columns: {id: x}"),
    ("bands-as-map", CHILD + "grading:\n  bands: {优: 90}\n", "tuple-type", "bands: {优: 90}"),
    ("fields-as-map", swap(RURAL, "fields:", "fields: {a: 1}"), "tuple-type", "fields: {a: 1}"),
    ("long-number", swap(RURAL, "version:", "version: " + "9" * 5_000), "limit-number", None),
    ("deep-nesting", RURAL + "description: " + DEEP + "\n", "limit-depth", None),
    ("yaml-syntax", swap(RURAL, "name:", "name: [未闭合"), "yaml-syntax", None),
    ("tab-indent", RURAL.replace("\n  ", "\n\t", 1), "yaml-syntax", None),
    ("empty", "", "not-a-mapping", None),
    ("a-list", "- a\n- b\n", "not-a-mapping", None),
    ("a-scalar", "只是一句话\n", "not-a-mapping", None),
    ("non-text-key", RURAL + "1: x\n", "key-not-text", "1: x"),
    ("bad-date", swap(RURAL, "effective_from:", "effective_from: 2024-13-45"), "bad-value", "effective_from: 2024-13-45"),
    ("python-tag", RURAL + "x: !!python/object/apply:os.system [echo]\n", "yaml-tag", "x: !!python"),
    ("python-scalar-tag", RURAL + "x: !!python/name:os.system ''\n", "yaml-tag", "x: !!python"),
    ("binary-tag", RURAL + "x: !!binary aGVsbG8=\n", "extra-forbidden", "x: !!binary"),
    ("merge-non-map", RURAL + "x:\n  <<: 5\n", "yaml-merge", "<<: 5"),
    ("two-documents", RURAL + "---\nid: again\n", "yaml-syntax", None),
    ("control-character", RURAL + "x: a\x1bb\n", "not-text", "x: a"),
    ("lone-surrogate", RURAL + "x: a\ud800\n", "not-text", "x: a"),
]


@pytest.mark.parametrize(("case", "text", "code", "marker"), CASES, ids=[c[0] for c in CASES])
def test_malformed_rubric_is_located_in_chinese(case, text, code, marker):
    is_core = text.lstrip().startswith("id: core")
    with pytest.raises(RubricError) as info:
        parse_rubrics({NAME: text}, None if is_core else {"rubrics/core.yaml": CORE})
    found = info.value.problems
    assert found
    for problem in found:
        assert problem.file == NAME, str(problem)
        assert problem.line >= 1 and problem.column >= 1
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message), str(problem)
        assert str(RUBRICS.parent) not in problem.message
    if code is not None:
        hit = next((p for p in found if p.code == code), None)
        assert hit is not None, [str(p) for p in found]
        if marker is not None:
            lines = text.splitlines()
            assert marker in lines[hit.line - 1], (str(hit), lines[hit.line - 1])


def test_syntax_errors_say_line_and_column_in_chinese():
    text = "id: x\nname: 甲\nfields: [a, b\n"
    with pytest.raises(RubricError) as info:
        parse_rubrics({NAME: text})
    (problem,) = info.value.problems
    assert problem.code == "yaml-syntax" and problem.line == 4
    assert f"第 {problem.line} 行第 {problem.column} 列" in problem.message and "方括号" in problem.message


def test_extends_cycle_is_reported_in_the_users_file():
    docs = {NAME: "id: a\nname: 甲\nextends: b\n", "乙.yaml": "id: b\nname: 乙\nextends: a\n"}
    with pytest.raises(RubricError) as info:
        parse_rubrics(docs)
    assert {(p.file, p.code) for p in info.value.problems} >= {(NAME, "extends-cycle")}


def test_an_inherited_problem_names_the_builtin_relative_not_the_server_path(tmp_path):
    builtin = load_rubrics([RUBRICS], relative_to=RUBRICS.parent)
    assert set(builtin.documents) >= {"rubrics/core.yaml", "rubrics/rural.yaml"}
    child = "id: mine\nname: 我的\nextends: core\nfields: [我的]\nstandards:\n- id: organization\n  points: 99\n"
    with pytest.raises(RubricError) as info:
        parse_rubrics({NAME: child}, builtin.documents)
    messages = " ".join(p.message for p in info.value.problems)
    assert "rubrics/core.yaml" in messages and str(RUBRICS) not in messages
