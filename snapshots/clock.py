"""The one way the store reads "now": an explicit aware time (tests, replays) or the current UTC time."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(now: datetime | None) -> datetime:
    """`now` in UTC, or the current time when None; naive times are refused (they would be read in the server's zone)."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(UTC)
