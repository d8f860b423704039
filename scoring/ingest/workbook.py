"""Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) read by calamine in a child process bounded in memory and time.

A hostile workbook can make calamine allocate hundreds of gigabytes (a cell at XFD1048576) or decompress for
minutes; in a child process with RLIMIT_AS and a deadline that costs one refused file, not the server.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import re
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import InputError, input_texts, said

_WORKER = str(Path(__file__).with_name("sheet_worker.py"))
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?\"")
_SAFE_CLASSES = frozenset(("datetime", n) for n in ("datetime", "date", "time", "timedelta"))
_PEAK = re.compile(rb"peak_kb=([0-9]+)")
_log = logging.getLogger(__name__)
_OOM = (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS, 128 + signal.SIGABRT)

input_texts({
    "workbook-expansion": {"zh": "文件“{name}”解压后有 {mb:,.0f} MB，是文件本身的 {ratio:,.0f} 倍，超过上限 {limit} 倍，疑似异常文件；"
                                 "请在 Excel/WPS 中打开后另存为 CSV 再上传",
                           "en": "the file “{name}” unpacks to {mb:,.0f} MB, {ratio:,.0f} times its own size and over the limit "
                                 "of {limit} times, so it looks abnormal; open it in Excel/WPS, save it as CSV and upload that"},
    "workbook-declared-range": {"zh": "文件“{name}”的工作表声明的范围 {span}（{rows:,} 行 × {columns:,} 列）超过上限 {cells:,} 个单元格；"
                                      "请删除表格下方和右侧多余的行列（或另存为 CSV）后再上传",
                                "en": "a worksheet of the file “{name}” declares the range {span} ({rows:,} rows × {columns:,} "
                                      "columns), over the limit of {cells:,} cells; delete the unused rows and columns below and "
                                      "to the right of the table (or save it as CSV) and upload it again"},
    "workbook-advice": {"zh": "请删除多余的行列、拆分文件，或在 Excel/WPS 中另存为 CSV 后再上传",
                        "en": "delete unused rows and columns, split the file, or save it as CSV in Excel/WPS, and upload it again"},
    "workbook-time": {"zh": "读取文件“{name}”超过时间上限 {seconds} 秒，已停止；{advice}",
                      "en": "reading the file “{name}” took longer than the time limit ({seconds} s) and was stopped; {advice}"},
    "workbook-memory": {"zh": "读取文件“{name}”需要的内存超过上限 {gb:g} GB，已停止；{advice}",
                        "en": "reading the file “{name}” needs more memory than the limit of {gb:g} GB and was stopped; {advice}"},
    "workbook-memory-far": {"zh": "读取文件“{name}”需要的内存超过上限 {gb:g} GB，已停止（常见原因：表格很远处有内容或格式，"
                                  "如 XFD1048576 单元格）；{advice}",
                            "en": "reading the file “{name}” needs more memory than the limit of {gb:g} GB and was stopped "
                                  "(a common cause: content or formatting far out in the sheet, such as in cell XFD1048576); "
                                  "{advice}"},
    "workbook-cells": {"zh": "文件“{name}”的工作表有 {rows:,} 行 × {columns:,} 列，超过上限 {cells:,} 个单元格；{advice}",
                       "en": "a worksheet of the file “{name}” has {rows:,} rows × {columns:,} columns, over the limit of "
                             "{cells:,} cells; {advice}"},
    "workbook-crashed": {"zh": "文件“{name}”无法作为工作簿读取（读取进程异常退出，代码 {code}）；请在 Excel/WPS 中重新另存为 .xlsx",
                         "en": "the file “{name}” cannot be read as a workbook (the reading process stopped with code {code}); "
                               "open it in Excel/WPS and save it again as .xlsx"},
    "workbook-bad-answer": {"zh": "文件“{name}”无法作为工作簿读取（读取进程的结果无效）；请在 Excel/WPS 中重新另存为 .xlsx",
                            "en": "the file “{name}” cannot be read as a workbook (the reading process gave an invalid answer); "
                                  "open it in Excel/WPS and save it again as .xlsx"},
    "workbook-unreadable": {"zh": "文件“{name}”无法作为工作簿读取（{error}），可能已损坏或加密；请在 Excel/WPS 中重新另存为 .xlsx",
                            "en": "the file “{name}” cannot be read as a workbook ({error}); it may be damaged or encrypted. "
                                  "Open it in Excel/WPS and save it again as .xlsx"},
})
_ADVICE = said("workbook-advice")


@dataclass(frozen=True)
class WorkbookLimits:
    """Bounds for reading one workbook: memory and CPU seconds of the reader process, cells per sheet, unzip ratio."""

    memory: int = 2 * 2**30
    seconds: int = 120
    cells: int = 50_000_000
    expansion: int = 100

    @classmethod
    def from_env(cls) -> WorkbookLimits:
        """The defaults, overridden by INGEST_WORKER_MEMORY_MB and INGEST_WORKER_SECONDS when set."""
        memory = os.environ.get("INGEST_WORKER_MEMORY_MB", "").strip()
        seconds = os.environ.get("INGEST_WORKER_SECONDS", "").strip()
        return cls(memory=int(memory) * 2**20 if memory.isdigit() else cls.memory,
                   seconds=int(seconds) if seconds.isdigit() else cls.seconds)


class _Cells(pickle.Unpickler):
    """Unpickles the worker's answer: plain values and datetime types, nothing that can run code."""

    def find_class(self, module: str, name: str) -> Any:
        """Only the datetime types calamine returns."""
        if (module, name) in _SAFE_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def check_archive(data: bytes, name: str, limits: WorkbookLimits) -> None:
    """Refuse a zip-based workbook whose members expand far beyond its size or whose sheets declare a huge range."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        expanded = sum(m.file_size for m in members)
        if expanded > limits.expansion * len(data) + 16 * 2**20:
            raise InputError(said("workbook-expansion", name=name, mb=expanded / 1e6, ratio=expanded / len(data),
                                  limit=limits.expansion))
        for member in members:
            if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
                continue
            with archive.open(member) as stream:
                found = _DIMENSION.search(stream.read(64 * 1024))
            if found is None or found[3] is None:
                continue
            rows = int(found[4]) - int(found[2]) + 1
            columns = _column_number(found[3]) - _column_number(found[1]) + 1
            if rows * columns > limits.cells:
                span = f"{found[1].decode()}{found[2].decode()}:{found[3].decode()}{found[4].decode()}"
                raise InputError(said("workbook-declared-range", name=name, span=span, rows=rows, columns=columns,
                                      cells=limits.cells))


def _run(data: bytes, name: str, limits: WorkbookLimits, *args: str) -> Any:
    """Run the worker on the file's bytes; its answer, or InputError naming the limit it hit."""
    command = [sys.executable, "-I", _WORKER, str(limits.memory), str(limits.seconds), str(limits.cells), *args]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:  # noqa: S603
        try:
            out, err = child.communicate(data, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise InputError(said("workbook-time", name=name, seconds=limits.seconds, advice=_ADVICE)) from None
    if child.returncode == -signal.SIGXCPU:
        raise InputError(said("workbook-time", name=name, seconds=limits.seconds, advice=_ADVICE))
    if child.returncode != 0 or not out:
        if child.returncode in _OOM or b"memory allocation" in err:
            raise InputError(said("workbook-memory-far", name=name, gb=limits.memory / 2**30, advice=_ADVICE))
        raise InputError(said("workbook-crashed", name=name, code=child.returncode))
    peak = _PEAK.search(err)
    _log.debug("workbook reader %s: exit %s, peak %s KB", args[0], child.returncode, peak[1].decode() if peak else "?")
    try:
        status, value = _Cells(io.BytesIO(out)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:  # a worker that answered nonsense
        raise InputError(said("workbook-bad-answer", name=name)) from exc
    if status == "memory":
        raise InputError(said("workbook-memory", name=name, gb=limits.memory / 2**30, advice=_ADVICE))
    if status == "cells":
        rows, columns = value
        raise InputError(said("workbook-cells", name=name, rows=rows, columns=columns, cells=limits.cells, advice=_ADVICE))
    if status == "unreadable":
        raise InputError(said("workbook-unreadable", name=name, error=value))
    return value


def worksheets(data: bytes, name: str, limits: WorkbookLimits) -> list[tuple[str, bool]]:
    """The worksheets of a workbook (chart sheets left out): name and whether it is visible, in workbook order."""
    return [(sheet, visible) for sheet, visible, is_worksheet in _run(data, name, limits, "sheets") if is_worksheet]


def sheet_rows(data: bytes, name: str, sheet: str, limits: WorkbookLimits) -> list[tuple[int, tuple[object, ...]]]:
    """A sheet's rows that hold a value: (row index from 0, cells from column A, empty ones None, trailing ones cut)."""
    rows: list[tuple[int, tuple[object, ...]]] = _run(data, name, limits, "rows", sheet)
    return rows


__all__ = ["WorkbookLimits", "check_archive", "sheet_rows", "worksheets"]
