"""Load rubric YAML files: resolve `extends`, validate, and report every mistake with file, line and column."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from string import Formatter
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scoring.checks import semantic_problems
from scoring.errors import RUBRIC_TEXTS, RubricError, RubricProblem, Said, rubric_texts, said
from scoring.located import LIMITS, LocDict, LocList, Position, locate, read_located
from scoring.rubric import Rubric
from scoring.rubricset import RubricSet

RUBRIC_SUFFIXES = (".yaml", ".yml")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_NOT_INHERITED = ("abstract", "extends")

# Pydantic's error types said in words, with what was found (a field missing from an error's context reads as empty)
_PYDANTIC_HINTS = rubric_texts({f"type-{k}": v for k, v in {
    "missing": {"zh": "缺少必填项“{field}”，请补上", "en": "the required key “{field}” is missing; add it"},
    "extra_forbidden": {"zh": "不认识的键“{field}”，请检查拼写（可对照 rubrics/rubric.schema.json）",
                        "en": "unknown key “{field}”; check the spelling (see rubrics/rubric.schema.json)"},
    "union_tag_not_found": {"zh": "缺少评分方法 kind，可用的有：yes_no、count、tiers、rate、level、deduction、direct",
                            "en": "the scoring method has no kind; one of: yes_no, count, tiers, rate, level, deduction, direct"},
    "float_type": {"zh": "应为数字（不加引号），当前为 {input}", "en": "should be a number (without quotes), found {input}"},
    "int_type": {"zh": "应为整数（不加引号），当前为 {input}", "en": "should be a whole number (without quotes), found {input}"},
    "bool_type": {"zh": "应为 true 或 false（不加引号），当前为 {input}", "en": "should be true or false (without quotes), found {input}"},
    "string_type": {"zh": "应为文字，当前为 {input}", "en": "should be text, found {input}"},
    "date_type": {"zh": "应为日期，如 2024-01-01（不加引号），当前为 {input}",
                  "en": "should be a date such as 2024-01-01 (without quotes), found {input}"},
    "finite_number": {"zh": "应为有限的数字，不能是 .inf 或 .nan", "en": "should be a finite number, not .inf or .nan"},
    "tuple_type": {"zh": "应为列表（每项以“- ”开头，或写作 [甲, 乙]），当前为 {input}",
                   "en": "should be a list (each item starting with “- ”, or written [a, b]), found {input}"},
    **{name: {"zh": "应为映射（键: 值），当前为 {input}", "en": "should be a mapping (key: value), found {input}"}
       for name in ("dict_type", "model_type", "model_attributes_type")},
    "greater_than": {"zh": "应大于 {gt}，当前为 {input}", "en": "should be greater than {gt}, found {input}"},
    "greater_than_equal": {"zh": "应不小于 {ge}，当前为 {input}", "en": "should be at least {ge}, found {input}"},
    "less_than": {"zh": "应小于 {lt}，当前为 {input}", "en": "should be less than {lt}, found {input}"},
    "less_than_equal": {"zh": "应不大于 {le}，当前为 {input}", "en": "should be at most {le}, found {input}"},
    "literal_error": {"zh": "可选值为 {expected}，当前为 {input}", "en": "should be one of {expected}, found {input}"},
    "string_pattern_mismatch": {"zh": "只能含英文字母、数字和下划线，且不以数字开头；当前为 {input}",
                                "en": "only English letters, digits and underscores, not starting with a digit; found {input}"},
    "too_short": {"zh": "至少需要 {min_length} 项", "en": "needs at least {min_length} items"},
    "value_error": {"zh": "{error}", "en": "{error}"},
    "other": {"zh": "取值不符合要求（{msg}），当前为 {input}", "en": "invalid value ({msg}), found {input}"},
}.items()})

rubric_texts({
    "type-error": {"zh": "{loc}：{hint}", "en": "{loc}: {hint}"},
    "inherited": {"zh": "{text}（该项继承自 {file} 第 {line} 行，问题由本文件的修改引起）",
                  "en": "{text} (inherited from {file}, line {line}; caused by a change in this file)"},
    "unreadable": {"zh": "无法读取评分细则文件（{error}）；请确认文件存在且可读",
                   "en": "the rubric file cannot be read ({error}); check that it exists and is readable"},
    "limit-size-file": {"zh": "评分细则文件有 {size:,} KB，超过上限 {limit:,} KB；请删去无关内容",
                        "en": "the rubric file is {size:,} KB, over the limit of {limit:,} KB; remove what does not belong"},
    "not-text-binary": {"zh": "这不是文本文件（含有二进制内容）；请上传 .yaml 文本文件",
                        "en": "this is not a text file (it holds binary content); upload a .yaml text file"},
    "encoding": {"zh": "无法识别文件编码（第 {byte:,} 字节附近既不是 UTF-8 也不是 GBK/GB18030）；请用记事本或 VS Code 另存为 UTF-8 后再上传",
                 "en": "unknown file encoding (near byte {byte:,} it is neither UTF-8 nor GBK/GB18030); save the file as UTF-8 "
                       "in Notepad or VS Code and upload it again"},
    "missing-id": {"zh": "评分细则缺少 id，请在文件开头写 id: 英文标识",
                   "en": "the rubric has no id; start the file with id: followed by an English name"},
    "bad-id": {"zh": "评分细则的 id 应是一个英文标识（文字），如 id: rural；不能是列表、映射或数字",
               "en": "the rubric's id should be an English name (text), such as id: rural; not a list, mapping or number"},
    "duplicate-rubric": {"zh": "评分细则 id“{id}”与 {other} 重复，请改用不同的 id",
                         "en": "the rubric id “{id}” is also used by {other}; choose a different id"},
    "not-a-mapping": {"zh": "评分细则文件应是一个映射（id: …、standards: … 等键）",
                      "en": "a rubric file should be a mapping (keys such as id: … and standards: …)"},
    "bad-extends": {"zh": "extends 应是一个评分细则的 id（文字），如 extends: core；不能是列表或映射",
                    "en": "extends should be a rubric's id (text), such as extends: core; not a list or mapping"},
    "extends-cycle": {"zh": "extends 形成循环：{chain}；请去掉其中一环", "en": "extends goes round in a circle: {chain}; remove one link"},
    "unknown-parent": {"zh": "extends 指向的评分细则“{parent}”不存在；请检查 id 或把它放在同一目录",
                       "en": "extends names the rubric “{parent}”, which does not exist; check the id or put it in the same folder"},
    "abstract-only": {"zh": "该文件只定义了公共核心（abstract），没有可用于评分的细则",
                      "en": "this file defines only a shared core (abstract), no rubric to score with"},
    "remove-unknown": {"zh": "要删除的“{id}”在被继承的细则中不存在；请检查 id",
                       "en": "“{id}”, to be removed, is not in the inherited rubric; check the id"},
})

class _Problems(list[RubricProblem]):
    """Collected problems; `add` places one at a position."""

    def add(self, where: Position, code: str, text: Said) -> None:
        self.append(RubricProblem.at(where.file, where.line, where.column, code, text))


def load_rubrics(paths: Iterable[Path | str], relative_to: Path | None = None) -> RubricSet:
    """Load rubric files and directories; a parent named in `extends` is also looked up beside each file.

    Files are named as given, or relative to `relative_to` (so messages never show a server's own path)."""
    docs: dict[str, str] = {}
    library: dict[str, str] = {}

    def named(file: Path) -> str:
        return str(file.relative_to(relative_to)) if relative_to is not None and file.is_relative_to(relative_to) else str(file)

    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.iterdir() if p.suffix in RUBRIC_SUFFIXES) if path.is_dir() else [path]
        for file in files:
            docs[named(file)] = _read_text(file, named(file))
        folder = path if path.is_dir() else path.parent
        for sibling in sorted(folder.glob("*.y*ml")):
            if named(sibling) not in library:
                try:
                    library[named(sibling)] = _read_text(sibling, named(sibling))
                except RubricError:  # a sibling that cannot be read is only a problem if something extends it
                    continue
    return parse_rubrics(docs, library)


def _read_text(file: Path, name: str) -> str:
    try:
        size = file.stat().st_size
        return decode_rubric(b"" if size > LIMITS.chars else file.read_bytes(), name, size)
    except OSError as exc:
        raise _refusal(name, "unreadable", said("unreadable", error=exc.strerror)) from exc


def decode_rubric(data: bytes, name: str, size: int | None = None) -> str:
    """A rubric file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; anything else is refused."""
    size = len(data) if size is None else size
    if size > LIMITS.chars:
        raise _refusal(name, "limit-size", said("limit-size-file", size=size // 1024, limit=LIMITS.chars // 1024))
    bom, codec = next(((b, c) for b, c in _BOMS if data.startswith(b)), (b"", ""))
    if codec:
        text = _decode(data[len(bom):], codec, name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "gb18030", name)
    if "\x00" in text:
        raise _refusal(name, "not-text", said("not-text-binary"))
    return text


def _decode(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _refusal(name, "encoding", said("encoding", byte=exc.start + 1)) from exc


def _refusal(name: str, code: str, text: Said) -> RubricError:
    return RubricError([RubricProblem.at(name, 1, 1, code, text)])


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
            if name in docs and rid is None:
                problems.add(doc.where, "missing-id", said("missing-id"))
            elif name in docs:
                problems.add(doc.positions["id"], "bad-id", said("bad-id"))
            continue
        if rid in raw and name in docs and raw[rid][0] in docs:
            problems.add(doc.positions.get("id", doc.where), "duplicate-rubric", said("duplicate-rubric", id=rid, other=raw[rid][0]))
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
    found = read_located(text, name)
    problems.extend(found.problems)
    if isinstance(found.data, LocDict):
        return found.data
    if found.data is not None or not found.problems:
        problems.add(Position(name, 1, 1), "not-a-mapping", said("not-a-mapping"))
    return None


def _resolve(rid: str, raw: dict[str, tuple[str, LocDict]], problems: _Problems, chain: tuple[str, ...]) -> LocDict | None:
    """The rubric with its `extends` chain merged in (child wins; lists of items with ids merge by id)."""
    doc = raw[rid][1]
    parent_id = doc.get("extends")
    if parent_id is None:
        return doc
    where = doc.positions.get("extends", doc.where)
    if not isinstance(parent_id, str):
        problems.add(where, "bad-extends", said("bad-extends"))
        return None
    if parent_id in chain or parent_id == rid:
        problems.add(where, "extends-cycle", said("extends-cycle", chain=" → ".join((*chain, rid, str(parent_id)))))
        return None
    if parent_id not in raw:
        problems.add(where, "unknown-parent", said("unknown-parent", parent=parent_id))
        return None
    parent = _resolve(parent_id, raw, problems, (*chain, rid))
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


def _has(node: Any, step: Any) -> bool:
    """Whether `step` is a key of this mapping or an index of this list."""
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)


def _all_have_ids(items: LocList) -> bool:
    return bool(items) and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items)


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
                problems.add(where, "remove-unknown", said("remove-unknown", id=key))
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
    """Types first (pydantic), then the rule checks on the values that passed them, so every mistake is reported at once
    and the sums are checked on exactly the numbers the engine would use."""
    plain = _plain(doc)
    try:
        rubric: Rubric | None = Rubric.model_validate(plain)
        errors: list[ErrorDetails] = []
    except ValidationError as exc:
        rubric, errors = None, exc.errors()
    for err in errors:
        if err["type"] == "union_tag_invalid":  # reported by the rule checks, at the `kind` itself
            continue
        where = locate(doc, tuple(err["loc"]), doc.where)
        _add_in_own_file(doc, where, err["type"].replace("_", "-"), said("type-error", loc=".".join(map(str, err["loc"])), hint=type_hint(err)),
                         problems)
    found = semantic_problems(_without(plain, errors))
    for path, code, text in found:
        _add_in_own_file(doc, locate(doc, path, doc.where), code, text, problems)
    return None if found else rubric


def type_hint(err: ErrorDetails) -> Said:
    """A pydantic error said in words, with what was found (a model's own check names its text in the error context)."""
    loc = [step for step in err["loc"] if isinstance(step, str)]
    ctx = {k: f"{v:,.0f}" if isinstance(v, float) and v.is_integer() else v for k, v in (err.get("ctx") or {}).items()}
    own = ctx.get("text")
    if err["type"] == "value_error" and isinstance(own, str) and own in RUBRIC_TEXTS:
        return said(own)
    values = {"field": loc[-1] if loc else "", "input": _shown(err.get("input")), "msg": err["msg"], **ctx}
    key = f"type-{err['type']}" if f"type-{err['type']}" in _PYDANTIC_HINTS else "type-other"
    names = {name for _, name, _, _ in Formatter().parse(_PYDANTIC_HINTS[key]["zh"]) if name}
    return said(key, **{name: values.get(name, "") for name in sorted(names)})  # a context pydantic left out reads as empty


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}…"


def _without(doc: Any, errors: list[ErrorDetails]) -> Any:
    """`doc` without the values pydantic rejected (list items become None so that paths stay valid)."""
    targets: list[tuple[Any, Any]] = []  # (mapping or list, key or index)
    for err in errors:
        if err["type"] in ("missing", "union_tag_invalid"):
            continue
        parent: Any = None
        key: Any = None
        node: Any = doc
        for step in err["loc"]:  # steps that are not keys (union member names) are skipped
            if _has(node, step):
                parent, key, node = node, step, node[step]
        if parent is not None:
            targets.append((parent, key))
    for parent, key in targets:
        if isinstance(parent, dict):
            parent.pop(key, None)
        else:
            parent[key] = None
    return doc


def _add_in_own_file(doc: LocDict, where: Position, code: str, text: Said, problems: _Problems) -> None:
    """A problem of a child rubric that lands on an inherited value is reported at the child's `extends` line."""
    if where.file != doc.where.file and "extends" in doc.positions:
        text = said("inherited", text=text, file=where.file, line=where.line)
        where = doc.positions["extends"]
    problems.add(where, code, text)


def _plain(value: Any) -> Any:
    """Plain dicts and lists for validation (position-carrying subclasses confuse the validator)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
