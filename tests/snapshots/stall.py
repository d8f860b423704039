"""Imported by a child writer process: once `arm()` is called, the next COMMIT (SQLite or PostgreSQL) prints "committing"
and stalls, so the parent can SIGKILL the writer with its transaction written but not committed."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import psycopg

_armed = threading.Event()
_real_connect, _real_commit = sqlite3.connect, psycopg.Connection.commit


def arm() -> None:
    """Stall at the next commit."""
    _armed.set()


def _stall() -> None:
    print("committing", flush=True)
    time.sleep(600)


class _Stalling(sqlite3.Connection):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if _armed.is_set() and sql == "COMMIT":
            _stall()
        return super().execute(sql, *args)


def _commit(self: psycopg.Connection[Any]) -> None:
    if _armed.is_set():
        _stall()
    _real_commit(self)


# Patched on import, before the store pools its first connection.
sqlite3.connect = lambda *a, **k: _real_connect(*a, factory=_Stalling, **k)  # type: ignore[assignment,misc]
psycopg.Connection.commit = _commit  # type: ignore[method-assign]
