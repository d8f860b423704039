"""The small storage interface every back end implements, and the row it stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

# The stored columns (without the payload), in the order of `record_row` and `row_record`.
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


class SnapshotStore(Protocol):
    """Durable storage for snapshots and for the failed-attempt log that rate limiting reads."""

    def insert(self, record: StoredSnapshot, payload: bytes) -> None:
        """Store a new snapshot atomically: afterwards it is there completely, or not at all."""
        ...

    def get(self, snapshot_id: str) -> StoredSnapshot | None:
        """The snapshot's row without payload, or None."""
        ...

    def read_payload(self, snapshot_id: str) -> bytes | None:
        """The snapshot's payload bytes, or None."""
        ...

    def delete(self, snapshot_id: str) -> bool:
        """Remove one snapshot; True if it was there."""
        ...

    def purge(self, now: datetime, failures_before: datetime) -> int:
        """Remove snapshots expired at `now` and failure records older than `failures_before`; returns snapshots removed."""
        ...

    def records(self) -> list[StoredSnapshot]:
        """Every stored snapshot row, oldest first (for administration)."""
        ...

    def count_failures(self, snapshot_id: str, since: datetime) -> int:
        """How many failed attempts on this id were recorded at or after `since`."""
        ...

    def add_failure(self, snapshot_id: str, at: datetime, forget_before: datetime) -> None:
        """Record a failed attempt, dropping any failure records older than `forget_before`."""
        ...

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        ...


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exact for aware datetimes."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The aware UTC datetime for microseconds since the Unix epoch."""
    return _EPOCH + timedelta(microseconds=value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def record_row(record: StoredSnapshot, moment: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """The record's values in COLUMNS order, its times encoded by `moment` as the back end stores them."""
    expires = None if record.expires_at is None else moment(record.expires_at)
    metadata = json.dumps(record.metadata, ensure_ascii=False)
    return (record.id, record.title, moment(record.created_at), expires, record.size, record.payload_sha256,
            record.code_hash, record.delete_hash, metadata)


def row_record(row: tuple[Any, ...], moment: Callable[[Any], datetime]) -> StoredSnapshot:
    """A record from a row in COLUMNS order, its times decoded by `moment` into aware UTC datetimes."""
    return StoredSnapshot(
        id=row[0], title=row[1], created_at=moment(row[2]), expires_at=None if row[3] is None else moment(row[3]),
        size=row[4], payload_sha256=row[5], code_hash=row[6], delete_hash=row[7], metadata=json.loads(row[8]),
    )
