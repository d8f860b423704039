"""A workspace version as one data set: its kept files read with its rubrics and combined under its decisions."""

from __future__ import annotations

from pathlib import Path

from scoring.combine import Combined, Decision, Part, combine
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics, parse_rubrics
from scoring.rubricset import RubricSet
from snapshots.manifest import Manifest
from snapshots.workspaces import Access, WorkspaceService


def rubrics_for(manifest: Manifest, builtin: Path) -> RubricSet:
    """The version's own rubric texts (with the built-in ones as the library they extend), else the built-in rubrics."""
    if not manifest.rubrics:
        return load_rubrics([builtin])
    library = {str(p): p.read_text(encoding="utf-8") for p in sorted(builtin.glob("*.y*ml"))}
    return parse_rubrics(manifest.rubrics, library=library)


def combined(service: WorkspaceService, access: Access, manifest: Manifest, rubrics: RubricSet) -> Combined:
    """Read every file (each chosen sheet as its own part) from its verified bytes and combine them with the recorded decisions.

    Recorded row fixes are not applied here yet: they are kept in the manifest for the fix editor to apply.
    """
    parts = []
    for entry in manifest.files:
        data = service.file_bytes(access, entry)
        for sheet in entry.sheets or (None,):
            name = entry.name if sheet is None else f"{entry.name}（{sheet}）"
            parts.append(Part(name, entry.source, read_assessments(data, rubrics, filename=entry.name, sheet=sheet)))
    return combine(parts, {key: Decision(value) for key, value in manifest.decisions.items()})
