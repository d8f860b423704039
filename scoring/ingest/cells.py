"""Cell normalization: one scalar parser that defines the rules, and vectorized converters that apply them
to whole columns by parsing each distinct value once (never a Python loop over every cell)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time
from enum import IntEnum
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from scoring.ingest import vocab
from scoring.rubric import Column

_EPS = 1e-9
STR = pd.Series([], dtype="str").dtype  # pandas' default string dtype, built once: parsing "str" each time is slow
# A plain number as pandas would parse it; anything else goes through `parse_cell`.
_PLAIN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_QUANTITY = re.compile(
    r"(?P<cur>[¥$])?(?P<sign>[+-])?"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+)"
    r"(?P<pct>%)?(?P<unit>[^0-9].*)?",
    re.ASCII,
)
_SPACE = " \t\n\r\f\v"  # what text cells are trimmed of (NFKC has already turned U+3000 and the like into " ")
_FULLWIDTH_DIGIT = "[\\uff10-\\uff19]"
_FULLWIDTH_OTHER = "[\\u3000\\uff01-\\uff0f\\uff1a-\\uff5e\\uffe0-\\uffe6]"


class Status(IntEnum):
    """What a cell turned out to be."""

    OK = 0
    BLANK = 1
    NOT_APPLICABLE = 2
    TYPE = 3
    LEVEL = 4
    RANGE = 5


@dataclass(frozen=True)
class Cell:
    """One parsed cell: its value (NaN unless OK), status, the normalizations applied and a hint when wrong."""

    value: float
    status: Status
    kinds: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Converted:
    """A whole column parsed. `values` and `status` are per row; `kinds` and `hints` are per distinct value
    (indexed by `codes`, -1 for missing cells) or, when `codes` is None, per row."""

    values: np.ndarray
    status: np.ndarray
    codes: np.ndarray | None
    kinds: dict[str, np.ndarray]
    hints: np.ndarray | None

    def kind_counts(self, rows: np.ndarray) -> dict[str, int]:
        """How many of the selected rows each normalization kind changed."""
        return _kind_counts(self.codes, self.kinds, rows)

    def scaled(self, factor: float, column: Column) -> Converted:
        """The column read in another unit, converted to `column`'s unit and checked against its range."""
        values = np.where(self.status == Status.OK, self.values * factor, self.values)
        status = self.status.copy()
        _check_range(values, status, column)
        return Converted(values, status, self.codes, self.kinds, self.hints)

    def hint(self, row: int) -> str:
        """Why the cell in this row (a position) could not be used."""
        if self.hints is None:
            return ""
        at = row if self.codes is None else int(self.codes[row])
        return str(self.hints[at]) if at >= 0 else ""


def _kind_counts(codes: np.ndarray | None, kinds: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, int]:
    if not kinds:
        return {}
    if codes is None:
        return {kind: int((mask & rows).sum()) for kind, mask in kinds.items()}
    size = len(next(iter(kinds.values())))
    if rows.all():
        counts = np.bincount(codes + 1, minlength=size + 1)[1:]  # slot 0 counts the missing cells (code -1)
    else:
        selected = codes[rows]
        counts = np.bincount(selected[selected >= 0], minlength=size)
    return {kind: int(counts[mask].sum()) for kind, mask in kinds.items()}


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _width_kinds(raw: str, normalized: str) -> list[str]:
    if raw == normalized:
        return []
    kinds = []
    if re.search(_FULLWIDTH_DIGIT, raw):
        kinds.append(vocab.FULLWIDTH_DIGITS)
    if re.search(_FULLWIDTH_OTHER, raw.strip(_SPACE + "\u3000")):
        kinds.append(vocab.FULLWIDTH_SIGNS)
    return kinds


def range_hint(column: Column, lang: str = "zh") -> str:
    """The allowed range of a column in words, e.g. '应在 0 到 12 之间' ('between 0 and 12' in English)."""
    def show(x: float) -> str:
        """A bound in the column's terms (a rate as a percentage)."""
        return f"{x:.0%}" if column.type == "rate" else _fmt(x)

    if lang == "en":
        low, high = column.min, column.max
        if low is not None and high is not None:
            return f"it should be between {show(low)} and {show(high)}"
        return f"it should be at least {show(low)}" if low is not None else f"it should be at most {show(high)}" if high is not None else ""
    if column.min is not None and column.max is not None:
        return f"应在 {show(column.min)} 到 {show(column.max)} 之间"
    if column.min is not None:
        return f"不应小于 {show(column.min)}"
    if column.max is not None:
        return f"不应大于 {show(column.max)}"
    return ""


# What each column type accepts: (Chinese, English), with {unit} and {levels} filled per column.
_EXPECTED = {
    "bool": ("请填写“是”或“否”（也可用 有/无、√/×、1/0）", "yes or no (also √/× or 1/0)"),
    "number": ("请填写数字，如 12{unit}", "a number such as 12{unit}"),
    "points": ("请填写分数，如 8.5{unit}", "points such as 8.5{unit}"),
    "rate": ("请填写比率，如 85% 或 0.85", "a rate such as 85% or 0.85"),
    "level": ("请填写以下等次之一：{levels}", "one of {levels}"),
    "text": ("", "text"),
}


def expected_hint(column: Column, lang: str = "zh") -> str:
    """What a column accepts, in words, for type and level errors (Chinese, or English with lang="en")."""
    en = lang == "en"
    unit = "" if not column.unit else f" (the unit “{column.unit}” may follow)" if en else f"（可带单位“{column.unit}”）"
    return _EXPECTED[column.type][en].format(unit=unit, levels=(", " if en else "、").join(column.levels))


def _in_range(value: float, column: Column) -> bool:
    low_ok = column.min is None or value >= column.min - _EPS
    return low_ok and (column.max is None or value <= column.max + _EPS)


def _finish(value: float, kinds: list[str], column: Column) -> Cell:
    if not math.isfinite(value):
        return Cell(math.nan, Status.TYPE, tuple(kinds), "不是有效的数字；" + expected_hint(column))
    if not _in_range(value, column):
        return Cell(value, Status.RANGE, tuple(kinds), range_hint(column))
    return Cell(value, Status.OK, tuple(kinds))


def _parse_quantity(text: str, column: Column, kinds: list[str]) -> Cell:
    """Numbers with thousands separators, percent signs and units, converted only when units say so."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        hint = "“-”含义不明：如为 0 请填 0，不适用请填“不适用”" if text in {"-", "--"} else expected_hint(column)
        return Cell(math.nan, Status.TYPE, tuple(kinds), hint)
    number = match["num"]
    if "," in number:
        kinds.append(vocab.THOUSANDS)
    value = float(number.replace(",", ""))
    if match["sign"] == "-":
        value = -value
    unit = (match["unit"] or "") + ("元" if match["cur"] and not match["unit"] else "")
    if match["pct"]:
        if column.type == "rate":
            kinds.append(vocab.PERCENT_SIGN)
            value /= 100.0
        elif vocab.fold_cell(column.unit) != "%":
            return Cell(math.nan, Status.TYPE, tuple(kinds), "本列不是比率，请去掉百分号；" + expected_hint(column))
    elif column.type == "rate" and value > 1.0:
        kinds.append(vocab.PERCENT_NUMBER)
        value /= 100.0
    if unit:
        converted = _convert_unit(value, unit, column)
        if isinstance(converted, str):
            return Cell(math.nan, Status.TYPE, tuple(kinds), converted)
        value, kind = converted
        kinds.append(kind)
    return _finish(value, kinds, column)


def _convert_unit(value: float, unit: str, column: Column) -> tuple[float, str] | str:
    """The value in the column's unit and the normalization kind, or a hint saying why it cannot be read."""
    if column.unit and vocab.fold_cell(column.unit) == vocab.fold_cell(unit):
        return value, vocab.UNIT  # the column's own unit, known to the vocabulary or not
    found = vocab.unit_of(unit)
    if found is None:
        return f"无法识别单位“{unit}”；" + expected_hint(column)
    canonical, family, factor = found
    target = vocab.unit_of(column.unit) if column.unit else None
    if target is None:
        if column.unit:
            return f"单位“{unit}”与本列单位“{column.unit}”不符；请换算成{column.unit}后只填数字"
        if factor != 1.0:
            return f"本列未规定单位，“{unit}”会改变数值大小；请换算后只填数字"
        return value, vocab.UNIT
    if target[0] == canonical:
        return value, vocab.UNIT
    if target[1] != family:
        return f"单位“{unit}”与本列单位“{column.unit}”不符；请换算成{column.unit}后只填数字"
    return value * (factor / target[2]), vocab.UNIT_CONVERSION


_HEADER_UNIT = re.compile(r"[(（\[【]\s*([^()（）\[\]【】]+?)\s*[)）\]】]\s*$")


def header_unit(header: str, column: Column) -> tuple[str, float] | None:
    """(unit, factor to the column's unit) for a convertible other unit in a header's brackets, e.g. '收入（元）'."""
    match = _HEADER_UNIT.search(header or "")
    if match is None or not column.unit:
        return None
    written, target = vocab.unit_of(match[1]), vocab.unit_of(column.unit)
    if written is None or target is None or written[0] == target[0] or written[1] != target[1]:
        return None
    return match[1], written[2] / target[2]


def parse_cell(text: str | None, column: Column) -> Cell:
    """Parse one cell of a value column by the rules of its type; the single definition of every rule."""
    if text is None:
        return Cell(math.nan, Status.BLANK)
    raw = str(text)
    normalized = unicodedata.normalize("NFKC", raw)
    kinds = _width_kinds(raw, normalized)
    compact = "".join(normalized.split())
    if not compact:
        return Cell(math.nan, Status.BLANK)
    if compact != normalized:
        kinds.append(vocab.SPACES)
    word = compact.lower()
    if word in vocab.NOT_APPLICABLE_WORDS:
        return Cell(math.nan, Status.NOT_APPLICABLE, tuple(kinds))
    if column.type == "level":
        hit = vocab.level_table(column.levels).get(word)
        if hit is None:
            return Cell(math.nan, Status.LEVEL, tuple(kinds), expected_hint(column))
        return Cell(float(hit[0]), Status.OK, (*kinds, vocab.LEVEL) if hit[1] else tuple(kinds))
    if column.type == "bool":
        if word in vocab.TRUE_WORDS or word in vocab.FALSE_WORDS:
            if compact not in vocab.CANONICAL_YES_NO:
                kinds.append(vocab.YES_NO)
            return Cell(1.0 if word in vocab.TRUE_WORDS else 0.0, Status.OK, tuple(kinds))
        if re.fullmatch(_PLAIN, compact) and float(compact) in (0.0, 1.0):
            return Cell(float(compact), Status.OK, (*kinds, vocab.YES_NO))
        return Cell(math.nan, Status.TYPE, tuple(kinds), expected_hint(column))
    if column.type == "text":
        return Cell(math.nan, Status.OK, tuple(kinds))
    return _parse_quantity(compact, column, kinds)


def _from_numbers(values: np.ndarray, column: Column) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray | None]:
    """The rules of `parse_cell` applied to plain numbers, vectorized."""
    values = values.astype(np.float64, copy=True)
    status = np.isnan(values).astype(np.int8)  # Status.BLANK == 1, Status.OK == 0
    kinds: dict[str, np.ndarray] = {}
    bad = np.isinf(values)
    if column.type == "bool":
        ok = (values == 0.0) | (values == 1.0)
        bad |= ~ok & ~np.isnan(values)
        kinds[vocab.YES_NO] = ok
    elif column.type == "rate":
        over = values > 1.0
        kinds[vocab.PERCENT_NUMBER] = over & ~bad
        values = np.where(over, values / 100.0, values)
    hints = None
    if bad.any():
        status[bad] = Status.TYPE
        values[bad] = np.nan
        hints = np.where(bad, "不是有效的数字；" + expected_hint(column), "").astype(object)
    return values, status, kinds, hints


def _check_range(values: np.ndarray, status: np.ndarray, column: Column) -> None:
    ok = status == Status.OK
    out = np.zeros(len(values), dtype=bool)
    if column.min is not None:
        out |= values < column.min - _EPS
    if column.max is not None:
        out |= values > column.max + _EPS
    status[ok & out] = Status.RANGE


def is_text(series: pd.Series) -> bool:
    """True for pandas' string dtype (cheaper than comparing with "str", which parses the name every time)."""
    return isinstance(series.dtype, pd.StringDtype)


def as_text(value: object) -> str | None:
    """A spreadsheet value as the text a user would see in the cell (None for empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.15g}"
    if isinstance(value, datetime):
        return str(value.date()) if value.time() == time() else value.isoformat(sep=" ")
    return str(value)


def _mostly_unique(array: pa.Array | pa.ChunkedArray) -> bool:
    """Names and codes: hashing them to find distinct values would cost more than it saves."""
    return len(array) > 4096 and pc.count_distinct(array.slice(0, 2048)).as_py() > 1536


def _flat(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array."""
    if isinstance(array, pa.ChunkedArray):
        return array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    return array


def _encoded(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes (-1 for missing) and distinct values of Arrow text, hashed once by pyarrow (without the GIL)."""
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=pa.large_string())
    encoded = _flat(pc.dictionary_encode(array))  # the chunks of a chunked column share one dictionary
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def _distinct(series: pd.Series, hash_all: bool = True) -> tuple[np.ndarray, pa.Array]:
    """`distinct` with the values as Arrow text."""
    if is_text(series):
        array = _arrow(series)
        # Names and codes are nearly all different: hashing them costs more than it saves, so each row stands for itself.
        if not hash_all and _mostly_unique(array):
            missing = _bools(pc.is_null(array))
            if not missing.any():
                return np.arange(len(series)), _flat(array)
            return np.where(missing, -1, np.arange(len(series))), _flat(pc.fill_null(array, ""))
        return _encoded(array)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pa.array([as_text(u) for u in uniques], type=pa.large_string())


def distinct(series: pd.Series, *, hash_all: bool = True) -> tuple[np.ndarray, pd.Series]:
    """Codes (-1 for missing) and the distinct values of a column as text; `hash_all=False` skips hashing near-unique columns."""
    codes, texts = _distinct(series, hash_all)
    return codes, _strings(texts)


def _take(table: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """Per-row values from per-distinct-value ones (code -1 → `missing`)."""
    return np.append(table, np.array([missing], dtype=table.dtype))[codes]


def _arrow(series: pd.Series) -> pa.Array:
    return pa.array(series, type=pa.large_string())


def _bools(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strings(array: pa.Array) -> pd.Series:
    return pd.Series(pd.array(array, dtype=STR), dtype=STR)


# A number followed by a percent sign or a unit, with no spaces, signs or separators (those go to parse_cell).
_SUFFIXED = r"^(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?P<unit>[^0-9.,eE+\-\s%][^0-9\s%]*|%|％)$"


def _with_suffix(texts: pa.Array, candidates: np.ndarray, column: Column, u_values: np.ndarray,
                 u_status: np.ndarray, u_kinds: dict[str, np.ndarray], u_hints: np.ndarray) -> np.ndarray:
    """Numbers with a percent sign or a unit ('85%', '120㎡'). Each distinct suffix is ruled on once by
    `parse_cell` (as '1' + suffix, which yields its factor) and applied to every number that carries it."""
    n = len(texts)
    done = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(candidates)
    found = pc.extract_regex(texts.take(pa.array(idx)), _SUFFIXED)
    matched = _bools(found.is_valid())
    if not matched.any():
        return done
    rows = idx[matched]
    parts = found.filter(pa.array(matched))
    numbers = pc.cast(parts.field("num"), pa.float64()).to_numpy(zero_copy_only=False)
    units = pc.dictionary_encode(parts.field("unit"))
    which = units.indices.to_numpy(zero_copy_only=False)
    for u, suffix in enumerate(units.dictionary.to_pylist()):
        percent = suffix in ("%", "％")
        if column.type == "rate" and not percent:
            continue  # without a percent sign a rate's reading depends on its size: left to parse_cell
        rule, twice = parse_cell("1" + suffix, column), parse_cell("2" + suffix, column)
        if (rule.status, rule.kinds, rule.hint) != (twice.status, twice.kinds, twice.hint):
            continue  # the suffix changes with the number (e.g. '²' joins it after NFKC): left to parse_cell
        linear = rule.status not in (Status.OK, Status.RANGE) or math.isclose(twice.value, 2 * rule.value, rel_tol=1e-12)
        if not linear:
            continue
        at = which == u
        if rule.status not in (Status.OK, Status.RANGE):
            u_status[rows[at]], u_hints[rows[at]] = rule.status, rule.hint
        else:
            # the same arithmetic as parse_cell: a percentage is divided by 100, a unit multiplies by its factor
            u_values[rows[at]] = numbers[at] / 100.0 if percent and column.type == "rate" else numbers[at] * rule.value
            u_status[rows[at]] = Status.OK
        for kind in rule.kinds:
            u_kinds.setdefault(kind, np.zeros(n, dtype=bool))[rows[at]] = True
        done[rows[at]] = True
    return done


@dataclass(frozen=True)
class _Words:
    """The usual spellings of a yes/no or level column, parsed once: most cells are looked up here."""

    words: pa.Array
    cells: tuple[Cell, ...]


@lru_cache(maxsize=256)
def _usual_words(column: Column) -> _Words:
    base = [*vocab.TRUE_WORDS, *vocab.FALSE_WORDS, "1", "0"] if column.type == "bool" else list(vocab.level_table(column.levels))
    spelled = [*base, *vocab.NOT_APPLICABLE_WORDS, "N/A", "NA"]
    words = list(dict.fromkeys(w for word in spelled for w in (word, word.upper(), word.title())))
    return _Words(pa.array(words, type=pa.large_string()), tuple(parse_cell(w, column) for w in words))


def _codes_with_usual_words(array: pa.Array | pa.ChunkedArray, column: Column) -> tuple[np.ndarray, pa.Array, tuple[Cell, ...]]:
    """Codes into [usual words…, other distinct values…]: a hash lookup against a small table first, so
    only the unusual cells are hashed into distinct values."""
    usual = _usual_words(column)
    found = pc.index_in(array, value_set=usual.words)
    codes = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    others = np.flatnonzero(_bools(pc.and_(pc.is_null(found), pc.is_valid(array))))
    if not len(others):
        return codes, usual.words, usual.cells
    sub_codes, sub_texts = _encoded(array.take(pa.array(others)))
    codes[others] = np.where(sub_codes < 0, -1, sub_codes + len(usual.words))
    return codes, pa.concat_arrays([usual.words, sub_texts]), usual.cells


def convert_column(series: pd.Series, column: Column) -> Converted:
    """`parse_cell` over a whole column: plain numbers in bulk, each unit suffix once, each other spelling once."""
    if column.type != "level" and is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        values, status, kinds, hints = _from_numbers(series.to_numpy(dtype=np.float64, na_value=np.nan), column)
        _check_range(values, status, column)
        return Converted(values, status, None, kinds, hints)
    known: tuple[Cell, ...] = ()
    if is_text(series) and column.type in ("bool", "level"):
        codes, texts, known = _codes_with_usual_words(_arrow(series), column)
    else:
        codes, texts = _distinct(series)
    n = len(texts)
    u_values = np.full(n, np.nan)
    u_status = np.full(n, Status.BLANK, dtype=np.int8)
    u_kinds: dict[str, np.ndarray] = {}
    u_hints = np.full(n, "", dtype=object)
    slow = np.ones(n, dtype=bool)
    slow[: len(known)] = False
    if column.type != "level" and n > len(known):
        fast = _bools(pc.match_substring_regex(texts, f"^{_PLAIN}$")) & slow
        if fast.any():
            idx = np.flatnonzero(fast)
            numbers = pc.cast(texts.filter(pa.array(fast)), pa.float64()).to_numpy(zero_copy_only=False)
            values, status, kinds, hints = _from_numbers(numbers, column)
            u_values[idx], u_status[idx] = values, status
            for kind, mask in kinds.items():
                u_kinds.setdefault(kind, np.zeros(n, dtype=bool))[idx] = mask
            if hints is not None:
                u_hints[idx] = hints
            slow &= ~fast
    if column.type in ("number", "points", "rate") and slow.any():
        slow &= ~_with_suffix(texts, slow, column, u_values, u_status, u_kinds, u_hints)
    slow_idx = np.flatnonzero(slow)
    parsed = [*zip(range(len(known)), known),
              *((i, parse_cell(text, column)) for i, text in zip(slow_idx.tolist(), texts.take(pa.array(slow_idx)).to_pylist()))]
    for i, cell in parsed:
        u_values[i], u_status[i], u_hints[i] = cell.value, cell.status, cell.hint
        for kind in cell.kinds:
            u_kinds.setdefault(kind, np.zeros(n, dtype=bool))[i] = True
    _check_range(u_values, u_status, column)
    hints_needed = (u_hints != "").any()
    return Converted(_take(u_values, codes, np.nan), _take(u_status, codes, Status.BLANK), codes, u_kinds,
                     u_hints if hints_needed else None)


@dataclass(frozen=True)
class TextColumn:
    """A text column normalized: values per row (str dtype, NA for blank) and normalization kinds per
    distinct value (indexed by `codes`)."""

    values: pd.Series
    codes: np.ndarray
    kinds: dict[str, np.ndarray]

    def kind_counts(self, rows: np.ndarray) -> dict[str, int]:
        """How many of the selected rows each normalization kind changed."""
        return _kind_counts(self.codes, self.kinds, rows)


_INNER_SPACE = f"[{_SPACE}]+"
_PERIOD = r"([0-9]{4}) ?(?:年度|年)"
# Printable ASCII, CJK ideographs and CJK punctuation that NFKC leaves alone: such text needs only trimming.
_NEEDS_CARE = r"[^\x{20}-\x{7e}\x{4e00}-\x{9fff}\x{3001}\x{3002}\x{300a}-\x{3011}\x{2018}-\x{201d}\x{2014}\x{b7}]|  "
# The same characters as UTF-8 bytes, for one pass over a whole column's text (binary data is matched byte by byte).
_PLAIN_BYTES = (rb"^(?:[\x20-\x7e]|\xe4[\xb8-\xbf][\x80-\xbf]|[\xe5-\xe9][\x80-\xbf][\x80-\xbf]|\xe3\x80[\x81\x82\x8a-\x91]"
                rb"|\xe2\x80[\x94\x98-\x9d]|\xc2\xb7)*$").decode("latin-1")


def _whole(raw: pa.Array | pa.ChunkedArray) -> list[pa.Buffer]:
    """Each chunk's cells as one run of UTF-8 bytes, without copying: a test of every cell at once."""
    pieces = []
    for chunk in raw.chunks if isinstance(raw, pa.ChunkedArray) else [raw]:
        _, offsets, data = chunk.buffers()
        if data is None or len(chunk) == 0:
            continue
        start, end = np.frombuffer(offsets, dtype=np.int64)[[chunk.offset, chunk.offset + len(chunk)]].tolist()
        pieces.append(data.slice(start, end - start))
    return pieces


def _plain(piece: pa.Buffer) -> tuple[bool, bool]:
    """(only characters NFKC leaves alone and no double space, any space at all) for these bytes."""
    data = np.frombuffer(piece, dtype=np.uint8)
    if not len(data):
        return True, False
    spaces = np.flatnonzero(data == 0x20)
    if len(spaces) > 1 and (np.diff(spaces) == 1).any():  # may span two cells: then the column goes the slow way
        return False, True
    if data.min() >= 0x20 and data.max() <= 0x7E:  # printable ASCII: codes, numbers, Latin names
        return True, len(spaces) > 0
    single = pa.Array.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), piece])
    return bool(pc.match_substring_regex(single, _PLAIN_BYTES)[0].as_py()), len(spaces) > 0


def _needs_care(raw: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, bool]:
    """Cells with characters NFKC may change or a double space, and whether any cell may hold a space; most
    columns are ruled out in one pass over their bytes."""
    if raw.type == pa.large_string():
        scans = [_plain(piece) for piece in _whole(raw)]
        if all(plain for plain, _ in scans):
            return np.zeros(len(raw), dtype=bool), any(spaced for _, spaced in scans)
    return _bools(pc.match_substring_regex(raw, _NEEDS_CARE)), True


def clean_text(raw: str, *, period: bool = False) -> tuple[str | None, tuple[str, ...]]:
    """One text cell: NFKC, trimmed, inner spaces collapsed to one; `period` folds '2025年度' to '2025'."""
    normalized = unicodedata.normalize("NFKC", raw)
    kinds = _width_kinds(raw, normalized)
    clean = re.sub(_INNER_SPACE, " ", normalized.strip(_SPACE))
    if period and re.fullmatch(_PERIOD, clean):
        clean = clean[:4]
        kinds.append(vocab.PERIOD)
    elif clean and clean != normalized:
        kinds.append(vocab.SPACES)
    return clean or None, tuple(kinds)


def normalize_text(series: pd.Series, *, period: bool = False) -> TextColumn:
    """`clean_text` over a whole column, in bulk with pyarrow (plain ASCII and CJK text is only trimmed)."""
    codes, raw = _distinct(series, hash_all=False)
    n = len(raw)
    care, spaced = _needs_care(raw)
    trimmed = spaced or bool(care.any())
    clean = pc.utf8_trim(raw, " ") if trimmed else raw  # without a space or anything NFKC changes, text is already clean
    normalized = raw
    kinds: dict[str, np.ndarray] = {}
    if care.any():
        picked = pa.array(care)
        sub = raw.filter(picked)
        norm = pc.utf8_normalize(sub, "NFKC")
        changed = _bools(pc.not_equal(norm, sub))
        idx = np.flatnonzero(care)
        digits = changed & _bools(pc.match_substring_regex(sub, _re2(_FULLWIDTH_DIGIT)))
        signs = changed & _bools(pc.match_substring_regex(pc.utf8_trim(sub, _SPACE + "\u3000"), _re2(_FULLWIDTH_OTHER)))
        for kind, mask in ((vocab.FULLWIDTH_DIGITS, digits), (vocab.FULLWIDTH_SIGNS, signs)):
            if mask.any():
                kinds.setdefault(kind, np.zeros(n, dtype=bool))[idx[mask]] = True
        fixed = pc.replace_substring_regex(pc.utf8_trim(norm, _SPACE), _INNER_SPACE, " ")
        clean = pc.replace_with_mask(clean, picked, fixed)
        normalized = pc.replace_with_mask(raw, picked, norm)
    years = np.zeros(n, dtype=bool)
    if period:
        years = _bools(pc.match_substring_regex(clean, f"^{_PERIOD}$"))
        if years.any():
            kinds[vocab.PERIOD] = years
            clean = pc.replace_with_mask(clean, pa.array(years), pc.utf8_slice_codeunits(clean.filter(pa.array(years)), 0, 4))
    blank = _bools(pc.equal(clean, ""))
    spaces = _bools(pc.not_equal(clean, normalized)) & ~blank & ~years if trimmed else np.zeros(n, dtype=bool)
    if spaces.any():
        kinds[vocab.SPACES] = spaces
    table = _strings(clean)
    if blank.any():
        table = table.where(~blank)
    if len(codes) == len(table) and (codes == np.arange(len(codes))).all():  # every row its own value: no take
        return TextColumn(table.set_axis(series.index), codes, kinds)
    values = pd.Series(table.array.take(codes, allow_fill=True), index=series.index, dtype=STR)
    return TextColumn(values, codes, kinds)


def _re2(python_class: str) -> str:
    """A character class written for Python's re, in RE2 syntax (\\uXXXX → \\x{XXXX})."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", python_class)
