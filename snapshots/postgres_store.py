"""The PostgreSQL back end, for several app replicas sharing one database behind a load balancer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from snapshots.pool import ConnectionPool
from snapshots.store import COLUMNS, StoredSnapshot, record_row, row_record

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS snapshots (
        id text PRIMARY KEY,
        title text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        size bigint NOT NULL,
        payload_sha256 text NOT NULL,
        code_hash text,
        delete_hash text NOT NULL,
        metadata text NOT NULL,
        payload bytea NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS snapshots_expires_at ON snapshots (expires_at) WHERE expires_at IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS snapshot_failures (snapshot_id text NOT NULL, at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS snapshot_failures_id_at ON snapshot_failures (snapshot_id, at)",
    "CREATE INDEX IF NOT EXISTS snapshot_failures_at ON snapshot_failures (at)",
)
# Replicas starting together would race on CREATE TABLE IF NOT EXISTS; one advisory lock serializes them.
_SCHEMA_LOCK = 0x5_4A_50_53_48  # arbitrary, constant across releases

Connection = psycopg.Connection[tuple[Any, ...]]


class PostgresStore:
    """Snapshots in a PostgreSQL database given by a `postgresql://` URL; tables are created on first use."""

    def __init__(self, url: str, *, max_idle: int = 4, connect_timeout: int = 10) -> None:
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            lambda: psycopg.connect(url, connect_timeout=connect_timeout), psycopg.Error, max_idle)
        with self._transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA:
                conn.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._pool.borrow() as conn:
            yield conn
            conn.commit()

    def insert(self, record: StoredSnapshot, payload: bytes) -> None:
        """Store a new snapshot atomically."""
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO snapshots ({COLUMNS}, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %b)",
                (*record_row(record, _utc), payload),
            )

    def get(self, snapshot_id: str) -> StoredSnapshot | None:
        """The snapshot's row without payload, or None."""
        with self._transaction() as conn:
            row = conn.execute(f"SELECT {COLUMNS} FROM snapshots WHERE id = %s", (snapshot_id,)).fetchone()
        return None if row is None else _record(row)

    def read_payload(self, snapshot_id: str) -> bytes | None:
        """The snapshot's payload bytes, or None."""
        with self._transaction() as conn:
            # Binary results avoid doubling a multi-megabyte bytea into hex text on the wire.
            row = conn.execute("SELECT payload FROM snapshots WHERE id = %s", (snapshot_id,), binary=True).fetchone()
        return None if row is None else bytes(row[0])

    def delete(self, snapshot_id: str) -> bool:
        """Remove one snapshot; True if it was there."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM snapshots WHERE id = %s", (snapshot_id,)).rowcount > 0

    def purge(self, now: datetime, failures_before: datetime) -> int:
        """Remove expired snapshots and stale failure records; returns snapshots removed."""
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM snapshots WHERE expires_at <= %s", (now,)).rowcount
            conn.execute("DELETE FROM snapshot_failures WHERE at < %s", (failures_before,))
        return removed

    def records(self) -> list[StoredSnapshot]:
        """Every stored snapshot row, oldest first."""
        with self._transaction() as conn:
            rows = conn.execute(f"SELECT {COLUMNS} FROM snapshots ORDER BY created_at, id").fetchall()
        return [_record(row) for row in rows]

    def count_failures(self, snapshot_id: str, since: datetime) -> int:
        """How many failed attempts on this id were recorded at or after `since`."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT count(*) FROM snapshot_failures WHERE snapshot_id = %s AND at >= %s", (snapshot_id, since)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def add_failure(self, snapshot_id: str, at: datetime, forget_before: datetime) -> None:
        """Record a failed attempt and forget stale ones."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM snapshot_failures WHERE at < %s", (forget_before,))
            conn.execute("INSERT INTO snapshot_failures (snapshot_id, at) VALUES (%s, %s)", (snapshot_id, at))

    def close(self) -> None:
        """Close the idle connections."""
        self._pool.close()


def _utc(moment: datetime) -> datetime:
    """timestamptz in and out as aware UTC datetimes."""
    return moment.astimezone(UTC)


def _record(row: tuple[Any, ...]) -> StoredSnapshot:
    return row_record(row, _utc)
