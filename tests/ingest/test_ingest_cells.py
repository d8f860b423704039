"""Cell normalizers: a table of what each spelling means, and properties tying the vectorized converters to
the scalar rules they must follow exactly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.ingest import Status, parse_cell
from scoring.ingest.cells import _NEEDS_CARE, STR, _needs_care, as_text, clean_text, convert_column, normalize_text
from scoring.ingest.vocab import level_table
from scoring.rubric import Column

BOOL = Column(id="b", label="是否", type="bool")
COUNT = Column(id="n", label="次数", type="number", min=0, unit="次")
AREA = Column(id="a", label="面积", type="number", min=0, unit="㎡")
MONEY = Column(id="m", label="收入", type="number", min=0, unit="万元")
PLAIN = Column(id="p", label="数", type="number")
RATE = Column(id="r", label="比率", type="rate", min=0, max=1)
POINTS = Column(id="s", label="得分", type="points", min=0, max=5)
LEVEL = Column(id="l", label="等次", type="level", levels=("好", "较好", "一般", "差"))
STARS = Column(id="x", label="星级", type="level", levels=("五星", "四星", "三星", "二星", "一星"))
PASS = Column(id="q", label="评议", type="level", levels=("优秀", "合格", "基本合格", "不合格"))
COLUMNS = (BOOL, COUNT, AREA, MONEY, PLAIN, RATE, POINTS, LEVEL, STARS, PASS)

OK, BLANK, NA, TYPE, LEVEL_ERR, RANGE = (Status.OK, Status.BLANK, Status.NOT_APPLICABLE, Status.TYPE, Status.LEVEL, Status.RANGE)

TABLE = [
    # text, column, value, status, normalization kinds
    (None, COUNT, math.nan, BLANK, ()),
    ("", COUNT, math.nan, BLANK, ()),
    ("  \u3000", COUNT, math.nan, BLANK, ()),
    ("12", COUNT, 12.0, OK, ()),
    ("12次", COUNT, 12.0, OK, ("单位",)),
    ("12 次", COUNT, 12.0, OK, ("空格", "单位")),
    ("１２", COUNT, 12.0, OK, ("全角数字",)),
    ("１２次", COUNT, 12.0, OK, ("全角数字", "单位")),
    ("1,234", COUNT, 1234.0, OK, ("千分位",)),
    ("1,2345", COUNT, math.nan, TYPE, ()),
    ("12.5", COUNT, 12.5, OK, ()),
    ("-1", COUNT, -1.0, RANGE, ()),
    ("-", COUNT, math.nan, TYPE, ()),
    ("—", COUNT, math.nan, NA, ()),
    ("不适用", COUNT, math.nan, NA, ()),
    ("N/A", COUNT, math.nan, NA, ()),
    ("无需", COUNT, math.nan, NA, ()),
    ("十二", COUNT, math.nan, TYPE, ()),
    ("12㎡", COUNT, math.nan, TYPE, ()),
    ("12%", COUNT, math.nan, TYPE, ()),
    ("inf", COUNT, math.nan, TYPE, ()),
    ("1e3", COUNT, 1000.0, OK, ()),
    ("120㎡", AREA, 120.0, OK, ("单位",)),
    ("120平方米", AREA, 120.0, OK, ("单位",)),
    ("120m2", AREA, 120.0, OK, ("单位",)),
    ("120 平米", AREA, 120.0, OK, ("空格", "单位")),
    ("6万元", MONEY, 6.0, OK, ("单位",)),
    ("6万", MONEY, 6.0, OK, ("单位",)),
    ("50000元", MONEY, 5.0, OK, ("单位换算",)),
    ("¥50000", MONEY, 5.0, OK, ("单位换算",)),
    ("3次", MONEY, math.nan, TYPE, ()),
    ("10万元", PLAIN, math.nan, TYPE, ()),
    ("5分", PLAIN, 5.0, OK, ("单位",)),
    ("85%", RATE, 0.85, OK, ("百分比",)),
    ("85％", RATE, 0.85, OK, ("全角符号", "百分比")),
    ("0.85", RATE, 0.85, OK, ()),
    ("85", RATE, 0.85, OK, ("百分数",)),
    ("1", RATE, 1.0, OK, ()),
    ("100%", RATE, 1.0, OK, ("百分比",)),
    ("120%", RATE, 1.2, RANGE, ("百分比",)),
    ("九成", RATE, math.nan, TYPE, ()),
    ("4.5", POINTS, 4.5, OK, ()),
    ("4.5分", POINTS, 4.5, OK, ("单位",)),
    ("6", POINTS, 6.0, RANGE, ()),
    ("是", BOOL, 1.0, OK, ()),
    ("否", BOOL, 0.0, OK, ()),
    ("有", BOOL, 1.0, OK, ("是否",)),
    ("无", BOOL, 0.0, OK, ("是否",)),
    ("√", BOOL, 1.0, OK, ("是否",)),
    ("×", BOOL, 0.0, OK, ("是否",)),
    ("✓", BOOL, 1.0, OK, ("是否",)),
    ("Y", BOOL, 1.0, OK, ("是否",)),
    ("no", BOOL, 0.0, OK, ("是否",)),
    ("TRUE", BOOL, 1.0, OK, ("是否",)),
    ("1", BOOL, 1.0, OK, ("是否",)),
    ("0", BOOL, 0.0, OK, ("是否",)),
    ("2", BOOL, math.nan, TYPE, ()),
    ("基本是", BOOL, math.nan, TYPE, ()),
    ("不适用", BOOL, math.nan, NA, ()),
    ("好", LEVEL, 0.0, OK, ()),
    ("差", LEVEL, 3.0, OK, ()),
    ("优秀", LEVEL, 0.0, OK, ("等次",)),
    ("良好", LEVEL, 1.0, OK, ("等次",)),
    ("中", LEVEL, 2.0, OK, ("等次",)),
    ("较差", LEVEL, 3.0, OK, ("等次",)),
    ("合格", LEVEL, math.nan, LEVEL_ERR, ()),
    ("优良", LEVEL, math.nan, LEVEL_ERR, ()),
    ("1", LEVEL, math.nan, LEVEL_ERR, ()),
    ("★★★", STARS, 2.0, OK, ("等次",)),
    ("五星级", STARS, 0.0, OK, ("等次",)),
    ("好", PASS, 0.0, OK, ("等次",)),
    ("差", PASS, 3.0, OK, ("等次",)),
    ("达标", PASS, 1.0, OK, ("等次",)),
]


@pytest.mark.parametrize(("text", "column", "value", "status", "kinds"), TABLE,
                         ids=[f"{c.type}:{t!r}" for t, c, *_ in TABLE])
def test_cell_rules(text, column, value, status, kinds) -> None:
    cell = parse_cell(text, column)
    assert cell.status == status, cell
    if math.isnan(value):
        assert math.isnan(cell.value) or status == RANGE
    else:
        assert cell.value == pytest.approx(value)
    assert sorted(cell.kinds) == sorted(kinds)
    if status in (TYPE, LEVEL_ERR, RANGE):
        assert cell.hint


def test_level_synonyms_never_make_a_cell_ambiguous() -> None:
    for levels in (("好", "较好", "一般", "差"), ("优秀", "合格", "基本合格", "不合格"), ("好", "较好", "一般", "较差", "差")):
        table = level_table(levels)
        for word, (position, synonym) in table.items():
            assert 0 <= position < len(levels)
            assert synonym or levels[position] == word
    assert "不好" not in level_table(("好", "较好", "一般", "较差", "差"))


MESSY = st.one_of(
    st.sampled_from(["", " ", "是", "否", "有", "无", "√", "×", "好", "优秀", "一般", "不适用", "—", "-", "N/A", "12", "１２",
                     "12次", "3.5", "85%", "85", "0.85", "120㎡", "6万元", "50000元", "1,234", "-3", "abc", "１２．５", "TRUE"]),
    st.from_regex(r"[ \u3000]?[+-]?[0-9０-９]{1,4}([.．][0-9]{1,2})?[ ]?(%|％|次|人|㎡|平方米|万元|元|分|个)?[ ]?", fullmatch=True),
    st.text(max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.one_of(st.none(), MESSY), min_size=1, max_size=40), column=st.sampled_from(COLUMNS))
@example(texts=["0¨", "3²", "2１", "5m²", "7 次", "8次 "], column=COUNT)
@example(texts=["85%", "85％", "85", "0.85", "120%"], column=RATE)
@example(texts=["3²", "120m²", "12万元"], column=AREA)
def test_column_conversion_matches_the_cell_rules(texts, column) -> None:
    """Converting a whole column (fast paths, suffix rules, lookups) gives exactly what parse_cell gives cell by cell."""
    converted = convert_column(pd.Series(texts, dtype=STR), column)
    cells = [parse_cell(t, column) for t in texts]
    assert list(converted.status) == [c.status for c in cells]
    for got, cell in zip(converted.values, cells):
        if cell.status == OK:
            assert got == pytest.approx(cell.value, rel=1e-12)
        elif cell.status != RANGE:
            assert math.isnan(got)
    expected: dict[str, int] = {}
    for cell in cells:
        for kind in cell.kinds:
            expected[kind] = expected.get(kind, 0) + 1
    counts = {k: v for k, v in converted.kind_counts(np.ones(len(texts), dtype=bool)).items() if v}
    assert counts == expected


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(-10, 10_000)),
                       min_size=1, max_size=30), column=st.sampled_from(COLUMNS))
def test_numbers_typed_by_pandas_follow_the_same_rules(values, column) -> None:
    series = pd.Series(values, dtype="float64")
    converted = convert_column(series, column)
    cells = [parse_cell(as_text(v), column) for v in series.tolist()]
    for got, status, cell in zip(converted.values, converted.status, cells):
        if cell.status == TYPE or status == TYPE:  # 'inf' and '1e+20' style spellings are not typed the same way
            continue
        assert status == cell.status, (got, cell)
        if cell.status == OK:
            assert got == pytest.approx(cell.value, rel=1e-9)


TEXTS = ["２０２５年度", "2025年", " 一村\u3000党支部 ", "ＡＢ　ｃ", "a  b\tc", "第一（联合）党支部", "x\x1fy"]


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(TEXTS)), min_size=1, max_size=30), period=st.booleans())
def test_text_normalization_matches_the_cell_rule(texts, period) -> None:
    column = normalize_text(pd.Series(texts, dtype=STR), period=period)
    expected = [clean_text(t, period=period) if t is not None else (None, ()) for t in texts]
    got = [None if pd.isna(v) else v for v in column.values.tolist()]
    assert got == [e[0] for e in expected]
    counts = {k: v for k, v in column.kind_counts(np.ones(len(texts), dtype=bool)).items() if v}
    wanted: dict[str, int] = {}
    for _, kinds in expected:
        for kind in kinds:
            wanted[kind] = wanted.get(kind, 0) + 1
    assert counts == wanted


# Characters on both sides of every edge of the plain set: ASCII, CJK ideographs and punctuation, and their neighbours.
EDGES = " ~\x1f\x7f·¸一鿿丁䷿㐀、。〃《】〒‘”—–‟　Ａ０ｂ，㎡\t"


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet=EDGES, max_size=8), st.text(max_size=6)), max_size=40),
       cut=st.integers(0, 5), chunks=st.integers(1, 4))
@example(texts=["一村", "䷿"], cut=0, chunks=1)  # U+4DFF shares its first byte with U+4E00
@example(texts=["〃", "、"], cut=0, chunks=1)
@example(texts=["x", "a  b"], cut=0, chunks=1)
@example(texts=["a ", " b"], cut=0, chunks=1)  # a double space only across two cells
@example(texts=["x\x7fy", "0123"], cut=0, chunks=1)
def test_the_whole_column_care_test_agrees_with_the_cell_test(texts, cut, chunks) -> None:
    raw = pa.array(texts, type=pa.large_string())[min(cut, len(texts)):]  # a slice: its chunks start at an offset
    size = max(1, -(-len(raw) // chunks))
    chunked = pa.chunked_array([raw[i:i + size] for i in range(0, len(raw), size)], type=pa.large_string())
    slow = np.asarray(pc.fill_null(pc.match_substring_regex(chunked, _NEEDS_CARE), False).to_numpy(zero_copy_only=False), dtype=bool)
    care, spaced = _needs_care(chunked)
    assert care.tolist() == slow.tolist()
    assert spaced or not any(" " in t for t in chunked.to_pylist() if t)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=20), column=st.sampled_from(COLUMNS))
def test_any_text_parses_without_error(text, column) -> None:
    cell = parse_cell(text, column)
    assert cell.status in Status
    assert cell.status != OK or math.isfinite(cell.value)
