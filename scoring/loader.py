"""Load rubric YAML files: resolve `extends`, validate, and report every mistake with file, line and column."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scoring.checks import semantic_problems
from scoring.errors import RubricError, RubricProblem
from scoring.located import LocDict, LocList, Position, locate, read_located
from scoring.rubric import Rubric
from scoring.rubricset import RubricSet

RUBRIC_SUFFIXES = (".yaml", ".yml")
_NOT_INHERITED = ("abstract", "extends")

_PYDANTIC_HINTS = {
    "missing": "缺少必填项“{field}”，请补上",
    "extra_forbidden": "不认识的键“{field}”，请检查拼写（可对照 rubrics/rubric.schema.json）",
    "union_tag_not_found": "缺少评分方法 kind，可用的有：yes_no、count、tiers、rate、level、deduction、direct",
}


class _Problems(list[RubricProblem]):
    """Collected problems; `add` places one at a position."""

    def add(self, where: Position, code: str, message: str) -> None:
        self.append(RubricProblem(where.file, where.line, where.column, code, message))


def load_rubrics(paths: Iterable[Path | str]) -> RubricSet:
    """Load rubric files and directories; a parent named in `extends` is also looked up beside each file."""
    docs: dict[str, str] = {}
    library: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.iterdir() if p.suffix in RUBRIC_SUFFIXES) if path.is_dir() else [path]
        for file in files:
            docs[str(file)] = _read_text(file)
        folder = path if path.is_dir() else path.parent
        for sibling in sorted(folder.glob("*.y*ml")):
            if str(sibling) not in library:
                try:
                    library[str(sibling)] = _read_text(sibling)
                except RubricError:  # a sibling that cannot be read is only a problem if something extends it
                    continue
    return parse_rubrics(docs, library)


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        where = Position(str(file), 1, 1)
        raise RubricError([RubricProblem(where.file, 1, 1, "unreadable", f"无法读取评分细则文件：{exc}；请确认文件存在且为 UTF-8 编码")]) from exc


def parse_rubrics(docs: Mapping[str, str], library: Mapping[str, str] | None = None) -> RubricSet:
    """Build a rubric set from YAML texts (name → text); `library` holds parents that may be extended."""
    problems = _Problems()
    raw: dict[str, tuple[str, LocDict]] = {}
    chosen: list[str] = []
    aside: dict[str, _Problems] = {}  # problems of files only looked up as parents: reported only if one is extended
    for name, text in {**(library or {}), **docs}.items():
        doc = _parse_one(name, text, problems if name in docs else aside.setdefault(name, _Problems()))
        if doc is None:
            continue
        rid = doc.get("id")
        if not isinstance(rid, str):
            if name in docs:
                problems.add(doc.where, "missing-id", "评分细则缺少 id，请在文件开头写 id: 英文标识")
            continue
        if rid in raw and name in docs and raw[rid][0] in docs:
            problems.add(doc.positions.get("id", doc.where), "duplicate-rubric",
                         f"评分细则 id“{rid}”与 {raw[rid][0]} 重复，请改用不同的 id")
            continue
        if rid not in raw or name in docs:
            raw[rid] = (name, doc)
        if name in docs and rid not in chosen:
            chosen.append(rid)
    for name in dict.fromkeys(n for rid in chosen for n in _parents(rid, raw) + _unread_parent(rid, raw, aside)):
        problems.extend(aside.get(name, ()))
    rubrics: list[Rubric] = []
    used: set[str] = set()
    for rid in chosen:
        merged = _resolve(rid, raw, problems, ())
        if merged is None:
            continue
        rubric = _validate(merged, problems)
        if rubric is not None:
            rubrics.append(rubric)
            used.update(_parents(rid, raw))
    if problems:
        raise RubricError(sorted(problems, key=lambda p: (p.file, p.line, p.column)))
    everything = {**(library or {}), **docs}
    return RubricSet(tuple(rubrics), dict(docs), {n: everything[n] for n in sorted(used) if n not in docs})


def _parse_one(name: str, text: str, problems: _Problems) -> LocDict | None:
    try:
        data, duplicates = read_located(text, name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.add(Position(name, line, col), "yaml-syntax", f"YAML 格式错误：{getattr(exc, 'problem', exc)}；请检查缩进、冒号和引号")
        return None
    for where, key in duplicates:
        problems.add(where, "duplicate-key", f"键“{key}”在同一层重复出现，请删除或合并其中一个")
    if not isinstance(data, LocDict):
        problems.add(Position(name, 1, 1), "not-a-mapping", "评分细则文件应是一个映射（id: …、standards: … 等键）")
        return None
    return data


def _resolve(rid: str, raw: dict[str, tuple[str, LocDict]], problems: _Problems, chain: tuple[str, ...]) -> LocDict | None:
    """The rubric with its `extends` chain merged in (child wins; lists of items with ids merge by id)."""
    doc = raw[rid][1]
    parent_id = doc.get("extends")
    if parent_id is None:
        return doc
    where = doc.positions.get("extends", doc.where)
    if parent_id in chain or parent_id == rid:
        problems.add(where, "extends-cycle", f"extends 形成循环：{' → '.join((*chain, rid, str(parent_id)))}；请去掉其中一环")
        return None
    if parent_id not in raw:
        problems.add(where, "unknown-parent", f"extends 指向的评分细则“{parent_id}”不存在；请检查 id 或把它放在同一目录")
        return None
    parent = _resolve(str(parent_id), raw, problems, (*chain, rid))
    if parent is None:
        return None
    merged = _merge(parent, doc, problems)
    for key in _NOT_INHERITED:
        if key not in doc:
            merged.pop(key, None)
    return merged


def _merge(base: Any, over: Any, problems: _Problems) -> Any:
    """Deep-merge `over` onto `base`, keeping the positions of whichever side each value came from."""
    if isinstance(base, LocDict) and isinstance(over, LocDict):
        out = LocDict(over.where)
        out.update(base)
        out.positions.update(base.positions)
        for key, value in over.items():
            out[key] = _merge(base[key], value, problems) if key in base else value
            out.positions[key] = over.positions[key]
        return out
    if isinstance(base, LocList) and isinstance(over, LocList) and _all_have_ids(base) and _all_have_ids(over):
        return _merge_by_id(base, over, problems)
    return over


def _all_have_ids(items: LocList) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _merge_by_id(base: LocList, over: LocList, problems: _Problems) -> LocList:
    out = LocList(over.where)
    index: dict[Any, int] = {}
    for item, where in zip(base, base.positions):
        index[item["id"]] = len(out)
        out.append(item)
        out.positions.append(where)
    removed: set[Any] = set()
    for item, where in zip(over, over.positions):
        key = item["id"]
        if item.get("remove") is True:
            if key not in index:
                problems.add(where, "remove-unknown", f"要删除的“{key}”在被继承的细则中不存在；请检查 id")
            removed.add(key)
            continue
        if key in index:
            out[index[key]] = _merge(out[index[key]], item, problems)
            out.positions[index[key]] = where
        else:
            index[key] = len(out)
            out.append(item)
            out.positions.append(where)
    kept = LocList(out.where)
    for item, where in zip(out, out.positions):
        if item["id"] not in removed:
            kept.append(item)
            kept.positions.append(where)
    return kept


def _validate(doc: LocDict, problems: _Problems) -> Rubric | None:
    """Structural checks (pydantic) and rule checks together, so every mistake is reported at once."""
    found = semantic_problems(doc)
    for path, code, message in found:
        _add_in_own_file(doc, locate(doc, path, doc.where), code, message, problems)
    try:
        rubric = Rubric.model_validate(_plain(doc))
    except ValidationError as exc:
        for err in exc.errors():
            if err["type"] == "union_tag_invalid":  # reported by the rule checks, at the `kind` itself
                continue
            field = str(err["loc"][-1]) if err["loc"] else ""
            hint = _PYDANTIC_HINTS.get(err["type"], "{msg}").format(field=field, msg=_chinese_message(err))
            where = locate(doc, tuple(err["loc"]), doc.where)
            _add_in_own_file(doc, where, err["type"].replace("_", "-"), f"{'.'.join(map(str, err['loc']))}：{hint}", problems)
        return None
    return None if found else rubric


def _add_in_own_file(doc: LocDict, where: Position, code: str, message: str, problems: _Problems) -> None:
    """A problem of a child rubric that lands on an inherited value is reported at the child's `extends` line."""
    if where.file != doc.where.file and "extends" in doc.positions:
        message = f"{message}（该项继承自 {where.file} 第 {where.line} 行，问题由本文件的修改引起）"
        where = doc.positions["extends"]
    problems.add(where, code, message)


def _plain(value: Any) -> Any:
    """Plain dicts and lists for validation (position-carrying subclasses confuse the validator)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _chinese_message(err: Any) -> str:
    """Pydantic's message with a Chinese lead, for the error types without a dedicated hint."""
    return f"取值不符合要求（{err['msg']}），当前为 {err.get('input')!r}"


def _unread_parent(rid: str, raw: dict[str, tuple[str, LocDict]], aside: Mapping[str, Sequence[RubricProblem]]) -> list[str]:
    """The file a missing parent most likely lives in (named after its id), when that file could not be parsed."""
    parent = raw[rid][1].get("extends")
    if not isinstance(parent, str) or parent in raw:
        return []
    return [name for name, found in aside.items() if found and Path(name).stem == parent]


def _parents(rid: str, raw: dict[str, tuple[str, LocDict]]) -> list[str]:
    """File names of every rubric `rid` extends, nearest first."""
    names: list[str] = []
    parent = raw[rid][1].get("extends")
    while isinstance(parent, str) and parent in raw and raw[parent][0] not in names:
        names.append(raw[parent][0])
        parent = raw[parent][1].get("extends")
    return names
