"""The small storage interface every back end implements, and the row it stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


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
