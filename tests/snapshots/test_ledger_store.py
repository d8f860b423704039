"""The 台账 store's contract on SQLite and PostgreSQL: designation, history, and no edit ever silently overwritten."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ledger.model import CLOSED, LISTED, UNLISTED
from ledger.sheet import plan, read_ledger, to_csv
from snapshots import SnapshotInvalid, open_store
from snapshots.ledger_service import Candidate, EntryChanged, EntryInvalid, LedgerService
from snapshots.workspaces import Access, WorkspaceService

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
CANDIDATES = [Candidate("101", "甲村党支部", "甲镇党委", "甲镇", "后进", "1. 三会一课不落实"),
              Candidate("102", "乙村党支部", "甲镇党委", "甲镇", "软弱涣散候选", "1. 书记空缺")]


@pytest.fixture
def ledger(store_url: str) -> Iterator[tuple[LedgerService, Access]]:
    """A ledger service and a fresh workspace on each back end (a new workspace per test keeps tests apart)."""
    store = open_store(store_url)
    access = WorkspaceService(store.db).create("台账测试")
    yield LedgerService(store.db), access
    store.close()


def test_designation_keeps_reason_decider_time_and_prefilled_problems(ledger):
    service, access = ledger
    assert service.designate(access, "2024", CANDIDATES, reason="2024 年度考评后进", by="张三", now=T0) == 2
    entry = service.entry(access, "2024", "101")
    assert entry.listed and entry.revision == 1 and entry.source == "后进" and entry.status == "未开始"
    assert (entry.get("reason"), entry.get("decided_by"), entry.get("decided_at")) == ("2024 年度考评后进", "张三", "2025-03-01 09:00 UTC")
    assert entry.get("problems") == "1. 三会一课不落实"
    assert service.designate(access, "2024", CANDIDATES[:1], reason="再次", by="李四", now=T0) == 0  # already listed: nothing new
    assert service.entry(access, "2024", "101").revision == 1
    assert [e.branch_id for e in service.entries(access, "2024")] == ["101", "102"]
    assert service.periods(access) == ["2024"]


def test_every_change_is_kept_as_history_with_time_name_and_old_to_new(ledger):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES[:1], reason="后进", by="张三", now=T0)
    later = T0 + timedelta(days=30)
    saved = service.save(access, "2024", "101", 1, {"status": "整改中", "leader": "王明（副县长）", "deadline": "2025/6/30"},
                         by="李四", now=later)
    assert saved.revision == 2 and saved.values["deadline"] == "2025-06-30"
    history = service.history(access, "2024", "101")
    edits = [(h.at, h.by, h.revision, h.change.key, h.change.old, h.change.new) for h in history if h.revision == 2]
    assert edits == [(later, "李四", 2, "leader", "", "王明（副县长）"), (later, "李四", 2, "deadline", "", "2025-06-30"),
                     (later, "李四", 2, "status", "未开始", "整改中")]
    assert {h.change.key for h in history if h.revision == 1} >= {"listed", "reason", "decided_by", "problems", "status"}
    assert service.save(access, "2024", "101", 2, {"status": "整改中"}, by="李四").revision == 2  # no change: no revision
    assert len(service.history(access, "2024", "101")) == len(history)


def test_a_second_save_from_the_same_revision_is_told_and_sees_both_versions(ledger):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES[:1], reason="后进", by="张三", now=T0)
    opened = service.entry(access, "2024", "101")  # both open revision 1
    service.save(access, "2024", "101", opened.revision, {"measures": "补齐三会一课"}, by="甲")
    with pytest.raises(EntryChanged) as raised:
        service.save(access, "2024", "101", opened.revision, {"measures": "换届选举"}, by="乙")
    assert raised.value.current.get("measures") == "补齐三会一课" and raised.value.current.revision == 2
    assert raised.value.mine["measures"] == "换届选举"
    assert "“甲”" in str(raised.value)
    kept = service.entry(access, "2024", "101")
    assert kept.get("measures") == "补齐三会一课" and kept.revision == 2  # nothing overwritten
    assert service.save(access, "2024", "101", kept.revision, {"measures": "换届选举"}, by="乙").revision == 3  # on purpose


def test_racing_writers_from_one_revision_let_exactly_one_win(ledger):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES[:1], reason="后进", by="张三", now=T0)
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def write(n: int) -> None:
        start.wait()
        try:
            service.save(access, "2024", "101", 1, {"notes": f"第 {n} 人"}, by=f"人{n}")
            outcomes.append("saved")
        except EntryChanged:
            outcomes.append("told")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved"] + ["told"] * 5
    entry = service.entry(access, "2024", "101")
    assert entry.revision == 2
    notes = [h for h in service.history(access, "2024", "101") if h.change.key == "notes"]
    assert len(notes) == 1 and notes[0].change.new == entry.get("notes")


def test_removal_keeps_the_entry_and_its_history_and_redesignation_brings_it_back(ledger):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES, reason="后进", by="张三", now=T0)
    removed = service.remove(access, "2024", "102", 1, reason="复核后得分达标", by="李四")
    assert not removed.listed and removed.get("reason") == "复核后得分达标" and removed.get("decided_by") == "李四"
    with pytest.raises(EntryChanged):
        service.remove(access, "2024", "101", 5, reason="x", by="李四")
    assert service.designate(access, "2024", CANDIDATES[1:], reason="再次列入", by="王五") == 1
    back = service.entry(access, "2024", "102")
    assert back.listed and back.revision == 3
    listed = [(h.change.old, h.change.new) for h in service.history(access, "2024", "102") if h.change.key == "listed"]
    assert listed == [("", LISTED), (LISTED, UNLISTED), (UNLISTED, LISTED)]


@pytest.mark.parametrize(("values", "code"), [
    ({"status": "完成"}, "unknown_status"),
    ({"status": "延期"}, "delay_reason"),
    ({"status": CLOSED}, "closed_date"),
    ({"deadline": "年底"}, "bad_date"),
])
def test_values_that_cannot_be_kept_are_refused_with_the_reason(ledger, values, code):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES[:1], reason="后进", by="张三")
    with pytest.raises(EntryInvalid) as raised:
        service.save(access, "2024", "101", 1, values, by="李四")
    assert [p.code for p in raised.value.problems] == [code]
    assert service.entry(access, "2024", "101").revision == 1


def test_names_and_reasons_are_required_and_unknown_entries_refused(ledger):
    service, access = ledger
    with pytest.raises(SnapshotInvalid):
        service.designate(access, "2024", CANDIDATES, reason="  ", by="张三")
    with pytest.raises(SnapshotInvalid):
        service.designate(access, "2024", CANDIDATES, reason="后进", by="\u200b")
    with pytest.raises(SnapshotInvalid):
        service.save(access, "2024", "999", 1, {"notes": "x"}, by="张三")
    assert service.entries(access) == []


def test_an_import_adds_and_changes_and_reports_rows_whose_entry_moved_since_the_preview(ledger):
    import pandas as pd

    service, access = ledger
    service.designate(access, "2024", CANDIDATES[:1], reason="后进", by="张三")
    branches = pd.DataFrame({"branch_id": ["101", "102"], "name": ["甲村党支部", "乙村党支部"], "parent": "甲镇党委", "township": "甲镇"})
    entries = service.entries(access, "2024")
    exported = to_csv(entries).decode("utf-8-sig").replace("未开始", "整改中")
    exported += '"2","乙村党支部","","","","","","2025-09-30","未开始","否","","","","","","","",""\r\n'
    planned = plan(read_ledger(exported.encode("utf-8-sig"), "t.csv", branches, "2024"), {e.branch_id: e for e in entries})
    assert [(p.row.branch_id, p.current is None) for p in planned] == [("101", False), ("102", True)]
    service.save(access, "2024", "101", 1, {"notes": "抢先一步"}, by="甲")  # someone edits between preview and import
    done = service.apply(access, "2024", planned, by="导入人")
    assert (done.added, done.changed, done.conflicts) == (1, 0, (2,))
    assert service.entry(access, "2024", "101").get("notes") == "抢先一步"
    added = service.entry(access, "2024", "102")
    assert added.listed and added.get("reason") == "导入台账" and added.get("decided_by") == "导入人"
    again = plan(read_ledger(to_csv(service.entries(access, "2024")), "t.csv", branches, "2024"),
                 {e.branch_id: e for e in service.entries(access, "2024")})
    assert again == []


def test_workspaces_do_not_see_each_others_ledger(ledger, store_url):
    service, access = ledger
    service.designate(access, "2024", CANDIDATES, reason="后进", by="张三")
    store = open_store(store_url)
    try:
        other = WorkspaceService(store.db).create("另一个")
        assert service.entries(other) == [] and service.periods(other) == []
    finally:
        store.close()
