"""What the workspace screens show, as plain tables: row accounting, conflicts and history (no Streamlit here)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime

import pandas as pd

from scoring.combine import Combined, Conflict
from snapshots.workspaces import Version

ACCOUNT_COLUMNS = ("file", "rows_in", "scored", "warned", "rejected", "withheld", "in_data")
CONFLICT_COLUMNS = ("conflict", "files", "rows", "differences")
VERSION_COLUMNS = ("number", "created_at", "description")


def accounting(combined: Combined) -> pd.DataFrame:
    """One line per file and a total line: rows in = scored + warned + rejected; withheld rows wait on a conflict."""
    lines = [*combined.accounts, combined.total] if combined.accounts else []
    return pd.DataFrame([{"file": a.file, "rows_in": a.rows_in, "scored": a.scored, "warned": a.warned, "rejected": a.rejected,
                          "withheld": a.withheld, "in_data": a.in_data} for a in lines], columns=list(ACCOUNT_COLUMNS))


def conflicts(found: Sequence[Conflict]) -> pd.DataFrame:
    """One line per conflict: its id (党组织代码|考核年度), the files and spreadsheet rows, and the differing cells."""
    return pd.DataFrame([{
        "conflict": c.id,
        "files": "；".join(loc.file for loc in c.locations),
        "rows": "；".join(f"{loc.file}:{loc.row}" for loc in c.locations),
        "differences": "；".join(f"{d.header}: {' / '.join(d.values)}" for d in c.differences) or "—",
    } for c in found], columns=list(CONFLICT_COLUMNS))


def history(versions: Sequence[Version]) -> pd.DataFrame:
    """Versions newest first, with their time (UTC) and one-line description."""
    return pd.DataFrame([{"number": v.number, "created_at": _utc(v.created_at), "description": v.description}
                         for v in reversed(versions)], columns=list(VERSION_COLUMNS))


def edited_cells(before: pd.DataFrame, after: pd.DataFrame, fixed: Collection[str]) -> list[tuple[int, str, str]]:
    """The cells the user changed in the fix editor, as (spreadsheet row, header as written, new text); `fixed` columns are not editable."""
    changed = []
    for column in before.columns:
        if column in fixed or column not in after:
            continue
        now = after[column].reindex(before.index)
        for row, old, new in zip(before.index.tolist(), before[column].tolist(), now.tolist()):
            if _text(old) != _text(new):
                changed.append((int(row), str(column), _text(new)))
    return changed


def _text(value: object) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value).strip()


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
