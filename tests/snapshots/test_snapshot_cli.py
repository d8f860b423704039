"""Configuration (store URL, data directory, size limit) and the admin CLI `python -m snapshots`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from snapshots import SnapshotConfigError, SnapshotPayload, SnapshotService, SnapshotStoreError, open_store
from snapshots.config import DEFAULT_MAX_BYTES, max_snapshot_bytes, store_url
from tests.snapshots.conftest import ROOT


def run_cli(*args: str, env_extra: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env_extra or {})}
    command = [sys.executable, "-m", "snapshots", *args]
    return subprocess.run(command, check=False, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_default_store_is_a_wal_sqlite_file_under_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SNAPSHOT_STORE_URL", raising=False)
    monkeypatch.setenv("SCORING_DATA_DIR", str(tmp_path / "data" / "nested"))
    store = open_store()
    assert store.db.dialect.name == "sqlite"
    assert store.path == tmp_path / "data" / "nested" / "snapshots.sqlite3"
    assert store.path.exists()
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_data_dir_defaults_to_data_in_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SNAPSHOT_STORE_URL", raising=False)
    monkeypatch.delenv("SCORING_DATA_DIR", raising=False)
    assert store_url() == "sqlite:///data/snapshots.sqlite3"


def test_store_url_comes_from_argument_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPSHOT_STORE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    assert store_url() == f"sqlite:///{tmp_path}/env.sqlite3"
    assert store_url("postgresql://u@h/db") == "postgresql://u@h/db"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://relative.db", "sqlite:///", "sqlite:///:memory:", "/just/a/path"])
def test_unknown_store_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(SnapshotConfigError, match="快照库地址无效"):
        open_store(url)


def test_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SNAPSHOT_MAX_BYTES", raising=False)
    assert max_snapshot_bytes() == DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    monkeypatch.setenv("SNAPSHOT_MAX_BYTES", "1234")
    assert max_snapshot_bytes() == 1234
    for bad in ("-5", "0", "lots", "1.5"):
        monkeypatch.setenv("SNAPSHOT_MAX_BYTES", bad)
        with pytest.raises(SnapshotConfigError, match="SNAPSHOT_MAX_BYTES"):
            max_snapshot_bytes()


def test_service_uses_the_environment_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPSHOT_MAX_BYTES", "4096")
    assert SnapshotService(open_store(f"sqlite:///{tmp_path}/s.sqlite3")).max_bytes == 4096


def test_list_and_purge(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    service = SnapshotService(open_store(url))
    now = datetime.now(UTC)
    payload = SnapshotPayload(state={"page": "overview"})
    fresh = service.create(payload, title="城关镇 2025 年度考评", expires_in_days=30, access_code="Ab12", now=now)
    forever = service.create(payload, title="永久", expires_in_days=None, now=now)
    # Created last: each create purges what is expired at its own `now`, which for these lies in the past.
    stale = [service.create(payload, title=f"旧快照{i}", expires_in_days=1, now=now - timedelta(days=3)) for i in range(3)]

    listed = run_cli("list", "--store", url)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for created in (*stale, fresh, forever):
        assert created.id in listed.stdout
    assert any(fresh.id in line and "城关镇 2025 年度考评" in line and "yes" in line for line in lines)
    assert any(forever.id in line and "never" in line for line in lines)
    assert sum("(expired)" in line for line in lines) == 3
    assert lines[-1].startswith("5 snapshot(s)")

    purged = run_cli("purge", "--store", url)
    assert (purged.returncode, purged.stdout.strip()) == (0, "purged 3 expired snapshot(s)")
    assert {m.id for m in service.list()} == {fresh.id, forever.id}
    again = run_cli("purge", "--store", url)
    assert again.stdout.strip() == "purged 0 expired snapshot(s)"


def test_cli_uses_the_configured_data_dir(tmp_path: Path) -> None:
    result = run_cli("list", env_extra={"SCORING_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "snapshots.sqlite3").exists()
    assert result.stdout.splitlines()[-1] == "0 snapshot(s), 0 bytes"


@pytest.mark.parametrize("args", [(), ("explode",), ("list", "--bogus"), ("purge", "--store", "ftp://x")])
def test_usage_errors_exit_with_2(args: tuple[str, ...], tmp_path: Path) -> None:
    result = run_cli(*args, env_extra={"SCORING_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "usage" in result.stderr or "error" in result.stderr


def test_an_unreachable_server_exits_with_1() -> None:
    result = run_cli("list", "--store", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "cannot open the snapshot store" in result.stderr


def test_an_unusable_sqlite_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SnapshotStoreError, match="快照库暂时无法访问") as caught:
        open_store(f"sqlite:///{blocker}/snapshots.sqlite3")
    assert isinstance(caught.value.__cause__, OSError)
    not_a_database = tmp_path / "junk.sqlite3"
    not_a_database.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SnapshotStoreError) as caught:
        open_store(f"sqlite:///{not_a_database}")
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_an_unreachable_postgres_server_is_a_store_error() -> None:
    with pytest.raises(SnapshotStoreError, match="快照库暂时无法访问"):
        open_store("postgresql://nobody@127.0.0.1:1/none")
