"""The payload codec: exact round trips of frames, texts and state, compact bytes, and clear refusals."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from snapshots import SnapshotCorrupt, SnapshotInvalid, SnapshotPayload


def round_trip(payload: SnapshotPayload) -> SnapshotPayload:
    return SnapshotPayload.from_bytes(payload.to_bytes())


def assert_same_frame(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert_frame_equal(left, right, check_exact=True, check_column_type=True, check_index_type=True, check_freq=True)
    assert left.attrs == right.attrs


FRAMES = {
    "str": pd.DataFrame({"a": pd.array(["x", None, "中文"], dtype="str")}),
    "object text with None": pd.DataFrame({"a": pd.Series(["x", None, "z"], dtype=object)}),
    "string[python]": pd.DataFrame({"a": pd.array(["x", None, "z"], dtype="string[python]")}),
    "string[pyarrow]": pd.DataFrame({"a": pd.array(["x", None, "z"], dtype="string[pyarrow]")}),
    "Int64": pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64")}),
    "Float64": pd.DataFrame({"a": pd.array([1.5, None, 3], dtype="Float64")}),
    "boolean": pd.DataFrame({"a": pd.array([True, None, False], dtype="boolean")}),
    "bool": pd.DataFrame({"a": [True, False, True]}),
    "float NaN and -0.0": pd.DataFrame({"a": [1.0, np.nan, -0.0], "b": [np.inf, -np.inf, 1e-300]}),
    "int index": pd.DataFrame({"a": [1, 2, 3]}, index=[10, 5, 7]),
    "named text index": pd.DataFrame({"a": [1, 2, 3]}, index=pd.Index(["甲", "乙", "丙"], name="支部")),
    "object int index": pd.DataFrame({"a": [1, 2]}, index=pd.Index([1, 2], dtype=object)),
    "float index with NaN": pd.DataFrame({"a": [1, 2]}, index=[0.5, np.nan]),
    "duplicate index": pd.DataFrame({"a": [1, 2]}, index=[1, 1]),
    "multi index": pd.DataFrame({"a": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])),
    "stepped range index": pd.DataFrame({"a": [1, 2, 3]}, index=pd.RangeIndex(10, 16, 2)),
    "datetime index with freq": pd.DataFrame({"a": [1, 2]}, index=pd.date_range("2025-01-01", periods=2, name="d")),
    "ordered category": pd.DataFrame({"g": pd.Categorical(["先进", "后进", None], categories=["先进", "中间", "后进"], ordered=True)}),
    "empty category": pd.DataFrame({"g": pd.Categorical([], categories=["先进", "后进"], ordered=True)}),
    "datetimes": pd.DataFrame({"a": pd.DatetimeIndex(["2024-01-01", None, "2025-05-05"])}),
    "aware datetimes": pd.DataFrame({"a": pd.DatetimeIndex(["2024-01-01", None]).tz_localize("Asia/Shanghai")}),
    "timedeltas": pd.DataFrame({"a": pd.to_timedelta([1, None], unit="D")}),
    "small ints and floats": pd.DataFrame({"a": np.array([1, 2], dtype="uint8"), "b": np.array([1, 2], dtype="float32")}),
    "no rows": pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="str")}),
    "no columns": pd.DataFrame(index=[1, 2, 3]),
    "nothing": pd.DataFrame(),
    "range columns": pd.DataFrame(np.zeros((2, 3))),
    "int column labels": pd.DataFrame([[1, 2]], columns=[0, 1]),
    "object column labels": pd.DataFrame([[1]], columns=pd.Index(["a"], dtype=object)),
    "multi columns": pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
    "named columns": pd.DataFrame({"a": [1]}).rename_axis(columns="指标"),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_frames_round_trip_exactly(name: str) -> None:
    frame = FRAMES[name]
    assert_same_frame(frame, round_trip(SnapshotPayload(frames={name: frame})).frames[name])


def test_frame_attrs_and_frame_order_survive() -> None:
    first = pd.DataFrame({"a": [1]})
    first.attrs["rubric"] = "village@2025"
    payload = round_trip(SnapshotPayload(frames={"z": first, "a": pd.DataFrame({"b": [2]}), "中": pd.DataFrame({"c": [3]})}))
    assert list(payload.frames) == ["z", "a", "中"]
    assert payload.frames["z"].attrs == {"rubric": "village@2025"}


def test_texts_and_state_round_trip_exactly() -> None:
    texts = {"rural.yaml": "name: 农村\n# 注释\n\tindent: '\\u0000'\n", "空.yaml": "", "../odd name.yaml": "x"}
    state = {"page": "branch", "filters": {"grade": ["先进"], "min": 60.5, "none": None, "on": True}, "branch": 7, "lang": "zh"}
    payload = round_trip(SnapshotPayload(texts=texts, state=state))
    assert payload.texts == texts and list(payload.texts) == list(texts)
    assert payload.state == state
    assert type(payload.state["branch"]) is int and type(payload.state["filters"]["min"]) is float


@pytest.mark.parametrize(
    "state",
    [{"t": (1, 2)}, {"k": {1: "x"}}, {"n": math.nan}, {"i": math.inf}, {"s": {1, 2}}, {"o": object()}, {"d": pd.Timestamp(0)}],
    ids=["tuple", "int key", "nan", "inf", "set", "object", "timestamp"],
)
def test_state_that_would_not_come_back_the_same_is_refused(state: dict[str, object]) -> None:
    with pytest.raises(SnapshotInvalid, match="视图状态"):
        SnapshotPayload(state=state).to_bytes()


def test_non_text_texts_are_refused() -> None:
    with pytest.raises(SnapshotInvalid, match="文本"):
        SnapshotPayload(texts={"a.yaml": b"bytes"}).to_bytes()  # type: ignore[dict-item]


def test_mixed_type_column_is_refused_with_a_chinese_message_naming_the_table() -> None:
    frame = pd.DataFrame({"a": pd.Series([1, "x"], dtype=object)})
    with pytest.raises(ValueError, match="数据表“结果”无法存入快照"):
        SnapshotPayload(frames={"结果": frame}).to_bytes()


def test_non_frames_are_refused() -> None:
    with pytest.raises(SnapshotInvalid):
        SnapshotPayload(frames={"a": [1, 2]}).to_bytes()  # type: ignore[dict-item]
    with pytest.raises(SnapshotInvalid):
        SnapshotPayload(frames={1: pd.DataFrame()}).to_bytes()  # type: ignore[dict-item]


def test_equal_payloads_encode_to_identical_bytes() -> None:
    def make() -> SnapshotPayload:
        return SnapshotPayload(frames={"a": pd.DataFrame({"x": [1.5, 2.5]})}, texts={"r.yaml": "x"}, state={"p": 1})

    assert make().to_bytes() == make().to_bytes()


@pytest.mark.parametrize(
    "blob",
    [b"", b"not a zip", b"PK\x03\x04" + b"\x00" * 40],
    ids=["empty", "text", "truncated zip"],
)
def test_garbage_is_reported_as_corrupt(blob: bytes) -> None:
    with pytest.raises(SnapshotCorrupt, match="已损坏"):
        SnapshotPayload.from_bytes(blob)


def test_a_zip_from_elsewhere_is_reported_as_corrupt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", '{"format": "something-else", "version": 1}')
    with pytest.raises(SnapshotCorrupt):
        SnapshotPayload.from_bytes(buffer.getvalue())


def test_large_results_stay_compact() -> None:
    rng = np.random.default_rng(7)
    rows = 100_000
    indicators = pd.DataFrame(
        {f"ind_{i:02d}": rng.integers(0, 21, rows) / 2 for i in range(45)} | {"satisfaction": rng.integers(500, 1001, rows) / 10}
    )
    branches = pd.DataFrame(
        {
            "name": pd.array([f"第{i % 977}村党支部" for i in range(rows)], dtype="str"),
            "total": indicators.sum(axis=1).round(1),
            "grade": pd.Categorical(rng.choice(["先进", "中间", "后进"], rows)),
            "flagged": rng.random(rows) < 0.05,
        },
        index=pd.RangeIndex(rows, name="branch_id"),
    )
    payload = SnapshotPayload(frames={"branches": branches, "indicators": indicators})
    data = payload.to_bytes()
    assert len(data) < 4 * 1024 * 1024
    back = SnapshotPayload.from_bytes(data)
    assert_same_frame(indicators, back.frames["indicators"])
    assert_same_frame(branches, back.frames["branches"])


# Column strategies: each draws one column of a given dtype with missing values where the dtype allows them.
def _column(rows: int) -> st.SearchStrategy[pd.Series]:
    text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    ints = st.integers(-(2**62), 2**62)
    return st.one_of(
        st.lists(floats, min_size=rows, max_size=rows).map(lambda v: pd.Series(v, dtype="float64")),
        st.lists(ints, min_size=rows, max_size=rows).map(lambda v: pd.Series(v, dtype="int64")),
        st.lists(st.booleans(), min_size=rows, max_size=rows).map(lambda v: pd.Series(v, dtype="bool")),
        st.lists(st.none() | ints, min_size=rows, max_size=rows).map(lambda v: pd.Series(pd.array(v, dtype="Int64"))),
        st.lists(st.none() | st.booleans(), min_size=rows, max_size=rows).map(lambda v: pd.Series(pd.array(v, dtype="boolean"))),
        st.lists(st.none() | text, min_size=rows, max_size=rows).map(lambda v: pd.Series(pd.array(v, dtype="str"))),
        st.lists(st.none() | text, min_size=rows, max_size=rows).map(lambda v: pd.Series(v, dtype=object)),
        st.lists(st.none() | st.sampled_from(["先进", "中间", "后进"]), min_size=rows, max_size=rows).map(
            lambda v: pd.Series(pd.Categorical(v, categories=["先进", "中间", "后进"], ordered=True))
        ),
    )


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 6))
    names = draw(st.lists(st.text(min_size=1, max_size=6), min_size=0, max_size=5, unique=True))
    data = {name: draw(_column(rows)).reset_index(drop=True) for name in names}
    index = draw(
        st.sampled_from(["range", "int", "text"]).map(
            lambda kind: {
                "range": pd.RangeIndex(rows),
                "int": pd.Index(list(range(100, 100 + 3 * rows, 3)), dtype="int64", name="id"),
                "text": pd.Index([f"支部{i}" for i in range(rows)], name="支部"),
            }[kind]
        )
    )
    frame = pd.DataFrame(data)
    frame.index = index
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), state=st.dictionaries(st.text(max_size=5), st.none() | st.booleans() | st.integers() | st.text(max_size=5)))
def test_any_results_frame_and_state_round_trip(frame: pd.DataFrame, state: dict[str, object]) -> None:
    back = round_trip(SnapshotPayload(frames={"results": frame}, state=state))
    assert_same_frame(frame, back.frames["results"])
    assert back.state == state
