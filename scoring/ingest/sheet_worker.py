"""The workbook reader's child process: calamine under an address-space and CPU limit, cells out as a pickle.

Run as a script (`python -I sheet_worker.py MEMORY SECONDS MAX_CELLS OP [SHEET]`, the file on stdin); it imports
only the standard library and python_calamine, so the limit is spent on the workbook, not on pandas.
"""

from __future__ import annotations

import io
import pickle
import resource
import sys
from typing import Any

OK, MEMORY, CELLS, UNREADABLE = "ok", "memory", "cells", "unreadable"


def _limit(memory: int, seconds: int) -> None:
    """Cap this process: a Rust allocation beyond `memory` aborts it, a loop beyond `seconds` of CPU ends it."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _sheets(book: Any) -> list[tuple[str, bool, bool]]:
    """Every sheet: name, visible, is a worksheet (not a chart)."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    return [(m.name, m.visible == SheetVisibleEnum.Visible, m.typ == SheetTypeEnum.WorkSheet) for m in book.sheets_metadata]


def _rows(book: Any, sheet: str, max_cells: int) -> tuple[str, Any]:
    """A sheet's rows that hold a value, each as (row index from 0, cells from column A with empty ones None and
    trailing ones cut): blank rows are never materialised, however far down the last value is."""
    found = book.get_sheet_by_name(sheet)
    height, width = found.end if found.end is not None else (-1, -1)
    if (height + 1) * (width + 1) > max_cells:
        return CELLS, (height + 1, width + 1)
    lead = (None,) * (found.start[1] if found.start is not None else 0)  # calamine's rows start at the range's first column
    rows: list[tuple[int, tuple[object, ...]]] = []
    for index, row in enumerate(found.iter_rows()):
        if row.count("") == len(row):  # counted in C: most rows of a far-stretched sheet are blank
            continue
        end = len(row)
        while row[end - 1] == "":
            end -= 1
        rows.append((index, lead + tuple(None if v == "" else v for v in row[:end])))
    return OK, rows


def _peak_kb() -> int:
    """This process's peak resident memory since exec (VmHWM; ru_maxrss would include the forking parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    """Read what argv asks from the workbook on stdin; write (status, value) to stdout."""
    memory, seconds, max_cells, op = int(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    _limit(memory, seconds)
    data = sys.stdin.buffer.read()
    result: tuple[str, Any]
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        result = (OK, _sheets(book)) if op == "sheets" else _rows(book, argv[5], max_cells)
    except MemoryError:
        result = (MEMORY, None)
    except Exception as exc:  # calamine's errors, and anything a malformed file provokes, are reported, not raised
        result = (UNREADABLE, type(exc).__name__)
    except BaseException as exc:  # pyo3 turns a Rust panic into PanicException, a BaseException
        if isinstance(exc, SystemExit | KeyboardInterrupt):
            raise
        result = (UNREADABLE, type(exc).__name__)
    try:
        pickle.dump(result, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return 3
    sys.stderr.write(f"peak_kb={_peak_kb()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
