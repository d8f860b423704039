"""Result files in every format the command line offers: csv, xlsx, json, jsonl and parquet, written to a stream.

csv and parquet hold the ranking (one row per branch and period), xlsx every view on its own sheet, json and jsonl
one object per branch and period with its points, reasons and flags. Numbers are rounded to the rubrics' precision.
Writers take a binary stream (a file or standard output) so that nothing but the table itself is held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from scoring import export
from scoring.engine import round_half_up
from scoring.errors import OutputError
from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD
from scoring.rubricset import RubricSet

_JSON_BATCH = 2_000  # records encoded before each write
_RECORD_SLICE = 50_000  # rows whose reasons are built at a time
EXCEL_ROWS = 1_048_576  # rows of one Excel worksheet, the header row included
TOO_MANY_ROWS = ("结果有 {rows:,} 行，超过 Excel 单个工作表的上限 {limit:,} 行（含表头），无法写成 .xlsx；"
                 "请改用 --format csv 或 --format parquet，或按领域、年度拆分数据后分别评分")


def check_excel_rows(rows: int) -> None:
    """Refuse, before anything is written, a table that one Excel worksheet cannot hold."""
    if rows + 1 > EXCEL_ROWS:
        raise OutputError(TOO_MANY_ROWS.format(rows=rows, limit=EXCEL_ROWS))


def write_results(results: Results, rubrics: RubricSet, fmt: str, sink: BinaryIO) -> None:
    """Scored results as csv, xlsx, json, jsonl or parquet."""
    if fmt == "xlsx":
        check_excel_rows(len(results))
        sink.write(export.to_xlsx_bytes(results, rubrics))
    elif fmt in ("json", "jsonl"):
        _write_json(result_records(results, rubrics), sink, lines=fmt == "jsonl")
    else:
        write_table(export.ranking_view(results, rubrics), fmt, sink)


def write_table(frame: pd.DataFrame, fmt: str, sink: BinaryIO, sheet: str = "Sheet1") -> None:
    """One table (already rounded): formula-safe csv and xlsx, records in json and jsonl, Arrow's parquet."""
    if fmt == "csv":
        export.write_csv(frame, sink)
    elif fmt == "xlsx":
        check_excel_rows(len(frame))
        sink.write(export.frames_to_xlsx_bytes({sheet: frame}))
    elif fmt == "parquet":
        import pyarrow as pa
        from pyarrow import parquet

        parquet.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    elif fmt in ("json", "jsonl"):
        columns = [str(c) for c in frame.columns]
        cells = [_plain(frame.iloc[:, i]) for i in range(frame.shape[1])]
        _write_json((dict(zip(columns, row)) for row in zip(*cells)), sink, lines=fmt == "jsonl")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def result_records(results: Results, rubrics: RubricSet) -> Iterator[dict[str, Any]]:
    """One object per branch and period: identity, total, grade, rank, points per standard and indicator, reasons, flags.
    Built a slice of rows at a time, so that the reasons of a million branches are never all held at once."""
    for start in range(0, len(results), _RECORD_SLICE):
        rows = np.zeros(len(results), dtype=bool)
        rows[start:start + _RECORD_SLICE] = True
        yield from _records(results.take(rows), rubrics)


def _records(results: Results, rubrics: RubricSet) -> Iterator[dict[str, Any]]:
    from scoring.explain import reason_table

    b = results.branches
    places = export.decimals(rubrics)
    reasons = reason_table(results, rubrics).groupby("row", sort=False)["text"].agg(list)
    identity = {key: _plain(b[key]) if key in b else [None] * len(b) for key in (BRANCH_ID, NAME, FIELD, PERIOD)}
    standards, indicators = (_points(frame, places) for frame in (results.standards, results.indicators))
    columns = zip(
        identity[BRANCH_ID], identity[NAME], identity[FIELD], identity[PERIOD], _plain(b["total"]), _plain(b["max_total"]),
        _plain(b["grade"]), _plain(b["rank"].astype("int64")), standards, indicators, results.flag_lists().tolist(),
    )
    for label, (branch_id, name, field, period, total, max_total, grade, rank, points, items, flags) in zip(b.index, columns):
        yield {"branch_id": branch_id, "name": name, "field": field, "period": period, "total": total,
               "max_total": max_total, "grade": grade, "rank": rank, "standards": points, "indicators": items,
               "reasons": reasons.get(label, []), "flags": flags}


def _points(frame: pd.DataFrame, places: int) -> list[dict[str, float | None]]:
    """Per row, points by column id rounded to `places`; not-applicable items become null."""
    values = round_half_up(frame.to_numpy(dtype="float64"), places)
    cells = values.astype(object)
    cells[np.isnan(values)] = None
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, row)) for row in cells.tolist()]


def _plain(column: pd.Series) -> list[Any]:
    """A column as plain Python values (str, int, float) with None for missing cells."""
    values = column.astype(object).tolist()
    missing = column.isna().to_numpy(dtype=bool)
    return [None if gone else value for value, gone in zip(values, missing)]


def _write_json(records: Iterator[dict[str, Any]], sink: BinaryIO, *, lines: bool) -> None:
    """Records as one JSON array (an object a line inside it) or as JSON Lines, streamed in batches."""
    batch: list[str] = []
    first = True
    sink.write(b"" if lines else b"[\n")
    for record in records:
        batch.append(("" if lines or first else ",\n") + json.dumps(record, ensure_ascii=False) + ("\n" if lines else ""))
        first = False
        if len(batch) >= _JSON_BATCH:
            sink.write("".join(batch).encode("utf-8"))
            batch.clear()
    sink.write(("".join(batch) + ("" if lines else "\n]\n")).encode("utf-8"))

