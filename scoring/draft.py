"""Rubric drafts: edit rubric YAML as data (set, add, remove, reset) while the YAML text stays the source of truth.

Each edit is applied to the round-trip tree of one file (ruamel.yaml keeps comments, order and quoting) and only the
lines that differ between the re-emitted tree before and after the edit are spliced into the original text, so every
other line stays byte for byte. A value inherited through `extends` becomes an override in the rubric's own file; a
reset removes that override again. The result is never trusted: `Draft.load` re-reads every text with the project's
own loader (yaml.safe_load and the rubric checks).
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from scoring.errors import RubricError, RubricProblem, ScoringError
from scoring.loader import parse_rubrics
from scoring.rubricset import RubricSet

Step = str | int
KeyPath = tuple[Step, ...]


class DraftError(ScoringError):
    """An edit cannot be applied: its path leads nowhere, or there is nothing to reset or remove."""


def key_path(path: str | Sequence[Step]) -> KeyPath:
    """A key path from 'grading.bands.先进.min' or from steps; list items are named by id, name or position."""
    steps = path.split(".") if isinstance(path, str) else list(path)
    return tuple(int(s) if isinstance(s, str) and s.isdigit() else s for s in steps)


@dataclass(frozen=True)
class SetValue:
    """Set the value at `path` of a rubric; an inherited value becomes an override in the rubric's own file."""

    rubric: str
    path: KeyPath
    value: Any


@dataclass(frozen=True)
class AddItem:
    """Add an item to the list at `path` of a rubric's own file (at `index`, else at the end)."""

    rubric: str
    path: KeyPath
    item: Any
    index: int | None = None


@dataclass(frozen=True)
class RemoveItem:
    """Remove the list item at `path`: deleted where the rubric defines it, `remove: true` where it inherits it."""

    rubric: str
    path: KeyPath


@dataclass(frozen=True)
class ResetValue:
    """Drop the rubric's override at `path` so the inherited value applies again."""

    rubric: str
    path: KeyPath


Edit = SetValue | AddItem | RemoveItem | ResetValue


@dataclass(frozen=True)
class Origin:
    """Where the value in force at a key path is written (1-based line and column)."""

    file: str
    line: int
    column: int
    inherited: bool
    overrides: bool

    @property
    def file_name(self) -> str:
        """The file name as the user knows it, without any folder."""
        return PurePath(self.file).name

    def describe(self) -> str:
        """E.g. “继承自 core.yaml 第 8 行”."""
        if self.inherited:
            return f"继承自 {self.file_name} 第 {self.line} 行"
        if self.overrides:
            return f"{self.file_name} 第 {self.line} 行（覆盖继承值，可恢复）"
        return f"{self.file_name} 第 {self.line} 行"


@dataclass(frozen=True)
class Draft:
    """Rubric texts being edited (file name → YAML) beside the texts they started from."""

    documents: Mapping[str, str]
    library: Mapping[str, str] = field(default_factory=dict)
    original: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rubrics: RubricSet) -> Draft:
        """A draft of a loaded rubric set, starting from the very texts it was built from."""
        texts = {**rubrics.library, **rubrics.documents}
        return cls(dict(rubrics.documents), dict(rubrics.library), texts)

    @property
    def texts(self) -> dict[str, str]:
        """Every text of the draft, parents included."""
        return {**self.library, **self.documents}

    def apply(self, *edits: Edit) -> Draft:
        """The draft with the edits applied in order (each file changes only where it must)."""
        documents, library = dict(self.documents), dict(self.library)
        for edit in edits:
            texts = {**library, **documents}
            name, text = _apply(texts, edit)
            (documents if name in documents else library)[name] = text
        return Draft(documents, library, self.original or self.texts)

    def load(self) -> RubricSet:
        """The draft read by the project's own loader; raises RubricError with every located problem."""
        return parse_rubrics(self.documents, self.library)

    def problems(self) -> list[RubricProblem]:
        """Every problem the loader finds in the draft (empty when it loads)."""
        try:
            self.load()
        except RubricError as exc:
            return exc.problems
        return []

    def changed(self) -> list[str]:
        """Names of the files whose text differs from the original."""
        return [n for n, t in self.texts.items() if self.original.get(n) != t]

    def diff(self) -> str:
        """A unified diff of every changed file."""
        return "".join(
            "".join(difflib.unified_diff(self.original.get(n, "").splitlines(True), self.texts[n].splitlines(True), n, n))
            for n in self.changed()
        )

    def rubric_in(self, file: str) -> str:
        """The id of the rubric a file defines (e.g. the parent an inherited value is written in)."""
        found = next((rid for rid, name in _ids(self.texts).items() if name == file), None)
        if found is None:
            raise DraftError(f"文件“{PurePath(file).name}”没有定义评分细则")
        return found

    def file_of(self, rubric: str) -> str:
        """The name of the file that defines a rubric (the YAML to download or save)."""
        return _chain(self.texts, rubric)[0]

    def origin(self, rubric: str, path: str | Sequence[Step]) -> Origin:
        """Where the value in force at `path` of `rubric` is written: its own file or the parent it inherits from."""
        texts = self.texts
        chain = [(n, _parsed(texts[n])) for n in _chain(texts, rubric)]
        steps = key_path(path)
        found = _resolve([d for _, d in chain], steps)
        if not found:
            raise DraftError(f"评分细则“{rubric}”中没有“{'.'.join(map(str, steps))}”")
        depth, container, key = found[0]
        marks: Any = container.lc  # ruamel's line and column record of the container
        line, column = marks.key(key) if isinstance(container, dict) else marks.item(key)
        overrides = depth == 0 and bool(_resolve([d for _, d in chain[1:]], steps))
        return Origin(chain[depth][0], line + 1, column + 1, depth > 0, overrides)


# ---------------------------------------------------------------------------------------------------------------
# Round-trip reading and writing


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise DraftError(f"评分细则不是有效的 YAML，无法编辑：{exc}") from exc


@lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """A parsed text for reading only (never mutated)."""
    return _load(text)


@lru_cache(maxsize=64)
def _emits_as_written(text: str) -> bool:
    """Whether re-emitting the parsed text gives it back byte for byte (true for the bundled rubrics)."""
    return _dump(_load(text)) == text


def _dump(doc: Any) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _splice(original: str, before: str, after: str) -> str:
    """`original` with the line changes that turn `before` into `after`, so lines the edit did not touch stay as written."""
    src, old, new = original.splitlines(True), before.splitlines(True), after.splitlines(True)
    to_src: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, old, src, autojunk=False).get_matching_blocks():
        to_src.update({block.a + k: block.b + k for k in range(block.size)})
    out = list(src)
    hunks = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    for _, i1, i2, j1, j2 in reversed(hunks):
        if i1 < i2:
            mapped = [to_src.get(i) for i in range(i1, i2)]
            if None in mapped or mapped != list(range(mapped[0] or 0, (mapped[0] or 0) + len(mapped))):
                return after  # the edit touches lines the emitter would re-format: take its output whole
            start, stop = mapped[0] or 0, (mapped[-1] or 0) + 1
        elif i1 - 1 in to_src:
            start = stop = to_src[i1 - 1] + 1
            while start > 0 and not out[start - 1].strip():  # blank lines separate what follows: insert above them
                start = stop = start - 1
        elif i1 in to_src:
            start = stop = to_src[i1]
        else:
            return after
        out[start:stop] = new[j1:j2]
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Which files make up a rubric, and where a key path leads in them


def _ids(texts: Mapping[str, str]) -> dict[str, str]:
    """Rubric id → file name."""
    out: dict[str, str] = {}
    for name, text in texts.items():
        doc = _parsed(text)
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            out.setdefault(doc["id"], name)
    return out


def _chain(texts: Mapping[str, str], rubric: str) -> list[str]:
    """File names of the rubric and every parent it extends, own file first."""
    ids = _ids(texts)
    if rubric not in ids:
        raise DraftError(f"没有 id 为“{rubric}”的评分细则")
    names: list[str] = []
    current: object = rubric
    while isinstance(current, str) and current in ids and ids[current] not in names:
        names.append(ids[current])
        current = _parsed(texts[ids[current]]).get("extends")
    return names


def _find(seq: Sequence[Any], step: Step) -> int | None:
    """The position of the item a step names: by id, else by name, else by position."""
    for attr in ("id", "name"):
        for i, item in enumerate(seq):
            if isinstance(item, dict) and item.get(attr) == step:
                return i
    return step if isinstance(step, int) and 0 <= step < len(seq) else None


def _has_ids(value: Any) -> bool:
    """A list whose items merge by id across `extends` (the loader's rule)."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "id" in i for i in value)


def _merges(child: Any, parent: Any) -> bool:
    """Whether a child value is merged into its parent's value rather than replacing it."""
    return (isinstance(child, dict) and isinstance(parent, dict)) or (_has_ids(child) and _has_ids(parent))


def _step(node: Any, step: Step) -> Step | None:
    """The key or position a step names inside a node, if present."""
    if isinstance(node, dict):
        return step if step in node else (str(step) if str(step) in node else None)
    if isinstance(node, list):
        return _find(node, step)
    return None


def _resolve(docs: Sequence[Any], path: KeyPath) -> list[tuple[int, Any, Step]]:
    """Where the value at `path` is written in a chain of documents (own first): (depth, container, key), in force first.

    Only the values that merge into each other are kept: maps merge, lists of items with ids merge by id (an item
    with `remove: true` removes it), anything else in a child replaces its parent's value.
    """
    nodes: list[tuple[int, Any]] = [(d, doc) for d, doc in enumerate(docs)]
    found: list[tuple[int, Any, Step]] = []
    for step in path:
        found = []
        for depth, node in nodes:
            key = _step(node, step)
            if key is None:
                continue
            value = node[key]
            if isinstance(value, dict) and value.get("remove") is True:
                break
            if found and not _merges(found[-1][1][found[-1][2]], value):
                break
            found.append((depth, node, key))
        if not found:
            return []
        nodes = [(depth, container[key]) for depth, container, key in found]
    return found


# ---------------------------------------------------------------------------------------------------------------
# Edits


def _apply(texts: Mapping[str, str], edit: Edit) -> tuple[str, str]:
    """The file an edit changes and its new text."""
    names = _chain(texts, edit.rubric)
    original = texts[names[0]]
    own = _load(original)
    parents = [_parsed(texts[n]) for n in names[1:]]
    before = original if _emits_as_written(original) else _dump(own)
    if isinstance(edit, SetValue):
        *head, last = _nonempty(edit.path)
        container = _open(own, parents, tuple(head))
        _put(container, last, edit.value, edit.path)
    elif isinstance(edit, AddItem):
        target = _open(own, parents, edit.path)
        if not isinstance(target, list):
            raise DraftError(f"“{_show(edit.path)}”不是列表，不能添加项目")
        item = _fresh(edit.item, flow=bool(target) and _flow(target[-1]))
        target.insert(len(target) if edit.index is None else edit.index, item)
    elif isinstance(edit, RemoveItem):
        _remove(own, parents, _nonempty(edit.path))
    else:
        _reset(own, parents, _nonempty(edit.path))
    return names[0], _splice(original, before, _dump(own))


def _nonempty(path: KeyPath) -> KeyPath:
    if not path:
        raise DraftError("路径为空")
    return path


def _show(path: KeyPath) -> str:
    return ".".join(map(str, path))


def _open(own: Any, parents: Sequence[Any], path: KeyPath) -> Any:
    """The node at `path` in the rubric's own file, created from what it inherits where missing."""
    node = own
    for depth, step in enumerate(path):
        key = _step(node, step)
        if key is None:
            inherited = _resolve(parents, path[: depth + 1])
            if not inherited:
                raise DraftError(f"“{_show(path[: depth + 1])}”不存在")
            _, container, at = inherited[0]
            value = container[at]
            if isinstance(node, dict):
                node[step] = CommentedMap() if isinstance(value, dict) else CommentedSeq() if _has_ids(value) else _fresh(value)
                key = step
            elif isinstance(value, dict) and "id" in value and (not node or _has_ids(node)):
                node.append(CommentedMap([("id", value["id"])]))
                key = len(node) - 1
            else:
                raise DraftError(f"“{_show(path[: depth + 1])}”不能单独覆盖")
        node = node[key]
    return node


def _put(container: Any, step: Step, value: Any, path: KeyPath) -> None:
    if isinstance(container, dict):
        key = _step(container, step)
        container[step if key is None else key] = _fresh(value, nested=True)
    elif isinstance(container, list) and (at := _find(container, step)) is not None:
        container[at] = _fresh(value, nested=True)
    else:
        raise DraftError(f"“{_show(path)}”不存在")


def _remove(own: Any, parents: Sequence[Any], path: KeyPath) -> None:
    *head, last = path
    inherited = _resolve(parents, path)
    if not inherited:  # defined only here: delete it
        container = _walk(own, tuple(head))
        position = _find(container, last) if isinstance(container, list) else None
        if position is None:
            raise DraftError(f"“{_show(path)}”不是可删除的列表项目")
        del container[position]
        _prune(own, tuple(head))
        return
    _, parent_list, at = inherited[0]
    item = parent_list[at]
    if not _has_ids(parent_list):  # a plain list (bands, tiers): the rubric takes over the whole list, minus this item
        target = _open(own, parents, tuple(head))
        del target[_find(target, last)]
        return
    target = _open(own, parents, tuple(head))
    mine = _find(target, item["id"])
    marker = _fresh({"id": item["id"], "remove": True}, flow=_flow(item))
    if mine is None:
        target.append(marker)
    else:
        target[mine] = marker


def _reset(own: Any, parents: Sequence[Any], path: KeyPath) -> None:
    """Delete the smallest part of the own file that overrides `path`: a key, or a whole plain list that replaced the parent's."""
    node = own
    for depth, step in enumerate(path):
        key = _step(node, step)
        if key is None:
            raise DraftError(f"“{_show(path)}”没有在本文件中覆盖，无需恢复")
        value = node[key]
        last = depth == len(path) - 1
        if last or (isinstance(value, list) and not _has_ids(value)):
            unit = path[: depth + 1]
            if not _resolve(parents, unit):
                raise DraftError(f"“{_show(unit)}”没有可恢复的继承值")
            del node[key]
            _prune(own, unit[:-1])
            return
        node = value


def _walk(node: Any, path: KeyPath) -> Any:
    for step in path:
        key = _step(node, step)
        if key is None:
            raise DraftError(f"“{_show(path)}”不存在")
        node = node[key]
    return node


def _prune(own: Any, path: KeyPath) -> None:
    """Remove containers left empty (or items left with only their id) along `path`, deepest first."""
    for depth in range(len(path), 0, -1):
        parent = _walk(own, path[: depth - 1])
        key = _step(parent, path[depth - 1])
        if key is None:
            return
        value = parent[key]
        empty = not value or (isinstance(value, dict) and list(value) == ["id"] and isinstance(parent, list))
        if not empty:
            return
        del parent[key]


def _flow(node: Any) -> bool:
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


def _fresh(value: Any, flow: bool = False, nested: bool = False) -> Any:
    """A round-trip node for a value: copies keep their flow style but none of the source's comments.

    New nested maps and lists of plain values are written inline ({…}, […]) as the rubric files write them.
    """
    if isinstance(value, Mapping):
        flow = flow or _flow(value) or (nested and _plain_values(value.values()))
        out: Any = CommentedMap((k, _fresh(v, flow, True)) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        flow = flow or _flow(value) or (nested and _plain_values(value))
        out = CommentedSeq(_fresh(v, flow, True) for v in value)
    elif value is None or isinstance(value, (str, int, float, bool)):
        return value
    else:
        raise DraftError(f"不支持的取值类型：{type(value).__name__}")
    if flow:
        out.fa.set_flow_style()
    return out


def _plain_values(values: Any) -> bool:
    return all(v is None or isinstance(v, (str, int, float, bool)) or (isinstance(v, Mapping) and _plain_values(v.values()))
               for v in values)
