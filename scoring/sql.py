"""SQL text for the rule kinds' reference rendering: quoted names and exact literals (strings only; no database here)."""

from __future__ import annotations

from typing import Any


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def num(x: float) -> str:
    """A DOUBLE literal that round-trips exactly (bare decimal literals would be DECIMAL in DuckDB)."""
    return f"'{float(x)!r}'::DOUBLE"


def text(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def literal(value: Any) -> str:
    """A rubric literal already in the frame's encoding: text stays text, everything else is a DOUBLE."""
    return text(value) if isinstance(value, str) else num(value)
