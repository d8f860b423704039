"""English names of rubric content (grades, warning colours, standards, indicators) and of the core's move labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from scoring.rubric import AlertLevel, Band, Indicator, Rubric, Standard
from scoring.rubricset import RubricSet

# Used when a rubric gives no name_en: the grades, warning colours and moves every shipped rubric uses.
DEFAULT_EN = {
    "先进": "Advanced", "中间": "Average", "后进": "Lagging",
    "绿": "Green", "黄": "Yellow", "红": "Red",
    "晋位": "Moved up", "持平": "Same grade", "降级": "Moved down", "新参评": "New", "未参评": "Not assessed",
}
# Columns whose values are names from the rubric or the core (not user data).
NAMED_COLUMNS = ("grade", "grade_before", "grade_after", "alert", "move", "standard", "indicator")


def english_names(rubrics: RubricSet | Iterable[Rubric]) -> dict[str, str]:
    """Chinese name → English name for every grade, warning colour, standard and indicator the rubrics name in English."""
    names = dict(DEFAULT_EN)
    for rubric in rubrics.concrete if isinstance(rubrics, RubricSet) else rubrics:
        items: list[Band | AlertLevel | Standard | Indicator] = [
            *rubric.grading.bands, *(rubric.grading.alerts.levels if rubric.grading.alerts else ()), *rubric.standards, *rubric.indicators()]
        names.update({item.name: item.name_en for item in items if item.name_en})
    return names


def grade_scale(rubrics: RubricSet) -> tuple[str, ...]:
    """Every grade the rubrics can give, best first: the order (and so the colour) of a grade never depends on a filter."""
    ranked: dict[str, int] = {}
    for rubric in rubrics.concrete:
        for level, name in enumerate(rubric.grade_names()):
            ranked[name] = min(level, ranked.get(name, level))
    return tuple(sorted(ranked, key=lambda name: ranked[name]))


def renamed(frame: pd.DataFrame, names: Mapping[str, str], columns: Iterable[str] = NAMED_COLUMNS) -> pd.DataFrame:
    """The same table with rubric names in the given columns shown by `names` (unknown values unchanged)."""
    if not names:
        return frame
    present = [c for c in columns if c in frame]
    if not present:
        return frame
    out = frame.copy()
    for column in present:
        out[column] = out[column].map(lambda v: names.get(v, v) if isinstance(v, str) else v)
    return out
