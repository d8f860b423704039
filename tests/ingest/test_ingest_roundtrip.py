"""The same table saved every way users save it reads to the same frame, rows set aside and problems."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.ingest import Ingested, read_assessments
from scoring.ingest.reader import _repeated
from tests.ingest.files import COMMUNITY, HEADER, VILLAGE, csv_bytes, row, xlsx_bytes
from tests.ingest.rubrics import fields

ROWS = [
    VILLAGE,
    COMMUNITY,
    row(党组织代码="003", 党组织名称="三村党支部", 支部委员会="有", 党员人数="8人", 三会一课次数="１２", 群众满意度="0.925", 综合评价="优秀",
        党小组设置="不适用", 集体经济收入="50000元"),
    row(COMMUNITY, 党组织代码="004", 党组织名称="四社区党支部", 群众满意度="95", 活动场所面积="500平方米", 三会一课次数=""),
    row(党组织代码="005", 党组织名称="五村党支部", 党员人数="abc"),
    row(党组织代码="006", 党组织名称="六村党支部", 领域="机关"),
    row(党组织代码="007", 党组织名称="七村党支部", 考核年度="2025年度", 备注说明="书记空缺 2 个月"),
    row(党组织代码="001", 党组织名称="一村党支部"),
]
ENCODED = {
    "utf-8": csv_bytes(ROWS),
    "utf-8-bom": csv_bytes(ROWS, encoding="utf-8-sig"),
    "gbk": csv_bytes(ROWS, encoding="gbk"),
    "gb18030": csv_bytes(ROWS, encoding="gb18030"),
    "utf-16-tabs": csv_bytes(ROWS, encoding="utf-16", delimiter="\t"),
    "utf-16be-tabs": b"\xfe\xff" + csv_bytes(ROWS, encoding="utf-16-be", delimiter="\t"),
    "utf-16le-no-bom": csv_bytes(ROWS, encoding="utf-16-le", delimiter="\t"),
    "utf-32": csv_bytes(ROWS, encoding="utf-32"),
    "semicolons-lf": csv_bytes(ROWS, delimiter=";", newline="\n"),
    "xlsx": xlsx_bytes({"得分": [HEADER, *ROWS]}),
    "xlsx-with-title": xlsx_bytes({"得分": [["某县2025年度党支部标准化建设考评得分表"], HEADER, *ROWS]}, {"得分": ["A1:N1"]}),
}


def _read(data: bytes) -> Ingested:
    return read_assessments(data, fields(), filename="考评.xlsx" if data[:2] == b"PK" else "考评.csv")


@pytest.fixture(scope="module")
def expected() -> Ingested:
    return _read(ENCODED["utf-8"])


def test_reference_reading_is_what_we_expect(expected: Ingested) -> None:
    report = expected.report
    assert (report.rows_total, report.rows_scored, report.rows_with_warnings, report.rows_rejected) == (8, 3, 2, 3)
    assert list(expected.rejected.index) == [6, 7, 9]
    assert expected.frame.loc[4, "satisfaction"] == pytest.approx(0.925)
    assert expected.frame.loc[8, "period"] == "2025"


@pytest.mark.parametrize("name", [n for n in ENCODED if n != "utf-8"])
def test_every_encoding_and_xlsx_reads_the_same(name: str, expected: Ingested) -> None:
    found = _read(ENCODED[name])
    shift = 1 if name == "xlsx-with-title" else 0
    for part in ("frame", "not_applicable", "rejected", "extra"):
        got, want = getattr(found, part), getattr(expected, part)
        got = got.set_axis(pd.Index(got.index - shift, name="row"))
        if shift and part == "rejected":  # the reasons quote row numbers, which the title row moves down
            got, want = got.drop(columns="reason"), want.drop(columns="reason")
        pd.testing.assert_frame_equal(got, want, check_exact=False, obj=f"{name}.{part}")
    problems = [(p.code, p.severity, p.row - shift if p.row else None, p.column, p.value) for p in found.report.problems]
    assert problems == [(p.code, p.severity, p.row, p.column, p.value) for p in expected.report.problems]
    assert found.report.normalizations == expected.report.normalizations


def test_typed_xlsx_cells_read_as_the_same_values(expected: Ingested) -> None:
    typed = [[c for c in r] for r in ROWS[:2]]
    for line in typed:
        line[5], line[6] = int(line[5]), int(line[6])
        line[7] = 0.85 if line[7] == "85%" else float(line[7])
    found = _read(xlsx_bytes({"得分": [HEADER, *typed]}))
    pd.testing.assert_frame_equal(found.frame, expected.frame.loc[[2, 3]], check_exact=False)


def test_threads_read_the_same_as_one(monkeypatch) -> None:
    # blanks, wrong values, duplicates and rejected rows in many columns: the threads' problems merge in one order
    rows = [row(党组织代码=f"{i % 24_000:05d}", 党组织名称=f"{i}村党支部", 党员人数="" if i % 97 == 0 else f"{i % 40}人",
                群众满意度="abc" if i % 501 == 0 else f"{i % 100}%", 综合评价=["好", "较好", "优秀", "差", "中"][i % 5],
                领域=["农村", "村", "城市社区", "机关", ""][i % 5] if i % 333 else "外星") for i in range(25_000)]
    data = csv_bytes(rows)
    threaded = read_assessments(data, fields())
    assert threaded.report.rows_rejected > 1000 and len(threaded.report.problems) > 5000
    monkeypatch.setattr("scoring.ingest.reader._workers", lambda rows: 1)
    single = read_assessments(data, fields())
    for part in ("frame", "not_applicable", "rejected", "extra"):
        pd.testing.assert_frame_equal(getattr(threaded, part), getattr(single, part))
    assert threaded.report == single.report


@given(st.lists(st.one_of(st.integers(0, 40), st.integers(0, 10**12)), max_size=60))
def test_repeated_keys_are_found_whether_counted_or_hashed(keys) -> None:
    counts = Counter(keys)
    assert _repeated(np.array(keys, dtype=np.int64)).tolist() == [counts[k] > 1 for k in keys]
