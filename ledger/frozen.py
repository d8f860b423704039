"""A 台账 frozen into JSON text for a snapshot and read back from untrusted text, bounded and checked field by field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ledger.model import FIELDS, MAX_TEXT, Entry

MAX_ENTRIES = 50_000
MAX_NAME = 500
_WHO = ("period", "branch_id", "name", "parent", "township", "source")


class FrozenLedgerInvalid(ValueError):
    """The frozen 台账 text is not one `to_json` wrote (wrong shape, unknown field, too long or too many)."""


def to_json(entries: Iterable[Entry]) -> str:
    """The entries (who, kept values, revision) as JSON text; history stays in the workspace."""
    rows = [{**{k: getattr(e, k) for k in _WHO}, "values": dict(e.values), "revision": e.revision} for e in entries]
    return json.dumps(rows, ensure_ascii=False)


def from_json(text: str) -> tuple[Entry, ...]:
    """The entries `to_json` wrote; raises `FrozenLedgerInvalid` for anything else."""
    try:
        rows = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise FrozenLedgerInvalid("not JSON") from exc
    if not isinstance(rows, list) or len(rows) > MAX_ENTRIES:
        raise FrozenLedgerInvalid("not a bounded list")
    return tuple(_entry(row) for row in rows)


def _entry(row: Any) -> Entry:
    if not isinstance(row, dict) or set(row) != {*_WHO, "values", "revision"}:
        raise FrozenLedgerInvalid("entry fields")
    who = [row[k] for k in _WHO]
    if not all(isinstance(v, str) and len(v) <= MAX_NAME for v in who):
        raise FrozenLedgerInvalid("entry names")
    values, revision = row["values"], row["revision"]
    if not isinstance(values, dict) or not all(k in FIELDS and isinstance(v, str) and len(v) <= MAX_TEXT for k, v in values.items()):
        raise FrozenLedgerInvalid("entry values")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise FrozenLedgerInvalid("entry revision")
    period, branch_id, name, parent, township, source = who
    return Entry(period, branch_id, name, parent, township, source, dict(values), revision)
