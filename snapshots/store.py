"""Snapshot rows in the shared database: insert, read, delete and purge, with every stored row checked as it is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from snapshots.db import Database
from snapshots.errors import SnapshotCorrupt

# The stored columns (without the payload), in the order of `_row` and `_record`.
COLUMNS = "id, title, created_at, expires_at, size, payload_sha256, code_hash, delete_hash, metadata"


@dataclass(frozen=True)
class StoredSnapshot:
    """One stored snapshot without its payload bytes; only hashes of the access code and delete token are kept."""

    id: str
    title: str
    created_at: datetime
    expires_at: datetime | None
    size: int
    payload_sha256: str
    code_hash: str | None
    delete_hash: str
    metadata: dict[str, Any]

    def expired(self, now: datetime) -> bool:
        """True once the expiry moment has been reached."""
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class DamagedRow:
    """A stored row that cannot be read back: its id (as stored) and what is wrong with it."""

    id: str
    reason: str


class SnapshotStore:
    """Durable storage of snapshots over the shared database; safe to share between threads."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on a server."""
        return self.db.path

    def insert(self, record: StoredSnapshot, payload: bytes) -> None:
        """Store a new snapshot atomically: afterwards it is there completely, or not at all."""
        with self.db.write() as tx:
            tx.run(f"INSERT INTO snapshots ({COLUMNS}, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (*_row(record, self.db.dialect.encode_time), payload))

    def get(self, snapshot_id: str) -> StoredSnapshot | None:
        """The snapshot's row without payload, or None; `SnapshotCorrupt` if the stored row does not parse."""
        with self.db.read() as tx:
            row = tx.one(f"SELECT {COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,))
        if row is None:
            return None
        try:
            return _record(row, self.db.dialect.decode_time)
        except (TypeError, ValueError) as exc:
            raise SnapshotCorrupt() from exc

    def read_payload(self, snapshot_id: str) -> bytes | None:
        """The snapshot's payload bytes, or None."""
        with self.db.read() as tx:
            row = tx.one("SELECT payload FROM snapshots WHERE id = ?", (snapshot_id,), binary=True)
        if row is None:
            return None
        if not isinstance(row[0], bytes | bytearray | memoryview):
            raise SnapshotCorrupt()
        return bytes(row[0])

    def delete(self, snapshot_id: str) -> bool:
        """Remove one snapshot; True if it was there."""
        with self.db.write() as tx:
            return tx.run("DELETE FROM snapshots WHERE id = ?", (snapshot_id,)) > 0

    def purge(self, now: datetime) -> int:
        """Remove snapshots expired at `now`; returns how many."""
        with self.db.write() as tx:
            return tx.run("DELETE FROM snapshots WHERE expires_at <= ?", (self.db.dialect.encode_time(now),))

    def records(self) -> tuple[list[StoredSnapshot], list[DamagedRow]]:
        """Every stored snapshot row, oldest first, and apart from them every row that does not parse (for administration)."""
        with self.db.read() as tx:
            rows = tx.all(f"SELECT {COLUMNS} FROM snapshots ORDER BY created_at, id")
        good: list[StoredSnapshot] = []
        damaged: list[DamagedRow] = []
        for row in rows:
            try:
                good.append(_record(row, self.db.dialect.decode_time))
            except (TypeError, ValueError) as exc:
                damaged.append(DamagedRow(id=str(row[0])[:64], reason=str(exc)[:200]))
        return good, damaged

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        self.db.close()


def _row(record: StoredSnapshot, moment: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """The record's values in COLUMNS order, its times encoded by `moment` as the back end stores them."""
    expires = None if record.expires_at is None else moment(record.expires_at)
    metadata = json.dumps(record.metadata, ensure_ascii=False)
    return (record.id, record.title, moment(record.created_at), expires, record.size, record.payload_sha256,
            record.code_hash, record.delete_hash, metadata)


def _record(row: tuple[Any, ...], moment: Callable[[Any], datetime]) -> StoredSnapshot:
    """A record from a row in COLUMNS order; ValueError or TypeError naming the first value that is not what was stored."""
    snapshot_id, title, created, expires, size, sha256, code_hash, delete_hash, metadata = row
    for name, value in (("id", snapshot_id), ("title", title), ("payload_sha256", sha256), ("delete_hash", delete_hash)):
        _expect(isinstance(value, str), name, value)
    _expect(code_hash is None or isinstance(code_hash, str), "code_hash", code_hash)
    _expect(type(size) is int and size >= 0, "size", size)
    try:
        about = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError as exc:
        raise ValueError(f"metadata is not JSON: {str(metadata)[:40]!r}") from exc
    _expect(isinstance(about, dict), "metadata", metadata)
    return StoredSnapshot(id=snapshot_id, title=title, created_at=moment(created), expires_at=None if expires is None else moment(expires),
                          size=size, payload_sha256=sha256, code_hash=code_hash, delete_hash=delete_hash, metadata=about)  # type: ignore[arg-type]


def _expect(ok: bool, column: str, value: object) -> None:
    if not ok:
        raise ValueError(f"{column} is not a stored {column}: {str(value)[:40]!r}")
