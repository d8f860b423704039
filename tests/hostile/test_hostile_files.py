"""Hostile files are refused or read inside bounds: a message naming the limit, never a crash of the process.

Each case reproduces a defect found by probing (issue 13): before the bounded reader, the first took the process
down with a 512 GiB allocation, the second cost a minute, gigabytes and a million notes, the others raised
tracebacks. Wall-time and memory bounds are generous safety margins, not speed targets.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring.errors import InputError
from scoring.ingest import read_assessments
from scoring.ingest.workbook import WorkbookLimits
from tests.hostile import files
from tests.ingest.rubrics import fields

ROOT = Path(__file__).resolve().parents[2]
GB = 2**30


def _peaks(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The peak resident memory (bytes) each workbook reader process reported."""
    return [int(m[1]) * 1024 for r in caplog.records for m in [re.search(r"peak ([0-9]+) KB", r.getMessage())] if m]


REFUSED = [
    ("far-cell-declared", lambda: files.far_cell("XFD1048576"), "x.xlsx", WorkbookLimits(),
     ["A1:XFD1048576", "50,000,000 个单元格"]),
    ("far-cell-undeclared", lambda: files.far_cell("XFD1048576", declared=False), "x.xlsx", WorkbookLimits(memory=GB // 2),
     ["内存超过上限 0.5 GB", "XFD1048576"]),
    ("zip-bomb", files.zip_bomb, "bomb.xlsx", WorkbookLimits(), ["超过上限 100 倍", "MB"]),
    ("dtd-entities", files.entity_expansion, "dtd.xlsx", WorkbookLimits(), ["无法作为工作簿读取", "另存为 .xlsx"]),
    ("long-csv-field", files.long_field, "long.csv", WorkbookLimits(), ["131,072 个字符", "32,767"]),
]


@pytest.mark.parametrize(("make", "filename", "limits", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_hostile_file_is_refused_with_the_limit_named(make, filename, limits, expected, caplog):
    data = make()
    caplog.set_level(logging.DEBUG, logger="scoring.ingest.workbook")
    start = time.perf_counter()
    with pytest.raises(InputError) as raised:
        read_assessments(data, fields(), filename=filename, limits=limits)
    assert time.perf_counter() - start < 60
    message = str(raised.value)
    assert filename in message
    for part in expected:
        assert part in message
    assert all(peak < limits.memory for peak in _peaks(caplog))


def test_a_cell_a_million_rows_down_is_read_in_bounds_with_one_note(caplog):
    caplog.set_level(logging.DEBUG, logger="scoring.ingest.workbook")
    start = time.perf_counter()
    ingested = read_assessments(files.far_cell("A1048576"), fields(), filename="far.xlsx")
    assert time.perf_counter() - start < 60  # was 64 s and 6.8 GB before blank rows were skipped unread
    report = ingested.report
    assert report.rows_scored + report.rows_with_warnings == 1
    assert report.rows_rejected == 1  # the stray "x" is listed with its reason, not dropped
    blank = [p for p in report.problems if p.code == "blank-row"]
    assert [(p.row, p.message) for p in blank] == [(3, "空行（第 3–1048575 行，共 1,048,573 行），已跳过")]
    assert ingested.rejected.index.tolist() == [1048576]
    peaks = _peaks(caplog)
    assert peaks and max(peaks) < 1.5 * GB


def test_a_workbook_reader_that_overruns_its_time_is_stopped(tmp_path, monkeypatch):
    from scoring.ingest import workbook

    stuck = tmp_path / "stuck_worker.py"  # a reader that never answers: how fast a real file reads varies with the machine
    stuck.write_text("import time\ntime.sleep(600)\n")
    monkeypatch.setattr(workbook, "_WORKER", str(stuck))
    start = time.perf_counter()
    with pytest.raises(InputError, match="超过时间上限 1 秒"):
        read_assessments(files.far_cell("A1048576"), fields(), filename="slow.xlsx", limits=WorkbookLimits(seconds=1))
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize(("make", "suffix", "expected"), [
    (lambda: files.far_cell("XFD1048576", declared=False), ".xlsx", "内存超过上限"),
    (files.long_field, ".csv", "131,072 个字符"),
])
def test_cli_refuses_a_hostile_file_with_exit_1_and_no_traceback(tmp_path, make, suffix, expected):
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(make())
    run = subprocess.run([sys.executable, "-m", "scoring", "validate", str(path), "--rubrics", str(ROOT / "rubrics")],
                         check=False, capture_output=True, text=True, timeout=120, cwd=ROOT, env={"INGEST_WORKER_MEMORY_MB": "512", "PATH": ""})
    assert run.returncode == 1, run.stderr
    assert expected in run.stderr
    assert "Traceback" not in run.stderr


def test_a_worker_answer_that_is_not_plain_cells_is_refused(monkeypatch):
    import pickle
    import subprocess as sp

    from scoring.ingest import workbook

    class Forged:  # what a compromised reader might send: an object whose unpickling runs code
        def __reduce__(self):
            return (print, ("pwned",))

    class FakeChild:
        returncode = 0

        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def communicate(self, data=None, timeout=None):
            return pickle.dumps(("ok", Forged())), b""

    monkeypatch.setattr(sp, "Popen", FakeChild)
    with pytest.raises(InputError, match="读取进程的结果无效"):
        workbook.worksheets(b"PK", "forged.xlsx", WorkbookLimits())
