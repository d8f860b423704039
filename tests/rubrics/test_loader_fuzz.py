"""Fuzzing the loader with structurally wrong rubrics derived from the real ones: nothing but RubricError escapes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.errors import RubricError
from scoring.loader import decode_rubric, parse_rubrics

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(RUBRICS.glob("*.yaml"))}
DOCS = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
HUGE, DEEP = "HUGE_NUMBER_MARK", "DEEP_NESTING_MARK"  # placed as values, expanded in the YAML text (no Python value holds them)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a plain document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths(item, (*prefix, i))
    return found


def shapes(doc: Any) -> list[list[tuple[Any, ...]]]:
    """Key paths grouped by shape (list indices ignored), so every kind of key is as likely to be broken as any other."""
    grouped: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for path in paths(doc):
        grouped.setdefault(tuple("[]" if isinstance(step, int) else step for step in path), []).append(path)
    return [grouped[shape] for shape in sorted(grouped, key=str)]


SHAPES = {name: shapes(doc) for name, doc in DOCS.items()}

scalars = st.one_of(st.text(max_size=6), st.integers(-(10**12), 10**12), st.booleans(), st.none(),
                   st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["50", "1e308", "yes", "2024-13-45", "", "core"]))
confusions = st.one_of(  # a value of another shape than the one expected at a key
    scalars,
    st.lists(scalars, min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["id", "kind", "a", "name"]), scalars, min_size=1, max_size=2),
    st.sampled_from([HUGE, DEEP, 1e308, -(10**30)]),
)
OPERATIONS = ("replace", "delete", "swap", "rename")


def _holds(node: Any, step: Any) -> bool:
    return step in node if isinstance(node, dict) else isinstance(node, list) and isinstance(step, int) and step < len(node)


def _parent(doc: Any, path: tuple[Any, ...]) -> tuple[Any, Any] | None:
    node = doc
    for step in path[:-1]:
        if not _holds(node, step):
            return None
        node = node[step]
    return (node, path[-1]) if _holds(node, path[-1]) else None


def mutate(doc: Any, path: tuple[Any, ...], operation: str, value: Any) -> None:
    """Apply one structural mistake at `path` (paths emptied by earlier mistakes are left alone)."""
    found = _parent(doc, path)
    if found is None:
        return
    parent, key = found
    current = parent[key]
    if operation == "delete":
        del parent[key]
    elif operation == "swap":  # a list where a map belongs and the reverse
        if isinstance(current, dict):
            parent[key] = list(current.values())
        elif isinstance(current, list):
            parent[key] = {str(i): item for i, item in enumerate(current)}
        else:
            parent[key] = [current]
    elif operation == "rename" and isinstance(parent, dict):
        parent[f"{key}_x" if isinstance(value, str) else str(value)] = parent.pop(key)
    else:
        parent[key] = value


@st.composite
def broken_rubrics(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, YAML text) of a real rubric with one to three structural mistakes."""
    name = draw(st.sampled_from(sorted(DOCS)))
    doc = copy.deepcopy(DOCS[name])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(draw(st.sampled_from(SHAPES[name]))))
        mutate(doc, path, draw(st.sampled_from(OPERATIONS)), draw(confusions))
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
    return name, text.replace(HUGE, "9" * 5_000).replace(DEEP, "[" * 3_000 + "]" * 3_000)


def load(name: str, text: str, as_parent: bool) -> None:
    """Load a broken file as the upload, or a broken core under the real rural rubric."""
    if name == "core.yaml" and as_parent:
        parse_rubrics({"rural.yaml": TEXTS["rural.yaml"]}, {"core.yaml": text})
    else:
        parse_rubrics({name: text}, {"core.yaml": TEXTS["core.yaml"]})


@SETTINGS
@given(broken=broken_rubrics(), as_parent=st.booleans())
def test_only_rubric_errors_escape_and_they_are_located(broken, as_parent):
    name, text = broken
    try:
        load(name, text, as_parent)
    except RubricError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file in {name, "rural.yaml", "core.yaml"}
            assert problem.line >= 1 and problem.column >= 1
            assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message), str(problem)


def test_the_unbroken_rubrics_load():
    for name, text in TEXTS.items():
        load(name, text, as_parent=False)


TOKENS = [*"ab:-[]{},&*!<>|'\"#%@` \n\t0.9e+", "id: ", "extends: ", "kind: ", "核心", "\ufeff", "  ", "<<: ", "!!python/name:x "]
yamlish = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), yamlish.map(lambda text: text.encode("utf-8"))))
def test_any_bytes_decode_exactly_or_are_refused_and_any_text_loads_or_is_located(data):
    try:
        text = decode_rubric(data, "上传.yaml")
    except RubricError as error:
        assert [p.file for p in error.problems] == ["上传.yaml"]
        return
    assert "\ufffd" not in text or "\ufffd".encode() in data
    try:
        parse_rubrics({"上传.yaml": text})
    except RubricError as error:
        assert all(p.file == "上传.yaml" and p.line >= 1 for p in error.problems)
