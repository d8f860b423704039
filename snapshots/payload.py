"""The snapshot payload (result tables, rubric texts, view state) and its compact, exact byte form.

Frames travel as Parquet (pyarrow, zstd) inside an uncompressed zip, next to a deflated JSON manifest
with the texts, the state and the few dtype details Parquet alone does not bring back.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from snapshots.errors import SnapshotCorrupt, SnapshotInvalid

FORMAT = "branch-scoring-snapshot"
VERSION = 1
_MANIFEST = "manifest.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member dates keep equal payloads byte-identical
_ZSTD_LEVEL = 3


@dataclass(frozen=True, eq=False)
class SnapshotPayload:
    """What a shared snapshot carries: result tables by name, rubric texts by file name, and the JSON view state."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """Encode into one compressed blob; raises `SnapshotInvalid` for content that would not come back exactly."""
        _check_texts(self.texts)
        state_ok = _check_state(self.state)
        buffer = io.BytesIO()
        entries: list[dict[str, Any]] = []
        with zipfile.ZipFile(buffer, "w") as archive:
            for position, (name, frame) in enumerate(_checked_frames(self.frames)):
                member = f"frames/{position}.parquet"
                _write(archive, member, _frame_to_parquet(name, frame), zipfile.ZIP_STORED)
                entries.append({"name": name, "member": member, "restore": _restore_hints(frame)})
            manifest = {"format": FORMAT, "version": VERSION, "frames": entries, "texts": self.texts, "state": state_ok}
            text = json.dumps(manifest, ensure_ascii=False, allow_nan=False)
            _write(archive, _MANIFEST, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SnapshotPayload:
        """Decode a blob made by `to_bytes`; raises `SnapshotCorrupt` if it is not one."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                manifest = json.loads(archive.read(_MANIFEST).decode("utf-8"))
                if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                    raise SnapshotCorrupt()
                frames = {e["name"]: _read_frame(archive.read(e["member"]), e["restore"]) for e in manifest["frames"]}
                return cls(frames=frames, texts=dict(manifest["texts"]), state=dict(manifest["state"]))
        except (zipfile.BadZipFile, KeyError, TypeError, ValueError, OSError, AttributeError, pa.ArrowException) as exc:
            raise SnapshotCorrupt() from exc


def _write(archive: zipfile.ZipFile, member: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(member, date_time=_ZIP_EPOCH)
    info.compress_type = compression
    archive.writestr(info, data)


def _checked_frames(frames: dict[str, pd.DataFrame]) -> list[tuple[str, pd.DataFrame]]:
    if not isinstance(frames, dict):
        raise SnapshotInvalid("快照中的数据表须以“名称 → 数据表”的字典给出。")
    for name, frame in frames.items():
        if not isinstance(name, str) or not isinstance(frame, pd.DataFrame):
            raise SnapshotInvalid(f"快照中的数据表“{name}”无效：名称须为文本、内容须为 DataFrame。")
    return list(frames.items())


def _check_texts(texts: dict[str, str]) -> None:
    if not isinstance(texts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items()):
        raise SnapshotInvalid("快照中的附带文本须为“文件名 → 文本”的字典。")


def _check_state(state: dict[str, Any]) -> dict[str, Any]:
    # A JSON round trip that changes the value (tuples, int keys, NaN) would make the shared view differ from the original.
    problem = SnapshotInvalid("视图状态只能包含 JSON 值（以文本为键的字典、列表、文本、有限数字、布尔值、空值）。")
    if not isinstance(state, dict):
        raise problem
    try:
        again = json.loads(json.dumps(state, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise problem from exc
    if not _same_json(state, again):
        raise problem
    return state


def _same_json(left: object, right: object) -> bool:
    if isinstance(left, dict):
        return isinstance(right, dict) and list(left) == list(right) and all(_same_json(left[k], right[k]) for k in left)
    if isinstance(left, list):
        if not isinstance(right, list) or len(left) != len(right):
            return False
        return all(_same_json(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float):
        return isinstance(right, float) and math.isfinite(left) and left == right
    return type(left) is type(right) and left == right


def _frame_to_parquet(name: str, frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, engine="pyarrow", compression="zstd", compression_level=_ZSTD_LEVEL)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise SnapshotInvalid(f"数据表“{name}”无法存入快照（{exc}）。请确认每列只含同一类型的值、列名不重复。") from exc
    return buffer.getvalue()


def _read_frame(data: bytes, hints: dict[str, Any]) -> pd.DataFrame:
    return _restore(pd.read_parquet(io.BytesIO(data), engine="pyarrow"), hints)


def _dtype_tag(dtype: object) -> str | None:
    """A name for the dtypes Parquet may hand back differently (object, and the string storages)."""
    if isinstance(dtype, pd.StringDtype):
        return f"string:{dtype.storage}:{'NA' if dtype.na_value is pd.NA else 'nan'}"
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return "object"
    return None


def _dtype_from_tag(tag: str) -> Any:
    if tag == "object":
        return object
    _, storage, na = tag.split(":")
    return pd.StringDtype(storage, na_value=pd.NA if na == "NA" else math.nan)


def _restore_hints(frame: pd.DataFrame) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    columns = {str(i): tag for i, dtype in enumerate(frame.dtypes) if (tag := _dtype_tag(dtype))}
    if columns:
        hints["columns"] = columns
    if not isinstance(frame.index, pd.MultiIndex) and (tag := _dtype_tag(frame.index.dtype)):
        hints["index"] = tag
    if not isinstance(frame.columns, pd.MultiIndex) and (tag := _dtype_tag(frame.columns.dtype)):
        hints["columns_index"] = tag
    if len(frame) == 0 and (categories := _empty_categoricals(frame)):
        hints["categories"] = categories
    if isinstance(frame.index, pd.RangeIndex) and len(frame.columns) == 0:
        # With no columns Parquet keeps no rows, so a bare RangeIndex would come back empty.
        hints["range_index"] = [frame.index.start, frame.index.stop, frame.index.step]
    if isinstance(frame.columns, pd.RangeIndex):
        hints["range_columns"] = [frame.columns.start, frame.columns.stop, frame.columns.step]
    if isinstance(frame.index, pd.DatetimeIndex | pd.TimedeltaIndex) and frame.index.freq is not None:
        hints["freq"] = frame.index.freqstr
    return hints


def _empty_categoricals(frame: pd.DataFrame) -> dict[str, Any]:
    """Categories of the categorical columns of an empty frame, which Parquet would otherwise forget."""
    found: dict[str, Any] = {}
    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.CategoricalDtype):
            values = dtype.categories.tolist()
            if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
                found[str(position)] = {"values": values, "ordered": bool(dtype.ordered)}
    return found


def _restore(frame: pd.DataFrame, hints: dict[str, Any]) -> pd.DataFrame:
    for position, tag in hints.get("columns", {}).items():
        column = frame.iloc[:, int(position)]
        if _dtype_tag(column.dtype) != tag:
            frame.isetitem(int(position), _as_tag(column, tag))
    for position, spec in hints.get("categories", {}).items():
        dtype = pd.CategoricalDtype(pd.Index(spec["values"]), ordered=spec["ordered"])
        frame.isetitem(int(position), frame.iloc[:, int(position)].astype(dtype).array)
    if "index" in hints and _dtype_tag(frame.index.dtype) != hints["index"]:
        frame.index = frame.index.astype(_dtype_from_tag(hints["index"]))
    if "columns_index" in hints and _dtype_tag(frame.columns.dtype) != hints["columns_index"]:
        frame.columns = frame.columns.astype(_dtype_from_tag(hints["columns_index"]))
    if "range_index" in hints:
        start, stop, step = hints["range_index"]
        frame = frame.reindex(pd.RangeIndex(start, stop, step, name=frame.index.name))
    if "range_columns" in hints:
        start, stop, step = hints["range_columns"]
        frame.columns = pd.RangeIndex(start, stop, step, name=frame.columns.name)
    if "freq" in hints and isinstance(frame.index, pd.DatetimeIndex):
        frame.index = pd.DatetimeIndex(frame.index, freq=hints["freq"])
    elif "freq" in hints and isinstance(frame.index, pd.TimedeltaIndex):
        frame.index = pd.TimedeltaIndex(frame.index, freq=hints["freq"])
    return frame


def _as_tag(column: pd.Series, tag: str) -> Any:  # Any: pandas-stubs omit Series from isetitem
    if tag == "object":
        # Parquet nulls in text columns come back as None, which is what pyarrow itself gives for object columns.
        values = column.to_numpy(dtype=object)
        values[column.isna().to_numpy()] = None
        return pd.Series(values, index=column.index, dtype=object, name=column.name)
    return column.astype(_dtype_from_tag(tag))
