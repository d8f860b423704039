"""Download files, built by the core's exporters (formula-safe cells) only when a button is clicked, in the UI language."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pandas as pd

from scoring.results import Results
from scoring.rubricset import RubricSet
from ui import state
from ui.data import Dataset
from ui.model import select
from ui.model.names import english_names
from ui.model.view import Filters


def _export() -> ModuleType:
    from scoring import export

    return export


def _selected(data: Dataset, filters: Filters) -> Results:
    return select.take(data.results, select.selection(data.results.branches, filters))


def language(rubrics: RubricSet, lang: str | None = None) -> tuple[str, dict[str, str]]:
    """The language of a download (the session's unless given) and the rubric names to show in it ({} in Chinese)."""
    chosen = lang or state.lang()
    return chosen, english_names(rubrics) if chosen == "en" else {}


def results_xlsx(data: Dataset, filters: Filters, lang: str | None = None) -> Callable[[], bytes]:
    """The filtered results as a formatted .xlsx, headers, sheet names and texts in the UI language."""
    chosen, names = language(data.rubrics, lang)
    return lambda: bytes(_export().to_xlsx_bytes(_selected(data, filters), data.rubrics, lang=chosen, names=names))


def results_csv(data: Dataset, filters: Filters, lang: str | None = None) -> Callable[[], bytes]:
    """The filtered results as CSV (UTF-8 with BOM), headers and texts in the UI language."""
    chosen, names = language(data.rubrics, lang)
    return lambda: bytes(_export().to_csv_bytes(_selected(data, filters), data.rubrics, lang=chosen, names=names))


def frame_csv(frame: Callable[[], pd.DataFrame]) -> Callable[[], bytes]:
    """Any table as formula-safe CSV (UTF-8 with BOM)."""
    return lambda: bytes(_export().frame_to_csv_bytes(frame()))


def frame_xlsx(frame: Callable[[], pd.DataFrame], sheet: str) -> Callable[[], bytes]:
    """Any table as a formatted, formula-safe .xlsx with one sheet."""
    return lambda: bytes(_export().frames_to_xlsx_bytes({sheet[:31] or "Sheet1": frame()}))
