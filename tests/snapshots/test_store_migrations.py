"""Numbered schema steps: a store made before them keeps its snapshots; steps run once, also with two openers at once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from snapshots import SnapshotPayload, SnapshotService, open_store
from snapshots.schema import MIGRATIONS

OLD_LAYOUT = """
CREATE TABLE snapshots (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,
    size INTEGER NOT NULL, payload_sha256 TEXT NOT NULL, code_hash TEXT, delete_hash TEXT NOT NULL, metadata TEXT NOT NULL,
    payload BLOB NOT NULL);
CREATE TABLE snapshot_failures (snapshot_id TEXT NOT NULL, at INTEGER NOT NULL);
"""


def test_a_store_from_before_the_numbered_steps_keeps_its_snapshots(tmp_path: Path) -> None:
    made = tmp_path / "made.sqlite3"
    service = SnapshotService(open_store(f"sqlite:///{made}"), max_bytes=1 << 20)
    created = service.create(SnapshotPayload(state={"page": "overview"}), title="旧快照", access_code="Ab12")
    service.store.close()
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn, sqlite3.connect(made) as source:
        conn.executescript(OLD_LAYOUT)
        row = source.execute("SELECT * FROM snapshots").fetchone()
        conn.execute(f"INSERT INTO snapshots VALUES ({', '.join('?' * len(row))})", row)
        conn.execute("INSERT INTO snapshot_failures VALUES (?, 0)", (created.id,))

    reopened = SnapshotService(open_store(f"sqlite:///{old}"), max_bytes=1 << 20)
    try:
        assert reopened.open(created.id, "Ab12").payload.state == {"page": "overview"}
    finally:
        reopened.store.close()
    with sqlite3.connect(old) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT version FROM store_schema ORDER BY version").fetchall() == [(n,) for n in range(1, len(MIGRATIONS) + 1)]
    assert "snapshot_failures" not in tables and {"access_attempts", "workspaces", "workspace_versions", "workspace_files"} <= tables


@pytest.mark.parametrize("attempt", range(12))  # the race (WAL switch answered "locked" at once) showed in about 1 of 15 rounds
def test_processes_opening_a_new_store_at_once_apply_each_step_once(tmp_path: Path, attempt: int) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            start.wait()
            open_store(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with sqlite3.connect(tmp_path / "new.sqlite3") as conn:
        assert conn.execute("SELECT count(*), max(version) FROM store_schema").fetchone() == (len(MIGRATIONS), len(MIGRATIONS))
