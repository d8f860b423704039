"""Create, open, delete and purge shared snapshots: the pure-Python API the dashboard calls.

Opening is deliberately uninformative: an unknown, malformed, expired or deleted id and a wrong or missing
access code all raise the same `SnapshotUnavailable`, and failed attempts are counted per id in the store
(so the limit holds across replicas) for unknown ids exactly as for real ones. The UI asks `needs_code(id)`
whether to show a code field; it answers True for unknown ids too, so the question reveals nothing that
opening would not. Only a live snapshot without a code answers False, and that one opens anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from snapshots.attempts import AttemptLimiter
from snapshots.clock import utc
from snapshots.config import max_snapshot_bytes
from snapshots.errors import SnapshotCorrupt, SnapshotInvalid, SnapshotTooLarge, SnapshotUnavailable
from snapshots.payload import SnapshotPayload
from snapshots.store import DamagedRow, SnapshotStore, StoredSnapshot
from snapshots.text import check_line
from snapshots.tokens import (
    check_access_code,
    code_admits,
    delete_token_matches,
    hash_access_code,
    hash_delete_token,
    is_valid_id,
    new_delete_token,
    new_id,
)

EXPIRY_CHOICES: tuple[int | None, ...] = (1, 7, 30, 90, None)
MAX_TITLE_LENGTH = 200
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class SnapshotMeta:
    """What may be shown about a snapshot once it is opened (never the hashes)."""

    id: str
    title: str
    created_at: datetime
    expires_at: datetime | None
    size: int
    sha256: str
    has_access_code: bool
    metadata: dict[str, Any]

    def expired(self, now: datetime) -> bool:
        """True once the expiry moment has been reached."""
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class Created:
    """A new snapshot's id and its delete token; the token is shown once and never stored in clear."""

    id: str
    delete_token: str
    meta: SnapshotMeta


@dataclass(frozen=True)
class OpenedSnapshot:
    """An opened snapshot: its description and its decoded payload."""

    meta: SnapshotMeta
    payload: SnapshotPayload


Inventory = tuple[list[SnapshotMeta], list[DamagedRow]]


class SnapshotService:
    """The snapshot operations over one store; safe to share between threads."""

    def __init__(
        self,
        store: SnapshotStore,
        *,
        max_bytes: int | None = None,
        max_failures: int = MAX_FAILURES,
        failure_window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self.store = store
        self._max_bytes = max_bytes
        self.max_failures = max_failures
        self.failure_window = failure_window

    @property
    def max_bytes(self) -> int:
        """The size limit for one snapshot: the constructor's, else $SNAPSHOT_MAX_BYTES read now (so a bad value blocks only creating)."""
        return max_snapshot_bytes() if self._max_bytes is None else self._max_bytes

    @cached_property
    def attempts(self) -> AttemptLimiter:
        """The lockout counters (in the store's database, so every replica sees them)."""
        return AttemptLimiter(self.store.db, limit=self.max_failures, window=self.failure_window)

    def create(
        self,
        payload: SnapshotPayload,
        *,
        title: str,
        expires_in_days: int | None = 7,
        access_code: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Created:
        """Store a snapshot and return its id and delete token; `access_code=None` means anyone with the link may open it."""
        moment = utc(now)
        clean_title = _check_title(title)
        expires_at = moment + timedelta(days=_check_expiry(expires_in_days)) if expires_in_days is not None else None
        code_hash = None if access_code is None else hash_access_code(check_access_code(_strip(access_code)))
        limit = self.max_bytes
        data = payload.to_bytes()
        if len(data) > limit:
            raise SnapshotTooLarge(len(data), limit)
        token = new_delete_token()
        record = StoredSnapshot(
            id=new_id(),
            title=clean_title,
            created_at=moment,
            expires_at=expires_at,
            size=len(data),
            payload_sha256=hashlib.sha256(data).hexdigest(),
            code_hash=code_hash,
            delete_hash=hash_delete_token(token),
            metadata=_check_metadata(payload, metadata),
        )
        # Creation is rare and the indexes make this cheap, so expired rows and stale counters never pile up unseen.
        self.store.purge(moment)
        self.attempts.purge(moment)
        self.store.insert(record, data)
        return Created(id=record.id, delete_token=token, meta=_meta(record))

    def open(self, snapshot_id: object, access_code: str | None = None, now: datetime | None = None) -> OpenedSnapshot:
        """Open a snapshot, or raise `SnapshotUnavailable` (the same for every kind of failure) or `SnapshotCorrupt`.

        The attempt is counted before the code is evaluated (one atomic statement), and handed back if it succeeds.
        """
        moment = utc(now)
        if not is_valid_id(snapshot_id):
            raise SnapshotUnavailable()
        with self.attempts.attempt(f"snapshot:{snapshot_id}", moment):
            record = self._live(snapshot_id, moment)
            if not code_admits(access_code, record is not None, None if record is None else record.code_hash) or record is None:
                raise SnapshotUnavailable()
        data = self.store.read_payload(snapshot_id)
        if data is None:  # deleted between the two reads
            raise SnapshotUnavailable()
        if len(data) != record.size or hashlib.sha256(data).hexdigest() != record.payload_sha256:
            raise SnapshotCorrupt()
        return OpenedSnapshot(meta=_meta(record), payload=SnapshotPayload.from_bytes(data))

    def needs_code(self, snapshot_id: object, now: datetime | None = None) -> bool:
        """Whether to ask for an access code: False only for a live snapshot without one, so unknown ids look coded."""
        if not is_valid_id(snapshot_id):
            return True
        record = self._live(snapshot_id, utc(now))
        return record is None or record.code_hash is not None

    def delete(self, snapshot_id: object, delete_token: object) -> bool:
        """Delete a snapshot if the token is its delete token; False for any other case, without saying which."""
        if not is_valid_id(snapshot_id):
            return False
        record = self.store.get(snapshot_id)
        if record is None or not delete_token_matches(delete_token, record.delete_hash):
            return False
        return self.store.delete(snapshot_id)

    def purge(self, now: datetime | None = None) -> int:
        """Remove every expired snapshot and stale failure record; returns how many snapshots were removed."""
        moment = utc(now)
        self.attempts.purge(moment)
        return self.store.purge(moment)

    def list(self) -> list[SnapshotMeta]:
        """Every readable stored snapshot, oldest first, including expired ones not yet purged (for administration)."""
        return self.inventory()[0]

    def inventory(self) -> Inventory:
        """Every readable snapshot (oldest first) and, apart, every stored row that cannot be read (id and reason)."""
        records, damaged = self.store.records()
        return [_meta(record) for record in records], damaged

    def _live(self, snapshot_id: str, now: datetime) -> StoredSnapshot | None:
        record = self.store.get(snapshot_id)
        if record is not None and record.expired(now):
            self.store.delete(snapshot_id)
            return None
        return record


def _strip(code: str | None) -> str | None:
    # Codes have no spaces, so spaces around a pasted code are noise, not a different code.
    return code.strip() if isinstance(code, str) else code


def _check_title(title: str) -> str:
    return check_line(title, label="快照标题", limit=MAX_TITLE_LENGTH)


def _check_expiry(days: int) -> int:
    if type(days) is not int or days not in EXPIRY_CHOICES:
        raise SnapshotInvalid("有效期只能选择 1 天、7 天、30 天、90 天或永久有效。")
    return days


def _check_metadata(payload: SnapshotPayload, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    shapes = {name: list(frame.shape) for name, frame in payload.frames.items()}
    try:
        merged: dict[str, Any] = {"frames": shapes, **(metadata or {})}
        return dict(json.loads(json.dumps(merged, ensure_ascii=False, allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise SnapshotInvalid("快照的说明信息只能包含 JSON 值（文本、数字、布尔值、列表、字典）。") from exc


def _meta(record: StoredSnapshot) -> SnapshotMeta:
    return SnapshotMeta(
        id=record.id,
        title=record.title,
        created_at=record.created_at,
        expires_at=record.expires_at,
        size=record.size,
        sha256=record.payload_sha256,
        has_access_code=record.code_hash is not None,
        metadata=record.metadata,
    )
