"""The workspace store contract on both back ends: versions, content-addressed files, integrity, access, concurrent and killed writers."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import psycopg
import pytest

from snapshots import SnapshotCorrupt, SnapshotInvalid, SnapshotRateLimited, SnapshotUnavailable, open_store
from snapshots.manifest import RowFix
from snapshots.workspaces import UNAVAILABLE_MESSAGE, Access, WorkspaceService, WorkspaceUnavailable
from tests.snapshots.conftest import kill, writer_process

UNKNOWN_ID = "B" * 24


def sql(url: str, statement: str, params: tuple[object, ...]) -> None:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement, params)
    else:
        with psycopg.connect(url) as conn:
            conn.execute(statement.replace("?", "%s"), params)


def test_every_change_is_a_version_and_any_version_can_be_restored(workspaces: WorkspaceService) -> None:
    access = workspaces.create("2025 年度考评")
    workspaces.add_file(access, "城关镇.csv", b"a,b\n1,2\n", source="城关镇")
    workspaces.add_file(access, "河口镇.xlsx", b"PK fake", sheets=["2024", "2025"])
    workspaces.record_fixes(access, [RowFix(hashlib.sha256(b"a,b\n1,2\n").hexdigest(), 2, "正式党员数", "31")])
    workspaces.set_rubric(access, {"village.yaml": "id: village\n"})
    workspaces.decide(access, "102001021|2025", "newer")
    workspaces.replace_file(access, "城关镇.csv", "城关镇（更正）.csv", b"a,b\n1,3\n")
    workspaces.remove_file(access, "河口镇.xlsx")
    history = workspaces.versions(access)
    assert [v.number for v in history] == list(range(1, 9))
    assert [v.description for v in history] == [
        "创建工作区“2025 年度考评”", "添加文件“城关镇.csv”", "添加文件“河口镇.xlsx”", "修正“城关镇.csv”中 1 处单元格", "评分细则改为 village.yaml",
        "冲突 102001021|2025：较新的文件替换较早的", "用“城关镇（更正）.csv”替换“城关镇.csv”", "删除文件“河口镇.xlsx”"]
    _, newest = workspaces.manifest(access)
    assert [(f.name, f.source) for f in newest.files] == [("城关镇（更正）.csv", "城关镇")]
    assert newest.fixes == ()  # the fixes belonged to the replaced file
    assert (newest.rubrics, newest.decisions) == ({"village.yaml": "id: village\n"}, {"102001021|2025": "newer"})
    _, third = workspaces.manifest(access, 3)
    assert [f.name for f in third.files] == ["城关镇.csv", "河口镇.xlsx"] and third.files[1].sheets == ("2024", "2025")
    restored = workspaces.restore(access, 3)
    assert (restored.number, restored.description) == (9, "恢复到第 3 版")
    assert workspaces.manifest(access)[1].files == third.files
    assert workspaces.file_bytes(access, third.files[0]) == b"a,b\n1,2\n"


def test_many_conflicts_decided_at_once_are_one_version_and_fixes_of_one_cell_replace(workspaces: WorkspaceService) -> None:
    access = workspaces.create("批量")
    workspaces.add_file(access, "a.xlsx", b"PK fake", sheets=["2024", "2025"])
    workspaces.decide(access, "1|2025", "first")
    version = workspaces.decide_many(access, ["1|2025", "2|2025", "3|2025", "2|2025"], "aside")
    assert (version.number, version.description) == (4, "3 个冲突：两者都暂不计入")
    assert workspaces.manifest(access)[1].decisions == dict.fromkeys(["1|2025", "2|2025", "3|2025"], "aside")
    sha = hashlib.sha256(b"PK fake").hexdigest()
    workspaces.record_fixes(access, [RowFix(sha, 5, "领域", "农村", "2024"), RowFix(sha, 5, "领域", "社区", "2025")])
    workspaces.record_fixes(access, [RowFix(sha, 5, "领域", "城市社区", "2025")])
    fixes = workspaces.manifest(access)[1].fixes
    assert sorted((f.sheet, f.value) for f in fixes) == [("2024", "农村"), ("2025", "城市社区")]  # same row, other sheet: kept


def test_files_are_stored_once_per_content(workspaces: WorkspaceService) -> None:
    access = workspaces.create("去重")
    workspaces.add_file(access, "a.csv", b"x" * 1000)
    workspaces.add_file(access, "b.csv", b"y" * 1000)
    workspaces.add_file(access, "a-copy.csv", b"x" * 1000)
    assert workspaces.store.file_count(access.id) == (2, 2000)
    workspaces.replace_file(access, "b.csv", "b.csv", b"z" * 500)  # a version that changes one file stores only that file
    assert workspaces.store.file_count(access.id) == (3, 2500)
    workspaces.set_rubric(access, {"r.yaml": "id: r\n"})
    assert workspaces.store.file_count(access.id) == (3, 2500)


def test_tampered_file_bytes_and_manifests_are_detected(workspaces: WorkspaceService, store_url: str) -> None:
    access = workspaces.create("篡改")
    workspaces.add_file(access, "a.csv", b"a,b\n1,2\n")
    _, manifest = workspaces.manifest(access)
    entry = manifest.files[0]
    sql(store_url, "UPDATE workspace_files SET content = ? WHERE sha256 = ?", (b"a,b\n1,9\n", entry.sha256))
    with pytest.raises(SnapshotCorrupt, match=r"“a\.csv”已损坏"):
        workspaces.file_bytes(access, entry)
    sql(store_url, "UPDATE workspace_versions SET manifest = replace(manifest, 'a.csv', 'b.csv') WHERE workspace_id = ? AND number = 2",
        (access.id,))
    with pytest.raises(SnapshotCorrupt, match="已损坏"):
        workspaces.manifest(access)


def test_opening_is_uniform_coded_and_locked_out(workspaces: WorkspaceService) -> None:
    coded = workspaces.create("保密", access_code="Ab12")
    open_one = workspaces.create("公开")
    assert workspaces.open(open_one.id).name == "公开"
    assert workspaces.needs_code(coded.id) and workspaces.needs_code(UNKNOWN_ID) and not workspaces.needs_code(open_one.id)
    opened = workspaces.open(coded.id, " Ab12 ")
    assert (opened.access, opened.has_access_code, opened.head.number) == (coded, True, 1)

    def refusals(workspace_id: str) -> list[tuple[type, tuple[object, ...]]]:
        seen = []
        for _ in range(6):
            with pytest.raises(SnapshotUnavailable) as caught:
                workspaces.open(workspace_id, "nope")
            seen.append((type(caught.value), caught.value.args))
        return seen

    real, unknown = refusals(coded.id), refusals(UNKNOWN_ID)
    assert real == unknown
    assert [kind for kind, _ in real] == [WorkspaceUnavailable] * 5 + [SnapshotRateLimited]
    assert real[0][1] == (UNAVAILABLE_MESSAGE,)
    with pytest.raises(SnapshotRateLimited):
        workspaces.open(coded.id, "Ab12")


@pytest.mark.parametrize("bad", ["../x", "' OR 1=1 --", "B" * 23, "B" * 25, None, 42, "Ｂ" * 24])
def test_malformed_workspace_ids_are_refused_before_any_query(bad: object) -> None:
    class Untouchable:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"storage was touched: {name}")

    service = WorkspaceService.__new__(WorkspaceService)
    service.store = Untouchable()  # type: ignore[assignment]
    service.attempts = Untouchable()  # type: ignore[assignment]
    with pytest.raises(WorkspaceUnavailable):
        service.open(bad, "Ab12")
    assert service.needs_code(bad) is True


def test_bad_changes_are_refused_and_change_nothing(workspaces: WorkspaceService) -> None:
    access = workspaces.create("规则")
    workspaces.add_file(access, "a.csv", b"1")
    for attempt, message in [
        (lambda: workspaces.add_file(access, "a.csv", b"2"), "已有文件“a.csv”"),
        (lambda: workspaces.remove_file(access, "nope.csv"), "没有文件“nope.csv”"),
        (lambda: workspaces.decide(access, "1|2025", "both"), "冲突的处理方式"),
        (lambda: workspaces.decide_many(access, [], "newer"), "没有选择"),
        (lambda: workspaces.record_fixes(access, [RowFix("0" * 64, 2, "x", "y")]), "已不在工作区中"),
        (lambda: workspaces.create("\u200b\u200b"), "不能只有空格或零宽字符"),
        (lambda: workspaces.manifest(access, 99), "没有第 99 版"),
    ]:
        with pytest.raises(SnapshotInvalid, match=message):
            attempt()
    assert [v.number for v in workspaces.versions(access)] == [1, 2]


def test_two_writers_on_one_workspace_lose_nothing_and_never_interleave(workspaces: WorkspaceService) -> None:
    access = workspaces.create("并发")
    per_writer = 12
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            start.wait()
            for number in range(per_writer):
                workspaces.add_file(access, f"{tag}-{number}.csv", f"{tag},{number}\n".encode())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    history = workspaces.versions(access)
    assert [v.number for v in history] == list(range(1, 2 + 2 * per_writer))
    previous: list[str] = []
    for version in history[1:]:  # each version is the one before plus exactly the file its description names
        names = [f.name for f in workspaces.manifest(access, version.number)[1].files]
        assert names[:-1] == previous and version.description == f"添加文件“{names[-1]}”"
        previous = names
    assert sorted(previous) == sorted(f"{t}-{n}.csv" for t in ("甲", "乙") for n in range(per_writer))
    for entry in workspaces.manifest(access)[1].files:
        assert workspaces.file_bytes(access, entry).decode().startswith(entry.name.split("-")[0])


# Runs in a child process: adds a file and announces "committing" just before the version's COMMIT, then waits to be killed.
WRITER = r"""
import sys
from tests.snapshots.stall import arm
from snapshots import open_store
from snapshots.workspaces import Access, WorkspaceService

service = WorkspaceService(open_store(sys.argv[1]).db)
real = service.store.commit

def commit_version(*args):
    arm()
    return real(*args)

service.store.commit = commit_version
service.add_file(Access(sys.argv[2]), "half.csv", b"never committed")
print("finished", flush=True)
"""


def test_a_writer_killed_mid_version_leaves_the_previous_version_intact(store_url: str) -> None:
    store = open_store(store_url)
    workspaces = WorkspaceService(store.db)
    access = workspaces.create("断电")
    workspaces.add_file(access, "kept.csv", b"kept")
    try:
        with writer_process(WRITER, store_url, access.id) as writer:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "committing"
            kill(writer)
    finally:
        store.close()
    reopened = open_store(store_url)
    try:
        after = WorkspaceService(reopened.db)
        assert [v.number for v in after.versions(access)] == [1, 2]
        head, manifest = after.manifest(access)
        assert head.number == 2 and [f.name for f in manifest.files] == ["kept.csv"]
        assert after.add_file(access, "later.csv", b"later").number == 3  # the head and the write lock were released
    finally:
        reopened.close()
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_workspaces_and_snapshots_share_one_database(store_url: str) -> None:
    store = open_store(store_url)
    try:
        workspaces = WorkspaceService(store.db)
        assert workspaces.store.db is store.db  # one pool, one migration path
        access = workspaces.create("共享")
        assert isinstance(access, Access) and len(access.id) == 24
    finally:
        store.close()
