"""YAML read with yaml.safe_load's rules inside fixed limits, keeping where every value stands in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from scoring.errors import RubricProblem, Said, rubric_texts, said

try:  # libyaml scans seven times faster; the composing stays in Python, where the limits are checked
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]

_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # YAML 1.1 printable
_INT, _FLOAT, _MERGE = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:merge"

# PyYAML's most common complaints, explained (matched by the start of its English text)
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "syntax-colon"),
    ("found character '\\t'", "syntax-tab"),
    ("found character that cannot start any token", "syntax-start"),
    ("but found another document", "syntax-documents"),
    ("could not find expected ':'", "syntax-no-colon"),
    ("did not find expected key", "syntax-indent-mixed"),
    ("did not find expected ',' or ']'", "syntax-bracket"),
    ("did not find expected ',' or '}'", "syntax-brace"),
    ("expected ',' or ']'", "syntax-bracket"),
    ("expected ',' or '}'", "syntax-brace"),
    ("found unexpected end of stream", "syntax-quote"),
    ("found undefined alias", "syntax-alias"),
    ("found duplicate anchor", "syntax-anchor"),
    ("expected <block end>", "syntax-indent"),
    ("expected a single document", "syntax-documents"),
    ("found unknown escape character", "syntax-escape"),
)

rubric_texts({
    "syntax-colon": {"zh": "此处不能出现“冒号+空格”；值中含冒号时请给整个值加引号，或检查上一行的缩进",
                     "en": "“colon + space” cannot stand here; quote the whole value if it contains a colon, or check the "
                           "indentation of the line above"},
    "syntax-tab": {"zh": "不能用 Tab 缩进，请改用空格", "en": "indent with spaces, not tabs"},
    "syntax-start": {"zh": "有不能作为开头的字符（常见原因：用了 Tab 缩进，或以 @、` 开头的值没有加引号）",
                     "en": "a character that cannot start a value (usually a tab used for indentation, or a value "
                           "starting with @ or ` without quotes)"},
    "syntax-documents": {"zh": "文件只能包含一个 YAML 文档（去掉多余的 ---）",
                         "en": "the file may hold only one YAML document (remove the extra ---)"},
    "syntax-no-colon": {"zh": "缺少冒号“:”，或多行文字缺少引号", "en": "a colon “:” is missing, or text over several lines lacks quotes"},
    "syntax-indent-mixed": {"zh": "缩进不一致，或列表项与键混在同一层",
                            "en": "inconsistent indentation, or list items and keys mixed at one level"},
    "syntax-bracket": {"zh": "方括号 [ ] 没有闭合，或列表项之间缺少逗号",
                       "en": "a square bracket [ ] is not closed, or a comma is missing between list items"},
    "syntax-brace": {"zh": "花括号 {{ }} 没有闭合，或键值对之间缺少逗号",
                     "en": "a curly brace {{ }} is not closed, or a comma is missing between key-value pairs"},
    "syntax-quote": {"zh": "引号没有闭合", "en": "a quote is not closed"},
    "syntax-alias": {"zh": "引用（*名称）了未定义的锚点（&名称）", "en": "an alias (*name) refers to an anchor (&name) that is not defined"},
    "syntax-anchor": {"zh": "同一个锚点（&名称）定义了两次", "en": "the same anchor (&name) is defined twice"},
    "syntax-indent": {"zh": "缩进不一致：同一层的键要对齐", "en": "inconsistent indentation: keys at one level must line up"},
    "syntax-escape": {"zh": "双引号中有无法识别的转义（\\）；请改用单引号",
                      "en": "an unknown escape (\\) inside double quotes; use single quotes instead"},
    "syntax-unknown": {"zh": "无法解析（{problem}）", "en": "cannot be read ({problem})"},
    "yaml-syntax": {"zh": "YAML 格式错误（第 {line} 行第 {column} 列）：{hint}；请检查缩进、冒号和引号",
                    "en": "YAML syntax error (line {line}, column {column}): {hint}; check the indentation, colons and quotes"},
    "yaml-error": {"zh": "YAML 格式错误：{error}", "en": "YAML syntax error: {error}"},
    "limit-aliases": {"zh": "别名（*名称）引用超过上限 {limit} 次；评分细则不需要这么多引用，请直接写出内容",
                      "en": "more than {limit} aliases (*name); a rubric needs far fewer, write the content out instead"},
    "limit-depth": {"zh": "嵌套超过上限 {limit} 层；请检查缩进或括号是否多余",
                    "en": "nested more than {limit} levels deep; check for stray indentation or brackets"},
    "limit-depth-aliases": {"zh": "展开别名（*名称）后嵌套超过上限 {limit} 层；请直接写出内容",
                            "en": "nested more than {limit} levels deep once aliases (*name) are expanded; write the content out instead"},
    "limit-values": {"zh": "文档中的值（别名 *名称 展开后计）超过上限 {limit:,} 个；评分细则用不了这么多，请检查是否层层引用了锚点或误粘贴了数据",
                     "en": "more than {limit:,} values in the document (counted with aliases *name expanded); a rubric needs far "
                           "fewer, check for anchors referring to anchors or data pasted by mistake"},
    "limit-size": {"zh": "评分细则有 {size:,} KB，超过上限 {limit:,} KB；请删去无关内容",
                   "en": "the rubric is {size:,} KB, over the limit of {limit:,} KB; remove what does not belong"},
    "not-text": {"zh": "第 {line} 行第 {column} 列有不允许的控制字符（U+{char}）；请删除它，或把文件另存为 UTF-8 文本",
                 "en": "a control character that is not allowed (U+{char}) at line {line}, column {column}; delete it, or "
                       "save the file as UTF-8 text"},
    "yaml-tag": {"zh": "不支持的 YAML 标签“{tag}”；评分细则只用普通的文字、数字、列表和映射，请去掉该标签",
                 "en": "unsupported YAML tag “{tag}”; a rubric uses only plain text, numbers, lists and mappings, remove the tag"},
    "duplicate-key": {"zh": "键“{key}”在同一层重复出现，请删除或合并其中一个",
                      "en": "the key “{key}” appears twice at the same level; delete or merge one of them"},
    "yaml-merge": {"zh": "“<<”只能合并映射（<<: *名称）；请检查引用的锚点",
                   "en": "“<<” can merge only mappings (<<: *name); check the anchor it refers to"},
    "key-not-text": {"zh": "键“{key}”不是文字；请给键加引号，如 \"{key}\":", "en": "the key “{key}” is not text; quote it, as in \"{key}\":"},
    "key-not-text-nested": {"zh": "键“（列表或映射）”不是文字；请给键加引号，如 \"（列表或映射）\":",
                            "en": "a list or mapping is used as a key; a key must be text in quotes, as in \"name\":"},
    "limit-number": {"zh": "数字有 {digits:,} 位，超过上限 {limit} 位；请改为合理的数值",
                     "en": "a number with {digits:,} digits, over the limit of {limit}; enter a sensible value"},
    "bad-value": {"zh": "无法识别的值“{value}”（{error}）；日期请写成 2024-01-01，其他特殊值请加引号",
                  "en": "the value “{value}” cannot be read ({error}); write dates as 2024-01-01 and quote other special values"},
})


@dataclass(frozen=True)
class Limits:
    """Bounds every rubric document stays within; checked while reading, before anything grows past them."""

    chars: int = 512 * 1024  # document size (characters; bytes for files)
    depth: int = 32  # nesting of maps and lists, counted after aliases are expanded
    aliases: int = 200  # uses of *anchor
    values: int = 10_000  # values in the document once aliases are expanded (the core rubric has ~1,300)
    number_digits: int = 32  # characters of one number


LIMITS = Limits()


@dataclass(frozen=True)
class Position:
    """A place in a file, 1-based as editors show it."""

    file: str
    line: int
    column: int


class LocDict(dict[str, Any]):
    """A mapping that remembers the position of each of its values."""

    def __init__(self, where: Position) -> None:
        super().__init__()
        self.where = where
        self.positions: dict[str, Position] = {}


class LocList(list[Any]):
    """A sequence that remembers the position of each of its items."""

    def __init__(self, where: Position) -> None:
        super().__init__()
        self.where = where
        self.positions: list[Position] = []


@dataclass
class Located:
    """A parsed document (None when it could not be read) and the problems met while reading it."""

    data: Any
    problems: list[RubricProblem] = field(default_factory=list)


class _Stop(Exception):
    """A limit was hit: reading stops here."""

    def __init__(self, problem: RubricProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _problem(where: Position, code: str, text: Said) -> RubricProblem:
    return RubricProblem.at(where.file, where.line, where.column, code, text)


def _pos(file: str, node: yaml.Node | yaml.Event | None) -> Position:
    mark = node.start_mark if node is not None else None
    return Position(file, mark.line + 1, mark.column + 1) if mark is not None else Position(file, 1, 1)


class _Loader(Composer, _Parser, SafeConstructor, Resolver):
    """PyYAML's safe loader, composing nodes under a nesting and an alias-count limit."""

    def __init__(self, text: str, file: str, limits: Limits) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.file, self.limits, self.depth, self.aliases, self.nodes = file, limits, 0, 0, 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        self.nodes += 1
        if self.nodes > self.limits.values:
            raise _Stop(_too_many_values(_pos(self.file, event), self.limits))
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.limits.aliases:
                raise _Stop(_problem(_pos(self.file, event), "limit-aliases", said("limit-aliases", limit=self.limits.aliases)))
        self.depth += 1
        if self.depth > self.limits.depth:
            raise _Stop(_problem(_pos(self.file, event), "limit-depth", said("limit-depth", limit=self.limits.depth)))
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_many_values(where: Position, limits: Limits) -> RubricProblem:
    return _problem(where, "limit-values", said("limit-values", limit=limits.values))


def read_located(text: str, file: str, limits: Limits = LIMITS) -> Located:
    """Parse YAML safely within `limits` into LocDict/LocList carrying positions, with every problem met."""
    if len(text) > limits.chars:
        return Located(None, [_problem(Position(file, 1, 1), "limit-size",
                                       said("limit-size", size=len(text) // 1024, limit=limits.chars // 1024))])
    bad = _unreadable(text)
    if bad is not None:
        line, column = text.count("\n", 0, bad) + 1, bad - text.rfind("\n", 0, bad)
        return Located(None, [_problem(Position(file, line, column), "not-text",
                                       said("not-text", line=line, column=column, char=f"{ord(text[bad]):04X}"))])
    loader = _Loader(text, file, limits)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None)
        builder = _Builder(file, limits, loader)
        data = builder.build(node, 1)
        return Located(data, builder.problems)
    except _Stop as stop:
        return Located(None, [stop.problem])
    except yaml.MarkedYAMLError as exc:
        return Located(None, [syntax_problem(exc, file)])
    except yaml.YAMLError as exc:
        return Located(None, [_problem(Position(file, 1, 1), "yaml-syntax", said("yaml-error", error=str(exc)))])
    finally:
        loader.dispose()


def _unreadable(text: str) -> int | None:
    """Where the first character YAML refuses stands (control characters, lone surrogates, U+FFFE/U+FFFF), if any."""
    found = _NOT_YAML.search(text)
    return found.start() if found else None


def syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> RubricProblem:
    """A YAML syntax error as a located problem with an explanation."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = str(exc.problem or exc.context or "")
    key = next((k for start, k in _SYNTAX_HINTS if problem.startswith(start)), None)
    hint = said(key) if key else said("syntax-unknown", problem=problem)
    return RubricProblem.at(file, line, column, "yaml-syntax", said("yaml-syntax", line=line, column=column, hint=hint))


class _Builder:
    """Turns composed nodes into located values, copying shared (aliased) nodes only within the value budget."""

    def __init__(self, file: str, limits: Limits, loader: _Loader) -> None:
        self.file, self.limits, self.loader = file, limits, loader
        self.count = 0
        self.problems: list[RubricProblem] = []
        self._places: dict[int, Position] = {}  # one Position per node, however often aliases repeat it

    def where(self, node: yaml.Node) -> Position:
        """Where `node` was written."""
        place = self._places.get(id(node))
        if place is None:
            place = self._places[id(node)] = _pos(self.file, node)
        return place

    def build(self, node: yaml.Node, depth: int) -> Any:
        """The value of `node`, at nesting `depth`."""
        self.count += 1
        where = self.where(node)
        if self.count > self.limits.values:
            raise _Stop(_too_many_values(where, self.limits))
        if depth > self.limits.depth:
            raise _Stop(_problem(where, "limit-depth", said("limit-depth-aliases", limit=self.limits.depth)))
        if node.tag not in self.loader.yaml_constructors:  # e.g. !!python/object: never constructed, only reported
            self._add(where, "yaml-tag", said("yaml-tag", tag=node.tag))
            return None
        if isinstance(node, yaml.SequenceNode):
            seq = LocList(where)
            for item in node.value:
                seq.append(self.build(item, depth + 1))
                seq.positions.append(self.where(item))
            return seq
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where, depth)
        return self._scalar(node, where)

    def _mapping(self, node: yaml.MappingNode, where: Position, depth: int) -> LocDict:
        out = LocDict(where)
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:  # `<<: *base` takes the keys of base that are not written here
                merged.extend(self._merge_pairs(value_node))
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in out:
                self._add(_pos(self.file, key_node), "duplicate-key", said("duplicate-key", key=key))
            out[key] = self.build(value_node, depth + 1)
            out.positions[key] = self.where(value_node)
        for key_node, value_node in merged:
            key = self._key(key_node)
            if key is not None and key not in out:
                out[key] = self.build(value_node, depth + 1)
                out.positions[key] = self.where(value_node)
        return out

    def _merge_pairs(self, node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not all(isinstance(s, yaml.MappingNode) for s in sources):
            self._add(_pos(self.file, node), "yaml-merge", said("yaml-merge"))
            return []
        return [pair for s in sources for pair in s.value]

    def _key(self, node: yaml.Node) -> str | None:
        """A mapping key as text; other keys are reported and skipped."""
        key = self._scalar(node, self.where(node)) if isinstance(node, yaml.ScalarNode) else node
        if isinstance(key, str):
            return key
        text = said("key-not-text", key=node.value) if isinstance(node, yaml.ScalarNode) else said("key-not-text-nested")
        self._add(_pos(self.file, node), "key-not-text", text)
        return None

    def _scalar(self, node: yaml.Node, where: Position) -> Any:
        if node.tag in (_INT, _FLOAT) and len(node.value) > self.limits.number_digits:
            raise _Stop(_problem(where, "limit-number", said("limit-number", digits=len(node.value), limit=self.limits.number_digits)))
        try:
            return self.loader.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self._add(where, "bad-value", said("bad-value", value=str(node.value)[:40], error=str(exc)))
            return None

    def _add(self, where: Position, code: str, text: Said) -> None:
        self.problems.append(_problem(where, code, text))


def locate(root: Any, path: tuple[Any, ...], fallback: Position) -> Position:
    """The position of the deepest value on `path` that exists; path steps that are not keys are skipped."""
    where = getattr(root, "where", fallback)
    node = root
    for step in path:
        if isinstance(node, LocDict) and isinstance(step, str) and step in node:
            where, node = node.positions.get(step, where), node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            where, node = node.positions[step], node[step]
    return where
