"""The 台账 as departments keep it: export to .xlsx/.csv (formula-safe) and import of a kept one, every row matched or listed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ledger.model import CLOSED, DELAYED, FIELDS_EN, LISTED, STATUSES, STATUSES_EN, Change, Entry, changes, clean
from ledger.problems import LedgerProblem, check_values
from scoring.errors import InputError
from scoring.export import neutralize, unneutralize, write_csv
from scoring.ingest.files import HEAD_ROWS, Payload, open_tables
from scoring.ingest.header import column_letter
from scoring.ingest.workbook import WorkbookLimits

# The departments' layout first (序号 … 销号时间), then what this tool also keeps, so an export re-imports unchanged.
LAYOUT: tuple[tuple[str, str], ...] = (
    ("序号", "number"), ("党组织名称", "name"), ("上级党组织", "parent"), ("主要问题", "problems"), ("整改措施", "measures"),
    ("包联领导", "leader"), ("责任人", "responsible"), ("完成时限", "deadline"), ("进展情况", "status"), ("是否销号", "closed"),
    ("销号时间", "accepted_on"), ("党组织代码", "branch_id"), ("延期原因", "delay_reason"), ("验收结果", "result"),
    ("备注", "notes"), ("列入原因", "reason"), ("决定人", "decided_by"), ("决定时间", "decided_at"),
)
HEADERS = tuple(h for h, _ in LAYOUT)
# The same columns in an English export (read back like the Chinese ones); statuses and 是/否 are written in English too.
ENGLISH: dict[str, str] = {**FIELDS_EN, "number": "No.", "name": "Branch", "parent": "Parent organization", "closed": "Closed (yes/no)",
                           "branch_id": "Branch code", "reason": "Reason for listing"}
HEADERS_EN = tuple(ENGLISH[k] for _, k in LAYOUT)
YES_NO = {"是": "Yes", "否": "No"}
# Other names departments give the same columns.
ALIASES = {
    "党组织": "name", "支部名称": "name", "党支部名称": "name", "组织名称": "name", "代码": "branch_id", "组织代码": "branch_id",
    "存在问题": "problems", "问题清单": "problems", "主要问题清单": "problems", "整改举措": "measures",
    "包联县级领导": "leader", "包联县领导": "leader", "联系领导": "leader", "第一书记": "responsible", "责任人（第一书记）": "responsible",
    "整改时限": "deadline", "完成时间": "deadline", "进度": "status", "整改进度": "status", "整改进展": "status",
    "验收时间": "accepted_on", "验收日期": "accepted_on", "销号日期": "accepted_on", "验收情况": "result",
}
IMPORT_REASON = "导入台账"
_MAX_BYTES = 20 * 1024 * 1024
_SPACE = re.compile(r"\s+")


def _key(header: object) -> str:
    return _SPACE.sub("", str(header or "")).replace("（", "(").replace("）", ")").lower()


_BY_HEADER = {_key(h): k for h, k in LAYOUT} | {_key(h): k for h, k in ALIASES.items()} | {_key(ENGLISH[k]): k for _, k in LAYOUT}
_STATUS_NAMES = {name.lower(): status for status, name in STATUSES_EN.items()}
_YES_NO_NAMES = {name.lower(): word for word, name in YES_NO.items()}


# ---------------------------------------------------------------------------------------------- export


def ledger_frame(entries: Iterable[Entry], lang: str = "zh") -> pd.DataFrame:
    """The listed entries in the 台账's layout, numbered, in list order (text only; dates as YYYY-MM-DD); headers, statuses
    and 是/否 in English for `lang` "en" (what users wrote stays as written)."""
    en = lang == "en"
    rows = []
    for number, entry in enumerate((e for e in entries if e.listed), start=1):
        status = entry.status
        closed = "是" if status == CLOSED else "否"
        row = {"number": str(number), "name": entry.name, "parent": entry.parent, "branch_id": entry.branch_id,
               "closed": YES_NO[closed] if en else closed, **entry.values, "status": STATUSES_EN.get(status, status) if en else status}
        rows.append([row.get(key, "") for _, key in LAYOUT])
    return pd.DataFrame(rows, columns=list(HEADERS_EN if en else HEADERS), dtype=object)


def to_csv(entries: Iterable[Entry], lang: str = "zh") -> bytes:
    """The 台账 as formula-safe CSV (UTF-8 with BOM, as Excel opens it)."""
    out = io.BytesIO()
    write_csv(ledger_frame(entries, lang), out)
    return out.getvalue()


def to_xlsx(entries: Iterable[Entry], title: str, lang: str = "zh") -> bytes:
    """The 台账 as .xlsx: a merged title row above the header, every cell text (never a formula), fitted widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    frame = ledger_frame(entries, lang)
    headers = list(frame.columns)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Rectification ledger" if lang == "en" else "整顿台账"
    sheet.append([neutralize(title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        sheet.append([neutralize(str(v)) for v in values])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.data_type = "s"  # text, even when it starts with = (neutralize already quoted it)
    for position, header in enumerate(headers, start=1):
        longest = max([len(header), *(len(str(v)) for v in frame[header])], default=4)
        sheet.column_dimensions[get_column_letter(position)].width = min(60, 4 + longest * 1.6)
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportedRow:
    """One row matched to a branch: its spreadsheet row, the branch and the values its columns give."""

    row: int
    branch_id: str
    name: str
    parent: str
    township: str
    values: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True)
class Imported:
    """A read 台账: matched rows, located problems (rows with problems are not imported) and the count of rows read."""

    rows: tuple[ImportedRow, ...]
    problems: tuple[LedgerProblem, ...]
    rows_in: int
    fields: frozenset[str]  # the kept fields the file has columns for

    @property
    def rejected(self) -> int:
        """How many rows have problems (and are not imported)."""
        return len({p.row for p in self.problems if p.row is not None})


def read_ledger(data: bytes, filename: str, branches: pd.DataFrame, period: str) -> Imported:
    """Read a 台账 (.xlsx/.xls/.csv with a title row or not) and match its rows to `branches` (branch_id, name, parent,
    township) of `period` by 党组织代码, else by exact 党组织名称."""
    if len(data) > _MAX_BYTES:
        return _failed("too_large", limit=_MAX_BYTES // 1024 // 1024)
    try:
        table = next(open_tables(Payload.of_bytes(data), filename, None, WorkbookLimits.from_env()))
        header = next((i for i, row in enumerate(table.head[:HEAD_ROWS])
                       if {_BY_HEADER.get(_key(c)) for c in row} & {"name", "branch_id"}), None)
        if header is None:
            return _failed("no_header")
        width = len(table.head[header])
        body, _ = table.load(header, frozenset(), frozenset(range(width)))
    except InputError as error:
        return _failed("unreadable", reason=error.said)
    columns: dict[str, tuple[int, str]] = {}
    for position, text in enumerate(table.head[header]):
        key = _BY_HEADER.get(_key(text))
        if key is not None and key not in columns:
            columns[key] = (position, str(text).strip())
    return _match(body, columns, branches, period)


def _failed(code: str, **values: object) -> Imported:
    return Imported((), (LedgerProblem(code, values=values),), 0, frozenset())


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(unneutralize(str(value))).strip()


def _match(body: pd.DataFrame, columns: Mapping[str, tuple[int, str]], branches: pd.DataFrame, period: str) -> Imported:
    by_code = {str(c): i for i, c in enumerate(branches["branch_id"].astype(str))}
    names = branches["name"].astype(str)
    counts = names.value_counts()
    by_name = {str(n): i for i, n in enumerate(names)}
    where = {key: (column_letter(position), header) for key, (position, header) in columns.items()}
    rows: list[ImportedRow] = []
    problems: list[LedgerProblem] = []
    seen: dict[str, int] = {}
    rows_in = 0
    for number, record in zip(body.index, body.itertuples(index=False), strict=True):
        cells = {key: _cell(record[position]) if position < len(record) else "" for key, (position, _) in columns.items()}
        if not any(cells.values()):
            continue  # blank rows (a 台账's trailing lines) are not rows
        if "closed" in cells:  # an English export's Yes/No
            cells["closed"] = _YES_NO_NAMES.get(cells["closed"].lower(), cells["closed"])
        rows_in += 1
        row = int(number)

        def at(key: str, code: str, **found: object) -> LedgerProblem:
            letter, header = where.get(key, ("", ""))
            return LedgerProblem(code, row, letter, header, {"period": period, **found})  # noqa: B023

        code, name = cells.get("branch_id", ""), cells.get("name", "")
        found: list[LedgerProblem] = []
        index: int | None = None
        if code:
            index = by_code.get(code)
            if index is None:
                found.append(at("branch_id", "unmatched_code", value=code[:40]))
        elif name:
            if int(counts.get(name, 0)) > 1:
                found.append(at("name", "ambiguous_name", value=name[:60], count=int(counts[name])))
            else:
                index = by_name.get(name)
                if index is None:
                    found.append(at("name", "unmatched_name", value=name[:60]))
        else:
            found.append(at("name", "no_branch"))
        values = _values(cells)
        found += check_values(values, where, row)
        closed = cells.get("closed", "")
        if closed in ("是", "否") and (closed == "是") != (values.get("status") == CLOSED) and "status" in cells:
            found.append(at("closed", "closed_mismatch", value=closed, status=values.get("status", "")))
        if index is not None and not found:
            branch_id = str(branches["branch_id"].iloc[index])
            if branch_id in seen:
                found.append(at("name", "duplicate", first=seen[branch_id]))
            else:
                seen[branch_id] = row
                b = branches.iloc[index]
                rows.append(ImportedRow(row, branch_id, str(b["name"]), _text(b.get("parent")), _text(b.get("township")), values))
        problems += found
    fields = frozenset(k for k in columns if k not in ("number", "name", "parent", "branch_id", "closed"))
    return Imported(tuple(rows), tuple(problems), rows_in, fields)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _values(cells: Mapping[str, str]) -> dict[str, str]:
    """A row's kept values; 进展情况 may say "延期：原因" or leave the status to 是否销号."""
    values = dict(cells)
    status = values.get("status", "")
    if status.strip().lower() in _STATUS_NAMES:  # an English export's status
        values["status"] = status = _STATUS_NAMES[status.strip().lower()]
    for mark in ("：", ":"):
        head, _, tail = status.partition(mark)
        if _STATUS_NAMES.get(head.strip().lower(), head.strip()) == DELAYED and tail.strip():
            values["status"] = DELAYED
            values["delay_reason"] = values.get("delay_reason") or tail.strip()
    if not values.get("status") and values.get("closed") == "是":
        values["status"] = CLOSED
    for key in ("number", "name", "parent", "branch_id", "closed"):
        values.pop(key, None)
    kept = clean(values)
    if "status" in cells and not kept.get("status"):
        kept["status"] = STATUSES[0]
    # bad dates stay as written so that the problem names them
    return {**kept, **{k: values[k] for k in ("deadline", "accepted_on") if values.get(k) and k not in kept}}


# ---------------------------------------------------------------------------------------------- what an import changes


@dataclass(frozen=True)
class Planned:
    """What importing one row does: add a new entry, or change these fields of an existing one."""

    row: ImportedRow
    current: Entry | None
    values: Mapping[str, str] = field(hash=False)
    changes: tuple[Change, ...] = ()


def plan(imported: Imported, current: Mapping[str, Entry]) -> list[Planned]:
    """The rows that add or change something (rows equal to the kept entry are left out): columns absent from the file
    keep their kept values; an imported row lists its branch again."""
    out: list[Planned] = []
    for row in imported.rows:
        entry = current.get(row.branch_id)
        kept = dict(entry.values) if entry is not None else {}
        given = {k: v for k, v in row.values.items() if k in imported.fields}
        cleared = {k: "" for k in imported.fields if k not in given}
        merged = {k: v for k, v in {**kept, **cleared, **given, "listed": LISTED}.items() if v}
        if entry is None:
            merged.setdefault("reason", IMPORT_REASON)
            merged.setdefault("status", STATUSES[0])
            out.append(Planned(row, None, merged, tuple(changes({}, merged))))
            continue
        found = tuple(changes(kept, merged))
        if found:
            out.append(Planned(row, entry, merged, found))
    return out


def summary(planned: Sequence[Planned]) -> tuple[int, int]:
    """How many planned rows add an entry and how many change one."""
    added = sum(p.current is None for p in planned)
    return added, len(planned) - added
