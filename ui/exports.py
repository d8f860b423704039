"""Download files, built by the core's exporters (formula-safe cells, Chinese headers) only when a button is clicked."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pandas as pd

from scoring.results import Results
from ui.data import Dataset
from ui.model import select
from ui.model.view import Filters


def _export() -> ModuleType:
    from scoring import export

    return export


def _selected(data: Dataset, filters: Filters) -> Results:
    return select.take(data.results, select.selection(data.results.branches, filters))


def results_xlsx(data: Dataset, filters: Filters) -> Callable[[], bytes]:
    """The filtered results as a formatted .xlsx."""
    return lambda: bytes(_export().to_xlsx_bytes(_selected(data, filters), data.rubrics))


def results_csv(data: Dataset, filters: Filters) -> Callable[[], bytes]:
    """The filtered results as CSV (UTF-8 with BOM)."""
    return lambda: bytes(_export().to_csv_bytes(_selected(data, filters), data.rubrics))


def frame_csv(frame: Callable[[], pd.DataFrame]) -> Callable[[], bytes]:
    """Any table as formula-safe CSV (UTF-8 with BOM)."""
    return lambda: bytes(_export().frame_to_csv_bytes(frame()))


def frame_xlsx(frame: Callable[[], pd.DataFrame], sheet: str) -> Callable[[], bytes]:
    """Any table as a formatted, formula-safe .xlsx with one sheet."""
    return lambda: bytes(_export().frames_to_xlsx_bytes({sheet[:31] or "Sheet1": frame()}))
