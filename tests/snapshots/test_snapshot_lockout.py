"""The 提取码 lockout under bursts of parallel guesses (threads released at one barrier), and the bounded pool, on both back ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest

from snapshots import SnapshotPayload, SnapshotRateLimited, SnapshotService, SnapshotUnavailable, StoreBusy, open_store, tokens
from snapshots.db import sqlite_database
from snapshots.pool import ConnectionPool

pytestmark = pytest.mark.xdist_group("snapshots-heavy")

RIGHT = "R8t5"


@contextmanager
def counted_code_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count every evaluation of a code against a real stored hash (the expensive step the lockout must bound)."""
    calls = [0]
    lock = threading.Lock()
    real = tokens.access_code_matches

    def counting(code: object, stored_hash: str | None) -> bool:
        if stored_hash is not None:
            with lock:
                calls[0] += 1
        return real(code, stored_hash)

    monkeypatch.setattr(tokens, "access_code_matches", counting)
    yield calls


def burst(count: int, attempt: Callable[[int], str]) -> list[str]:
    """Run `count` attempts in as many threads, all released at once; returns each attempt's outcome."""
    barrier = threading.Barrier(count)

    def fire(number: int) -> str:
        barrier.wait()
        return attempt(number)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(fire, range(count)))


def outcome(service: SnapshotService, snapshot_id: str, code: str) -> str:
    try:
        service.open(snapshot_id, code)
    except SnapshotRateLimited:
        return "limited"
    except SnapshotUnavailable:
        return "refused"
    return "opened"


@pytest.mark.parametrize("size", [8, 50, 200])
def test_a_burst_of_wrong_codes_evaluates_at_most_the_limit(service: SnapshotService, payload: SnapshotPayload, size: int,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    created = service.create(payload, title="保密", access_code=RIGHT)
    with counted_code_checks(monkeypatch) as calls:
        outcomes = burst(size, lambda n: outcome(service, created.id, f"x{n:03d}"))
    assert calls[0] <= service.max_failures
    assert outcomes.count("refused") == calls[0] == service.max_failures
    assert outcomes.count("limited") == size - service.max_failures
    assert outcome(service, created.id, RIGHT) == "limited"  # the right code comes too late


def test_after_four_failures_a_burst_mixing_codes_adds_at_most_one_failure(service: SnapshotService, payload: SnapshotPayload,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    created = service.create(payload, title="保密", access_code=RIGHT)
    for _ in range(service.max_failures - 1):
        assert outcome(service, created.id, "nope") == "refused"
    with counted_code_checks(monkeypatch) as calls:
        outcomes = burst(50, lambda n: outcome(service, created.id, RIGHT if n % 2 else "nope"))
    # One attempt was left: at most one more wrong code is evaluated; a right code that wins a slot hands it back.
    assert outcomes.count("refused") <= 1
    assert calls[0] == outcomes.count("opened") + outcomes.count("refused")
    assert outcomes.count("limited") == 50 - calls[0] > 0
    if outcomes.count("refused") == 1:
        assert outcome(service, created.id, RIGHT) == "limited"


def test_a_burst_of_right_codes_is_not_locked_out(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="团队共享", access_code=RIGHT)
    outcomes = burst(20, lambda n: outcome(service, created.id, RIGHT))
    assert outcomes.count("opened") >= service.max_failures  # at most `limit` are in flight at once, none is a failure
    assert outcome(service, created.id, RIGHT) == "opened"  # successes are handed back, so honest visitors never lock the link


@pytest.mark.postgres
def test_a_burst_of_200_on_postgres_stays_within_the_pool(postgres_url: str, payload: SnapshotPayload) -> None:
    store = open_store(postgres_url)
    service = SnapshotService(store, max_bytes=1 << 26)
    created = service.create(payload, title="保密", access_code=RIGHT)
    database = postgres_url.rsplit("/", 1)[1]
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            while not done.is_set():
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)).fetchone()
                peak[0] = max(peak[0], int(row[0]) - 1 if row else 0)  # minus the watcher itself
                time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        outcomes = burst(200, lambda n: outcome(service, created.id, f"y{n:03d}"))
    finally:
        done.set()
        watcher.join()
        store.close()
    assert sorted(set(outcomes)) == ["limited", "refused"]  # no "too many clients", no other error
    assert outcomes.count("refused") == service.max_failures
    assert 0 < peak[0] <= store.db.pool.size


def test_the_pool_waits_then_refuses_with_a_clear_message() -> None:
    opened: list[int] = []
    pool: ConnectionPool[object] = ConnectionPool(lambda: _Conn(opened), lambda exc: None, size=2, wait=0.3)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with pool.borrow():
            held.set()
            release.wait(5)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    held.wait(5)
    time.sleep(0.05)
    started = time.monotonic()
    with pytest.raises(StoreBusy, match=r"快照库繁忙：2 个数据库连接都在使用中，等待 0\.3 秒") as caught, pool.borrow():
        pass
    assert time.monotonic() - started >= 0.25
    assert caught.value.key == "snap.store_busy"
    release.set()
    for thread in holders:
        thread.join()
    with pool.borrow():  # a freed connection is lent again without opening a new one
        pass
    assert len(opened) == 2


def test_a_waiting_borrower_gets_the_connection_as_soon_as_it_is_returned(tmp_path) -> None:
    database = sqlite_database(tmp_path / "s.sqlite3", pool_size=1, wait=5)
    try:
        outcomes = burst(16, lambda n: _read_one(database))
        assert outcomes == ["ok"] * 16
    finally:
        database.close()


def _read_one(database) -> str:
    with database.read() as tx:
        assert tx.one("SELECT 1") == (1,)
    return "ok"


class _Conn:
    def __init__(self, opened: list[int]) -> None:
        opened.append(1)

    def close(self) -> None:
        pass
