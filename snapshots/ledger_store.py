"""台账 rows in the shared database: one entry per (workspace, period, branch) with a revision, and its change history.

Every change is one conditional statement (`… WHERE revision = ?`) plus its history rows, in one transaction: a writer
whose revision is stale changes nothing and is told so; nothing is read first and written after.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ledger.model import Change, Entry, HistoryRecord
from snapshots.db import Database, Tx
from snapshots.errors import SnapshotCorrupt
from snapshots.manifest import CORRUPT_MANIFEST as CORRUPT_ROW

_ENTRY = "SELECT period, branch_id, name, parent, township, source, fields, revision, updated_at FROM ledger_entries"


class LedgerStore:
    """Durable storage of 台账 entries over the shared database (same pool and migrations as snapshots and workspaces)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, workspace_id: str, entry: Entry, by: str, at: datetime) -> bool:
        """Add an entry at revision 1 with its values as the first history; False if the branch already has one."""
        with self.db.write() as tx:
            added = tx.run(
                "INSERT INTO ledger_entries (workspace_id, period, branch_id, name, parent, township, source, fields, revision, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (workspace_id, period, branch_id) DO NOTHING",
                (workspace_id, entry.period, entry.branch_id, entry.name, entry.parent, entry.township, entry.source,
                 _json(entry.values), self.db.dialect.encode_time(at)))
            if added:
                self._history(tx, workspace_id, entry, 1, [Change(k, "", v) for k, v in entry.values.items()], by, at)
        return added > 0

    def update(self, workspace_id: str, entry: Entry, expected: int, found: Sequence[Change], by: str, at: datetime) -> bool:
        """Store `entry.values` as revision `expected + 1` if the kept revision is still `expected`; False if it moved."""
        with self.db.write() as tx:
            moved = tx.run("UPDATE ledger_entries SET fields = ?, revision = revision + 1, updated_at = ? "
                           "WHERE workspace_id = ? AND period = ? AND branch_id = ? AND revision = ?",
                           (_json(entry.values), self.db.dialect.encode_time(at), workspace_id, entry.period, entry.branch_id,
                            expected))
            if moved:
                self._history(tx, workspace_id, entry, expected + 1, found, by, at)
        return moved > 0

    def entry(self, workspace_id: str, period: str, branch_id: str) -> Entry | None:
        """One entry, or None."""
        with self.db.read() as tx:
            row = tx.one(f"{_ENTRY} WHERE workspace_id = ? AND period = ? AND branch_id = ?", (workspace_id, period, branch_id))
        return None if row is None else self._entry(row)

    def entries(self, workspace_id: str, period: str | None = None) -> list[Entry]:
        """Every entry of the workspace (of one period when given), in period and branch order."""
        sql, params = (f"{_ENTRY} WHERE workspace_id = ?", [workspace_id])
        if period is not None:
            sql, params = sql + " AND period = ?", [*params, period]
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY period, branch_id", params)
        return [self._entry(row) for row in rows]

    def periods(self, workspace_id: str) -> list[str]:
        """The periods the workspace has a 台账 for, oldest first."""
        with self.db.read() as tx:
            rows = tx.all("SELECT DISTINCT period FROM ledger_entries WHERE workspace_id = ? ORDER BY period", (workspace_id,))
        return [str(row[0]) for row in rows]

    def history(self, workspace_id: str, period: str, branch_id: str) -> list[HistoryRecord]:
        """Every kept change of one entry, oldest first."""
        with self.db.read() as tx:
            rows = tx.all("SELECT changed_at, changed_by, revision, field, old, new FROM ledger_history "
                          "WHERE workspace_id = ? AND period = ? AND branch_id = ? ORDER BY revision, position",
                          (workspace_id, period, branch_id))
        try:
            return [HistoryRecord(self.db.dialect.decode_time(r[0]), str(r[1]), int(r[2]), Change(str(r[3]), str(r[4]), str(r[5])))
                    for r in rows]
        except (TypeError, ValueError) as exc:
            raise SnapshotCorrupt(CORRUPT_ROW, key="ws.record_corrupt") from exc

    def _history(self, tx: Tx, workspace_id: str, entry: Entry, revision: int, found: Sequence[Change], by: str, at: datetime) -> None:
        moment = self.db.dialect.encode_time(at)
        for position, change in enumerate(found):
            tx.run("INSERT INTO ledger_history (workspace_id, period, branch_id, revision, position, changed_at, changed_by, field, "
                   "old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (workspace_id, entry.period, entry.branch_id, revision, position, moment, by, change.key, change.old, change.new))

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        try:
            values = json.loads(row[6])
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()) or type(row[7]) is not int:
                raise ValueError("stored entry has the wrong shape")
            return Entry(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), values, row[7],
                         self.db.dialect.decode_time(row[8]))
        except (TypeError, ValueError) as exc:
            raise SnapshotCorrupt(CORRUPT_ROW, key="ws.record_corrupt") from exc


def _json(values: Any) -> str:
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True)
