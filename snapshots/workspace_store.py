"""Workspace rows in the shared database: the workspace, its immutable versions, and file bytes stored once per SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from snapshots.db import Database
from snapshots.errors import SnapshotCorrupt
from snapshots.manifest import CORRUPT_MANIFEST as CORRUPT_ROW


@dataclass(frozen=True)
class WorkspaceRow:
    """One workspace: its name, creation time, the hash of its access code (if any) and the number of its newest version."""

    id: str
    name: str
    created_at: datetime
    code_hash: str | None
    head: int


@dataclass(frozen=True)
class VersionRow:
    """One stored version: number, time, one-line description and its manifest (JSON text and its SHA-256)."""

    number: int
    created_at: datetime
    description: str
    manifest: str
    manifest_sha256: str


class WorkspaceStore:
    """Durable storage of workspaces over the shared database (same pool and migrations as snapshots)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, row: WorkspaceRow, first: VersionRow) -> None:
        """Store a new workspace with its first version, atomically."""
        encode = self.db.dialect.encode_time
        with self.db.write() as tx:
            tx.run("INSERT INTO workspaces (id, name, created_at, code_hash, head) VALUES (?, ?, ?, ?, ?)",
                   (row.id, row.name, encode(row.created_at), row.code_hash, first.number))
            _insert_version(tx, row.id, first, encode)

    def get(self, workspace_id: str) -> WorkspaceRow | None:
        """The workspace row, or None; `SnapshotCorrupt` if it does not parse."""
        with self.db.read() as tx:
            row = tx.one("SELECT id, name, created_at, code_hash, head FROM workspaces WHERE id = ?", (workspace_id,))
        if row is None:
            return None
        try:
            _expect(isinstance(row[1], str) and (row[3] is None or isinstance(row[3], str)) and type(row[4]) is int)
            return WorkspaceRow(row[0], row[1], self.db.dialect.decode_time(row[2]), row[3], row[4])
        except (TypeError, ValueError) as exc:
            raise SnapshotCorrupt(CORRUPT_ROW, key="ws.record_corrupt") from exc

    def put_file(self, workspace_id: str, sha256: str, content: bytes) -> bool:
        """Keep file bytes under their SHA-256 unless already kept; True if they were new."""
        with self.db.write() as tx:
            return tx.run("INSERT INTO workspace_files (workspace_id, sha256, size, content) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (workspace_id, sha256) DO NOTHING", (workspace_id, sha256, len(content), content)) > 0

    def read_file(self, workspace_id: str, sha256: str) -> bytes | None:
        """The kept bytes for this SHA-256, or None (not checked here: the service verifies them)."""
        with self.db.read() as tx:
            row = tx.one("SELECT content FROM workspace_files WHERE workspace_id = ? AND sha256 = ?", (workspace_id, sha256), binary=True)
        if row is None:
            return None
        if not isinstance(row[0], bytes | bytearray | memoryview):
            raise SnapshotCorrupt(CORRUPT_ROW, key="ws.record_corrupt")
        return bytes(row[0])

    def file_count(self, workspace_id: str) -> tuple[int, int]:
        """How many distinct files are kept for the workspace and their total bytes."""
        with self.db.read() as tx:
            row = tx.one("SELECT count(*), coalesce(sum(size), 0) FROM workspace_files WHERE workspace_id = ?", (workspace_id,))
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    def commit(self, workspace_id: str, expected_head: int, version: VersionRow) -> bool:
        """Add `version` as the new head if the head is still `expected_head` (one conditional update); False if another writer won."""
        encode = self.db.dialect.encode_time
        with self.db.write() as tx:
            moved = tx.run("UPDATE workspaces SET head = ? WHERE id = ? AND head = ?", (version.number, workspace_id, expected_head))
            if moved == 0:
                return False
            _insert_version(tx, workspace_id, version, encode)
        return True

    def versions(self, workspace_id: str) -> list[VersionRow]:
        """Every version of the workspace, oldest first."""
        with self.db.read() as tx:
            rows = tx.all("SELECT number, created_at, description, manifest, manifest_sha256 FROM workspace_versions "
                          "WHERE workspace_id = ? ORDER BY number", (workspace_id,))
        return [self._version(row) for row in rows]

    def version(self, workspace_id: str, number: int) -> VersionRow | None:
        """One version, or None."""
        with self.db.read() as tx:
            row = tx.one("SELECT number, created_at, description, manifest, manifest_sha256 FROM workspace_versions "
                         "WHERE workspace_id = ? AND number = ?", (workspace_id, number))
        return None if row is None else self._version(row)

    def _version(self, row: tuple[Any, ...]) -> VersionRow:
        try:
            _expect(type(row[0]) is int and all(isinstance(value, str) for value in row[2:]))
            return VersionRow(row[0], self.db.dialect.decode_time(row[1]), row[2], row[3], row[4])
        except (TypeError, ValueError) as exc:
            raise SnapshotCorrupt(CORRUPT_ROW, key="ws.record_corrupt") from exc


def _insert_version(tx: Any, workspace_id: str, version: VersionRow, encode: Any) -> None:
    tx.run("INSERT INTO workspace_versions (workspace_id, number, created_at, description, manifest, manifest_sha256) "
           "VALUES (?, ?, ?, ?, ?, ?)",
           (workspace_id, version.number, encode(version.created_at), version.description, version.manifest, version.manifest_sha256))


def _expect(ok: bool) -> None:
    if not ok:
        raise ValueError("stored value has the wrong type")
