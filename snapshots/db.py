"""The one database behind snapshots and workspaces: a dialect per back end, one bounded pool, transactions, migrations.

SQL is written once with `?` placeholders and `{time}`/`{blob}`/`{int}` column types; the dialect adapts both.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from snapshots.errors import SnapshotStoreError, StoreFull
from snapshots.pool import ConnectionPool
from snapshots.schema import MIGRATIONS

POOL_SIZE = 8
POOL_WAIT_SECONDS = 30.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Replicas starting together would race on the migrations; one advisory lock serializes them on PostgreSQL.
_SCHEMA_LOCK = 0x5_4A_50_53_48  # arbitrary, constant across releases


@dataclass(frozen=True)
class Dialect:
    """What differs between the back ends: connecting, error kinds, placeholders, column types and time encoding."""

    name: str
    connect: Callable[[], Any]
    translate: Callable[[Exception], SnapshotStoreError | None]
    types: dict[str, str]
    begin_write: str | None  # SQLite takes the write lock up front; PostgreSQL opens transactions implicitly
    encode_time: Callable[[datetime], Any]
    decode_time: Callable[[Any], datetime]

    def sql(self, text: str) -> str:
        """The statement in this back end's placeholder style."""
        return text if self.name == "sqlite" else text.replace("?", "%s")


class Tx:
    """One connection inside a transaction (or, for SQLite reads, in autocommit): run statements, fetch rows."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""
        cursor = self._conn.execute(self.dialect.sql(sql), tuple(params))
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def one(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        cursor = self._execute(sql, params, binary)
        try:
            row = cursor.fetchone()
        finally:
            # An unfinished SQLite statement would hold its read snapshot open on a pooled connection.
            cursor.close()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        cursor = self._execute(sql, params, binary)
        try:
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def _execute(self, sql: str, params: Sequence[Any], binary: bool) -> Any:
        if binary and self.dialect.name != "sqlite":
            # Binary results avoid doubling multi-megabyte bytea into hex text on the wire.
            return self._conn.execute(self.dialect.sql(sql), tuple(params), binary=True)
        return self._conn.execute(self.dialect.sql(sql), tuple(params))


class Database:
    """One database, its bounded connection pool and its schema; every store over it shares these."""

    def __init__(self, dialect: Dialect, *, path: Path | None = None, pool_size: int = POOL_SIZE, wait: float = POOL_WAIT_SECONDS) -> None:
        self.dialect = dialect
        self.path = path  # the SQLite file, None for a server
        self.pool: ConnectionPool[Any] = ConnectionPool(dialect.connect, dialect.translate, size=pool_size, wait=wait)
        self._migrate()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A transaction that commits when the block ends and rolls back on any error."""
        with self.pool.borrow() as conn:
            if self.dialect.begin_write is not None:
                conn.execute(self.dialect.begin_write)
            try:
                yield Tx(conn, self.dialect)
            except BaseException:
                # The connection is discarded anyway; a failed rollback (SQLite already rolled back on SQLITE_FULL)
                # must not hide the error that matters.
                with suppress(Exception):
                    conn.rollback() if self.dialect.name != "sqlite" else conn.execute("ROLLBACK")
                raise
            if self.dialect.name == "sqlite":
                conn.execute("COMMIT")
            else:
                conn.commit()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """Reads that need no write lock (on PostgreSQL still one transaction, ended when the block ends)."""
        with self.pool.borrow() as conn:
            yield Tx(conn, self.dialect)
            if self.dialect.name != "sqlite":
                conn.commit()

    def close(self) -> None:
        """Close the idle connections; the database must not be used afterwards."""
        self.pool.close()

    def _migrate(self) -> None:
        """Apply, in order and once, every schema step this database has not seen yet."""
        with self.write() as tx:
            if self.dialect.name != "sqlite":
                tx.one("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            tx.run("CREATE TABLE IF NOT EXISTS store_schema (version integer PRIMARY KEY)")
            row = tx.one("SELECT max(version) FROM store_schema")
            done = 0 if row is None or row[0] is None else int(row[0])
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= done:
                    continue
                for statement in statements:
                    tx.run(statement.format(**self.dialect.types))
                tx.run("INSERT INTO store_schema (version) VALUES (?)", (version,))


def _into_wal(conn: sqlite3.Connection, deadline: float) -> None:
    """Switch to WAL, waiting out other connections: SQLite answers "locked" at once here instead of calling its busy handler."""
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def sqlite_database(path: Path | str, *, busy_timeout: float = 30.0, pool_size: int = POOL_SIZE,
                    wait: float = POOL_WAIT_SECONDS) -> Database:
    """The embedded default: one SQLite file in WAL mode, created with its tables on first use."""
    file = Path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (StoreFull() if exc.errno == errno.ENOSPC else SnapshotStoreError()) from exc

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(file, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        # WAL lets readers proceed while one writer writes, and a killed writer leaves only an ignored WAL tail;
        # NORMAL in WAL mode survives application crashes (only an OS crash may lose the last commits).
        try:
            _into_wal(conn, time.monotonic() + busy_timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    dialect = Dialect(
        name="sqlite", connect=connect, translate=_sqlite_error, begin_write="BEGIN IMMEDIATE",
        types={"time": "INTEGER", "blob": "BLOB", "int": "INTEGER"}, encode_time=to_micros, decode_time=from_micros,
    )
    return Database(dialect, path=file, pool_size=pool_size, wait=wait)


def postgres_database(url: str, *, connect_timeout: int = 10, pool_size: int = POOL_SIZE, wait: float = POOL_WAIT_SECONDS) -> Database:
    """PostgreSQL given by a `postgresql://` URL, for several app replicas sharing one database."""
    import psycopg

    dialect = Dialect(
        name="postgresql", connect=lambda: psycopg.connect(url, connect_timeout=connect_timeout), translate=postgres_error,
        begin_write=None, types={"time": "timestamptz", "blob": "bytea", "int": "bigint"}, encode_time=_utc, decode_time=_utc,
    )
    return Database(dialect, pool_size=pool_size, wait=wait)


def postgres_error(exc: Exception) -> SnapshotStoreError | None:
    """A psycopg error as the store error to raise (a full disk said as such), None for other exceptions."""
    import psycopg

    if isinstance(exc, psycopg.errors.DiskFull):
        return StoreFull()
    return SnapshotStoreError() if isinstance(exc, psycopg.Error) else None


def _sqlite_error(exc: Exception) -> SnapshotStoreError | None:
    if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return StoreFull()
    return SnapshotStoreError() if isinstance(exc, sqlite3.Error) else None


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exact for aware datetimes."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: Any) -> datetime:
    """The aware UTC datetime for microseconds since the Unix epoch; ValueError for anything but an integer."""
    if type(value) is not int:
        raise ValueError(f"not a stored time: {str(value)[:40]!r}")
    return _EPOCH + timedelta(microseconds=value)


def _utc(moment: Any) -> datetime:
    """timestamptz in and out as aware UTC datetimes."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"not a stored time: {str(moment)[:40]!r}")
    return moment.astimezone(UTC)
