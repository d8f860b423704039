"""Behaviour every store back end must share, exercised through the service API on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pandas as pd
import psycopg
import pytest
from pandas.testing import assert_frame_equal

from snapshots import (
    SnapshotCorrupt,
    SnapshotInvalid,
    SnapshotPayload,
    SnapshotRateLimited,
    SnapshotService,
    SnapshotTooLarge,
    SnapshotUnavailable,
    open_store,
)
from snapshots.errors import UNAVAILABLE_MESSAGE
from snapshots.tokens import is_valid_id

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
UNKNOWN_ID = "A" * 24  # well-formed, never issued


def assert_payload_equal(left: SnapshotPayload, right: SnapshotPayload) -> None:
    assert list(left.frames) == list(right.frames)
    for name in left.frames:
        assert_frame_equal(left.frames[name], right.frames[name], check_exact=True, check_column_type=True, check_index_type=True)
    assert left.texts == right.texts
    assert left.state == right.state


def unavailable(service: SnapshotService, snapshot_id: object, code: str | None = None, now: datetime = T0) -> SnapshotUnavailable:
    with pytest.raises(SnapshotUnavailable) as caught:
        service.open(snapshot_id, code, now=now)
    return caught.value


def tamper(url: str, snapshot_id: str) -> None:
    """Flip one byte in the middle of the stored payload, behind the service's back."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            (data,) = conn.execute("SELECT payload FROM snapshots WHERE id = ?", (snapshot_id,)).fetchone()
            changed = bytearray(data)
            changed[len(changed) // 2] ^= 0xFF
            conn.execute("UPDATE snapshots SET payload = ? WHERE id = ?", (bytes(changed), snapshot_id))
    else:
        with psycopg.connect(url) as conn:
            flip = "set_byte(payload, length(payload) / 2, get_byte(payload, length(payload) / 2) # 255)"
            conn.execute(f"UPDATE snapshots SET payload = {flip} WHERE id = %s", (snapshot_id,))


def test_round_trip_keeps_frames_texts_and_state_exactly(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="  2025 年度考评  ", now=T0, metadata={"rubric": "village", "version": "2025.1"})
    opened = service.open(created.id, now=T0)
    assert_payload_equal(payload, opened.payload)
    assert opened.meta.title == "2025 年度考评"
    assert opened.meta.created_at == T0
    assert opened.meta.expires_at == T0 + timedelta(days=7)
    assert opened.meta.metadata == {"frames": {"branches": [3, 6], "空表": [0, 1]}, "rubric": "village", "version": "2025.1"}
    assert opened.meta.has_access_code is False
    assert opened.meta == created.meta


def test_ids_are_fresh_random_and_not_derived_from_the_data(service: SnapshotService, payload: SnapshotPayload) -> None:
    first = service.create(payload, title="a", now=T0)
    second = service.create(payload, title="a", now=T0)
    assert first.id != second.id
    assert first.meta.sha256 == second.meta.sha256  # same bytes, still different ids
    assert is_valid_id(first.id) and is_valid_id(second.id)
    assert first.meta.sha256[:8] not in first.id


def test_expiry_is_reached_exactly_and_expired_snapshots_are_purged_on_access(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="一天", expires_in_days=1, now=T0)
    service.open(created.id, now=T0 + timedelta(hours=23, minutes=59))
    assert unavailable(service, created.id, now=T0 + timedelta(days=1)).args == (UNAVAILABLE_MESSAGE,)
    assert service.store.get(created.id) is None  # gone, not just hidden
    assert unavailable(service, created.id, now=T0).args == (UNAVAILABLE_MESSAGE,)  # even if the clock is turned back


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_each_expiry_choice_sets_the_expiry(service: SnapshotService, payload: SnapshotPayload, days: int) -> None:
    created = service.create(payload, title="t", expires_in_days=days, now=T0)
    assert created.meta.expires_at == T0 + timedelta(days=days)


def test_never_expiring_snapshots_stay(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="永久", expires_in_days=None, now=T0)
    assert created.meta.expires_at is None
    assert service.purge(now=T0 + timedelta(days=3650)) == 0
    service.open(created.id, now=T0 + timedelta(days=3650))


@pytest.mark.parametrize("days", [0, 2, 365, -1, True, "7", 7.0])
def test_other_expiry_values_are_refused_in_chinese(service: SnapshotService, payload: SnapshotPayload, days: object) -> None:
    with pytest.raises(SnapshotInvalid, match="有效期"):
        service.create(payload, title="t", expires_in_days=days, now=T0)  # type: ignore[arg-type]
    assert service.list() == []


def test_purge_removes_only_expired_snapshots(service: SnapshotService, payload: SnapshotPayload) -> None:
    short = service.create(payload, title="短", expires_in_days=1, now=T0)
    long = service.create(payload, title="长", expires_in_days=30, now=T0)
    forever = service.create(payload, title="永久", expires_in_days=None, now=T0)
    assert service.purge(now=T0 + timedelta(days=2)) == 1
    assert {m.id for m in service.list()} == {long.id, forever.id}
    assert service.store.get(short.id) is None
    assert service.purge(now=T0 + timedelta(days=2)) == 0


def test_delete_needs_the_right_token(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="t", now=T0)
    other = service.create(payload, title="t", now=T0)
    assert service.delete(created.id, other.delete_token) is False
    assert service.delete(created.id, "x" * 43) is False
    assert service.delete(created.id, None) is False
    assert service.delete(UNKNOWN_ID, created.delete_token) is False
    service.open(created.id, now=T0)
    assert service.delete(created.id, created.delete_token) is True
    assert unavailable(service, created.id).args == (UNAVAILABLE_MESSAGE,)
    assert service.delete(created.id, created.delete_token) is False
    service.open(other.id, now=T0)


def test_access_code_right_wrong_and_missing(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="保密", access_code="Ab12x9", now=T0)
    assert created.meta.has_access_code
    assert_payload_equal(payload, service.open(created.id, "Ab12x9", now=T0).payload)
    wrong = unavailable(service, created.id, "ab12x9")  # case matters
    missing = unavailable(service, created.id, None)
    unknown_with_code = unavailable(service, UNKNOWN_ID, "Ab12x9")
    unknown_without = unavailable(service, UNKNOWN_ID, None)
    outcomes = {(type(e), e.args) for e in (wrong, missing, unknown_with_code, unknown_without)}
    assert outcomes == {(SnapshotUnavailable, (UNAVAILABLE_MESSAGE,))}


def test_only_hashes_of_access_code_and_delete_token_are_stored(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="保密", access_code="Zq81", now=T0)
    record = service.store.get(created.id)
    assert record is not None and record.code_hash is not None
    assert "Zq81" not in record.code_hash and created.delete_token not in record.delete_hash
    again = service.create(payload, title="保密", access_code="Zq81", now=T0)
    again_record = service.store.get(again.id)
    assert again_record is not None and again_record.code_hash != record.code_hash  # salted per snapshot


@pytest.mark.parametrize("code", ["abc", "abcdefg", "ab 12", "中文密码", "ab-12", "", "１２３４"])
def test_badly_shaped_access_codes_are_refused_in_chinese(service: SnapshotService, payload: SnapshotPayload, code: str) -> None:
    with pytest.raises(ValueError, match="提取码须为 4–6 位英文字母或数字"):
        service.create(payload, title="t", access_code=code, now=T0)


def test_needs_code_does_not_reveal_whether_an_id_exists(service: SnapshotService, payload: SnapshotPayload) -> None:
    open_one = service.create(payload, title="公开", now=T0)
    coded = service.create(payload, title="保密", access_code="1234", now=T0)
    expired = service.create(payload, title="过期", expires_in_days=1, access_code=None, now=T0 - timedelta(days=2))
    assert service.needs_code(open_one.id, now=T0) is False
    assert service.needs_code(coded.id, now=T0) is True
    assert service.needs_code(UNKNOWN_ID, now=T0) is True
    assert service.needs_code(expired.id, now=T0) is True
    assert service.needs_code("../etc/passwd", now=T0) is True


def test_a_code_given_for_an_open_snapshot_is_ignored(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="公开", now=T0)
    service.open(created.id, "whatever", now=T0)


MALFORMED_IDS = [
    "",
    "../x",
    "../../etc/passwd" + "a" * 8,
    "' OR 1=1 --",
    "'; DROP TABLE snapshots; --aaaaaaaaaa",
    "A" * 23,
    "A" * 25,
    "A" * 100_000,
    "支部支部支部支部支部支部支部支部支部支部支部支部",
    "ＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡ",
    "A" * 23 + "\n",
    "A" * 23 + "=",
    "A" * 22 + "%2",
    None,
    123,
    b"A" * 24,
]


@pytest.mark.parametrize("bad_id", MALFORMED_IDS, ids=range(len(MALFORMED_IDS)))
def test_malformed_ids_get_the_same_answer_as_unknown_ones(service: SnapshotService, payload: SnapshotPayload, bad_id: object) -> None:
    kept = service.create(payload, title="t", now=T0)
    reference = unavailable(service, UNKNOWN_ID)
    for code in (None, "1234"):
        error = unavailable(service, bad_id, code)
        assert (type(error), error.args) == (type(reference), reference.args)
    assert service.delete(bad_id, kept.delete_token) is False
    assert [m.id for m in service.list()] == [kept.id]


class UntouchableStore:
    """A store that fails the test if anything reaches it."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"storage was touched: {name}")


@pytest.mark.parametrize("bad_id", MALFORMED_IDS, ids=range(len(MALFORMED_IDS)))
def test_malformed_ids_never_reach_the_storage(bad_id: object) -> None:
    service = SnapshotService(UntouchableStore(), max_bytes=1)  # type: ignore[arg-type]
    with pytest.raises(SnapshotUnavailable) as caught:
        service.open(bad_id, "1234", now=T0)
    assert caught.value.args == (UNAVAILABLE_MESSAGE,)
    assert service.needs_code(bad_id, now=T0) is True
    assert service.delete(bad_id, "x" * 43) is False


def test_rate_limit_applies_to_real_and_unknown_ids_alike(service: SnapshotService, payload: SnapshotPayload) -> None:
    coded = service.create(payload, title="保密", access_code="R8t5", now=T0)
    neighbour = service.create(payload, title="邻居", access_code="R8t5", now=T0)

    def attempts(snapshot_id: str) -> list[tuple[type, tuple[object, ...]]]:
        seen = []
        for minute in range(5):
            error = unavailable(service, snapshot_id, "nope", now=T0 + timedelta(minutes=minute))
            seen.append((type(error), error.args))
        error = unavailable(service, snapshot_id, "R8t5", now=T0 + timedelta(minutes=5))  # right code, too late
        seen.append((type(error), error.args))
        return seen

    real, unknown = attempts(coded.id), attempts(UNKNOWN_ID)
    assert real == unknown
    assert [kind for kind, _ in real] == [SnapshotUnavailable] * 5 + [SnapshotRateLimited]
    assert "10 分钟后再试" in str(real[-1][1][0])
    service.open(neighbour.id, "R8t5", now=T0 + timedelta(minutes=5))  # limited per id, not globally
    service.open(coded.id, "R8t5", now=T0 + timedelta(minutes=15))  # window over


def test_failed_attempts_are_shared_between_replicas(store_url: str, payload: SnapshotPayload) -> None:
    first, second = open_store(store_url), open_store(store_url)
    try:
        replica_a, replica_b = SnapshotService(first), SnapshotService(second)
        created = replica_a.create(payload, title="t", access_code="abcd", now=T0)
        for _ in range(5):
            unavailable(replica_a, created.id, "zzzz")
        with pytest.raises(SnapshotRateLimited):
            replica_b.open(created.id, "abcd", now=T0)
    finally:
        first.close()
        second.close()


def test_tampered_payload_is_refused_with_an_integrity_error(service: SnapshotService, payload: SnapshotPayload, store_url: str) -> None:
    created = service.create(payload, title="t", now=T0)
    intact = service.create(payload, title="t", now=T0)
    tamper(store_url, created.id)
    with pytest.raises(SnapshotCorrupt, match="已损坏"):
        service.open(created.id, now=T0)
    service.open(intact.id, now=T0)


def test_max_size_is_enforced_before_anything_is_stored(store_url: str, payload: SnapshotPayload) -> None:
    store = open_store(store_url)
    try:
        size = len(payload.to_bytes())
        with pytest.raises(SnapshotTooLarge, match="快照过大") as caught:
            SnapshotService(store, max_bytes=size - 1).create(payload, title="t", now=T0)
        assert (caught.value.size, caught.value.limit) == (size, size - 1)
        assert store.records() == ([], [])
        SnapshotService(store, max_bytes=size).create(payload, title="t", now=T0)
    finally:
        store.close()


@pytest.mark.parametrize("title", ["", "   ", "长" * 201])
def test_titles_must_be_present_and_short(service: SnapshotService, payload: SnapshotPayload, title: str) -> None:
    with pytest.raises(SnapshotInvalid, match="标题"):
        service.create(payload, title=title, now=T0)


def test_naive_times_are_refused(service: SnapshotService, payload: SnapshotPayload) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        service.create(payload, title="t", now=datetime(2026, 1, 1))


def test_list_reports_every_snapshot_oldest_first(service: SnapshotService, payload: SnapshotPayload) -> None:
    later = service.create(payload, title="后", now=T0 + timedelta(hours=1), access_code="abcd")
    earlier = service.create(payload, title="前", now=T0)
    listed = service.list()
    assert [(m.id, m.title, m.has_access_code) for m in listed] == [(earlier.id, "前", False), (later.id, "后", True)]
    assert all(m.size == len(payload.to_bytes()) for m in listed)


def test_empty_payload_round_trips(service: SnapshotService) -> None:
    created = service.create(SnapshotPayload(), title="空", now=T0)
    opened = service.open(created.id, now=T0)
    assert (opened.payload.frames, opened.payload.texts, opened.payload.state) == ({}, {}, {})


def test_wide_frame_round_trips_through_the_store(service: SnapshotService) -> None:
    frame = pd.DataFrame({f"指标{i}": [i * 0.5, None, 1.25] for i in range(60)}, index=pd.Index(["a", "b", "c"], name="支部"))
    created = service.create(SnapshotPayload(frames={"indicators": frame}), title="t", now=T0)
    assert_frame_equal(frame, service.open(created.id, now=T0).payload.frames["indicators"], check_exact=True)


def test_a_second_store_on_the_same_url_sees_every_write_at_once(store_url: str, payload: SnapshotPayload) -> None:
    writer_store, reader_store = open_store(store_url), open_store(store_url)
    try:
        writer, reader = SnapshotService(writer_store), SnapshotService(reader_store)
        for _ in range(3):
            created = writer.create(payload, title="t", now=T0)
            assert reader.open(created.id, now=T0).meta.id == created.id
            assert writer.delete(created.id, created.delete_token)
            unavailable(reader, created.id)
    finally:
        writer_store.close()
        reader_store.close()


def test_spaces_around_an_access_code_do_not_matter(service: SnapshotService, payload: SnapshotPayload) -> None:
    created = service.create(payload, title="保密", access_code=" Ab12 ", now=T0)
    service.open(created.id, "Ab12", now=T0)
    service.open(created.id, "\tAb12\n", now=T0)
