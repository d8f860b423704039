"""How the ledger's own words show in the current language: column headers, and statuses beside the rubric's names."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ledger.model import STATUSES
from ledger.sheet import IMPORT_REASON
from scoring.rubricset import RubricSet
from snapshots.ledger_service import HAND_SOURCE
from ui import state
from ui.i18n import TEXT, names, t, translate
from ui.ledger_text import STATUS_KEYS
from ui.model.names import NAMED_COLUMNS, renamed

COLUMNS = (*NAMED_COLUMNS, "status", "status_before", "source", "source_before", "reason")


def headers(frame: pd.DataFrame) -> dict[str, Any]:
    """Translated headers for the ledger's own columns."""
    return {c: t(f"ledger.col.{c}") for c in frame.columns if f"ledger.col.{c}" in TEXT}


def status(name: str, lang: str | None = None) -> str:
    """A status in `lang` (the current language unless given)."""
    return translate(f"ledger.status.{STATUS_KEYS[name]}", lang or state.lang()) if name in STATUS_KEYS else name


def shown(frame: pd.DataFrame, rubrics: RubricSet) -> pd.DataFrame:
    """The table with grades, moves and statuses in the current language (the stored text stays Chinese)."""
    if state.lang() == "zh":
        return frame
    ours = {HAND_SOURCE: t("ledger.hand_source"), IMPORT_REASON: t("ledger.imported")}  # what the tool itself records
    return renamed(frame, {**names(rubrics), **{s: status(s) for s in STATUSES}, **ours}, COLUMNS)
