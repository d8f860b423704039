"""Shared snapshots of a dashboard view: stored behind one small interface (SQLite by default, PostgreSQL for replicas).

Typical use from the UI layer::

    service = SnapshotService(open_store())
    created = service.create(SnapshotPayload(frames=..., texts=..., state=...), title="…", access_code="A1b2")
    opened = service.open(created.id, access_code="A1b2")
"""

from snapshots.config import open_database, open_store
from snapshots.db import Database
from snapshots.errors import (
    SnapshotConfigError,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotInvalid,
    SnapshotRateLimited,
    SnapshotStoreError,
    SnapshotTooLarge,
    SnapshotUnavailable,
    StoreBusy,
    StoreFull,
)
from snapshots.manifest import FileEntry, Manifest, RowFix
from snapshots.payload import SnapshotPayload
from snapshots.service import EXPIRY_CHOICES, Created, OpenedSnapshot, SnapshotMeta, SnapshotService
from snapshots.store import DamagedRow, SnapshotStore, StoredSnapshot
from snapshots.workspaces import Access, Opened, Version, WorkspaceService, WorkspaceUnavailable

__all__ = [
    "EXPIRY_CHOICES",
    "Access",
    "Created",
    "DamagedRow",
    "Database",
    "FileEntry",
    "Manifest",
    "Opened",
    "OpenedSnapshot",
    "RowFix",
    "SnapshotConfigError",
    "SnapshotCorrupt",
    "SnapshotError",
    "SnapshotInvalid",
    "SnapshotMeta",
    "SnapshotPayload",
    "SnapshotRateLimited",
    "SnapshotService",
    "SnapshotStore",
    "SnapshotStoreError",
    "SnapshotTooLarge",
    "SnapshotUnavailable",
    "StoreBusy",
    "StoreFull",
    "StoredSnapshot",
    "Version",
    "WorkspaceService",
    "WorkspaceUnavailable",
    "open_database",
    "open_store",
]
