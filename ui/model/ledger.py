"""The 整顿台账 page's frames: candidates, the overview with overdue entries, counts by status, repeat listings and the effect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from ledger.model import CLOSED, FIELDS, STATUSES, Entry, HistoryRecord, field_name, is_overdue, problems_text
from scoring.compare import UP, compare_periods
from scoring.results import Results
from scoring.rubric import BRANCH_ID, NAME, PERIOD
from scoring.rubricset import RubricSet
from ui.model import rectify
from ui.model.select import local_groups
from ui.model.view import Filters
from ui.model.yoy import grade_flows

OVERVIEW_COLUMNS = ("name", "group", "status", "deadline", "overdue", "leader", "responsible", "source", "reason", "decided_by",
                    "decided_at", "branch_id")


@dataclass(frozen=True)
class CandidateRow:
    """A candidate as the designation form offers it: the branch, the rule that made it one (kept, and as shown in the UI
    language), its pre-filled 问题清单."""

    branch_id: str
    name: str
    parent: str
    township: str
    source: str
    problems: str
    label: str = ""


def candidates(results: Results, rubrics: RubricSet, filters: Filters, period: str, lang: str = "zh",
               shown: dict[str, str] | None = None) -> list[CandidateRow]:
    """Every candidate of the period in the selection (the 整改预警 list: lowest grade, vetoes, flags, persistent cases).

    What is kept is Chinese; `label` says the rule in `lang`, grades named by `shown`."""
    chosen = replace(filters, period=period)
    found = rectify.rectification(results, rubrics, chosen, limit=None).watch
    kept = labels = _sources(found, {}, "；")
    if lang != "zh":
        labels = _sources(rectify.rectification(results, rubrics, chosen, limit=None, lang=lang).watch, shown or {}, "; ")
    out = []
    for row in found.itertuples(index=False):
        code = str(getattr(row, BRANCH_ID))
        out.append(CandidateRow(code, str(getattr(row, NAME)), _text(getattr(row, "parent", "")), _text(getattr(row, "township", "")),
                                kept[code], problems_text(str(getattr(row, "reasons", "") or "")), labels.get(code, kept[code])))
    return out


def _sources(watch: pd.DataFrame, shown: dict[str, str], joiner: str) -> dict[str, str]:
    """Each candidate's rules (grade, flags, persistent problems) as one text, by branch code."""
    out: dict[str, str] = {}
    for row in watch.itertuples(index=False):
        grade = str(getattr(row, "grade", "") or "")
        rules = [shown.get(grade, grade), str(getattr(row, "flags", "") or ""), str(getattr(row, "persistent", "") or "")]
        out[str(getattr(row, BRANCH_ID))] = joiner.join(r for r in rules if r)
    return out


def branches(results: Results, period: str) -> pd.DataFrame:
    """The period's branches (branch_id, name, parent, township) to match a 台账 or add one by hand."""
    b = results.branches
    rows = b[b[PERIOD].astype(str) == period] if PERIOD in b else b
    out = pd.DataFrame({"branch_id": rows[BRANCH_ID].astype(str), "name": rows[NAME].astype(str)})
    for column in ("parent", "township"):
        out[column] = rows[column].astype(object).where(rows[column].notna(), "").astype(str) if column in rows else ""
    return out.drop_duplicates("branch_id").reset_index(drop=True)


def overview(entries: Sequence[Entry], today: date, system: str = "{parent}") -> pd.DataFrame:
    """The listed entries: status, deadline and whether overdue (past 时限, not 已销号), overdue ones first."""
    listed = [e for e in entries if e.listed]
    frame = pd.DataFrame([{
        "name": e.name, "township": e.township, "parent": e.parent, "status": e.status, "deadline": e.get("deadline"),
        "overdue": is_overdue(e, today), "leader": e.get("leader"), "responsible": e.get("responsible"), "source": e.source,
        "reason": e.get("reason"), "decided_by": e.get("decided_by"), "decided_at": e.get("decided_at"), "branch_id": e.branch_id,
    } for e in listed], columns=[*OVERVIEW_COLUMNS, "township", "parent"])
    if frame.empty:
        return frame[list(OVERVIEW_COLUMNS)]
    groups = local_groups(frame, system)
    frame["group"] = frame[groups] if isinstance(groups, str) else groups
    frame = frame.sort_values(["overdue", "group", "branch_id"], ascending=[False, True, True], kind="stable")
    return frame[list(OVERVIEW_COLUMNS)].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Listed entries per township or system (rows) and status (columns, in the 台账's order), with overdue counts."""
    if table.empty:
        return pd.DataFrame(columns=[*STATUSES, "overdue"])
    counts = pd.crosstab(table["group"].astype(str), table["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts["overdue"] = table.groupby(table["group"].astype(str))["overdue"].sum().reindex(counts.index).astype(int)
    return counts


def listed_twice(now: Sequence[Entry], before: Sequence[Entry]) -> pd.DataFrame:
    """Branches on this period's list that were also on the previous period's list (两年连续列入)."""
    earlier = {e.branch_id: e for e in before if e.listed}
    rows = [{"name": e.name, "source_before": earlier[e.branch_id].source, "status_before": earlier[e.branch_id].status,
             "source": e.source, "branch_id": e.branch_id} for e in now if e.listed and e.branch_id in earlier]
    return pd.DataFrame(rows, columns=["name", "source_before", "status_before", "source", "branch_id"])


def history_frame(records: Sequence[HistoryRecord], lang: str = "zh") -> pd.DataFrame:
    """An entry's history, newest first: time (UTC), who, the field (named in `lang`) and its old → new text."""
    rows = [{"at": r.at.strftime("%Y-%m-%d %H:%M:%S"), "by": r.by, "field": field_name(r.change.key, lang), "old": r.change.old,
             "new": r.change.new}
            for r in reversed(records)]
    return pd.DataFrame(rows, columns=["at", "by", "field", "old", "new"])


def versions(current: Entry, mine: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """The kept and the rejected values side by side, for each field (named in `lang`) where they differ."""
    rows = [{"field": field_name(key, lang), "theirs": current.get(key), "mine": mine.get(key, "")}
            for key in FIELDS if current.get(key) != mine.get(key, "")]
    return pd.DataFrame(rows, columns=["field", "theirs", "mine"])


@dataclass(frozen=True)
class Effect:
    """Year N's listed branches in year N+1: per branch, grade flows, and how many 销号 branches improved."""

    table: pd.DataFrame
    flows: pd.DataFrame
    closed: int
    improved: int
    not_improved: pd.DataFrame

    @property
    def share(self) -> float | None:
        """The share of 销号 branches that moved up a grade (None without any)."""
        return self.improved / self.closed if self.closed else None


def effect(results: Results, rubrics: RubricSet, entries: Sequence[Entry], before: str, after: str, new: str, gone: str) -> Effect:
    """How the branches on `before`'s list fared in `after`: grades before and after, moves, and the 销号 ones that did not improve."""
    listed = {e.branch_id: e for e in entries if e.listed}
    table = compare_periods(results, rubrics, before, after)
    table = table[table[BRANCH_ID].astype(str).isin(listed)].copy()
    table["status"] = table[BRANCH_ID].astype(str).map(lambda code: listed[code].status)
    keep = [c for c in (NAME, "grade_before", "grade_after", "move", "total_before", "total_after", "change", "status", BRANCH_ID)
            if c in table]
    table = table[keep].sort_values(["move", BRANCH_ID], kind="stable").reset_index(drop=True)
    closed = table[table["status"] == CLOSED]
    improved = int((closed["move"] == UP).sum())
    lagging = closed[closed["move"] != UP].reset_index(drop=True)
    return Effect(table, grade_flows(table, new, gone), len(closed), improved, lagging)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
