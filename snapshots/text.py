"""Checks for short user-given texts (snapshot titles, workspace names, version notes)."""

from __future__ import annotations

import unicodedata

from snapshots.errors import SnapshotInvalid

# Format characters (zero-width spaces, joiners, BOM), controls and separators print nothing a reader can see.
_INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp"}


def check_line(text: object, *, label: str, limit: int) -> str:
    """The text trimmed; `SnapshotInvalid` (in Chinese, naming `label`) if it is missing, only invisible characters, or too long."""
    clean = text.strip() if isinstance(text, str) else ""
    if not any(unicodedata.category(char) not in _INVISIBLE for char in clean):
        raise SnapshotInvalid(f"请填写{label}（不能只有空格或零宽字符等不可见字符）。")
    if len(clean) > limit:
        raise SnapshotInvalid(f"{label}过长（{len(clean)} 字），最多 {limit} 字。")
    return clean
