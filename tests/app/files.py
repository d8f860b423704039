"""Upload files for the app tests, derived from the sample city so they always match the rubrics."""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "sample_data" / "city.csv"

HOSTILE_NAMES = (
    "<script>alert('x')</script>支部",
    "=cmd|' /C calc'!A0",
    "**粗体** :red[红色] $x^2$ [链接](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "很长的名称" * 1000,
)


def _rows(limit: int | None = None, period: str | None = "2025") -> tuple[list[str], list[list[str]]]:
    with CITY.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = header.index("考核年度")
        rows = [r for r in reader if period is None or r[at] == period]
    return header, rows[:limit] if limit else rows


def _csv(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig", title: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if title:
        writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def good_csv(limit: int = 60) -> bytes:
    """A clean slice of the sample city (one period)."""
    header, rows = _rows(limit)
    return _csv(header, rows)


def messy_csv() -> tuple[bytes, dict[str, int]]:
    """GBK with a title row, units, full-width digits, blank rows and a few bad rows; and what to expect."""
    header, rows = _rows(30)
    col = {name: i for i, name in enumerate(header)}
    rows = [list(r) for r in rows]
    rows[0][col["正式党员数"]] = "１２人"  # full-width digits with a unit: normalized, accepted
    rows[1][col["党员大会次数"]] = "很多"  # not a number: rejected
    rows[2][col["党组织名称"]] = ""  # a required cell left blank: rejected
    rows[3][col["领域"]] = "外星领域"  # no rubric for this field: rejected
    rows.append([""] * len(header))
    rows.append([""] * len(header))
    data = _csv(header, rows, encoding="gbk", title="某县2025年度党支部标准化建设考评得分表")
    return data, {"rejected": 3, "scored": 27}


def hostile_csv() -> bytes:
    """Branches whose names try HTML, Markdown, spreadsheet formulas and sheer length."""
    header, rows = _rows(40)
    at = header.index("党组织名称")
    rows = [list(r) for r in rows]
    for i, name in enumerate(HOSTILE_NAMES):
        rows[i][at] = name
    rows[4][header.index("上级党组织")] = "<b>上级</b>"
    return _csv(header, rows)


def fixable_csv() -> bytes:
    """A file with one rejected row that the user can fix (a text count)."""
    header, rows = _rows(20)
    rows = [list(r) for r in rows]
    rows[0][header.index("党员大会次数")] = "很多"
    return _csv(header, rows)


def unrelated_csv() -> bytes:
    """A CSV that is not an assessment file at all."""
    return "姓名,电话,地址\n张三,123,某地\n".encode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
