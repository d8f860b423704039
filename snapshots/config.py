"""Pick the snapshot store and limits from configuration: an explicit URL, then environment variables, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

from snapshots.db import Database, postgres_database, sqlite_database
from snapshots.errors import MAX_BYTES_MESSAGE, SnapshotConfigError
from snapshots.store import SnapshotStore

STORE_URL_ENV = "SNAPSHOT_STORE_URL"
DATA_DIR_ENV = "SCORING_DATA_DIR"
MAX_BYTES_ENV = "SNAPSHOT_MAX_BYTES"
DEFAULT_DATA_DIR = "./data"
DEFAULT_FILE_NAME = "snapshots.sqlite3"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def store_url(url: str | None = None) -> str:
    """The effective store URL: the argument, else $SNAPSHOT_STORE_URL, else a SQLite file under $SCORING_DATA_DIR."""
    if url:
        return url
    configured = os.environ.get(STORE_URL_ENV, "").strip()
    if configured:
        return configured
    data_dir = Path(os.environ.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR)
    return f"sqlite:///{data_dir / DEFAULT_FILE_NAME}"


def open_database(url: str | None = None) -> Database:
    """Open (and on first use create or migrate) the database: `sqlite:///relative/path`, `sqlite:////absolute/path` or `postgresql://…`."""
    effective = store_url(url)
    if effective.startswith("sqlite:///"):
        path = effective.removeprefix("sqlite:///")
        if not path or path == ":memory:":
            raise SnapshotConfigError("快照库地址无效：sqlite:/// 后须跟一个文件路径（内存数据库不能在多个连接间共享）。")
        return sqlite_database(path)
    if effective.startswith(("postgresql://", "postgres://")):
        return postgres_database(effective)
    scheme = effective.split(":", 1)[0] if ":" in effective else effective[:20]
    raise SnapshotConfigError(f"快照库地址无效（“{scheme}”）：只支持 sqlite:///文件路径 或 postgresql://用户@主机:端口/库名。")


def open_store(url: str | None = None) -> SnapshotStore:
    """The snapshot store over the configured database (its `.db` serves the workspace store too)."""
    return SnapshotStore(open_database(url))


def max_snapshot_bytes() -> int:
    """The size limit for one encoded snapshot: $SNAPSHOT_MAX_BYTES, else 50 MB."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SnapshotConfigError(MAX_BYTES_MESSAGE.format(raw=raw[:40]), key="snap.max_bytes_bad", raw=raw[:40])
    return value
