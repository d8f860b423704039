"""A workspace version as one data set: its kept files (each chosen sheet one part) read with its rubrics, its row fixes
applied, and combined under its decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from scoring.combine import Combined, Decision, Part, combine, with_fixes
from scoring.ingest import Ingested, read_assessments
from scoring.loader import load_rubrics, parse_rubrics
from scoring.rubricset import RubricSet
from snapshots.manifest import FileEntry, Manifest
from snapshots.workspaces import Access, WorkspaceService

# Reads one kept file (or one sheet): its bytes on demand (verified), SHA-256, name, the rubrics, the sheet.
Reader = Callable[[Callable[[], bytes], str, str, RubricSet, str | None], Ingested]


def read_file(fetch: Callable[[], bytes], sha256: str, filename: str, rubrics: RubricSet, sheet: str | None) -> Ingested:
    """Read one kept file (or one of its sheets) with no cache: the CLI's reader."""
    return read_assessments(fetch(), rubrics, filename=filename, sheet=sheet)


@dataclass(frozen=True)
class Piece:
    """One part of the combination and where it is kept: the file entry and the sheet read (None: a CSV or the first sheet)."""

    entry: FileEntry
    sheet: str | None
    part: Part


def rubrics_for(manifest: Manifest, builtin: Path) -> RubricSet:
    """The version's own rubric texts (with the built-in ones as the library they extend), else the built-in rubrics."""
    if not manifest.rubrics:
        return load_rubrics([builtin])
    library = {str(p): p.read_text(encoding="utf-8") for p in sorted(builtin.glob("*.y*ml"))}
    return parse_rubrics(manifest.rubrics, library=library)


def part_name(entry: FileEntry, sheet: str | None) -> str:
    """How a part is named in reports and conflicts: the file, and the sheet when several were chosen."""
    return entry.name if sheet is None else f"{entry.name}（{sheet}）"


def pieces(service: WorkspaceService, access: Access, manifest: Manifest, rubrics: RubricSet, read: Reader = read_file) -> list[Piece]:
    """Every file (each chosen sheet its own part) read from its verified bytes by `read` (the UI's reads an unchanged file
    once, across versions, and fetches its bytes only then), with the version's row fixes applied."""
    found = []
    for entry in manifest.files:
        fetch = cache(partial(service.file_bytes, access, entry))  # fetched at most once, whatever the sheets
        for sheet in entry.sheets or (None,):
            name = part_name(entry, sheet)
            cells = {(fix.row, fix.column): fix.value for fix in manifest.fixes if fix.sha256 == entry.sha256 and fix.sheet == (sheet or "")}
            ingested = read(fetch, entry.sha256, entry.name, rubrics, sheet)
            found.append(Piece(entry, sheet, Part(name, entry.source, with_fixes(ingested, cells, rubrics, filename=name))))
    return found


def combined(found: list[Piece], manifest: Manifest) -> Combined:
    """The pieces combined under the version's conflict decisions."""
    return combine([piece.part for piece in found], {key: Decision(value) for key, value in manifest.decisions.items()})
