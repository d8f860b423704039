"""read_assessments: file bytes → validated frame, rows set aside with reasons, and the validation report.

Every step works on whole columns: cells are parsed once per distinct value (scoring.ingest.cells), checks
are boolean masks, and Python loops run only over problems found, never over every row.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import InputError, Said, input_texts, said
from scoring.ingest import vocab
from scoring.ingest.applicability import Applicability, absent_values
from scoring.ingest.cells import (
    STR,
    Converted,
    Status,
    TextColumn,
    as_text,
    convert_column,
    distinct,
    expected_hint,
    header_unit,
    is_text,
    normalize_text,
    range_hint,
)
from scoring.ingest.files import HEAD_ROWS, Payload, RawTable, open_tables
from scoring.ingest.header import Header, HeaderColumn, Spec, Vocabulary, build_vocabulary, column_letter, find_header
from scoring.ingest.report import Problem, Severity, ValidationReport
from scoring.ingest.workbook import WorkbookLimits
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD, Rubric
from scoring.rubricset import RubricSet, normalize_label

DEFAULT_MAX_BYTES = 200_000_000  # the dashboard's upload limit unless server.maxUploadSize says otherwise (the CLI has none)
IDENTITY = (BRANCH_ID, NAME, FIELD, PERIOD)
REASON = "reason"
_UNKNOWN_FIELD, _BLANK_FIELD = -1, -2
_PARALLEL_ROWS = 20_000  # below this, starting threads costs more than it saves
_LISTED = 5  # rows (or names) a message lists before it says how many more: every message stays short, however many repeat
_NOTE_CELLS = 4  # a line under the table such as "填表人：张三  审核人：李四  日期：…" has a few cells at most
_SCIENTIFIC = r"[0-9](?:\.[0-9]+)?E\+[0-9]+"  # what Excel shows for a long number code it has already rounded

input_texts({
    "no-header": {"zh": "在{searched}的前 {rows} 行中找不到表头：没有一行含有评分细则中的列名（如 {examples}）；"
                        "请检查是否选错了文件或工作表，或把表头改为评分细则中的列名",
                  "en": "no header in the first {rows} rows of {searched}: no row holds a column name of the rubric (such as "
                        "{examples}); check that you chose the right file or worksheet, or rename the headers to the rubric's "
                        "column names"},
    "searched-sheet": {"zh": "工作表“{sheet}”", "en": "the worksheet “{sheet}”"},
    "searched-file": {"zh": "文件“{name}”", "en": "the file “{name}”"},
    "file-too-large": {"zh": "文件“{name}”有 {size}，超过上限 {limit}；请按乡镇或领域拆分后分别上传",
                       "en": "the file “{name}” is {size}, over the limit of {limit}; split it by township or field and "
                             "upload the parts one by one"},
    "size-bytes": {"zh": "{bytes:,} 字节", "en": "{bytes:,} bytes"},
    "size-mb": {"zh": "{mb:,.1f} MB（{bytes:,} 字节）", "en": "{mb:,.1f} MB ({bytes:,} bytes)"},
    "size-whole-mb": {"zh": "{mb:,} MB（{bytes:,} 字节）", "en": "{mb:,} MB ({bytes:,} bytes)"},
})


@dataclass(frozen=True)
class Ingested:
    """What a file yields: accepted rows (typed), their not-applicable cells, rejected and unknown columns, the report."""

    frame: pd.DataFrame
    not_applicable: pd.DataFrame
    rejected: pd.DataFrame
    extra: pd.DataFrame
    report: ValidationReport


def read_assessments(source: Path | bytes, rubrics: RubricSet, *, filename: str | None = None, sheet: str | None = None,
                     max_bytes: int | None = None, limits: WorkbookLimits | None = None) -> Ingested:
    """Read, normalize and validate an assessment file; raise InputError only when it cannot be read at all.

    `max_bytes` bounds the file size (no bound when None); `limits` bound the workbook reader process.
    """
    payload, name = _open(source, filename, max_bytes)
    vocabulary = build_vocabulary(rubrics)
    searched: list[Said] = []
    with closing(open_tables(payload, name, sheet, limits or WorkbookLimits.from_env())) as tables:
        for table in tables:
            header = find_header(table.head, vocabulary)
            if header is not None:
                return _Reader(name, table, header, vocabulary, rubrics).run()
            searched.append(said("searched-sheet", sheet=table.sheet) if table.sheet else said("searched-file", name=name))
    examples = tuple(s.label for s in list(vocabulary.specs.values())[:6])
    raise InputError(said("no-header", searched=tuple(searched), rows=HEAD_ROWS, examples=examples))


def size_text(size: int) -> str:
    """A byte count as a user reads it, in Chinese: decimal megabytes (as browsers and Streamlit count) and the exact bytes."""
    return size_said(size).render("zh")


def size_said(size: int) -> Said:
    """A byte count as a user reads it (decimal megabytes and the exact bytes), to render in a language."""
    if size < 1_000_000:
        return said("size-bytes", bytes=size)
    return said("size-mb", mb=size / 1e6, bytes=size) if size % 1_000_000 else said("size-whole-mb", mb=size // 1_000_000, bytes=size)


def _open(source: Path | bytes, filename: str | None, max_bytes: int | None) -> tuple[Payload, str]:
    limit = float("inf") if max_bytes is None else max_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        name = filename or "上传的文件"
        size = len(source)
        payload = Payload.of_bytes(bytes(source)) if size <= limit else None
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            payload = Payload.of_path(str(path), size) if size <= limit else None
        except OSError as exc:
            raise InputError(said("file-unreadable", name=name, error=str(exc.strerror or exc))) from exc
    if payload is None:
        raise InputError(said("file-too-large", name=name, size=size_said(size), limit=size_said(int(limit))))
    return payload, name


def english_duplicate(what: str, year: str, first: str, effect: str) -> dict[str, str]:
    """The details of a duplicate-row problem for its English template."""
    period = year.split("“", 1)[1].rstrip("”") if "“" in year else ""
    return {"what": "code" if what == "党组织代码" else "name", "year": f" and period “{period}”" if period else "",
            "first": first.replace("、", ", "), "effect": effect}


def listed(shown: list[str], total: int, unit: str = "") -> tuple[str, str]:
    """The first few of `total` items as a message lists them, in Chinese ('12、13 等 40' + unit) and in English."""
    shown = shown[:_LISTED]
    if total <= len(shown):
        return "、".join(shown), ", ".join(shown)
    return f"{'、'.join(shown)} 等 {total:,}{unit}", f"{', '.join(shown)} and {total - len(shown):,} more"


def duplicate_message(first: int, what: str, code: str, year: str) -> str:
    """Why a row repeating the branch and period of an earlier row is not scored (`year` is '、年度“2025”' or '')."""
    return f"与第 {first} 行的{what}“{code}”{year}重复，本行未计分；请删除重复行或更正{what}"


def _workers(rows: int) -> int:
    """Threads for parsing columns: one for small files, else the CPUs this process may use (at most 4)."""
    if rows < _PARALLEL_ROWS:
        return 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(usable, 4))


class _Inline(Executor):
    """Runs each call at once in the calling thread: for small files, where threads cost more than they save."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """The call's outcome, already settled."""
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks for the result, as a thread pool would
            future.set_exception(exc)
        return future


@contextmanager
def _executor(rows: int) -> Iterator[Executor]:
    """Threads for whole-column work (mostly pyarrow and numpy, which release the GIL), or none for small files."""
    workers = _workers(rows)
    if workers == 1:
        yield _Inline()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield pool


def _used_rubrics(rubric_index: np.ndarray, keep: np.ndarray) -> list[int]:
    """The positions of the rubrics the kept rows use, in order (counted, not sorted: one pass)."""
    counts = np.bincount(rubric_index[keep] - _BLANK_FIELD)  # the negative markers count in the first slots
    return [int(i) + _BLANK_FIELD for i in np.flatnonzero(counts) if i + _BLANK_FIELD >= 0]


def _repeated(key: np.ndarray) -> np.ndarray:
    """Which of these non-negative integers occur more than once: counted when they are dense, else hashed."""
    if not len(key):
        return np.zeros(0, dtype=bool)
    if key.max() <= 4 * len(key) + 1024:
        return np.bincount(key)[key] > 1
    return pd.Series(key).duplicated(keep=False).to_numpy()


def raw_text(series: pd.Series) -> pd.Series:
    """A column as the text the user typed (numbers typed by pandas written back without trailing zeros)."""
    if is_text(series):
        return series
    codes, texts = distinct(series)
    return pd.Series(texts.array.take(codes, allow_fill=True), index=series.index, dtype=STR)


def _total_text(text: pd.Series) -> np.ndarray:
    """Cells that read as a total (合计, 小计, …): the pattern is tried only where 计 is, since every total names it."""
    hit = np.zeros(len(text), dtype=bool)
    rows = np.flatnonzero(text.str.contains(vocab.TOTAL_MARK, regex=False).to_numpy(dtype=bool, na_value=False))
    if len(rows):
        hit[rows] = text.iloc[rows].str.fullmatch(vocab.TOTAL_ROW).to_numpy(dtype=bool, na_value=False)
    return hit


def _blank(series: pd.Series) -> np.ndarray:
    text = raw_text(series)
    return (text.isna() | text.str.strip().eq("")).to_numpy(dtype=bool, na_value=True)


@dataclass
class _Found:
    """Problems as they are found, with the body position of each row problem (for rejection reasons)."""

    problems: list[Problem] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    order: list[tuple[int, int]] = field(default_factory=list)

    def add(self, problem: Problem, position: int = -1, column: int = -1) -> None:
        """One problem; `position` is its row's place in the body (-1 for file-level problems)."""
        self.problems.append(problem)
        self.positions.append(position)
        self.order.append((-1 if problem.row is None else problem.row, column))

    def extend(self, problems: list[Problem], positions: list[int], rows: list[int], column: int) -> None:
        """Many problems of one column, in the given spreadsheet rows."""
        self.problems.extend(problems)
        self.positions.extend(positions)
        self.order.extend(zip(rows, repeat(column)))

    def absorb(self, other: _Found) -> None:
        """Another list's problems, after this one's."""
        self.problems.extend(other.problems)
        self.positions.extend(other.positions)
        self.order.extend(other.order)

    def without(self, code: str, positions: np.ndarray) -> _Found:
        """The same problems less those of `code` in the masked body positions."""
        out = _Found()
        for problem, position, order in zip(self.problems, self.positions, self.order):
            if not (problem.code == code and position >= 0 and positions[position]):
                out.add_at(problem, position, order)
        return out

    def add_at(self, problem: Problem, position: int, order: tuple[int, int]) -> None:
        """One problem with its sort key as already computed."""
        self.problems.append(problem)
        self.positions.append(position)
        self.order.append(order)

    def sorted(self) -> tuple[Problem, ...]:
        """File-level problems first, then by row and column as they appear in the spreadsheet (ties as found)."""
        if not self.order:
            return ()
        rows, columns = np.array(self.order, dtype=np.int64).T
        return tuple(map(self.problems.__getitem__, np.lexsort((columns, rows)).tolist()))  # lexsort is stable


@dataclass(frozen=True)
class _Identities:
    """Which column identifies a branch, and each row's branch and period as codes into their distinct values."""

    key: str
    ids: np.ndarray
    id_values: Any
    periods: np.ndarray
    period_values: Any


@dataclass
class _Checked:
    """One column checked on its own (so columns can be checked in parallel): its values, its not-applicable
    cells, the rows it puts in error or warning, its problems and how many cells each normalization changed."""

    values: np.ndarray | pd.Series | None = None
    na: np.ndarray | None = None
    found: _Found = field(default_factory=_Found)
    kinds: dict[str, int] = field(default_factory=dict)
    err: np.ndarray | None = None
    warn: np.ndarray | None = None

    def flag(self, which: str, mask: np.ndarray) -> None:
        """Mark rows as in error ('err') or with warnings ('warn')."""
        current = getattr(self, which)
        setattr(self, which, mask.copy() if current is None else current | mask)


class _Reader:
    """One read of one file."""

    def __init__(self, name: str, table: RawTable, header: Header, vocabulary: Vocabulary, rubrics: RubricSet) -> None:
        self.name, self.table, self.header, self.vocabulary, self.rubrics = name, table, header, vocabulary, rubrics
        self.concrete: tuple[Rubric, ...] = rubrics.concrete
        self.found = _Found()
        self.kinds: dict[str, int] = defaultdict(int)
        self.row0 = header.index + 2  # spreadsheet row number of the first record below the header
        self.unit_notes: list[tuple[str, HeaderColumn, str, str]] = []  # key, column, unit in the header, rubric's unit
        self.body = pd.DataFrame()
        self.scope = Applicability(self.concrete)

    # -- columns ------------------------------------------------------------------------------------

    def _plan(self) -> tuple[dict[str, HeaderColumn], list[HeaderColumn]]:
        """Which spreadsheet column feeds each key; unknown, serial-number and duplicate columns go aside."""
        assigned: dict[str, HeaderColumn] = {}
        extras: list[HeaderColumn] = []
        for col in self.header.columns:
            if not col.keys:
                if col.header:
                    extras.append(col)
                    if col.serial:
                        self._file_problem("ignored-column", "info", col, "序号列，已单独保留、不参与计分")
                    else:
                        self._file_problem("unknown-column", "warning", col, (
                            "评分细则中没有这一列，已单独保留、不参与计分；如果它是某项指标，请把表头改为评分细则中的名称"))
                continue
            fresh = [k for k in col.keys if k not in assigned]
            for key in fresh:
                assigned[key] = col
            if not fresh:
                first = assigned[col.keys[0]]
                label = self.vocabulary.specs[col.keys[0]].label
                self._file_problem("duplicate-header", "error", col, (
                    f"与 {first.letter} 列“{first.header}”都对应“{label}”；按 {first.letter} 列读取，本列单独保留、不参与计分；"
                    "请删除或改名其中一列"), first=first.letter, label=label)
                extras.append(col)
        return assigned, extras

    def _file_problem(self, code: str, severity: Severity, col: HeaderColumn, message: str, **params: str) -> None:
        self.found.add(Problem(code, severity, None, col.letter, col.header or None, None, message, tuple(params.items())),
                       column=col.position)

    # -- the run ------------------------------------------------------------------------------------

    def run(self) -> Ingested:
        """Load the body, parse every column, check every row, and put each row in one bucket."""
        assigned, extras = self._plan()
        specs = self.vocabulary.specs
        text_positions = {c.position for k, c in assigned.items() if specs[k].column.type == "text" and k != PERIOD}
        typed = frozenset(c.position for c in assigned.values()) - text_positions  # a year typed 2025 reads back as "2025"
        exact = frozenset(c.position for k, c in assigned.items() if k == BRANCH_ID)
        self.body, encoding = self.table.load(self.header.index, typed, exact)
        for position in range(len(self.header.columns), self.body.shape[1]):  # records wider than the header
            extras.append(HeaderColumn(position, column_letter(position), "", ()))
        raw = {key: self.body[col.position] for key, col in assigned.items()}  # taken here: the threads only read them
        with _executor(len(self.body)) as pool:
            converted, texts, keep = self._parse(assigned, extras, raw, pool)
            rubric_index = self._assign_rubrics(texts, assigned, keep)
            applicable = self._applicable(rubric_index, keep)
            identities = pool.submit(self._identities, texts)  # hashing the codes overlaps the checks
            _, value_keys = self._frame_order()
            block = np.empty((len(value_keys), len(keep)))  # the frame's numbers, one row per value column
            block_row = {key: block[j] for j, key in enumerate(value_keys)}
            keys = list(assigned)
            checked = list(pool.map(self._check, keys, [assigned[k] for k in keys], [raw[k] for k in keys],
                                    [converted[k] if k in converted else texts[k] for k in keys], [applicable[k] for k in keys],
                                    [block_row.get(k) for k in keys]))
            found_identities = identities.result()
        self._applicability(dict(zip(keys, checked)), converted, rubric_index, keep, applicable, block_row)
        err = np.zeros(len(keep), dtype=bool)
        warn = np.zeros(len(keep), dtype=bool)
        text_values: dict[str, pd.Series] = {}
        na: dict[str, np.ndarray] = {}  # per value column read; its numbers are in the block
        for key, result in zip(keys, checked):  # merged in column order: the report reads the same however it was run
            if isinstance(result.values, pd.Series):
                text_values[key] = result.values
            if result.na is not None:
                na[key] = result.na
            self.found.absorb(result.found)
            for kind, count in result.kinds.items():
                self.kinds[kind] += count
            if result.err is not None:
                err |= result.err
            if result.warn is not None:
                warn |= result.warn
        for key, col, written, unit in self.unit_notes:
            count = int((applicable[key] & (converted[key].status == Status.OK)).sum())
            self.kinds[vocab.UNIT_CONVERSION] += count
            self._file_problem("header-unit", "info", col, f"表头注明单位为“{written}”，评分细则按“{unit}”计分：本列 {count} 个数值已换算",
                               written=written, unit=unit, count=str(count))
        missing_reasons = self._missing_columns(assigned, rubric_index, keep)
        refused = err | (rubric_index < 0) | (missing_reasons != "")  # rejected whatever their duplicates say
        self._duplicates(found_identities, texts, assigned, keep, refused, err, warn)
        rejected = keep & (err | (rubric_index < 0) | (missing_reasons != ""))
        accepted = keep & ~rejected
        with_warnings = accepted & warn
        frame, not_applicable = self._frame(text_values, na, applicable, accepted, block)
        report = ValidationReport(
            file=self.name, encoding=encoding, sheet=self.table.sheet, delimiter=self.table.delimiter,
            header_row=self.header.index + 1, rows_total=int(keep.sum()),
            rows_scored=int((accepted & ~with_warnings).sum()), rows_with_warnings=int(with_warnings.sum()),
            rows_rejected=int(rejected.sum()), normalizations={k: v for k, v in sorted(self.kinds.items()) if v},
            problems=self.found.sorted(), columns={k: c.header for k, c in assigned.items()},
        )
        return Ingested(frame, not_applicable, self._rejected(assigned, extras, rejected, missing_reasons),
                        self._extra(extras, keep), report)

    def _parse(self, assigned: dict[str, HeaderColumn], extras: list[HeaderColumn], raw: dict[str, pd.Series], pool: Executor
               ) -> tuple[dict[str, Converted], dict[str, TextColumn], np.ndarray]:
        """Every known column parsed, and the rows that hold data (blank rows and trailing notes left out)."""
        converted: dict[str, Converted] = {}
        texts: dict[str, TextColumn] = {}
        blank_at: dict[int, np.ndarray] = {}
        jobs = list(assigned.items())
        mapped = {c.position for c in assigned.values()}
        unnamed = [c for c in self.header.columns if not c.keys and not c.header and c.position not in mapped]
        others = [c for c in [*extras, *unnamed] if c.position < self.body.shape[1]]
        parsed = pool.map(self._parse_one, [k for k, _ in jobs], [c for _, c in jobs], [raw[k] for k, _ in jobs])
        blanks = pool.map(_blank, [self.body[c.position] for c in others])  # columns set aside count for blank rows too
        for (key, col), (result, blank, note) in zip(jobs, parsed):
            if isinstance(result, TextColumn):
                texts[key] = result
            else:
                converted[key] = result
            if note is not None:
                self.unit_notes.append(note)
            blank_at.setdefault(col.position, blank)
        for col, blank in zip(others, blanks):
            blank_at.setdefault(col.position, blank)
        filled = np.full(len(self.body), len(blank_at), dtype=np.int64)  # cells filled in per row
        for blank in blank_at.values():
            np.subtract(filled, blank, out=filled, casting="unsafe")
        keep = self._rows_to_keep(filled, blank_at)
        keep &= ~self._total_rows(assigned, keep)
        for col in unnamed:
            if col.position in blank_at and (~blank_at[col.position] & keep).any():
                self._file_problem("blank-header", "warning", col, "这一列有数据但没有表头，已单独保留、不参与计分；请补上表头")
                extras.append(col)
        return converted, texts, keep

    def _parse_one(self, key: str, col: HeaderColumn, series: pd.Series
                   ) -> tuple[Converted | TextColumn, np.ndarray, tuple[str, HeaderColumn, str, str] | None]:
        """One column parsed, its blank cells, and a note when its header names another unit of the same kind
        ('（元）' over 万元)."""
        column = self.vocabulary.specs[key].column
        if column.type == "text":
            text = normalize_text(series, period=key == PERIOD)
            return text, text.values.isna().to_numpy(), None
        unit = header_unit(col.header, column)
        if unit is None:
            converted = convert_column(series, column)
            return converted, converted.status == Status.BLANK, None
        written, factor = unit
        reading = column.model_copy(update={"unit": written, "min": None, "max": None})
        converted = convert_column(series, reading).scaled(factor, column)
        return converted, converted.status == Status.BLANK, (key, col, written, column.unit)

    def _applicable(self, rubric_index: np.ndarray, keep: np.ndarray) -> dict[str, np.ndarray]:
        """Per key, the kept rows whose rubric reads it (one shared mask for keys every used rubric reads)."""
        used = set(_used_rubrics(rubric_index, keep))
        known = keep & (rubric_index >= 0)
        out: dict[str, np.ndarray] = {}
        for key in self.vocabulary.specs:
            member = np.array([key in self.vocabulary.rubric_keys[r.id] for r in self.concrete] + [False, False])
            if all(member[i] for i in used):
                out[key] = known
            else:
                out[key] = member[rubric_index] & keep
        return out

    def _applicability(self, checked: dict[str, _Checked], converted: dict[str, Converted], rubric_index: np.ndarray,
                       keep: np.ndarray, applicable: dict[str, np.ndarray], block_row: dict[str, np.ndarray]) -> None:
        """不适用 where the rubric does not allow it, and cells that contradict an applicability rule, reported per cell;
        a blank cell where a rule says the item does not apply is not a problem."""
        for i, rubric in enumerate(self.concrete):
            rows = keep & (rubric_index == i)
            if not rows.any():
                continue
            frame = self._condition_frame(self.scope.condition_columns(rubric), checked, applicable, block_row)
            for key, verdict in self.scope.verdicts(rubric, frame, rows):
                if key not in checked or key not in converted:
                    continue
                col, result, status = self.header.columns[self._position(key)], checked[key], converted[key].status
                if verdict.ruled_out is not None and result.warn is not None:  # value columns warn only for blank cells
                    quiet = verdict.ruled_out & (status == Status.BLANK)
                    result.found = result.found.without("blank-cell", quiet)
                    result.warn &= ~quiet
                for code, mask, message in verdict.problems(status):
                    self._cell_problems(result.found, code, "warning", mask, col, self.body[col.position], message, rule=verdict.rule_en)
                    result.flag("warn", mask)

    def _position(self, key: str) -> int:
        return next(c.position for c in self.header.columns if key in c.keys)

    def _condition_frame(self, keys: set[str], checked: dict[str, _Checked], applicable: dict[str, np.ndarray],
                         block_row: dict[str, np.ndarray]) -> pd.DataFrame:
        """The columns applicability rules test, as the scoring frame will hold them (absent ones filled as blank)."""
        data: dict[str, Any] = {}
        for key in keys:
            if key in checked and isinstance(checked[key].values, pd.Series):
                data[key] = checked[key].values
            elif key in checked and key in block_row:
                data[key] = block_row[key]
            elif key in self.vocabulary.specs and key in applicable:
                data[key] = absent_values(self.vocabulary.specs[key].column, applicable[key])
        return pd.DataFrame(data, index=self.body.index)

    # -- rows ---------------------------------------------------------------------------------------

    def _rows_to_keep(self, filled: np.ndarray, blank_at: dict[int, np.ndarray]) -> np.ndarray:
        """Non-blank rows, less trailing notes ('填表人：…'); interior blank rows are reported as info."""
        nonblank = filled > 0
        keep = nonblank.copy()
        if not nonblank.any():
            return keep
        i = int(np.flatnonzero(nonblank)[-1])
        while i >= 0 and (not nonblank[i] or filled[i] <= _NOTE_CELLS):
            if nonblank[i]:
                positions = sorted(p for p, b in blank_at.items() if not b[i])
                texts = [str(as_text(self.body.iat[i, p]) or "").strip() for p in positions]
                if not all(t.startswith(vocab.NOTE_PREFIXES) for t in texts):
                    break
                keep[i] = False
                self.found.add(Problem("note-row", "info", self.row0 + i, column_letter(positions[0]), None, "　".join(texts),
                                       "表格下方的说明文字，不是支部数据，已跳过"), column=positions[0])
            i -= 1
        end = int(np.flatnonzero(keep)[-1]) if keep.any() else -1
        blank = ~nonblank[: end + 1]
        edges = np.flatnonzero(np.diff(np.concatenate(([False], blank, [False])).astype(np.int8)))
        for first, stop in zip(edges[::2].tolist(), edges[1::2].tolist()):  # one note per run of blank rows
            rows = f"空行（第 {self.row0 + first}–{self.row0 + stop - 1} 行，共 {stop - first:,} 行）" if stop - first > 1 else "空行"
            self.found.add(Problem("blank-row", "info", self.row0 + first, None, None, None, f"{rows}，已跳过"))
        return keep

    def _total_rows(self, assigned: dict[str, HeaderColumn], keep: np.ndarray) -> np.ndarray:
        """Rows that sum the rows above them (合计, 小计, 总计 in the code, name or first column): notes, not branches."""
        total = np.zeros(len(keep), dtype=bool)
        where: dict[int, np.ndarray] = {}
        for position in dict.fromkeys([*(assigned[k].position for k in (BRANCH_ID, NAME) if k in assigned), 0]):
            if position < self.body.shape[1]:
                where[position] = _total_text(raw_text(self.body[position]))
                total |= where[position]
        if BRANCH_ID in assigned:  # a row with a branch code is a branch, whatever its name says
            code = assigned[BRANCH_ID].position
            total &= where.get(code, total) | _blank(self.body[code])
        total &= keep
        for i in np.flatnonzero(total).tolist():
            position = next(p for p, match in where.items() if match[i])
            self.found.add(Problem("note-row", "info", self.row0 + i, column_letter(position), None, str(self.body.iat[i, position]),
                                   "合计或小计行，不是支部数据，已跳过、不计分"), column=position)
        return total

    def _assign_rubrics(self, texts: dict[str, TextColumn], assigned: dict[str, HeaderColumn], keep: np.ndarray) -> np.ndarray:
        """The position of each row's rubric in `concrete` (-1: unknown field, -2: blank field)."""
        n = len(keep)
        lone = len(self.concrete) == 1
        if FIELD not in texts:
            if lone:
                return np.zeros(n, dtype=np.int64)
            self.found.add(Problem("missing-column", "error", None, None, "领域", None, (
                f"缺少“领域”列，无法确定各行使用哪套评分细则；请加上“领域”列，可填：{'、'.join(self.rubrics.field_names())}"),
                (("effect", "without it no row can be given a rubric; fields: " + ", ".join(self.rubrics.field_names())),)))
            return np.full(n, _UNKNOWN_FIELD, dtype=np.int64)
        column = texts[FIELD]
        codes, uniques = pd.factorize(column.values)
        index_of = {r.id: i for i, r in enumerate(self.concrete)}
        u_index = np.full(len(uniques) + 1, 0 if lone else _BLANK_FIELD, dtype=np.int64)  # last slot: blank
        canonical: list[str] = []
        for i, value in enumerate(uniques):
            rubric = self.rubrics.for_field(value)
            u_index[i] = _UNKNOWN_FIELD if rubric is None else index_of[rubric.id]
            canonical.append(rubric.fields[0] if rubric is not None and rubric.fields else str(value))
        rubric_index = u_index[codes]
        changed = np.array([normalize_label(c) != normalize_label(str(u)) for c, u in zip(canonical, uniques)] + [False])
        if changed.any():  # field aliases (村 → 农村) are written as the rubric's main field name
            renamed = pd.Series(pd.Series(canonical, dtype=STR).array.take(codes, allow_fill=True), index=column.values.index, dtype=STR)
            column = texts[FIELD] = TextColumn(renamed, column.codes, column.kinds)
            self.kinds[vocab.FIELD_ALIAS] += int((changed[codes] & keep).sum())
        col = assigned[FIELD]
        choices = "、".join(self.rubrics.field_names())
        for row in np.flatnonzero(keep & (rubric_index == _UNKNOWN_FIELD)).tolist():
            value = str(column.values.iat[row])
            self._row_problem("unknown-field", "error", row, col, value,
                              f"领域“{value}”没有对应的评分细则；可用的领域有：{choices}；请更正领域或补充评分细则",
                              choices=", ".join(self.rubrics.field_names()))
        for row in np.flatnonzero(keep & (rubric_index == _BLANK_FIELD)).tolist():
            self._row_problem("blank-required", "error", row, col, None, f"领域为空，无法确定评分细则；请填写：{choices}")
        return rubric_index

    def _row_problem(self, code: str, severity: Severity, i: int, col: HeaderColumn, value: str | None, message: str,
                     **params: str) -> None:
        self.found.add(Problem(code, severity, self.row0 + i, col.letter, col.header or None, value, message, tuple(params.items())),
                       position=i, column=col.position)

    def _check(self, key: str, col: HeaderColumn, raw: pd.Series, parsed: Converted | TextColumn,
               applicable: np.ndarray, target: np.ndarray | None) -> _Checked:
        """One column's checks; it touches nothing shared but its own row of the frame's numbers (`target`), so
        columns are checked in parallel."""
        checked = _Checked()
        spec = self.vocabulary.specs[key]
        if isinstance(parsed, TextColumn):
            self._check_text(spec, col, raw, parsed, applicable, checked)
        else:
            self._check_values(spec, col, raw, parsed, applicable, checked)
            if target is not None:
                target[:] = checked.values
        return checked

    def _cell_problems(self, found: _Found, code: str, severity: Severity, mask: np.ndarray, col: HeaderColumn, raw: pd.Series,
                       message: str | None = None, hints: Converted | None = None, template: str = "", **params: str) -> None:
        """One problem per masked cell: a fixed message, or `template` filled with the value and its hint (`params`: the
        details of the English template)."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        positions = idx.tolist()
        rows = (idx + self.row0).tolist()
        if message is not None:
            values: list[str | None] = [None] * len(idx)
            messages = [message] * len(idx)
        else:
            values = [None if v is None or pd.isna(v) else str(v) for v in raw_text(raw.iloc[idx]).tolist()]
            messages = [template.format(value=v, hint=hints.hint(i) if hints else "") for i, v in zip(positions, values)]
        problems = Problem.many(code, severity, rows, col.letter, col.header or None, values, messages, tuple(params.items()))
        found.extend(problems, positions, rows, col.position)

    def _check_values(self, spec: Spec, col: HeaderColumn, raw: pd.Series, conv: Converted, applicable: np.ndarray,
                      checked: _Checked) -> None:
        column = spec.column
        status = conv.status
        present = np.bincount(status[status != Status.OK], minlength=len(Status))  # most cells are OK: count the rest
        for found, code, template in (
            (Status.TYPE, "type-error", "无法识别“{value}”；{hint}"),
            (Status.LEVEL, "level-error", "“{value}”不是本列可选的等次；{hint}"),
            (Status.RANGE, "constraint-error", "“{value}”超出范围，" + range_hint(column) + "；请核对后更正"),
        ):
            if present[found]:
                bad = applicable & (status == found)
                self._cell_problems(checked.found, code, "error", bad, col, raw, hints=conv, template=template,
                                    expected=expected_hint(column, "en"), range=range_hint(column, "en"))
                checked.flag("err", bad)
        blank = applicable & (status == Status.BLANK) if present[Status.BLANK] else np.zeros(len(status), dtype=bool)
        if column.required or column.blank == "error":
            self._cell_problems(checked.found, "blank-required", "error", blank, col, raw, f"“{spec.label}”是必填项，不能为空；请补填")
            checked.flag("err", blank)
        elif column.blank == "missing":
            self._cell_problems(checked.found, "blank-cell", "warning", blank, col, raw, self.scope.blank_message(spec.key),
                                effect=self.scope.blank_message(spec.key, "en"))
            checked.flag("warn", blank)
        out = conv.values  # owned by this read; NaN already except out-of-range values and rows of other rubrics
        if present[Status.RANGE]:
            out[status == Status.RANGE] = np.nan
        if not applicable.all():
            out[~applicable] = np.nan
        if column.blank == "zero" and not column.required:
            out[blank] = 0.0
        na = applicable & (status == Status.NOT_APPLICABLE) if present[Status.NOT_APPLICABLE] else np.zeros(len(status), dtype=bool)
        if column.blank == "not_applicable":
            na |= blank
        checked.values, checked.na, checked.kinds = out, na, conv.kind_counts(applicable)

    def _check_text(self, spec: Spec, col: HeaderColumn, raw: pd.Series, text: TextColumn, applicable: np.ndarray,
                    checked: _Checked) -> None:
        if spec.column.required:
            blank = applicable & text.values.isna().to_numpy()
            self._cell_problems(checked.found, "blank-required", "error", blank, col, raw, f"“{spec.label}”是必填项，不能为空；请补填")
            checked.flag("err", blank)
        if spec.key == BRANCH_ID and text.values.str.contains("E+", regex=False, na=False).any():
            rounded = applicable & text.values.str.fullmatch(_SCIENTIFIC).to_numpy(dtype=bool, na_value=False)
            self._cell_problems(checked.found, "code-format", "warning", rounded, col, raw, hints=None, template=(
                "党组织代码“{value}”是 Excel 显示的科学计数法，原来的代码已经丢失；"
                "请在 Excel 中把这一列设为“文本”格式后重新填写代码"))
            checked.flag("warn", rounded)
        checked.values, checked.kinds = text.values, text.kind_counts(applicable)

    def _missing_columns(self, assigned: dict[str, HeaderColumn], rubric_index: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """Report columns the rows' rubrics read but the file lacks; rows needing a missing required one get a reason."""
        reasons = np.full(len(keep), "", dtype=object)
        used = _used_rubrics(rubric_index, keep)
        declared = set(self.rubrics.columns)
        needed: dict[str, list[int]] = {}
        for i in used:
            for key in self.vocabulary.rubric_keys[self.concrete[i].id]:
                if key not in assigned and key.split("@", 1)[0] in declared:
                    needed.setdefault(key, []).append(i)
        for key in (k for k in self.vocabulary.specs if k in needed):
            spec = self.vocabulary.specs[key]
            fatal = spec.column.required or spec.column.blank == "error"
            fields = "、".join(self.concrete[i].fields[0] if self.concrete[i].fields else self.concrete[i].name for i in needed[key])
            spellings = "、".join(dict.fromkeys(h for h in spec.headers if h not in (spec.label, spec.key, spec.column.id)))
            also = f"（也可写作：{spellings}）" if spellings else ""
            then = "这些行无法计分" if fatal else self.scope.absent_effect(key, spec.column)
            severity: Severity = "error" if fatal else ("info" if spec.column.type == "text" else "warning")
            then_en = "these rows cannot be scored" if fatal else self.scope.absent_effect(key, spec.column, "en")
            self.found.add(Problem("missing-column", severity, None, None, spec.label, None, (
                f"缺少“{spec.label}”列（{fields}需要），{then}；请在表头中加上“{spec.label}”列{also}"),
                (("effect", f"needed by {fields.replace('、', ', ')}; {then_en}"),)))
            if fatal:
                rows = keep & np.isin(rubric_index, needed[key])
                reasons[rows] = reasons[rows] + f"缺少必填列“{spec.label}”；"
        return reasons

    @staticmethod
    def _identities(texts: dict[str, TextColumn]) -> _Identities | None:
        """Each row's branch (by code, else by name) and period as integer codes, or None without either column."""
        id_key = BRANCH_ID if BRANCH_ID in texts else (NAME if NAME in texts else None)
        if id_key is None:
            return None
        ids, id_values = pd.factorize(texts[id_key].values)
        periods = np.zeros(len(ids), np.int64)
        period_values: Any = []
        if PERIOD in texts:
            periods, period_values = pd.factorize(texts[PERIOD].values)
        return _Identities(id_key, ids, id_values, periods, period_values)

    def _duplicates(self, identities: _Identities | None, texts: dict[str, TextColumn], assigned: dict[str, HeaderColumn],
                    keep: np.ndarray, refused: np.ndarray, err: np.ndarray, warn: np.ndarray) -> None:
        """Same branch and period twice: keep the first row that has no other error, reject the rest (a row already
        rejected for another error is never said to be kept). Same code, different names: warn."""
        if identities is None:
            return
        id_key, ids, id_values, periods, period_values = (identities.key, identities.ids, identities.id_values,
                                                          identities.periods, identities.period_values)
        rows = np.flatnonzero(keep & (ids >= 0))
        key = ids[rows].astype(np.int64) * (len(period_values) + 2) + periods[rows] + 1
        twice = _repeated(key)
        col = assigned[id_key]
        what = "党组织代码" if id_key == BRANCH_ID else "党组织名称"
        again = pd.Series(key[twice])
        for members in (again.groupby(again, sort=False).indices.values() if len(again) else ()):
            positions = rows[np.flatnonzero(twice)[members]].tolist()
            code = str(id_values[ids[positions[0]]])
            period = periods[positions[0]]
            year = f"、年度“{period_values[period]}”" if period >= 0 and len(period_values) else ""
            kept = next((p for p in positions if not refused[p]), None)
            if kept is None:  # every copy has another error: none is scored, and only one may be once fixed
                head = positions[:_LISTED + 1]  # enough to list the first few others of any row
                for p in positions:
                    others, others_en = listed([str(self.row0 + q) for q in head if q != p], len(positions) - 1)
                    self._row_problem("duplicate-row", "error", p, col, code, (
                        f"与第 {others} 行的{what}“{code}”{year}重复，且这些行都有其他错误、均未计分；修正时请只保留其中一行"),
                        **english_duplicate(what, year, others_en, "none of these rows is scored, all have other errors; keep only "
                                                                   "one when fixing them"))
                continue
            others, others_en = listed([str(self.row0 + q) for q in positions[:_LISTED + 1] if q != kept], len(positions) - 1)
            self._row_problem("duplicate-row", "warning", kept, col, code, (
                f"与第 {others} 行的{what}“{code}”{year}相同；保留本行计分，其余重复行不计分"),
                **english_duplicate(what, year, others_en, "this row is scored, the other copies are not"))
            warn[kept] = True
            for p in positions:
                if p != kept:
                    self._row_problem("duplicate-row", "error", p, col, code, duplicate_message(self.row0 + kept, what, code, year),
                                      **english_duplicate(what, year, str(self.row0 + kept), "this row is not scored; delete the "
                                                                                               "copy or correct the code"))
                    err[p] = True
        if id_key == BRANCH_ID and NAME in texts:
            self._identity_conflicts(ids, id_values, texts[NAME].values, keep, assigned[NAME], warn)

    def _identity_conflicts(self, ids: np.ndarray, id_values: Any, names: pd.Series, keep: np.ndarray,
                            col: HeaderColumn, warn: np.ndarray) -> None:
        known = keep & (ids >= 0)
        repeated = known & (np.bincount(ids[known], minlength=max(len(id_values), 1))[np.maximum(ids, 0)] > 1)
        candidates = np.flatnonzero(repeated & names.notna().to_numpy())
        if not len(candidates):  # every code appears once: nothing can conflict
            return
        name_codes, _ = pd.factorize(names.iloc[candidates])
        span = int(name_codes.max()) + 1
        pairs = np.unique(ids[candidates].astype(np.int64) * span + name_codes)
        names_per_id = np.bincount(pairs // span, minlength=len(id_values))
        rows = candidates[names_per_id[ids[candidates]] > 1]
        if not len(rows):
            return
        for members in pd.Series(ids[rows]).groupby(ids[rows], sort=False).indices.values():
            positions = rows[members]
            code = str(id_values[ids[positions[0]]])
            spelled_as = names.iloc[positions].astype(str).to_numpy()
            first: dict[str, int] = {}  # each name with the first row that spells it so
            for name, at in zip(spelled_as.tolist(), positions.tolist()):
                first.setdefault(name, self.row0 + at)
            spelled, _ = listed([f"“{name}”（第 {at} 行）" for name, at in first.items()], len(first), " 个名称")
            _, spelled_en = listed([f"“{name}” (row {at})" for name, at in first.items()], len(first))
            message = f"党组织代码“{code}”对应了不同的名称：{spelled}；请统一名称或更正代码"
            for p, name in zip(positions.tolist(), spelled_as.tolist()):
                self._row_problem("identity-conflict", "warning", p, col, name, message, branch=code, spelled=spelled_en)
            warn[positions] = True

    # -- output -------------------------------------------------------------------------------------

    def _frame_order(self) -> tuple[list[str], list[str]]:
        """The frame's text columns (identity first) and its value columns, in order."""
        specs = self.vocabulary.specs
        order = [k for k in IDENTITY if k in specs] + [k for k in specs if k not in IDENTITY]
        return [k for k in order if specs[k].column.type == "text"], [k for k in order if specs[k].column.type != "text"]

    def _frame(self, text_values: dict[str, pd.Series], na: dict[str, np.ndarray], applicable: dict[str, np.ndarray],
               accepted: np.ndarray, block: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The accepted rows: text columns (identity first), then one float column per value key; `block` already
        holds the numbers of the value columns read (the keys of `na`), and absent columns are filled as the rubric
        says a blank means."""
        rows = np.flatnonzero(accepted)
        every = len(rows) == len(accepted)
        index = pd.Index(rows + self.row0, name="row")
        specs = self.vocabulary.specs
        text_keys, value_keys = self._frame_order()
        texts: dict[str, pd.Series] = {}
        for key in text_keys:
            here = applicable[key][rows]
            value = text_values.get(key)
            if value is not None:
                picked = value if every else value.iloc[rows]
                texts[key] = (picked if here.all() else picked.where(here)).set_axis(index)
            else:
                texts[key] = pd.Series(np.nan, index=index, dtype=STR)
        na_columns: dict[str, np.ndarray] = {}
        for j, key in enumerate(value_keys):
            column = specs[key].column
            if key in na:  # read: already in its row of the block
                if na[key].any() and na[key][rows].any():
                    na_columns[key] = na[key][rows]
            else:
                block[j] = absent_values(column, applicable[key])
                if column.blank == "not_applicable" and applicable[key][rows].any():
                    na_columns[key] = applicable[key][rows]
        if not every:
            block = block[:, rows]  # pandas keeps a float block as (columns, rows): this layout needs no transpose
        frame = pd.concat([pd.DataFrame(texts, index=index), pd.DataFrame(block.T, index=index, columns=value_keys, copy=False)],
                          axis=1)  # the block is this frame's own: no copy
        return frame, pd.DataFrame(na_columns, index=index, dtype=bool)

    def _headers(self, columns: list[HeaderColumn]) -> list[str]:
        """Column headers as the user wrote them, made unique with the column letter."""
        seen: set[str] = set()
        out = []
        for col in columns:
            label = col.header or f"{col.letter}列"
            if label in seen or label == REASON:
                label = f"{label}（{col.letter}列）"
            seen.add(label)
            out.append(label)
        return out

    def _raw(self, columns: list[HeaderColumn], rows: np.ndarray) -> pd.DataFrame:
        columns = [c for c in sorted(columns, key=lambda c: c.position) if c.position < self.body.shape[1]]
        index = pd.Index(rows + self.row0, name="row")
        if not len(rows):
            empty = pd.Series([], index=index, dtype=STR)
            return pd.DataFrame(dict.fromkeys(self._headers(columns), empty), index=index)
        return pd.DataFrame(
            {h: raw_text(self.body[c.position].iloc[rows]).set_axis(index) for h, c in zip(self._headers(columns), columns)},
            index=index,
        )

    def _rejected(self, assigned: dict[str, HeaderColumn], extras: list[HeaderColumn], rejected: np.ndarray,
                  missing_reasons: np.ndarray) -> pd.DataFrame:
        """Rejected rows as read, every column under its own header, plus the reason in Chinese."""
        rows = np.flatnonzero(rejected)
        everything = list({c.position: c for c in [*assigned.values(), *extras]}.values())
        frame = self._raw(everything, rows)
        texts: dict[int, list[str]] = defaultdict(list)
        for problem, position in zip(self.found.problems, self.found.positions):
            if position >= 0 and problem.severity == "error" and rejected[position]:
                where = f"{problem.column}列“{problem.column_name}”" if problem.column_name else f"{problem.column}列"
                texts[position].append(f"{where}：{problem.message}")
        reasons = []
        for position in rows.tolist():
            parts = [*texts.get(position, []), str(missing_reasons[position]).rstrip("；")]
            reasons.append("；".join(p for p in parts if p) or "未能计分")
        frame[REASON] = pd.Series(reasons, index=frame.index, dtype=STR)
        return frame

    def _extra(self, extras: list[HeaderColumn], keep: np.ndarray) -> pd.DataFrame:
        """Unknown columns, as read, for every kept row."""
        return self._raw(list({c.position: c for c in extras}.values()), np.flatnonzero(keep))
