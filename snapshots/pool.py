"""A tiny pool of idle database connections shared by the store back ends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

from snapshots.errors import SnapshotStoreError


class _Closable(Protocol):
    def close(self) -> Any: ...


C = TypeVar("C", bound=_Closable)


class ConnectionPool(Generic[C]):
    """Lends connections one thread at a time and keeps a few idle ones: connecting per call would dominate the
    cost of small operations (and, for SQLite, closing the last connection checkpoints and deletes the WAL)."""

    def __init__(self, connect: Callable[[], C], driver_error: type[Exception], max_idle: int) -> None:
        self._connect = connect
        self._driver_error = driver_error
        self._max_idle = max_idle
        self._idle: list[C] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[C]:
        """A connection for the block; closed instead of returned on any error, driver errors as SnapshotStoreError."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self._connect()
            yield conn
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, self._driver_error):
                raise SnapshotStoreError() from exc
            raise
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
