"""What the share form keeps on screen after a submit (no Streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """What the form shows after a submit: the snapshot's id, its delete token (None when reused) and whether a code guards it."""

    snapshot_id: str
    delete_token: str | None
    with_code: bool
