"""The 整顿台账 of a workspace: designate branches, edit entries without losing anyone's change, import a kept 台账.

Typical use::

    ledger = LedgerService(open_store().db)
    ledger.designate(access, "2024", candidates, reason="2024 年度考评后进", by="张三")
    entry = ledger.entry(access, "2024", "101001001")
    ledger.save(access, "2024", entry.branch_id, entry.revision, {"status": "整改中"}, by="李四")  # EntryChanged if stale
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ledger.model import EDITABLE, LISTED, NOT_STARTED, UNLISTED, Change, Entry, HistoryRecord, changes, clean
from ledger.problems import LedgerProblem, check_values, describe
from ledger.sheet import IMPORT_REASON, Planned
from snapshots.clock import utc
from snapshots.db import Database
from snapshots.errors import SnapshotError, SnapshotInvalid
from snapshots.ledger_store import LedgerStore
from snapshots.text import check_line
from snapshots.workspaces import Access

CHANGED_MESSAGE = "该台账条目在你打开之后已被{by}修改（现为第 {revision} 版），你的修改没有保存。请对照下方两个版本后再决定。"
INVALID_MESSAGE = "台账条目没有保存：{problems}"
MISSING_MESSAGE = "台账中没有该支部的条目，请刷新页面后重试。"
HAND_SOURCE = "手动添加"
TEXT_KEY = "ws.invalid"  # a blank or too long name or reason: shown as it is (the workspace's refusal in English)


class EntryChanged(SnapshotError):
    """Another save reached the entry after it was opened; nothing was saved. Carries the kept and the rejected values."""

    key = "ledger.changed"

    def __init__(self, current: Entry, mine: Mapping[str, str], by: str) -> None:
        super().__init__(CHANGED_MESSAGE.format(by=f"“{by}”" if by else "他人", revision=current.revision),
                         by=by, revision=current.revision)
        self.current = current
        self.mine = dict(mine)


class EntryInvalid(SnapshotInvalid):
    """The values cannot be kept as they are (unknown status, bad date, 延期 without a reason …)."""

    def __init__(self, problems: Sequence[LedgerProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(INVALID_MESSAGE.format(problems=describe(problems)), key="ledger.invalid")

    def message_in(self, lang: str) -> str:
        """Why the entry was not saved: the whole message in Chinese, the problems alone in English (its key's text leads in)."""
        return describe(self.problems, lang) if lang == "en" else str(self)


@dataclass(frozen=True)
class Candidate:
    """A branch to put on the list: who it is, the rule that made it a candidate, and its pre-filled 问题清单."""

    branch_id: str
    name: str
    parent: str = ""
    township: str = ""
    source: str = HAND_SOURCE
    problems: str = ""


@dataclass(frozen=True)
class Applied:
    """What an import did: entries added, entries changed, and the spreadsheet rows skipped because the entry moved meanwhile."""

    added: int
    changed: int
    conflicts: tuple[int, ...]


class LedgerService:
    """台账 operations over the shared database; safe to share between threads."""

    def __init__(self, db: Database) -> None:
        self.store = LedgerStore(db)

    # ---- reading -------------------------------------------------------------------------------------------------------

    def entries(self, access: Access, period: str | None = None) -> list[Entry]:
        """Every entry (listed or removed) of the workspace, or of one period."""
        return self.store.entries(access.id, period)

    def entry(self, access: Access, period: str, branch_id: str) -> Entry:
        """One entry at its newest revision; SnapshotInvalid when there is none."""
        found = self.store.entry(access.id, period, branch_id)
        if found is None:
            raise SnapshotInvalid(MISSING_MESSAGE, key="ledger.missing")
        return found

    def periods(self, access: Access) -> list[str]:
        """The periods with a 台账."""
        return self.store.periods(access.id)

    def history(self, access: Access, period: str, branch_id: str) -> list[HistoryRecord]:
        """Every change of one entry, oldest first."""
        return self.store.history(access.id, period, branch_id)

    # ---- changing ------------------------------------------------------------------------------------------------------

    def designate(self, access: Access, period: str, candidates: Iterable[Candidate], *, reason: str, by: str,
                  now: datetime | None = None) -> int:
        """Put branches on the list with a reason and who decided; returns how many were not on it before."""
        moment, who, why = utc(now), _name(by), check_line(reason, label="列入原因", limit=500, key=TEXT_KEY)
        added = 0
        for candidate in candidates:
            decided = {"listed": LISTED, "reason": why, "decided_by": who, "decided_at": _stamp(moment)}
            fresh = Entry(period, candidate.branch_id, candidate.name, candidate.parent, candidate.township, candidate.source,
                          clean({**decided, "problems": candidate.problems, "status": NOT_STARTED}))
            if self.store.insert(access.id, fresh, who, moment):
                added += 1
                continue
            current = self.entry(access, period, candidate.branch_id)
            if not current.listed:
                self._write(access, current, {**current.values, **decided}, current.revision, who, moment)
                added += 1
        return added

    def remove(self, access: Access, period: str, branch_id: str, revision: int, *, reason: str, by: str,
               now: datetime | None = None) -> Entry:
        """Take a branch off the list with a reason (the entry and its history stay); EntryChanged if it moved since opened."""
        moment, who, why = utc(now), _name(by), check_line(reason, label="移出原因", limit=500, key=TEXT_KEY)
        current = self.entry(access, period, branch_id)
        values = {**current.values, "listed": UNLISTED, "reason": why, "decided_by": who, "decided_at": _stamp(moment)}
        return self._write(access, current, values, revision, who, moment)

    def save(self, access: Access, period: str, branch_id: str, revision: int, values: Mapping[str, object], *, by: str,
             now: datetime | None = None) -> Entry:
        """Keep edited values (the fields given; problems, measures, status …) if the entry is still at `revision`.

        Raises EntryInvalid for values that cannot be kept and EntryChanged (nothing saved) when someone saved first.
        """
        moment, who = utc(now), _name(by)
        given = {k: v for k, v in values.items() if k in EDITABLE}
        current = self.entry(access, period, branch_id)
        merged = {**{k: v for k, v in current.values.items() if k not in given}, **clean(given)}
        found = check_values(merged)
        if found:
            raise EntryInvalid(found)
        return self._write(access, current, merged, revision, who, moment)

    def apply(self, access: Access, period: str, planned: Sequence[Planned], *, by: str, now: datetime | None = None) -> Applied:
        """Carry out an import plan row by row; a row whose entry moved since the plan was made is skipped and reported."""
        moment, who = utc(now), _name(by)
        added = changed = 0
        conflicts: list[int] = []
        for item in planned:
            row = item.row
            if item.current is None:
                values = {"decided_by": who, "decided_at": _stamp(moment), **item.values}
                entry = Entry(period, row.branch_id, row.name, row.parent, row.township, IMPORT_REASON, clean(values))
                ok = self.store.insert(access.id, entry, who, moment)
                added += ok
            else:
                entry = replace(item.current, values=clean(item.values))
                ok = self.store.update(access.id, entry, item.current.revision, item.changes, who, moment)
                changed += ok
            if not ok:
                conflicts.append(row.row)
        return Applied(added, changed, tuple(conflicts))

    def _write(self, access: Access, current: Entry, values: Mapping[str, str], revision: int, who: str,
               moment: datetime) -> Entry:
        """One conditional update from `revision`; EntryChanged (with both versions) when the entry is no longer there."""
        new = replace(current, values=dict(values))
        found = changes(current.values, values)
        if current.revision == revision and not found:
            return current  # nothing changed: no new revision, no history
        if current.revision != revision or not self.store.update(access.id, new, revision, found, who, moment):
            latest = self.entry(access, current.period, current.branch_id)
            raise EntryChanged(latest, values, _last_writer(self.history(access, current.period, current.branch_id)))
        return replace(new, revision=revision + 1, updated_at=moment)


def _name(by: str) -> str:
    return check_line(by, label="修改人姓名", limit=60, key=TEXT_KEY)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _last_writer(history: Sequence[HistoryRecord]) -> str:
    return history[-1].by if history else ""


__all__ = ["Applied", "Candidate", "Change", "EntryChanged", "EntryInvalid", "LedgerService"]
