"""Many threads writing and reading at once, and a writer killed mid-write, on both back ends."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from snapshots import SnapshotPayload, SnapshotService, SnapshotUnavailable, open_store
from tests.snapshots.conftest import kill, writer_process

pytestmark = pytest.mark.xdist_group("snapshots-heavy")  # keep the two heavy tests on one worker of a 2-core machine

THREADS = 8
PER_THREAD = 100


def own_payload(thread: int, number: int) -> SnapshotPayload:
    frame = pd.DataFrame({"thread": [thread] * 3, "number": [number] * 3, "支部": pd.array([f"支部{thread}-{number}", None, "x"], dtype="str")})
    return SnapshotPayload(frames={"r": frame}, texts={"t.yaml": f"{thread}:{number}"}, state={"thread": thread, "number": number})


def test_threads_creating_and_reading_lose_and_mix_up_nothing(service: SnapshotService) -> None:
    start = threading.Barrier(THREADS)

    def work(thread: int) -> dict[str, tuple[int, int]]:
        start.wait()
        mine: dict[str, tuple[int, int]] = {}
        for number in range(PER_THREAD):
            created = service.create(own_payload(thread, number), title=f"{thread}-{number}")
            mine[created.id] = (thread, number)
            # Read back one of our earlier snapshots while the other threads keep writing.
            earlier_id = list(mine)[number // 2]
            state = service.open(earlier_id).payload.state
            assert (state["thread"], state["number"]) == mine[earlier_id]
        return mine

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))

    expected = {snapshot_id: owner for mine in results for snapshot_id, owner in mine.items()}
    assert len(expected) == THREADS * PER_THREAD
    assert {m.id: m.title for m in service.list()} == {i: f"{t}-{n}" for i, (t, n) in expected.items()}

    def check(item: tuple[str, tuple[int, int]]) -> None:
        snapshot_id, (thread, number) = item
        opened = service.open(snapshot_id).payload
        want = own_payload(thread, number)
        assert_frame_equal(opened.frames["r"], want.frames["r"], check_exact=True)
        assert (opened.texts, opened.state) == (want.texts, want.state)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(check, expected.items()))


# Runs in a child process: creates a ~40 MB snapshot and announces "committing" just before COMMIT, then waits to be killed.
WRITER = r"""
import os, sys
import pandas as pd
from tests.snapshots.stall import arm
from snapshots import SnapshotPayload, SnapshotService, open_store

store = open_store(sys.argv[1])
real_insert = store.insert

def insert(record, payload):
    arm()
    print("writing", record.id, flush=True)
    real_insert(record, payload)

store.insert = insert
blob = pd.DataFrame({"blob": [os.urandom(1 << 20) for _ in range(40)]})
SnapshotService(store, max_bytes=1 << 30).create(SnapshotPayload(frames={"blob": blob}), title="half")
print("finished", flush=True)
"""


def test_a_writer_killed_mid_write_leaves_the_store_readable_and_the_snapshot_absent(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    service = SnapshotService(store)
    survivor = service.create(own_payload(1, 1), title="survivor")
    try:
        with writer_process(WRITER, store_url) as writer:
            assert writer.stdout is not None
            first, second = writer.stdout.readline().split(), writer.stdout.readline().strip()
            assert first[0] == "writing" and second == "committing", (first, second)
            half_id = first[1]
            if store_url.startswith("sqlite:///"):
                wal = Path(store_url.removeprefix("sqlite:///") + "-wal")
                assert wal.stat().st_size > 10 * 1024 * 1024  # the uncommitted pages really reached the disk
            kill(writer)
    finally:
        store.close()

    reopened = open_store(store_url)
    try:
        after = SnapshotService(reopened)
        assert [m.id for m in after.list()] == [survivor.id]
        with pytest.raises(SnapshotUnavailable):
            after.open(half_id)
        assert after.open(survivor.id).payload.state == {"thread": 1, "number": 1}
        later = after.create(own_payload(2, 2), title="after the crash")  # the write lock was released
        assert after.open(later.id).payload.state == {"thread": 2, "number": 2}
    finally:
        reopened.close()
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
