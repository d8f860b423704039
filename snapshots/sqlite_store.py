"""The embedded default back end: one SQLite file in WAL mode, with a few pooled connections shared by threads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from snapshots.errors import SnapshotStoreError
from snapshots.pool import ConnectionPool
from snapshots.store import COLUMNS, StoredSnapshot, from_micros, record_row, row_record, to_micros

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    size INTEGER NOT NULL,
    payload_sha256 TEXT NOT NULL,
    code_hash TEXT,
    delete_hash TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_expires_at ON snapshots (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS snapshot_failures (snapshot_id TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS snapshot_failures_id_at ON snapshot_failures (snapshot_id, at);
CREATE INDEX IF NOT EXISTS snapshot_failures_at ON snapshot_failures (at);
"""


class SQLiteStore:
    """Snapshots in one SQLite file, created with its tables on first use."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0, max_idle: int = 4) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        # A connection serves one thread at a time, so sharing it between Streamlit's threads is safe.
        self._pool: ConnectionPool[sqlite3.Connection] = ConnectionPool(self._connect, sqlite3.Error, max_idle)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SnapshotStoreError() from exc
        with self._connection() as conn:
            # WAL lets readers proceed while one writer writes, and a killed writer leaves only an ignored WAL tail.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._pool.borrow() as conn:
            yield conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False)
        # NORMAL in WAL mode survives application crashes; only an OS crash may lose the last commits.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as conn:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait instead of failing on upgrade.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def insert(self, record: StoredSnapshot, payload: bytes) -> None:
        """Store a new snapshot atomically."""
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO snapshots ({COLUMNS}, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*record_row(record, to_micros), payload),
            )

    def get(self, snapshot_id: str) -> StoredSnapshot | None:
        """The snapshot's row without payload, or None."""
        with self._connection() as conn:
            row = _one(conn, f"SELECT {COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,))
        return None if row is None else _record(row)

    def read_payload(self, snapshot_id: str) -> bytes | None:
        """The snapshot's payload bytes, or None."""
        with self._connection() as conn:
            row = _one(conn, "SELECT payload FROM snapshots WHERE id = ?", (snapshot_id,))
        return None if row is None else bytes(row[0])

    def delete(self, snapshot_id: str) -> bool:
        """Remove one snapshot; True if it was there."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM snapshots WHERE id = ?", (snapshot_id,)).rowcount > 0

    def purge(self, now: datetime, failures_before: datetime) -> int:
        """Remove expired snapshots and stale failure records; returns snapshots removed."""
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM snapshots WHERE expires_at <= ?", (to_micros(now),)).rowcount
            conn.execute("DELETE FROM snapshot_failures WHERE at < ?", (to_micros(failures_before),))
        return removed

    def records(self) -> list[StoredSnapshot]:
        """Every stored snapshot row, oldest first."""
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {COLUMNS} FROM snapshots ORDER BY created_at, id").fetchall()
        return [_record(row) for row in rows]

    def count_failures(self, snapshot_id: str, since: datetime) -> int:
        """How many failed attempts on this id were recorded at or after `since`."""
        with self._connection() as conn:
            row = _one(conn, "SELECT count(*) FROM snapshot_failures WHERE snapshot_id = ? AND at >= ?", (snapshot_id, to_micros(since)))
        return 0 if row is None else int(row[0])

    def add_failure(self, snapshot_id: str, at: datetime, forget_before: datetime) -> None:
        """Record a failed attempt and forget stale ones."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM snapshot_failures WHERE at < ?", (to_micros(forget_before),))
            conn.execute("INSERT INTO snapshot_failures (snapshot_id, at) VALUES (?, ?)", (snapshot_id, to_micros(at)))

    def close(self) -> None:
        """Close the idle connections."""
        self._pool.close()


def _one(conn: sqlite3.Connection, query: str, params: tuple[Any, ...]) -> Any:
    cursor = conn.execute(query, params)
    try:
        return cursor.fetchone()
    finally:
        # An unfinished statement would hold its read snapshot open on a pooled connection; closing resets it.
        cursor.close()


def _record(row: tuple[Any, ...]) -> StoredSnapshot:
    return row_record(row, from_micros)
