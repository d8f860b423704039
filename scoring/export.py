"""Exports: results and validation reports as CSV and formatted .xlsx, safe against formula injection, readable back.

Every writer goes through `neutralize`: text a spreadsheet would evaluate (starting with = + - @ tab or CR) gets a
leading single quote in CSV (the OWASP advice) and is written as a quote-prefixed string cell in .xlsx, which
Excel shows as typed and never evaluates. Numbers, negative ones included, stay numbers. `read_results` and
`read_table` undo the CSV quote, so a file written here reads back as the frame it was written from.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from scoring.compare import compare_periods, periods
from scoring.engine import round_half_up
from scoring.errors import InputError, input_texts, said
from scoring.explain import reason_table
from scoring.ingest.header import column_letter
from scoring.ingest.report import FRAME_COLUMNS, FRAME_COLUMNS_EN, ValidationReport
from scoring.results import Results
from scoring.rubric import BRANCH_ID, FIELD, NAME, PERIOD
from scoring.rubricset import RubricSet

RANKING, STANDARDS, INDICATORS, REASONS, LAGGING, MOVES = "排名", "各标准得分", "各指标得分", "失分原因", "后进及软弱涣散候选", "晋位升级"
SHEETS = (RANKING, STANDARDS, INDICATORS, REASONS, LAGGING, MOVES)
PROBLEMS_SHEET = "数据校验问题"

# Score columns of Results.branches, their Chinese headers and the order they are shown in.
SCORE_HEADERS = {
    "total": "总分", "max_total": "满分", "percent": "得分率", "base": "基础分", "bonus": "加分", "penalty": "减分",
    "band_grade": "分数线等次", "grade": "等次", "rank": "组内排名", "group_size": "组内支部数", "alert": "预警",
}
FLAGS, MAIN_REASONS, RUBRIC = "标记", "主要原因", "评分细则"
_IDENTITY_ORDER = (BRANCH_ID, NAME, FIELD, PERIOD, "district", "township", "parent")
_REASON_KINDS = {"lost": "失分", "bonus": "加分", "penalty": "减分", "band": "分数线", "rule": "评定规则", "grade": "最终等次"}
_MOVE_HEADERS = {
    "name": "党组织名称", "field": "领域", "district": "县（市、区）", "township": "乡镇（街道）", "parent": "上级党组织",
    "total_before": "上期总分", "total_after": "本期总分", "grade_before": "上期等次", "grade_after": "本期等次",
    "change": "分数变化", "move": "变动", "flags": "持续问题",
}
# Headers whose cells are text in every view (the rest are numbers); identity headers come from the rubrics.
_TEXT_HEADERS = frozenset({
    "分数线等次", "等次", "预警", FLAGS, MAIN_REASONS, RUBRIC, "类别", "项目", "说明", "上期等次", "本期等次", "变动", "持续问题",
    *FRAME_COLUMNS[:2], *FRAME_COLUMNS[3:],
})
_INTEGER_HEADERS = frozenset({"组内排名", "组内支部数"})
_NULLABLE_INTEGER_HEADERS = frozenset({"行"})  # the problem list's spreadsheet row, empty for whole-file problems
_PERCENT_HEADERS = frozenset({"得分率"})
# The fixed headers, sheet names and reason kinds above in English (identity labels, standards and indicators are rubric
# content: an English download names them by the rubric's English names, given by the caller).
ENGLISH = {
    RANKING: "Ranking", STANDARDS: "Standards", INDICATORS: "Indicators", REASONS: "Reasons", LAGGING: "Lagging and weak",
    MOVES: "Year over year", PROBLEMS_SHEET: "Validation problems",
    "总分": "Total", "满分": "Max", "得分率": "% of points", "基础分": "Base", "加分": "Bonus", "减分": "Penalty",
    "分数线等次": "Grade by score", "等次": "Grade", "组内排名": "Rank in group", "组内支部数": "Group size", "预警": "Warning",
    FLAGS: "Flags", MAIN_REASONS: "Main reasons", RUBRIC: "Rubric", "类别": "Kind", "项目": "Item", "分值": "Points", "说明": "Notes",
    "县（市、区）": "District", "乡镇（街道）": "Township", "上级党组织": "Parent organization", "党组织代码": "Code",
    "党组织名称": "Name", "领域": "Field", "考核年度": "Period", "上期总分": "Total before", "本期总分": "Total after",
    "上期等次": "Grade before", "本期等次": "Grade after", "分数变化": "Change", "变动": "Move", "持续问题": "Persistent problems",
    "失分": "points lost", "分数线": "score band", "评定规则": "grading rule", "最终等次": "final grade",
}
_NAMED_HEADERS = ("分数线等次", "等次", "预警", "上期等次", "本期等次", "变动")  # cells holding grade, warning and move names
_SEP = {"zh": "、", "en": ", "}

# ---------------------------------------------------------------------------------------------- neutralizing

# Control characters XML 1.0 forbids (openpyxl's ILLEGAL_CHARACTERS_RE; not imported, so CSV writers skip openpyxl).
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_DANGEROUS = re.compile(r"'*[=+\-@\t\r]")  # quotes first, so that quoting is always reversible
_DANGEROUS_TEXT = "^" + _DANGEROUS.pattern  # the same rule for pandas' vectorized string matching


def neutralize(value: Any) -> Any:
    """A value no spreadsheet evaluates: text starting (after any quotes) with = + - @ tab or CR gets a leading quote."""
    # Quotes already in front count, so that unneutralize can always undo exactly this. Numbers are returned unchanged.
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def unneutralize(value: Any) -> Any:
    """The text `neutralize` was given (exactly: `unneutralize(neutralize(x)) == x` for every x)."""
    if isinstance(value, str) and value.startswith("'") and _DANGEROUS.match(value, 1):
        return value[1:]
    return value


def _is_textual(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.StringDtype | pd.CategoricalDtype) or series.dtype == object


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with `neutralize` applied to every text cell and header (vectorized; numbers untouched)."""
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not _is_textual(column):
            continue
        if column.dtype == object and not column.map(lambda v: v is None or isinstance(v, str) or pd.isna(v)).all():
            out.isetitem(position, column.map(neutralize).to_numpy(dtype=object))  # mixed text and numbers
            continue
        text = column.astype("str") if not isinstance(column.dtype, pd.StringDtype) else column
        hit = text.str.contains(_DANGEROUS_TEXT, regex=True, na=False).to_numpy(dtype=bool)
        if hit.any():
            out.isetitem(position, text.where(~hit, "'" + text).array)
    out.columns = [neutralize(str(c)) for c in out.columns]
    return out


# ---------------------------------------------------------------------------------------------- views


def _labels(rubrics: RubricSet) -> dict[str, str]:
    labels = {"district": "县（市、区）", "township": "乡镇（街道）", "parent": "上级党组织", BRANCH_ID: "党组织代码",
              NAME: "党组织名称", FIELD: "领域", PERIOD: "考核年度"}
    labels.update({cid: col.label for cid, col in rubrics.columns.items()})
    return labels


def decimals(rubrics: RubricSet) -> int:
    """Decimals of points in exports: the finest `precision` among the rubrics (totals are already rounded to theirs)."""
    return max((r.precision for r in rubrics.concrete), default=2)


def _rounded(frame: pd.DataFrame, rubrics: RubricSet) -> pd.DataFrame:
    """The frame with its float columns rounded to the rubrics' precision (percentages two places finer)."""
    places = decimals(rubrics)
    for position, column in enumerate(frame.columns):
        if frame.dtypes.iloc[position] == np.float64:
            digits = places + 2 if column in _PERCENT_HEADERS else places
            frame.isetitem(position, round_half_up(frame.iloc[:, position].to_numpy(), digits))
    return frame


def _identity(results: Results, rubrics: RubricSet, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Identity columns of the branches (input columns that are text), under their Chinese labels."""
    b = results.branches
    score = {*SCORE_HEADERS, "rubric", "level"}
    text_ids = [c for c in b.columns if c not in score and (c in _IDENTITY_ORDER or _is_textual(b[c]))]
    wanted = columns if columns is not None else tuple(text_ids)
    ordered = [c for c in _IDENTITY_ORDER if c in wanted and c in b] + [c for c in wanted if c not in _IDENTITY_ORDER and c in b]
    labels = _labels(rubrics)
    return pd.DataFrame({labels.get(c, c): _text(b[c]) for c in ordered}, index=b.index)


def _short_identity(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    return _identity(results, rubrics, (BRANCH_ID, NAME, FIELD, PERIOD, "township", "parent"))


def _text(values: Any, index: pd.Index | None = None) -> pd.Series:
    """Text cells; an empty text is a missing one (a CSV cannot tell them apart)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, index=index)
    if isinstance(series.dtype, pd.CategoricalDtype):  # each category made text once, not each row
        words = series.cat.categories.astype("str").array
        text = pd.Series(words.take(series.cat.codes.to_numpy(), allow_fill=True), index=series.index)
    else:
        text = series.astype("str")
    return text.where(text.ne("").to_numpy(dtype=bool, na_value=False))


def _flags(results: Results, lang: str = "zh") -> pd.Series:
    """The flags raised on each row, joined with 、 (", " in English): each distinct set of flags is joined once."""
    sep = _SEP.get(lang, "、")
    hits = results.flags.to_numpy(dtype=bool)
    names = [str(c) for c in results.flags.columns]
    which = np.zeros(len(hits), dtype=np.int64)  # each row's set of flags, numbered
    for j in range(hits.shape[1]):
        which, _ = pd.factorize(which * 2 + hits[:, j])
    _, first = np.unique(which, return_index=True)
    joined = pd.array([sep.join(n for n, on in zip(names, hits[row]) if on) for row in first], dtype="str")
    return _text(pd.Series(joined.take(which), index=results.branches.index))


def _sort_codes(values: pd.Series) -> np.ndarray:
    """Integers that sort as the values do, missing values last."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def _order(results: Results, rubrics: RubricSet) -> pd.Index:
    """Rows in ranking order: period, field, the rubric's ranking group, rank within it (missing last, ties in input order)."""
    b = results.branches
    group = pd.Series("", index=b.index, dtype="str")
    by_column: dict[str, list[str]] = {}
    for rubric in rubrics.concrete:
        by_column.setdefault(rubric.grading.rank_by, []).append(rubric.id)
    for column, ids in by_column.items():
        if column in b:
            mine = b["rubric"].isin(ids).to_numpy(dtype=bool) if "rubric" in b else np.ones(len(b), dtype=bool)
            group = b[column].astype("str").fillna("").where(mine, group)
    rank = b["rank"].to_numpy(dtype=float) if "rank" in b else np.zeros(len(b))
    keys = [_sort_codes(b[c].astype("str")) for c in (PERIOD, FIELD) if c in b]
    return b.index[np.lexsort((rank, _sort_codes(group), *reversed(keys)))]  # the last key sorts first


def ranking_view(results: Results, rubrics: RubricSet, lang: str = "zh") -> pd.DataFrame:
    """排名: identity, totals, grade, rank within the group, warning and flags, in ranking order."""
    b = results.branches
    out = _identity(results, rubrics)
    names = {r.id: r.name for r in rubrics.concrete}
    if "rubric" in b:
        out[RUBRIC] = _text(b["rubric"].map(names).fillna(b["rubric"]))
    for key, header in SCORE_HEADERS.items():
        if key not in b:
            continue
        column = b[key]
        if key in ("rank", "group_size"):
            out[header] = column.astype("int64")
        elif _is_textual(column):
            out[header] = _text(column)
        else:
            out[header] = column.astype("float64")
    out[FLAGS] = _flags(results, lang)
    return _rounded(out.loc[_order(results, rubrics)].reset_index(drop=True), rubrics)


def _unique_names(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """id → display name, with the id added where two ids share a name."""
    counts: dict[str, int] = {}
    for _, name in pairs:
        counts[name] = counts.get(name, 0) + 1
    return {i: (name if counts[name] == 1 else f"{name}（{i}）") for i, name in pairs}


def standards_view(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """各标准得分: points per standard (columns named after the standards), total and grade."""
    seen: dict[str, str] = {}
    for rubric in rubrics.concrete:
        for std in rubric.standards:
            seen.setdefault(std.id, std.name)
    names = _unique_names([(i, n) for i, n in seen.items() if i in results.standards])
    out = _short_identity(results, rubrics)
    for sid, header in names.items():
        out[header] = results.standards[sid].astype("float64")
    out["总分"] = results.branches["total"].astype("float64")
    out["等次"] = _text(results.branches["grade"])
    return _rounded(out.loc[_order(results, rubrics)].reset_index(drop=True), rubrics)


def indicators_view(results: Results, rubrics: RubricSet) -> pd.DataFrame:
    """各指标得分: points per indicator (columns named after the indicators; empty = not applicable or not in the rubric)."""
    seen: dict[str, str] = {}
    for rubric in rubrics.concrete:
        for ind in rubric.indicators():
            seen.setdefault(ind.id, ind.name)
    names = _unique_names([(i, n) for i, n in seen.items() if i in results.indicators])
    out = _short_identity(results, rubrics)
    points = pd.DataFrame({header: results.indicators[iid].astype("float64") for iid, header in names.items()}, index=out.index)
    out = pd.concat([out, points], axis=1)
    out["总分"] = results.branches["total"].astype("float64")
    return _rounded(out.loc[_order(results, rubrics)].reset_index(drop=True), rubrics)


def reasons_view(results: Results, rubrics: RubricSet, lang: str = "zh") -> pd.DataFrame:
    """失分原因: one row per reason per branch (lost points largest first, adjustments, then grading rules)."""
    table = reason_table(results, rubrics, lang)
    ident = _short_identity(results, rubrics)
    item_names = {**{i.id: i.name for r in rubrics.concrete for i in r.indicators()},
                  **{str(getattr(x, "id", "")): str(getattr(x, "reason", "") or getattr(x, "id", "")) for r in rubrics.concrete
                     for x in (*r.grading.direct, *r.grading.floors, *r.grading.vetoes, *r.grading.quotas, *r.grading.bottom)},
                  "band": "分数线", "grade": "最终等次"}
    rows = table["row"].to_numpy()
    out = ident.loc[rows].reset_index(drop=True)
    kinds = {k: ENGLISH.get(v, v) for k, v in _REASON_KINDS.items()} if lang == "en" else _REASON_KINDS
    if lang == "en":
        item_names.update(band=ENGLISH["分数线"], grade=ENGLISH["最终等次"])
    out["类别"] = _text(table["kind"].map(kinds).fillna(table["kind"]).to_numpy(), out.index)
    out["项目"] = _text(table["item"].map(item_names).fillna(table["item"]).to_numpy(), out.index)
    out["分值"] = table["points"].to_numpy(dtype=float)
    out["说明"] = _text(table["text"].to_numpy(), out.index)
    return _rounded(out, rubrics)


def lagging_mask(results: Results, rubrics: RubricSet) -> np.ndarray:
    """Rows in the lowest grade of their rubric, or with any flag raised (软弱涣散 and its candidates included)."""
    b = results.branches
    lowest = b["rubric"].map({r.id: len(r.grading.bands) - 1 for r in rubrics.concrete})
    low = (b["level"].to_numpy(dtype=float) == lowest.to_numpy(dtype=float)) if "level" in b else np.zeros(len(b), dtype=bool)
    flagged = results.flags.to_numpy(dtype=bool).any(axis=1) if results.flags.shape[1] else np.zeros(len(b), dtype=bool)
    return np.asarray(low | flagged, dtype=bool)


def lagging_view(results: Results, rubrics: RubricSet, losses: int = 3, lang: str = "zh") -> pd.DataFrame:
    """后进及软弱涣散候选: the lowest grade or flagged branches, lowest totals first, with the main reasons."""
    chosen = results.branches.index[lagging_mask(results, rubrics)]
    part = results.take(chosen)
    b = part.branches
    out = _short_identity(part, rubrics)
    out["总分"] = b["total"].astype("float64")
    out["等次"] = _text(b["grade"])
    if "alert" in b:
        out["预警"] = _text(b["alert"])
    out[FLAGS] = _flags(part, lang)
    table = reason_table(part, rubrics, lang) if len(part) else pd.DataFrame(columns=["row", "kind", "points", "text"])
    rules = table[table["kind"] == "rule"]
    lost = table[table["kind"] == "lost"].sort_values(["row", "points"], ascending=[True, False], kind="stable")
    picked = pd.concat([rules, lost.groupby("row", sort=False).head(losses)])
    text = picked.groupby("row", sort=False)["text"].agg(("；" if lang == "zh" else "; ").join)
    out[MAIN_REASONS] = _text(text.reindex(b.index))
    return _rounded(out.sort_values(["总分"], kind="stable").reset_index(drop=True), rubrics)


def moves_view(results: Results, rubrics: RubricSet, before: str | None = None, after: str | None = None,
               lang: str = "zh") -> pd.DataFrame | None:
    """晋位升级: per branch, totals and grades of two periods and the move; None when there are fewer than two."""
    found = periods(results)
    if before is None or after is None:
        if len(found) < 2:
            return None
        before, after = found[-2], found[-1]
    table = compare_periods(results, rubrics, before, after, lang)
    labels = _labels(rubrics)
    renamed = table.rename(columns={BRANCH_ID: labels[BRANCH_ID], **_MOVE_HEADERS})
    for column in renamed.columns:
        if column in _TEXT_HEADERS or column in labels.values():
            renamed[column] = _text(renamed[column])
        else:
            renamed[column] = renamed[column].astype("float64")
    return _rounded(renamed.reset_index(drop=True), rubrics)


def result_views(results: Results, rubrics: RubricSet, *, before: str | None = None, after: str | None = None,
                 lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Every view by sheet name: 排名, 各标准得分, 各指标得分, 失分原因, 后进及软弱涣散候选, and 晋位升级 when two periods exist
    (headers stay Chinese keys; texts the core writes are in `lang`)."""
    views = {
        RANKING: ranking_view(results, rubrics, lang),
        STANDARDS: standards_view(results, rubrics),
        INDICATORS: indicators_view(results, rubrics),
        REASONS: reasons_view(results, rubrics, lang),
        LAGGING: lagging_view(results, rubrics, lang=lang),
    }
    moves = moves_view(results, rubrics, before, after, lang)
    if moves is not None:
        views[MOVES] = moves
    return views


def named(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """A view with the grade, warning and move names in its cells shown by `names` (e.g. English; headers unchanged)."""
    if not names:
        return frame
    out = frame.copy()
    for column in (c for c in _NAMED_HEADERS if c in out):
        out[column] = out[column].map(lambda v: names.get(v, v) if isinstance(v, str) else v)
    return out


def headers_in(lang: str, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Chinese header or sheet name → its name in `lang` ({} in Chinese): rubric names by `names`, the rest by ENGLISH."""
    return {**(names or {}), **ENGLISH} if lang == "en" else {}


# ---------------------------------------------------------------------------------------------- writers


def write_csv(frame: pd.DataFrame, sink: BinaryIO) -> None:
    """Any table as formula-safe CSV, UTF-8 with a BOM (what Excel on Windows opens correctly), written by Arrow."""
    import pyarrow as pa
    from pyarrow import csv

    sink.write(codecs.BOM_UTF8)
    safe = neutralize_frame(frame)
    for position in range(safe.shape[1]):  # Arrow writes categories only as plain text
        if isinstance(safe.dtypes.iloc[position], pd.CategoricalDtype):
            safe.isetitem(position, safe.iloc[:, position].astype("str").array)
    table = pa.Table.from_pandas(safe, preserve_index=False)
    csv.write_csv(table, sink, csv.WriteOptions(eol="\r\n", batch_size=_CSV_BATCH))


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Any table as formula-safe CSV bytes (see `write_csv`)."""
    out = io.BytesIO()
    write_csv(frame, out)
    return out.getvalue()


def to_csv_bytes(results: Results, rubrics: RubricSet, view: str = RANKING, lang: str = "zh",
                 names: Mapping[str, str] | None = None) -> bytes:
    """One view of the results (排名 by default) as formula-safe CSV, with English headers and names when lang="en"."""
    views = {RANKING: lambda: ranking_view(results, rubrics, lang), STANDARDS: lambda: standards_view(results, rubrics),
             INDICATORS: lambda: indicators_view(results, rubrics), REASONS: lambda: reasons_view(results, rubrics, lang),
             LAGGING: lambda: lagging_view(results, rubrics, lang=lang)}
    if view == MOVES:
        moves = moves_view(results, rubrics, lang=lang)
        if moves is None:
            raise ValueError("晋位升级需要两个考核期的数据")
        frame = moves
    else:
        frame = views[view]()
    return frame_to_csv_bytes(named(frame, names or {}).rename(columns=headers_in(lang, names)))


_CSV_BATCH = 16_384  # rows Arrow converts at a time: large enough to be fast, small enough to stay lean
_WIDTH_SAMPLE = 500
_MAX_ROWS = 1_048_575  # Excel's row limit, less the header row
_MAX_TEXT = 32_767  # Excel's limit on the characters of one cell
# Cell styles in _styles() below: 0 plain, 1 header, 2 percent, 3 quote-prefixed text, 4 quote-prefixed header,
# 5 whole numbers ("0"), 6 points with the rubrics' decimals ("0.00"), so that Excel never shows 8.725714286.
_PLAIN, _HEADER, _PERCENT, _QUOTED, _QUOTED_HEADER, _WHOLE, _POINTS = range(7)
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEADER_XF = ('<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"{q}>'
              '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>')
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="{points}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE6F0"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + _HEADER_XF.format(q="")
    + '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    + _HEADER_XF.format(q=' quotePrefix="1"')
    + '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})  # a raw CR would read back as LF


def _display_width(text: str) -> int:
    return len(text.encode("gbk", errors="replace"))  # CJK characters take two columns, like GBK bytes


def _xml_text(text: str) -> str:
    """Text as it may stand inside a cell: characters .xlsx cannot hold replaced, XML escaped, length capped."""
    return _ILLEGAL_XML.sub("\ufffd", text[:_MAX_TEXT]).translate(_XML_ESCAPES)


def _styles(decimals: int) -> str:
    """The stylesheet, with points shown to `decimals` places."""
    return _STYLES.replace("{points}", "0." + "0" * decimals if decimals else "0")


def _cells(column: pd.Series, percent: bool) -> list[str | None]:
    """The XML body of each cell of a column after its reference (`<c r="B7"` + body), None for empty cells.
    Built per distinct text value and with vectorized number formatting, never per cell by hand."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype) or pd.api.types.is_timedelta64_dtype(column.dtype):
        column = column.astype("str").where(column.notna())
    if _is_textual(column):
        codes, uniques = pd.factorize(column.astype("str"), use_na_sentinel=True)
        bodies = []
        for text in uniques.tolist():
            style = f' s="{_QUOTED}"' if neutralize(text) is not text else ""
            bodies.append(f'{style} t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>')
        table = np.array([*bodies, None], dtype=object)
        return list(table[codes])  # code -1 (missing) takes the last entry, None
    if column.dtype == bool:
        return [f' t="b"><v>{int(v)}</v></c>' for v in column.to_numpy()]
    numbers = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    finite = np.isfinite(numbers)
    integral = finite & (np.abs(numbers) < 2**53)
    integral[integral] = numbers[integral] == np.round(numbers[integral])
    style = f' s="{_PERCENT if percent else _WHOLE if integral.sum() == finite.sum() else _POINTS}"'
    out = np.full(len(numbers), None, dtype=object)
    floats = finite & ~integral
    if floats.any():  # repr is the shortest text that reads back as the same float
        out[floats] = [f"{style}><v>{v!r}</v></c>" for v in numbers[floats].tolist()]
    if integral.any():
        out[integral] = [f"{style}><v>{v}</v></c>" for v in numbers[integral].astype(np.int64).tolist()]
    return list(out)


def _sheet_xml(frame: pd.DataFrame, freeze_columns: int, shown: Mapping[str, str]) -> bytes:
    keys = [str(c) for c in frame.columns]  # formats follow the header keys; the header row shows their names
    headers = [shown.get(k, k) for k in keys]
    letters = [column_letter(i) for i in range(len(headers))]
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    widths = []
    for position, header in enumerate(headers):
        sample = frame.iloc[:_WIDTH_SAMPLE, position].dropna().astype("str").tolist()
        longest = max([min(_display_width(header), 24), *(_display_width(v) for v in sample)])
        widths.append(min(max(longest + 2, 6), 60))
    if freeze_columns:
        split = column_letter(freeze_columns)
        pane = (f'<pane xSplit="{freeze_columns}" ySplit="1" topLeftCell="{split}2" activePane="bottomRight" state="frozen"/>'
                '<selection pane="bottomRight"/>')
    else:
        pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if headers:
        parts.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                        for i, w in enumerate(widths, start=1)) + "</cols>")
    header_cells = "".join(
        f'<c r="{letter}1" s="{_QUOTED_HEADER if neutralize(h) is not h else _HEADER}" t="inlineStr">'
        f'<is><t xml:space="preserve">{_xml_text(h)}</t></is></c>'
        for letter, h in zip(letters, headers)
    )
    parts.append(f'<sheetData><row r="1">{header_cells}</row>')
    columns = [_cells(frame.iloc[:, i], keys[i] in _PERCENT_HEADERS) for i in range(len(keys))]
    for number, row in enumerate(zip(*columns), start=2):
        cells = "".join(f'<c r="{letter}{number}"{body}' for letter, body in zip(letters, row) if body is not None)
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData>")
    if len(frame) and headers:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def _sheet_names(titles: list[str]) -> list[str]:
    """Valid, unique sheet names (at most 31 characters, none of []:*?/\\)."""
    names: list[str] = []
    for title in titles:
        base = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31] or "Sheet"
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            suffix = f"({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def frames_to_xlsx_bytes(frames: Mapping[str, pd.DataFrame], freeze_columns: Mapping[str, int] | None = None,
                         decimals: int = 2, headers: Mapping[str, str] | None = None) -> bytes:
    """Tables as one formatted, formula-safe .xlsx: a sheet each, bold frozen header, fitted widths, a filter, and
    number formats (percent, whole numbers, points to `decimals` places); `headers` renames headers and sheets as shown."""
    shown = headers or {}
    # Written as SpreadsheetML directly: openpyxl takes ~20 µs a cell, too slow for a download button on a city's
    # results. Sheets longer than Excel's row limit continue on "name(2)".
    chunks: list[tuple[str, pd.DataFrame, int]] = []
    for title, frame in frames.items():
        freeze = (freeze_columns or {}).get(title, 0)
        for start in range(0, max(len(frame), 1), _MAX_ROWS):
            name = shown.get(title, title)
            chunks.append((name if start == 0 else f"{name}({start // _MAX_ROWS + 1})", frame.iloc[start:start + _MAX_ROWS], freeze))
    if not chunks:
        chunks.append(("Sheet1", pd.DataFrame(), 0))
    names = _sheet_names([c[0] for c in chunks])
    sheets = "".join(f'<sheet name="{_xml_text(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{_xml_text(n).replace(chr(39), chr(39) * 2)}'!$A$1:${column_letter(f.shape[1] - 1)}${len(f) + 1}</definedName>"
        for i, (n, (_, f, _)) in enumerate(zip(names, chunks)) if len(f) and f.shape[1]
    )
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                f'<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>'
                + (f"<definedNames>{filters}</definedNames>" if filters else "") + "</workbook>")
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(chunks) + 1))
    rels += f'<Relationship Id="rId{len(chunks) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    sheet_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(chunks) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{sheet_types}"
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_NS}">'
                         f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<Relationships xmlns="{_PKG_NS}">{rels}</Relationships>')
        archive.writestr("xl/styles.xml", _styles(decimals))
        for i, (_, frame, freeze) in enumerate(chunks, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(frame, freeze, shown))
    return out.getvalue()


def _freeze(frame: pd.DataFrame, rubrics: RubricSet) -> int:
    """Keep the code and name columns in view when scrolling right."""
    labels = _labels(rubrics)
    keep = {labels[BRANCH_ID], labels[NAME]}
    count = 0
    for column in frame.columns:
        if column not in keep:
            break
        count += 1
    return count


def to_xlsx_bytes(results: Results, rubrics: RubricSet, *, before: str | None = None, after: str | None = None,
                  lang: str = "zh", names: Mapping[str, str] | None = None) -> bytes:
    """All views of the results as one formatted .xlsx (晋位升级 only when two periods exist): Chinese headers, or English
    ones with lang="en" (rubric names by `names`, e.g. the rubrics' English names)."""
    views = {title: named(frame, names or {}) for title, frame in result_views(results, rubrics, before=before, after=after, lang=lang).items()}
    return frames_to_xlsx_bytes(views, {title: _freeze(frame, rubrics) for title, frame in views.items()}, decimals(rubrics),
                                headers_in(lang, names))


def problems_to_csv_bytes(report: ValidationReport, lang: str = "zh") -> bytes:
    """The validation report's problems as formula-safe CSV (代码/级别/行/列/列名/值/说明, or in English with lang="en")."""
    frame = report.to_frame(lang)
    if lang == "en":
        frame.columns = list(FRAME_COLUMNS_EN)
    return frame_to_csv_bytes(frame)


def problems_to_xlsx_bytes(report: ValidationReport) -> bytes:
    """The validation report as .xlsx: the summary line above a table of problems."""
    frame = report.to_frame()
    summary = pd.DataFrame({"项目": ["概要", *(f"规范化：{k}" for k in report.normalizations)],
                            "内容": [report.summary(), *(f"{n} 处" for n in report.normalizations.values())]})
    return frames_to_xlsx_bytes({PROBLEMS_SHEET: frame, "概要": summary})


# ---------------------------------------------------------------------------------------------- readers


def _typed(frame: pd.DataFrame, text_headers: frozenset[str], *, quoted: bool) -> pd.DataFrame:
    """Columns typed as the writers typed them: text headers as text (CSV quotes removed when `quoted`),
    integer headers as int64, the rest float64."""
    out: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if column in text_headers:
            text = values.astype("str")
            out[column] = text.map(unneutralize, na_action="ignore").astype("str") if quoted else text
        elif column in _NULLABLE_INTEGER_HEADERS:
            out[column] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif column in _INTEGER_HEADERS:
            numbers = pd.to_numeric(values, errors="coerce")
            out[column] = numbers.astype("int64") if numbers.notna().all() else numbers.astype("Int64")
        else:
            out[column] = pd.to_numeric(values, errors="coerce").astype("float64")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


input_texts({"results-not-xlsx": {"zh": "文件“{name}”不是 .xlsx 工作簿", "en": "the file “{name}” is not an .xlsx workbook"}})


def read_table(source: Path | bytes, *, filename: str | None = None, sheet: str | None = None,
               text_headers: frozenset[str] = frozenset()) -> pd.DataFrame:
    """A table written here (CSV or one .xlsx sheet) read back: CSV quotes undone, `text_headers` text, the rest numbers."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = filename or (Path(source).name if not isinstance(source, bytes) else "")
    xlsx = data[:4] == b"PK\x03\x04"
    if xlsx:
        raw = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, dtype=object, engine="openpyxl")
        raw.columns = [str(c) for c in raw.columns]
    elif name.lower().endswith(".xlsx"):
        raise InputError(said("results-not-xlsx", name=name))
    else:
        raw = pd.read_csv(io.BytesIO(data), dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig")
        raw.columns = [unneutralize(str(c)) for c in raw.columns]
    return _typed(raw, frozenset(c for c in raw.columns if c in text_headers), quoted=not xlsx)


def text_headers(rubrics: RubricSet) -> frozenset[str]:
    """Headers whose cells are text in the result views and the problem list."""
    labels = {col.label for col in rubrics.columns.values() if col.type == "text"}
    return _TEXT_HEADERS | frozenset(labels) | frozenset(_labels(rubrics)[k] for k in (*_IDENTITY_ORDER,))


def read_results(source: Path | bytes, rubrics: RubricSet, *, filename: str | None = None, sheet: str | None = RANKING) -> pd.DataFrame:
    """A results view written by `to_csv_bytes` or one sheet of `to_xlsx_bytes` (排名 by default), read back unchanged."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    chosen = sheet if data[:4] == b"PK\x03\x04" else None
    return read_table(data, filename=filename, sheet=chosen, text_headers=text_headers(rubrics))
