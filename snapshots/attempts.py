"""The lockout after repeated wrong access codes, shared by snapshots and workspaces and by every replica.

An attempt is *claimed* before a code is evaluated: one atomic upsert counts it and checks the limit, so a burst
of N parallel guesses evaluates at most the limit, whatever the timing. A successful attempt is handed back.
Each guarded id has one counter row whose window starts with its first counted attempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from snapshots.db import Database
from snapshots.errors import SnapshotRateLimited

_CLAIM = """
INSERT INTO access_attempts (subject, window_start, attempts) VALUES (?, ?, 1)
ON CONFLICT (subject) DO UPDATE SET
    attempts = CASE WHEN access_attempts.window_start < ? THEN 1 ELSE access_attempts.attempts + 1 END,
    window_start = CASE WHEN access_attempts.window_start < ? THEN excluded.window_start ELSE access_attempts.window_start END
WHERE access_attempts.window_start < ? OR access_attempts.attempts < ?
RETURNING attempts
"""


class AttemptLimiter:
    """At most `limit` counted attempts per subject within `window` of the first one."""

    def __init__(self, db: Database, *, limit: int, window: timedelta) -> None:
        self.db = db
        self.limit = limit
        self.window = window

    def claim(self, subject: str, now: datetime) -> bool:
        """Count one attempt if the limit allows it (True), in one atomic statement; False means locked out."""
        encode = self.db.dialect.encode_time
        cutoff = encode(now - self.window)
        with self.db.write() as tx:
            row = tx.one(_CLAIM, (subject, encode(now), cutoff, cutoff, cutoff, self.limit))
        return row is not None

    @contextmanager
    def attempt(self, subject: str, now: datetime) -> Iterator[None]:
        """Claim an attempt (or raise `SnapshotRateLimited`) for the block; the claim is handed back if the block succeeds."""
        if not self.claim(subject, now):
            raise SnapshotRateLimited(self.minutes)
        yield
        self.release(subject)

    def release(self, subject: str) -> None:
        """Hand back a claimed attempt that succeeded, so honest visitors never lock an id."""
        with self.db.write() as tx:
            tx.run("UPDATE access_attempts SET attempts = attempts - 1 WHERE subject = ? AND attempts > 0", (subject,))

    def purge(self, now: datetime) -> None:
        """Forget counters whose window is over."""
        with self.db.write() as tx:
            tx.run("DELETE FROM access_attempts WHERE window_start < ?", (self.db.dialect.encode_time(now - self.window),))

    @property
    def minutes(self) -> int:
        """The window in whole minutes, for messages."""
        return int(self.window.total_seconds() // 60)
