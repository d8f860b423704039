"""Find the header row and match every spreadsheet column to a rubric column.

Headers match by column id, Chinese label or alias, ignoring spacing, width, case, brackets and a trailing
note such as '（㎡）'. Title rows, group rows above merged cells and sub-headers per assessment source are
handled by scoring each candidate row by how many known columns it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from scoring.ingest import vocab
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Column
from scoring.rubricset import RubricSet, normalize_label

_BRACKETS = str.maketrans("", "", "()[]{}<>【】《》〔〕〈〉「」『』*:")
_TRAILING_NOTE = re.compile(r"[(\[【〔<《][^()\[\]【】〔〕<>《》]*[)\]】〕>》]$")

# Identity columns a rubric set may not declare (the core rubric normally does): still recognized.
DEFAULT_IDENTITY: tuple[Column, ...] = (
    Column(id=BRANCH_ID, label="党组织代码", aliases=("组织代码", "支部代码", "党组织编码", "代码")),
    Column(id=NAME, label="党组织名称", aliases=("支部名称", "党支部名称", "名称")),
    Column(id=FIELD, label="领域", aliases=("所属领域", "类别")),
    Column(id=PERIOD, label="考核年度", aliases=("年度", "考评年度")),
)


@lru_cache(maxsize=65536)
def header_key(text: str) -> str:
    """A header folded for matching: width, case, spaces and brackets ignored."""
    return normalize_label(text).translate(_BRACKETS)


@dataclass(frozen=True)
class Spec:
    """A column the rubrics read: its key in the frame, how its cells parse and the header users write."""

    key: str  # column id, or f"{id}@{source}" for a further assessment source
    column: Column
    label: str
    headers: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Every known column of a rubric set, the header spellings that name them and the keys each rubric reads."""

    specs: dict[str, Spec]
    lookup_table: dict[str, tuple[str, ...]]
    source_templates: dict[str, tuple[str, ...]]  # folded source name → its header templates
    rubric_keys: dict[str, frozenset[str]]
    seen: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)  # header search asks the same texts again

    def lookup(self, text: str) -> tuple[str, ...]:
        """The keys a header names (usually one), or () when unknown."""
        known = self.seen.get(text)
        if known is None:
            known = self.seen[text] = self._lookup(text)
        return known

    def _lookup(self, text: str) -> tuple[str, ...]:
        found = self.lookup_table.get(header_key(text))
        if found:
            return found
        compact = normalize_label(text)
        while (stripped := _TRAILING_NOTE.sub("", compact)) != compact and stripped:
            found = self.lookup_table.get(header_key(stripped))
            if found:
                return found
            compact = stripped
        return ()


def build_vocabulary(rubrics: RubricSet) -> Vocabulary:
    """The header vocabulary of a rubric set: plain columns, identity defaults and one column per further source."""
    specs: dict[str, Spec] = {}
    for column in (*rubrics.columns.values(), *DEFAULT_IDENTITY):
        if column.id not in specs:
            specs[column.id] = Spec(column.id, column, column.label, (column.id, column.label, *column.aliases))
    templates: dict[str, list[str]] = {}
    rubric_keys: dict[str, frozenset[str]] = {}
    identity = {c.id for c in DEFAULT_IDENTITY}
    for rubric in rubrics.concrete:
        columns = rubric.input_columns()
        keys = set(columns) | identity
        for source in rubric.sources:
            templates.setdefault(header_key(source.name), []).append(source.header)
        for _, suffix, source, cid in rubric.source_columns():
            if suffix and cid in columns:
                base = columns[cid]
                key = cid + suffix
                keys.add(key)
                if key not in specs:
                    spelled = tuple(source.header.format(label=x) for x in (base.label, *base.aliases))
                    specs[key] = Spec(key, base, spelled[0], (key, *spelled))
        rubric_keys[rubric.id] = frozenset(keys)
    table: dict[str, list[str]] = {}
    for spec in specs.values():
        for text in spec.headers:
            keys_for = table.setdefault(header_key(text), [])
            if spec.key not in keys_for:
                keys_for.append(spec.key)
    return Vocabulary(
        specs,
        {k: tuple(v) for k, v in table.items() if k},
        {k: tuple(dict.fromkeys(v)) for k, v in templates.items()},
        rubric_keys,
    )


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    n = position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class HeaderColumn:
    """One spreadsheet column under the header: its letter, header as written and the keys it feeds."""

    position: int
    letter: str
    header: str
    keys: tuple[str, ...]
    serial: bool = False


@dataclass(frozen=True)
class Header:
    """The detected header: index of its bottom row among the first records, and every column."""

    index: int
    columns: tuple[HeaderColumn, ...]


def _forward_filled(row: list[str], width: int) -> list[str]:
    """A group row with merged cells spread over the columns they cover (only the first cell holds the text)."""
    out, last = [], ""
    for j in range(width):
        cell = row[j].strip() if j < len(row) else ""
        last = cell or last
        out.append(last)
    return out


def _resolve(head: list[list[str]], r: int, j: int, group: list[str], vocabulary: Vocabulary) -> tuple[str, tuple[str, ...], bool]:
    """(header as written, keys, matched by the row's own cell) for column j if row r is the bottom header row."""
    row = head[r]
    cell = row[j].strip() if j < len(row) else ""
    if cell:
        keys = vocabulary.lookup(cell)
        if keys:
            return cell, keys, True
        above = group[j]
        if above and above != cell:
            candidates = [t.format(label=above) for t in vocabulary.source_templates.get(header_key(cell), ())]
            for text in (*candidates, above + cell):
                keys = vocabulary.lookup(text)
                if keys:
                    return f"{above}／{cell}", keys, True
        return cell, (), False
    for up in (r - 1, r - 2):  # a cell merged down over two header rows keeps its text in the upper one
        if up < 0 or j >= len(head[up]) or not head[up][j].strip():
            continue
        text = head[up][j].strip()
        keys = vocabulary.lookup(text)
        # a title row (one cell, merged across) is not a header: its text names no column below it
        header_like = sum(1 for c in head[up] if c.strip()) >= 2
        return (text, keys, False) if keys or header_like else ("", (), False)
    return "", (), False


def find_header(head: list[list[str]], vocabulary: Vocabulary) -> Header | None:
    """The row (with the rows above it) that names the most known columns, or None when no row names any."""
    width = max((len(r) for r in head), default=0)
    best: tuple[int, int] | None = None
    best_score = (0, 0)
    for r in range(len(head)):
        group = _forward_filled(head[r - 1], width) if r else [""] * width
        resolved = [_resolve(head, r, j, group, vocabulary) for j in range(width)]
        own = {k for _, keys, mine in resolved if mine for k in keys}
        if not own:
            continue
        score = (len({k for _, keys, _ in resolved for k in keys}), len(own))
        if score > best_score:
            best, best_score = (r, score[0]), score
    if best is None:
        return None
    r = best[0]
    group = _forward_filled(head[r - 1], width) if r else [""] * width
    columns = []
    for j in range(width):
        text, keys, _ = _resolve(head, r, j, group, vocabulary)
        if not text and j < len(head[r]):
            text = head[r][j].strip()
        serial = not keys and normalize_label(text) in vocab.SERIAL_HEADERS
        columns.append(HeaderColumn(j, column_letter(j), text, keys, serial))
    return Header(r, tuple(columns))
