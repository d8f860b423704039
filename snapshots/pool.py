"""A bounded pool of database connections shared by every store over one database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

from snapshots.errors import SnapshotStoreError, StoreBusy


class _Closable(Protocol):
    def close(self) -> Any: ...


C = TypeVar("C", bound=_Closable)


class ConnectionPool(Generic[C]):
    """Lends at most `size` connections at once and keeps the idle ones: a burst of requests waits its turn (up to
    `wait` seconds, then `StoreBusy`) instead of opening one connection each and exhausting the server's limit;
    connecting per call would also dominate small operations (and, for SQLite, closing the last connection
    checkpoints and deletes the WAL)."""

    def __init__(self, connect: Callable[[], C], translate: Callable[[Exception], SnapshotStoreError | None], *,
                 size: int, wait: float) -> None:
        self._connect = connect
        self._translate = translate
        self.size = size
        self.wait = wait
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[C] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[C]:
        """A connection for the block; closed instead of returned on any error, driver errors as SnapshotStoreError."""
        if not self._slots.acquire(timeout=self.wait):
            raise StoreBusy(self.size, self.wait)
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            try:
                if conn is None:
                    conn = self._connect()
                yield conn
            except BaseException as exc:
                if conn is not None:
                    conn.close()
                if isinstance(exc, Exception) and (translated := self._translate(exc)) is not None:
                    raise translated from exc
                raise
            with self._lock:
                self._idle.append(conn)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
