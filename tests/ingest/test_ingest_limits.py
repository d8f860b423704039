"""Size limits and undecodable bytes: messages that say what happened, where, and with the right numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scoring.errors import InputError
from scoring.ingest import read_assessments, size_text
from tests.ingest.files import COMMUNITY, VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("size", "text"), [
    (999, "999 字节"),
    (13_052, "13,052 字节"),
    (1_000_000, "1 MB（1,000,000 字节）"),
    (1_000_001, "1.0 MB（1,000,001 字节）"),
    (52_428_800, "52.4 MB（52,428,800 字节）"),
    (200_000_000, "200 MB（200,000,000 字节）"),
])
def test_sizes_are_printed_in_decimal_megabytes_and_exact_bytes(size, text):
    assert size_text(size) == text


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    data = csv_bytes([VILLAGE, COMMUNITY])
    read_assessments(data, fields(), filename="ok.csv", max_bytes=len(data))  # exactly at the limit: read
    with pytest.raises(InputError, match=f"有 {len(data):,} 字节，超过上限 {len(data) - 1:,} 字节"):
        read_assessments(data, fields(), filename="big.csv", max_bytes=len(data) - 1)


def _utf8_with_bad_byte(rows: int) -> tuple[bytes, int, int]:
    """A UTF-8 CSV of Chinese text with one byte broken in its last record: (bytes, spreadsheet row, 1-based offset)."""
    data = bytearray(csv_bytes([row(VILLAGE, 党组织代码=f"{i:06d}", 党组织名称=f"第{i}村党支部") for i in range(rows)]))
    at = data.rindex("村党支部".encode())  # the first of the three bytes of 村
    data[at] = 0xFF
    return bytes(data), data.count(b"\n", 0, at) + 1, at + 1


@pytest.mark.parametrize("rows", [3, 10_000], ids=["within-the-first-part", "far-past-the-first-part"])
def test_a_utf8_file_with_one_bad_byte_names_its_row_and_offset(rows):
    data, line, offset = _utf8_with_bad_byte(rows)
    if rows > 3:
        assert len(data) > 700_000  # the case: a bad byte 700 KB in
    with pytest.raises(InputError) as raised:
        read_assessments(data, fields(), filename="bad.csv")
    message = str(raised.value)
    assert f"第 {line:,} 行（第 {offset:,} 个字节）" in message
    assert "0xFF" in message
    assert "既不是" not in message


def test_a_gbk_file_after_an_ascii_head_is_still_read_as_gbk():
    ascii_rows = [row(VILLAGE, 党组织名称=f"branch{i}") for i in range(6000)]
    data = csv_bytes([*ascii_rows, row(VILLAGE, 党组织代码="999999", 党组织名称="末村党支部")], encoding="gb18030")
    assert len(data) > 256 * 1024
    ingested = read_assessments(data, fields(), filename="gbk.csv")
    assert ingested.report.encoding == "GBK/GB18030"
    assert "末村党支部" in set(ingested.frame["name"])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scoring", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def test_cli_has_no_size_limit_unless_max_bytes_is_given():
    sample = ROOT / "sample_data" / "messy.csv"
    size = sample.stat().st_size
    assert _cli("validate", str(sample), "--rubrics", "rubrics").returncode == 1  # read: messy has row errors
    refused = _cli("validate", str(sample), "--rubrics", "rubrics", "--max-bytes", str(size - 1))
    assert refused.returncode == 1
    assert f"超过上限 {size - 1:,} 字节" in refused.stderr
    assert _cli("validate", str(sample), "--rubrics", "rubrics", "--max-bytes", "abc").returncode == 2
