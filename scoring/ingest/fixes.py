"""Rejected rows fixed by hand, validated again in the context of the rows already accepted.

A fixed row re-enters only when it validates on its own and its branch and period are neither among the accepted
rows nor among the fixed rows above it; every row keeps its spreadsheet row number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.ingest.reader import IDENTITY, REASON, Ingested, duplicate_message, english_duplicate, read_assessments
from scoring.ingest.report import Problem
from scoring.rubric import BRANCH_ID, NAME, PERIOD
from scoring.rubricset import RubricSet


def problem_columns(ingested: Ingested) -> dict[int, list[str]]:
    """Per rejected spreadsheet row, the headers of the columns whose cells caused an error, in column order."""
    rows = set(ingested.rejected.index.tolist())
    found: dict[int, dict[str, None]] = {}
    for p in ingested.report.problems:
        if p.severity == "error" and p.row is not None and p.row in rows and p.column_name:
            found.setdefault(p.row, {})[p.column_name] = None
    return {row: list(names) for row, names in found.items()}


PROBLEM_CELLS = "problem_cells"


@dataclass(frozen=True)
class FixView:
    """What the fix editor shows: the rejected rows with a column naming each row's cells to fix, the identity
    columns and only the columns with problems (as written in the file; `problems` may include identity columns)."""

    frame: pd.DataFrame
    identity: list[str]
    problems: list[str]


def rejected_in(ingested: Ingested, lang: str = "zh") -> pd.DataFrame:
    """The rejected rows with their reasons in `lang` (the reader writes them in Chinese; English comes from the report)."""
    if lang == "zh" or ingested.rejected.empty:
        return ingested.rejected
    out = ingested.rejected.copy()
    said = ingested.report.row_reasons(lang)
    out[REASON] = [said.get(row, "not scored: a required column is missing (see the problem list)") for row in out.index]
    return out


def fix_view(ingested: Ingested, lang: str = "zh") -> FixView:
    """The rejected rows narrowed to what a user fixes, however many columns the file has."""
    rejected = rejected_in(ingested, lang)
    cells = problem_columns(ingested)
    written = ingested.report.columns
    identity = [written[k] for k in IDENTITY if k in written and written[k] in rejected]
    wanted = {name for names in cells.values() for name in names}
    problems = [c for c in rejected.columns if c in wanted]
    frame = rejected[[REASON, *identity, *(c for c in problems if c not in identity)]].copy()
    sep = "、" if lang == "zh" else ", "
    frame.insert(1, PROBLEM_CELLS, pd.Series([sep.join(cells.get(r, [])) for r in rejected.index], index=rejected.index, dtype="string"))
    return FixView(frame, identity, problems)


def apply_edits(rejected: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """The full rejected rows with the cells edited in the narrowed view written back (other columns unchanged)."""
    merged = rejected.copy()
    for column in edited.columns:
        if column in merged and column != REASON:
            merged[column] = edited[column].reindex(merged.index).astype(merged[column].dtype)
    return merged


def _in_place(rows: pd.DataFrame) -> bytes:
    """The rows as CSV with each one on its own spreadsheet row (blank lines between), so every row number the
    reader reports, in locations and in messages, is the user's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows.columns)
    line = 1
    for row, values in zip(rows.index.tolist(), rows.itertuples(index=False)):
        out.write("\r\n" * (int(row) - line - 1))
        writer.writerow(["" if pd.isna(v) else v for v in values])
        line = int(row)
    return out.getvalue().encode("utf-8-sig")


def _keys(frame: pd.DataFrame, key: str) -> list[str | None]:
    """Each row's branch (by `key`) and period as one text, None when the branch is blank."""
    periods = frame[PERIOD] if PERIOD in frame else pd.Series(pd.NA, index=frame.index)
    return [None if pd.isna(b) or not str(b).strip() else f"{str(b).strip()}\x00{'' if pd.isna(p) else p}"
            for b, p in zip(frame[key].tolist(), periods.tolist())]


def revalidate(edited: pd.DataFrame, accepted: pd.DataFrame, rubrics: RubricSet, *, filename: str) -> Ingested:
    """Validate edited rejected rows (indexed by spreadsheet row, a `reason` column optional) against `accepted`."""
    rows = edited.drop(columns=[REASON], errors="ignore").sort_index()
    again = read_assessments(_in_place(rows), rubrics, filename=filename)
    frame, rejected = again.frame, again.rejected
    problems = [p for p in again.report.problems if p.code != "blank-row"]  # the padding between the rows
    key = BRANCH_ID if BRANCH_ID in frame and frame[BRANCH_ID].notna().any() else NAME
    taken = {k: int(r) for k, r in zip(_keys(accepted, key), accepted.index.tolist()) if k is not None} if key in accepted else {}
    what = "党组织代码" if key == BRANCH_ID else "党组织名称"
    header = again.report.columns.get(key)
    clash = np.zeros(len(frame), dtype=bool)
    reasons: dict[int, str] = {}  # the rows set aside here, each with its reason
    for i, (k, row) in enumerate(zip(_keys(frame, key), frame.index.tolist())):
        if k is None:
            continue
        if k not in taken:
            taken[k] = row
            continue
        code, period = k.split("\x00")
        message = duplicate_message(taken[k], what, code, f"、年度“{period}”" if period else "")
        english = english_duplicate(what, f"、年度“{period}”" if period else "", str(taken[k]),
                                    "this row is not scored; delete the copy or correct the code")
        problems.append(Problem("duplicate-row", "error", row, None, header, code, message, tuple(english.items())))
        clash[i] = True
        reasons[row] = f"“{header or what}”：{message}"
    if reasons:  # appended once: one concat per clash grew the frame once per row, quadratic in the rows re-checked
        rejected = pd.concat([rejected, rows.loc[list(reasons)].assign(**{REASON: list(reasons.values())})])
    kept = frame.index[~clash]
    warned = {p.row for p in problems if p.severity == "warning"} & set(kept.tolist())
    report = replace(again.report, problems=tuple(sorted(problems, key=lambda p: p.row or 0)), rows_scored=len(kept) - len(warned),
                     rows_with_warnings=len(warned), rows_rejected=len(rejected))
    return Ingested(frame.loc[kept], again.not_applicable.loc[kept], rejected.sort_index(), again.extra, report)


__all__ = ["PROBLEM_CELLS", "FixView", "apply_edits", "fix_view", "problem_columns", "rejected_in", "revalidate"]
