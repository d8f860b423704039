"""Stored rows that do not parse, a bad size limit, a full disk and invisible titles: each a clear refusal, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from snapshots import (
    SnapshotConfigError,
    SnapshotCorrupt,
    SnapshotInvalid,
    SnapshotPayload,
    SnapshotService,
    SnapshotStoreError,
    StoreFull,
    open_store,
)
from snapshots.db import postgres_error
from tests.snapshots.test_snapshot_cli import run_cli

SQLITE_ONLY = {"text_time": "UPDATE snapshots SET created_at = '2026-03-01 09:30' WHERE id = ?",
               "text_size": "UPDATE snapshots SET size = 'big' WHERE id = ?"}
BOTH = {"not_json": "UPDATE snapshots SET metadata = '{broken' WHERE id = ?",
        "json_list": "UPDATE snapshots SET metadata = '[1, 2]' WHERE id = ?",
        "null_hash": "UPDATE snapshots SET code_hash = NULL, metadata = 'x' WHERE id = ?"}


def damage(url: str, statement: str, snapshot_id: str) -> None:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement, (snapshot_id,))
    else:
        with psycopg.connect(url) as conn:
            conn.execute(statement.replace("?", "%s"), (snapshot_id,))


def cases(url: str) -> dict[str, str]:
    return {**BOTH, **(SQLITE_ONLY if url.startswith("sqlite") else {})}


def test_rows_that_do_not_parse_are_refused_as_damaged(service: SnapshotService, payload: SnapshotPayload, store_url: str) -> None:
    intact = service.create(payload, title="完好", access_code="Ab12")
    for name, statement in cases(store_url).items():
        broken = service.create(payload, title=name, access_code="Ab12")
        damage(store_url, statement, broken.id)
        with pytest.raises(SnapshotCorrupt, match="已损坏"):
            service.open(broken.id, "Ab12")
        with pytest.raises(SnapshotCorrupt, match="已损坏"):
            service.needs_code(broken.id)
    assert service.open(intact.id, "Ab12").meta.title == "完好"
    metas, damaged = service.inventory()
    assert [m.id for m in metas] == [intact.id]
    assert len(damaged) == len(cases(store_url))


def test_admin_list_lists_what_it_can_and_names_what_it_cannot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    service = SnapshotService(open_store(url), max_bytes=1 << 20)
    good = service.create(SnapshotPayload(), title="完好")
    bad = service.create(SnapshotPayload(), title="坏")
    damage(url, SQLITE_ONLY["text_time"], bad.id)
    result = run_cli("list", "--store", url)
    assert result.returncode == 0, result.stderr
    assert good.id in result.stdout and "完好" in result.stdout
    assert bad.id not in result.stdout
    assert f"damaged row '{bad.id}'" in result.stderr and "created_at" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_bad_size_limit_says_what_to_do_and_blocks_only_creating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = SnapshotService(open_store(f"sqlite:///{tmp_path}/s.sqlite3"))
    made = service.create(SnapshotPayload(), title="之前")
    monkeypatch.setenv("SNAPSHOT_MAX_BYTES", "abc")
    with pytest.raises(SnapshotConfigError) as caught:
        service.create(SnapshotPayload(), title="之后")
    message = str(caught.value)
    for part in ("SNAPSHOT_MAX_BYTES", "“abc”", "正整数", "52428800", "重启"):
        assert part in message
    assert "暂时无法访问" not in message
    assert (caught.value.key, caught.value.values["raw"]) == ("snap.max_bytes_bad", "abc")
    assert service.open(made.id).meta.title == "之前"


def test_a_full_disk_says_so_and_keeps_what_was_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite3"
    service = SnapshotService(open_store(f"sqlite:///{path}"), max_bytes=1 << 26)
    kept = service.create(SnapshotPayload(texts={"a.yaml": "x"}), title="已有")
    service.store.close()
    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    real_connect = sqlite3.connect

    def small_disk(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # what a full disk does to SQLite: SQLITE_FULL on write
        return conn

    monkeypatch.setattr(sqlite3, "connect", small_disk)
    service = SnapshotService(open_store(f"sqlite:///{path}"), max_bytes=1 << 26)
    big = SnapshotPayload(texts={"big.yaml": "".join(f"{i:x}" for i in range(200_000))})
    with pytest.raises(StoreFull) as caught:
        service.create(big, title="太大")
    assert "磁盘已满" in str(caught.value) and "清理磁盘空间" in str(caught.value) and "暂时无法访问" not in str(caught.value)
    assert isinstance(caught.value, SnapshotStoreError) and caught.value.key == "snap.store_full"
    assert [m.id for m in service.list()] == [kept.id]
    assert service.open(kept.id).payload.texts == {"a.yaml": "x"}


def test_postgres_disk_full_is_reported_as_a_full_disk() -> None:
    assert isinstance(postgres_error(psycopg.errors.DiskFull("could not extend file")), StoreFull)
    other = postgres_error(psycopg.errors.UniqueViolation("dup"))
    assert isinstance(other, SnapshotStoreError) and not isinstance(other, StoreFull)
    assert postgres_error(ValueError("not a driver error")) is None


@pytest.mark.parametrize("title", ["\u200b\u200b\u200b", "\u200b \ufeff\u2060", "\u3000\u200c", "\t\n"])
def test_titles_of_invisible_characters_only_are_refused(service: SnapshotService, title: str) -> None:
    with pytest.raises(SnapshotInvalid, match="不能只有空格或零宽字符"):
        service.create(SnapshotPayload(), title=title)
    assert service.list() == []
