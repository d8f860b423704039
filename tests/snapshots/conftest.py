"""Fixtures for the snapshot tests: one store per back end (SQLite file per test, a PostgreSQL database per session)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg
import pytest
from psycopg import sql

from snapshots import SnapshotPayload, SnapshotService, open_store
from snapshots.workspaces import WorkspaceService

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty database for this test session (one per xdist worker), dropped at the end."""
    admin = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not admin:
        pytest.skip("PostgreSQL tests skipped: TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
    try:
        admin_conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL tests skipped: server at TEST_POSTGRES_URL is unreachable ({str(exc).splitlines()[0]})")
    name = f"snap_test_{secrets.token_hex(6)}"
    with admin_conn:
        admin_conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            parts = urlsplit(admin)
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin_conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL naming an empty store of each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'snapshots.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    open_store(url).close()  # creates the tables the first time
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE snapshots, access_attempts, workspaces, workspace_versions, workspace_files CASCADE")
    return url


@pytest.fixture
def service(store_url: str) -> Iterator[SnapshotService]:
    """A service over an empty store of each back end."""
    store = open_store(store_url)
    yield SnapshotService(store, max_bytes=50 * 1024 * 1024)
    store.close()


@pytest.fixture
def payload() -> SnapshotPayload:
    """A small payload with the awkward parts of real results: Chinese text, NaN, extension dtypes, a non-string index."""
    branches = pd.DataFrame(
        {
            "支部名称": pd.array(["城关镇第一党支部", "实验小学党支部", None], dtype="str"),
            "总分": [92.5, float("nan"), 58.0],
            "等级": pd.Categorical(["先进", "中间", "后进"], categories=["先进", "中间", "后进"], ordered=True),
            "党员数": pd.array([31, None, 7], dtype="Int64"),
            "软弱涣散": pd.array([False, None, True], dtype="boolean"),
            "已评定": [True, True, False],
        },
        index=pd.Index([101, 205, 309], name="branch_id"),
    )
    return SnapshotPayload(
        frames={"branches": branches, "空表": pd.DataFrame({"x": pd.Series([], dtype="float64")})},
        texts={"village.yaml": "name: 农村党支部\nversion: 2025\n", "common.yaml": "standards: []\n"},
        state={"page": "overview", "filters": {"grade": ["先进", "后进"], "year": 2025}, "branch": 205, "lang": "zh"},
    )


@pytest.fixture
def workspaces(store_url: str) -> Iterator[WorkspaceService]:
    """A workspace service over an empty store of each back end (the same database snapshots use)."""
    store = open_store(store_url)
    yield WorkspaceService(store.db)
    store.close()


@contextmanager
def writer_process(script: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A child process running `script` (which stalls at a commit via tests.snapshots.stall); killed at the end, or after 120 s."""
    writer = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    watchdog = threading.Timer(120, writer.kill)
    watchdog.start()
    try:
        assert writer.stdout is not None
        yield writer
    finally:
        watchdog.cancel()
        writer.kill()
        writer.wait()


def kill(writer: subprocess.Popen[str]) -> None:
    """SIGKILL the writer (no cleanup of any kind runs) and wait for it to be gone."""
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.wait(timeout=30) == -signal.SIGKILL
