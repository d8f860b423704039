"""工作区: a department's kept, versioned set of files, row fixes, rubrics and conflict decisions — the API the UI and CLI call.

Typical use::

    service = WorkspaceService(open_store().db)          # the same database (and pool) as snapshots
    access = service.create("2025 年度考评", access_code="Ab12")
    service.add_file(access, "城关镇.csv", data, source="城关镇")
    opened = service.open(access.id, "Ab12")             # later, from the link /?workspace=<id>
    for version in service.versions(opened.access): ...
    service.restore(opened.access, 2)

Every change is a new version (time, one-line description, manifest). Writers race optimistically on the head
version: a change is recomputed on the newest manifest and committed only if the head has not moved, so two
writers never lose each other's change nor interleave half a version. File bytes are kept once per SHA-256 and
verified on every read. Opening is uniform and locked out after repeated wrong codes, exactly as for snapshots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from snapshots.attempts import AttemptLimiter
from snapshots.clock import utc
from snapshots.db import Database
from snapshots.errors import SnapshotCorrupt, SnapshotInvalid, SnapshotStoreError, SnapshotUnavailable
from snapshots.manifest import FileEntry, Manifest, RowFix, digest
from snapshots.text import check_line
from snapshots.tokens import check_access_code, code_admits, hash_access_code, is_valid_id, new_id
from snapshots.workspace_store import VersionRow, WorkspaceRow, WorkspaceStore

MAX_NAME_LENGTH = 100
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
COMMIT_ATTEMPTS = 50
DECISIONS = {"newer": "较新的文件替换较早的", "first": "保留先收到的", "aside": "两者都暂不计入"}
UNAVAILABLE_MESSAGE = "无法打开该工作区：链接无效或已被删除，或访问码不正确。请向创建者核对链接和访问码。"
FILE_CORRUPT_MESSAGE = "工作区中的文件“{name}”已损坏（校验不符），无法读取。请重新上传该文件。"
BUSY_MESSAGE = "工作区正被多人同时修改，本次修改多次重试仍未保存。请稍后再试。"


class WorkspaceUnavailable(SnapshotUnavailable):
    """The workspace cannot be opened; silent on whether it exists or the code was wrong."""

    key = "ws.unavailable"

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)


@dataclass(frozen=True)
class Access:
    """Proof that a workspace was created or opened with its code in this process; every change takes one."""

    id: str


@dataclass(frozen=True)
class Version:
    """One version as the UI lists it."""

    number: int
    created_at: datetime
    description: str


@dataclass(frozen=True)
class Opened:
    """An opened workspace: the access to change it, its name, whether a code guards it, its newest version and manifest."""

    access: Access
    name: str
    created_at: datetime
    has_access_code: bool
    head: Version
    manifest: Manifest


class WorkspaceService:
    """Workspace operations over the shared database; safe to share between threads."""

    def __init__(self, db: Database, *, max_failures: int = MAX_FAILURES, failure_window: timedelta = FAILURE_WINDOW) -> None:
        self.store = WorkspaceStore(db)
        self.attempts = AttemptLimiter(db, limit=max_failures, window=failure_window)

    # ---- create and open ----------------------------------------------------------------------------------------------

    def create(self, name: str, *, access_code: str | None = None, now: datetime | None = None) -> Access:
        """A new, empty workspace (version 1) with a fresh unguessable id; `access_code=None` means the link alone opens it."""
        moment = utc(now)
        clean = check_line(name, label="工作区名称", limit=MAX_NAME_LENGTH)
        code_hash = None if access_code is None else hash_access_code(check_access_code(access_code.strip()))
        row = WorkspaceRow(new_id(), clean, moment, code_hash, 1)
        self.attempts.purge(moment)  # stale lockout counters never pile up unseen
        self.store.create(row, _version_row(1, moment, f"创建工作区“{clean}”", Manifest()))
        return Access(row.id)

    def needs_code(self, workspace_id: object) -> bool:
        """Whether to ask for an access code: False only for an existing workspace without one (unknown ids look coded)."""
        if not is_valid_id(workspace_id):
            return True
        row = self.store.get(workspace_id)
        return row is None or row.code_hash is not None

    def open(self, workspace_id: object, access_code: str | None = None, now: datetime | None = None) -> Opened:
        """Open the newest version, or raise `WorkspaceUnavailable` (same for every failure), `SnapshotRateLimited` or `SnapshotCorrupt`."""
        if not is_valid_id(workspace_id):
            raise WorkspaceUnavailable()
        with self.attempts.attempt(f"workspace:{workspace_id}", utc(now)):
            row = self.store.get(workspace_id)
            if not code_admits(access_code, row is not None, None if row is None else row.code_hash) or row is None:
                raise WorkspaceUnavailable()
        head = self._version(row.id, row.head)
        return Opened(Access(row.id), row.name, row.created_at, row.code_hash is not None, _listed(head),
                      Manifest.from_json(head.manifest, head.manifest_sha256))

    # ---- history ------------------------------------------------------------------------------------------------------

    def versions(self, access: Access) -> list[Version]:
        """Every version, oldest first."""
        return [_listed(v) for v in self.store.versions(access.id)]

    def manifest(self, access: Access, number: int | None = None) -> tuple[Version, Manifest]:
        """A version (the newest when `number` is None) and its manifest, integrity checked."""
        if number is None:
            row = self.store.get(access.id)
            if row is None:
                raise WorkspaceUnavailable()
            number = row.head
        stored = self._version(access.id, number)
        return _listed(stored), Manifest.from_json(stored.manifest, stored.manifest_sha256)

    def file_bytes(self, access: Access, entry: FileEntry) -> bytes:
        """The original bytes of a file in some version, verified against its SHA-256."""
        data = self.store.read_file(access.id, entry.sha256)
        if data is None or len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            raise SnapshotCorrupt(FILE_CORRUPT_MESSAGE.format(name=entry.name), key="ws.file_corrupt", name=entry.name)
        return data

    def restore(self, access: Access, number: int, now: datetime | None = None) -> Version:
        """Make an earlier version's content the newest again, as a new version (history is never rewritten)."""
        _, earlier = self.manifest(access, number)
        return self._change(access, lambda _: (earlier, f"恢复到第 {number} 版"), now)

    # ---- changes (each one new version) --------------------------------------------------------------------------------

    def add_file(self, access: Access, name: str, data: bytes, *, source: str | None = None, sheets: Iterable[str] = (),
                 now: datetime | None = None) -> Version:
        """Add a file; one of the same name is refused (replace it instead)."""
        entry = self._keep(access, name, data, source, sheets)

        def change(manifest: Manifest) -> tuple[Manifest, str]:
            if manifest.file(entry.name) is not None:
                raise SnapshotInvalid(f"工作区中已有文件“{entry.name}”；如是同一来源的新版本，请用“替换”。", key="ws.invalid")
            return replace(manifest, files=(*manifest.files, entry)), f"添加文件“{entry.name}”"
        return self._change(access, change, now)

    def replace_file(self, access: Access, old_name: str, name: str, data: bytes, *, sheets: Iterable[str] = (),
                     now: datetime | None = None) -> Version:
        """Replace a file as a whole by a re-sent one for the same source (the old one's fixes go with it)."""
        def change(manifest: Manifest) -> tuple[Manifest, str]:
            old = _existing(manifest, old_name)
            if name != old_name and manifest.file(name) is not None:
                raise SnapshotInvalid(f"工作区中已有文件“{name}”。", key="ws.invalid")
            kept = manifest.without(old_name)
            return replace(kept, files=(*kept.files, entry)), f"用“{entry.name}”替换“{old.name}”"

        _, current = self.manifest(access)
        entry = self._keep(access, name, data, _existing(current, old_name).source, sheets)
        return self._change(access, change, now)

    def remove_file(self, access: Access, name: str, now: datetime | None = None) -> Version:
        """Remove a file (its bytes stay for the earlier versions)."""
        def change(manifest: Manifest) -> tuple[Manifest, str]:
            _existing(manifest, name)
            return manifest.without(name), f"删除文件“{name}”"
        return self._change(access, change, now)

    def record_fixes(self, access: Access, fixes: Iterable[RowFix], now: datetime | None = None) -> Version:
        """Record corrected cells; a later fix of the same cell replaces the earlier one."""
        new = tuple(fixes)

        def change(manifest: Manifest) -> tuple[Manifest, str]:
            known = {entry.sha256 for entry in manifest.files}
            if any(fix.sha256 not in known for fix in new):
                raise SnapshotInvalid("修正的行所在的文件已不在工作区中，请刷新后重试。", key="ws.invalid")
            cells = {f.cell: f for f in (*manifest.fixes, *new)}
            names = "、".join(dict.fromkeys(e.name for e in manifest.files if e.sha256 in {f.sha256 for f in new}))
            return replace(manifest, fixes=tuple(cells.values())), f"修正“{names}”中 {len(new)} 处单元格"
        return self._change(access, change, now)

    def set_rubric(self, access: Access, rubrics: Mapping[str, str], now: datetime | None = None) -> Version:
        """Use these rubric YAML texts (file name → text) from now on; an empty mapping returns to the built-in rubrics."""
        texts = {str(k): str(v) for k, v in rubrics.items()}
        what = "、".join(texts) if texts else "内置评分细则"
        return self._change(access, lambda m: (replace(m, rubrics=texts), f"评分细则改为 {what}"), now)

    def decide(self, access: Access, conflict_id: str, decision: str, now: datetime | None = None) -> Version:
        """Record how a conflict (党组织代码|考核年度) is resolved: newer, first or aside."""
        return self.decide_many(access, [conflict_id], decision, now)

    def decide_many(self, access: Access, conflict_ids: Iterable[str], decision: str, now: datetime | None = None) -> Version:
        """Record one decision for several conflicts at once, as one version."""
        ids = list(dict.fromkeys(conflict_ids))
        if decision not in DECISIONS:
            raise SnapshotInvalid("冲突的处理方式只能是：较新的文件替换较早的、保留先收到的、两者都暂不计入。", key="ws.invalid")
        if not ids:
            raise SnapshotInvalid("没有选择要决定的冲突。", key="ws.invalid")
        what = f"冲突 {ids[0]}" if len(ids) == 1 else f"{len(ids)} 个冲突"
        return self._change(access, lambda m: (replace(m, decisions={**m.decisions, **dict.fromkeys(ids, decision)}),
                                               f"{what}：{DECISIONS[decision]}"), now)

    def _keep(self, access: Access, name: str, data: bytes, source: str | None, sheets: Iterable[str]) -> FileEntry:
        """Store the bytes (once per content) and describe them; before any version points at them."""
        clean = check_line(name, label="文件名", limit=255)
        if any(mark in clean for mark in "/\\\0") or clean in {".", ".."}:
            raise SnapshotInvalid(f"文件名“{clean[:60]}”无效：不能包含路径（/ 或 \\）。", key="ws.invalid")
        sha256 = hashlib.sha256(data).hexdigest()
        self.store.put_file(access.id, sha256, bytes(data))
        return FileEntry(clean, (source or clean).strip() or clean, sha256, len(data), tuple(sheets))

    def _change(self, access: Access, change: Callable[[Manifest], tuple[Manifest, str]], now: datetime | None) -> Version:
        """Apply `change` to the newest manifest and commit it as the next version, retrying if another writer got there first."""
        for _ in range(COMMIT_ATTEMPTS):
            head, manifest = self.manifest(access)
            new, description = change(manifest)
            version = _version_row(head.number + 1, utc(now), description, new)
            if self.store.commit(access.id, head.number, version):
                return _listed(version)
        raise SnapshotStoreError(BUSY_MESSAGE, key="ws.busy")

    def _version(self, workspace_id: str, number: int) -> VersionRow:
        stored = self.store.version(workspace_id, number)
        if stored is None:
            raise SnapshotInvalid(f"没有第 {number} 版。", key="ws.invalid")
        return stored


def _existing(manifest: Manifest, name: str) -> FileEntry:
    entry = manifest.file(name)
    if entry is None:
        raise SnapshotInvalid(f"工作区中没有文件“{name}”。", key="ws.invalid")
    return entry


def _version_row(number: int, moment: datetime, description: str, manifest: Manifest) -> VersionRow:
    text = manifest.to_json()
    return VersionRow(number, moment, description[:200], text, digest(text))


def _listed(row: VersionRow) -> Version:
    return Version(row.number, row.created_at, row.description)
