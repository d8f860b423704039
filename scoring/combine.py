"""Several ingested files as one data set: per-file reports kept, rows accounted, conflicts found and resolved only by decisions.

A conflict is one 党组织代码 + 考核年度 accepted from more than one file. Until it is decided none of its rows enters
the data set (nothing is silently overwritten); a decision keeps the newest file's row, the first file's row, or neither.
A re-sent file for the same source replaces the earlier one as a whole (`resend`), with a row diff. Cells corrected by
hand are applied to a file's rejected rows before combining (`with_fixes`); a fixed row enters only when it validates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from scoring.ingest import Ingested, ValidationReport
from scoring.ingest.fixes import revalidate
from scoring.rubric import BRANCH_ID, PERIOD
from scoring.rubricset import RubricSet

Key = tuple[str, str]  # (党组织代码, 考核年度)


class Decision(StrEnum):
    """How a conflict is resolved: the newest file's row, the first file's row, or set all of them aside."""

    NEWER = "newer"
    FIRST = "first"
    ASIDE = "aside"


@dataclass(frozen=True)
class Part:
    """One ingested file in a combination; `source` names what it stands for (a re-sent file shares it), order is arrival."""

    name: str
    source: str
    ingested: Ingested


@dataclass(frozen=True)
class Location:
    """Where a row came from: the file and its spreadsheet row."""

    file: str
    row: int


@dataclass(frozen=True)
class CellDifference:
    """One column whose values differ between the files of a conflict (values as text, in file order)."""

    column: str
    header: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """One branch and year accepted from several files, with where each row is and which cells differ."""

    key: Key
    locations: tuple[Location, ...]
    differences: tuple[CellDifference, ...]

    @property
    def id(self) -> str:
        """A stable id for decisions: 党组织代码|考核年度."""
        return f"{self.key[0]}|{self.key[1]}"


@dataclass(frozen=True)
class Account:
    """Rows of one file (or of all): in = scored + warned + rejected; `withheld` accepted rows are kept out by conflicts."""

    file: str
    rows_in: int
    scored: int
    warned: int
    rejected: int
    withheld: int

    @property
    def in_data(self) -> int:
        """Rows of this file in the combined data set."""
        return self.scored + self.warned - self.withheld


@dataclass(frozen=True)
class Combined:
    """The combined data set (frame and not-applicable mask on a fresh index), where each row came from, and the accounting."""

    frame: pd.DataFrame
    not_applicable: pd.DataFrame
    origin: pd.DataFrame  # same index as frame: file, row
    reports: tuple[ValidationReport, ...]
    accounts: tuple[Account, ...]
    conflicts: tuple[Conflict, ...]
    pending: tuple[Conflict, ...]
    decisions: Mapping[str, Decision] = field(default_factory=dict)

    @property
    def total(self) -> Account:
        """The accounting summed over every file."""
        sums = [sum(getattr(a, name) for a in self.accounts) for name in ("rows_in", "scored", "warned", "rejected", "withheld")]
        return Account("（合计）", *sums)


@dataclass(frozen=True)
class FileDiff:
    """What a re-sent file changes against the one it replaces, by 党组织代码 + 考核年度."""

    added: tuple[Key, ...]
    removed: tuple[Key, ...]
    changed: tuple[tuple[Key, tuple[CellDifference, ...]], ...]


def combine(parts: Sequence[Part], decisions: Mapping[str, Decision] | None = None) -> Combined:
    """Combine files in arrival order; conflicts without a decision keep all their rows out of the data set."""
    chosen = dict(decisions or {})
    conflicts: list[Conflict] = []
    withheld: list[set[Any]] = [set() for _ in parts]
    pending: list[Conflict] = []
    for key, places in _shared(parts):
        conflict = Conflict(key, tuple(Location(parts[i].name, int(label)) for i, label in places),
                            _differences([parts[i].ingested for i, _ in places], [label for _, label in places]))
        conflicts.append(conflict)
        decision = chosen.get(conflict.id)
        keep = {Decision.NEWER: places[-1], Decision.FIRST: places[0]}.get(decision) if decision else None
        for index, label in places:
            if (index, label) != keep:
                withheld[index].add(label)
        if decision is None:
            pending.append(conflict)
    frames, masks, origins, accounts = [], [], [], []
    for index, part in enumerate(parts):
        ingested = part.ingested
        kept = ingested.frame.index[~ingested.frame.index.isin(list(withheld[index]))] if withheld[index] else ingested.frame.index
        frames.append(ingested.frame.loc[kept] if withheld[index] else ingested.frame)
        masks.append(ingested.not_applicable.reindex(index=kept, fill_value=False))
        origins.append(pd.DataFrame({"file": part.name, "row": pd.Index(kept, dtype="int64")}))
        report = ingested.report
        accounts.append(Account(part.name, report.rows_total, report.rows_scored, report.rows_with_warnings, report.rows_rejected,
                                len(withheld[index])))
    frame = _stack(frames)
    return Combined(
        frame=frame, not_applicable=_stack(masks).fillna(False).astype(bool) if masks else pd.DataFrame(index=frame.index),
        origin=_stack(origins), reports=tuple(p.ingested.report for p in parts), accounts=tuple(accounts),
        conflicts=tuple(conflicts), pending=tuple(pending), decisions={k: v for k, v in chosen.items() if k in {c.id for c in conflicts}},
    )


def with_fixes(ingested: Ingested, cells: Mapping[tuple[int, str], str], rubrics: RubricSet, *, filename: str) -> Ingested:
    """The file with corrected cells (spreadsheet row, header as written → text) written into its rejected rows and those
    rows validated again against the accepted ones: a row enters only when it validates and is no duplicate; the
    report and the row accounting follow (rows in = scored + warned + rejected still holds). Fixes elsewhere are ignored."""
    rejected = ingested.rejected
    rows = sorted({row for row, column in cells if column in rejected.columns} & set(rejected.index.tolist()))
    if not rows:
        return ingested
    edited = rejected.loc[rows].copy()
    for (row, column), value in cells.items():
        if row in edited.index and column in edited.columns:
            edited[column] = edited[column].astype(object)
            edited.at[row, column] = value
    again = revalidate(edited, ingested.frame, rubrics, filename=filename)
    fixed = set(rows)
    frame = pd.concat([ingested.frame, again.frame]).sort_index()
    masks = pd.concat([ingested.not_applicable, again.not_applicable]).reindex(index=frame.index, columns=ingested.not_applicable.columns)
    report = ingested.report
    problems = [p for p in report.problems if p.row not in fixed] + [p for p in again.report.problems if p.row in fixed]
    return Ingested(frame, masks.fillna(False).astype(bool), pd.concat([rejected.drop(index=rows), again.rejected]).sort_index(),
                    ingested.extra, replace(report, problems=tuple(sorted(problems, key=lambda p: p.row or 0)),
                                            rows_scored=report.rows_scored + again.report.rows_scored,
                                            rows_with_warnings=report.rows_with_warnings + again.report.rows_with_warnings,
                                            rows_rejected=report.rows_rejected - len(rows) + again.report.rows_rejected))


def resend(parts: Sequence[Part], new: Part) -> tuple[list[Part], FileDiff | None]:
    """The parts with `new` replacing (as a whole, at the end) every earlier file of the same source, and the diff against it."""
    earlier = [part for part in parts if part.source == new.source]
    kept = [part for part in parts if part.source != new.source]
    return [*kept, new], (diff_files(earlier[-1].ingested, new.ingested) if earlier else None)


def diff_files(old: Ingested, new: Ingested) -> FileDiff:
    """Rows added, removed and changed (with the differing cells) between two versions of one file."""
    old_keys, new_keys = _keys(old.frame), _keys(new.frame)
    old_by, new_by = {k: label for label, k in old_keys.items()}, {k: label for label, k in new_keys.items()}
    common = sorted(old_by.keys() & new_by.keys())
    before, after = old.frame.loc[[old_by[k] for k in common]], new.frame.loc[[new_by[k] for k in common]]
    differs = np.zeros(len(common), dtype=bool)
    for column in dict.fromkeys([*before.columns, *after.columns]):  # one pass per column, then cell by cell where rows differ
        texts = [frame[column].map(_text).to_numpy() if column in frame else np.full(len(common), "") for frame in (before, after)]
        differs |= texts[0] != texts[1]
    changed = [(key, _differences([old, new], [old_by[key], new_by[key]])) for key, moved in zip(common, differs) if moved]
    return FileDiff(added=tuple(sorted(new_by.keys() - old_by.keys())), removed=tuple(sorted(old_by.keys() - new_by.keys())),
                    changed=tuple(changed))


def _shared(parts: Sequence[Part]) -> Iterator[tuple[Key, list[tuple[int, Any]]]]:
    """Each key accepted from more than one file, in order of first appearance, with its (file index, row) places."""
    keyed = pd.concat([pd.DataFrame({"part": index, "label": part.ingested.frame.index,
                                     "code": part.ingested.frame[BRANCH_ID].astype(str).to_numpy(),
                                     "period": part.ingested.frame[PERIOD].astype(str).to_numpy()})
                       for index, part in enumerate(parts)], ignore_index=True) if parts else pd.DataFrame()
    if keyed.empty:
        return
    repeated = keyed[keyed.duplicated(["code", "period"], keep=False)]  # hashing first: only repeated keys reach Python
    for (code, period), rows in repeated.groupby(["code", "period"], sort=False):
        if rows["part"].nunique() > 1:
            yield (str(code), str(period)), list(zip(rows["part"].tolist(), rows["label"].tolist()))


def _keys(frame: pd.DataFrame) -> dict[Any, Key]:
    """Each accepted row's (党组织代码, 考核年度), by its spreadsheet row."""
    codes, periods = frame[BRANCH_ID].astype(str), frame[PERIOD].astype(str)
    return {label: (code, period) for label, code, period in zip(frame.index, codes, periods)}


def _differences(files: Sequence[Ingested], labels: Sequence[Any]) -> tuple[CellDifference, ...]:
    columns = list(dict.fromkeys(column for ingested in files for column in ingested.frame.columns))
    found = []
    for column in columns:
        values = tuple(_text(ingested.frame[column].get(label) if column in ingested.frame else None) for ingested, label in zip(files, labels))
        if len(set(values)) > 1:
            header = next((f.report.columns[column] for f in files if column in f.report.columns), str(column))
            found.append(CellDifference(str(column), header, values))
    return tuple(found)


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        # Ten significant digits: 0.979 read from .xlsx and from CSV may differ in the last binary digit, not in the data.
        return f"{value:.10g}"
    return str(value)


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    stacked = pd.concat(frames, ignore_index=True, sort=False)
    stacked.index.name = "row"
    return stacked
