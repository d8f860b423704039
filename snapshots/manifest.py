"""What one workspace version holds: files (by SHA-256), row fixes, rubric texts and conflict decisions, as exact JSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from snapshots.errors import SnapshotCorrupt

CORRUPT_MANIFEST = "工作区的记录已损坏（校验不符或无法解析），无法读取。请联系管理员从备份恢复。"


@dataclass(frozen=True)
class FileEntry:
    """One file in a version: its name, what it stands for (a re-sent file keeps the source), SHA-256, size, sheets chosen."""

    name: str
    source: str
    sha256: str
    size: int
    sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowFix:
    """A corrected cell: the file (by SHA-256) and sheet ("" for a CSV or the first sheet), spreadsheet row, header as written, new text."""

    sha256: str
    row: int
    column: str
    value: str
    sheet: str = ""

    @property
    def cell(self) -> tuple[str, str, int, str]:
        """Which cell this fixes: a later fix of the same cell replaces an earlier one."""
        return self.sha256, self.sheet, self.row, self.column


@dataclass(frozen=True)
class Manifest:
    """Everything a version needs to be re-validated and re-scored exactly."""

    files: tuple[FileEntry, ...] = ()
    fixes: tuple[RowFix, ...] = ()
    rubrics: dict[str, str] = field(default_factory=dict)  # file name → YAML text
    decisions: dict[str, str] = field(default_factory=dict)  # conflict id (党组织代码|考核年度) → newer / first / aside

    def file(self, name: str) -> FileEntry | None:
        """The file of this name, or None."""
        return next((entry for entry in self.files if entry.name == name), None)

    def without(self, name: str) -> Manifest:
        """This manifest without the named file and its fixes."""
        gone = self.file(name)
        kept = tuple(entry for entry in self.files if entry.name != name)
        still = {entry.sha256 for entry in kept}
        fixes = tuple(fix for fix in self.fixes if gone is None or fix.sha256 != gone.sha256 or fix.sha256 in still)
        return replace(self, files=kept, fixes=fixes)

    def to_json(self) -> str:
        """Canonical JSON (sorted keys), so equal manifests have equal hashes."""
        body = {
            "files": [{"name": f.name, "source": f.source, "sha256": f.sha256, "size": f.size, "sheets": list(f.sheets)} for f in self.files],
            "fixes": [_fix_json(x) for x in self.fixes],
            "rubrics": self.rubrics,
            "decisions": self.decisions,
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, sha256: str) -> Manifest:
        """Parse a stored manifest after checking its hash; `SnapshotCorrupt` if either fails."""
        if digest(text) != sha256:
            raise SnapshotCorrupt(CORRUPT_MANIFEST, key="ws.record_corrupt")
        try:
            body: dict[str, Any] = json.loads(text)
            return cls(
                files=tuple(FileEntry(f["name"], f["source"], f["sha256"], int(f["size"]), tuple(f["sheets"])) for f in body["files"]),
                fixes=tuple(RowFix(x["sha256"], int(x["row"]), x["column"], x["value"], str(x.get("sheet", ""))) for x in body["fixes"]),
                rubrics={str(k): str(v) for k, v in body["rubrics"].items()},
                decisions={str(k): str(v) for k, v in body["decisions"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotCorrupt(CORRUPT_MANIFEST, key="ws.record_corrupt") from exc


def _fix_json(fix: RowFix) -> dict[str, Any]:
    body: dict[str, Any] = {"sha256": fix.sha256, "row": fix.row, "column": fix.column, "value": fix.value}
    if fix.sheet:  # written only when set, so manifests stored before sheets existed keep their exact text
        body["sheet"] = fix.sheet
    return body


def digest(text: str) -> str:
    """SHA-256 of a manifest's JSON text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
