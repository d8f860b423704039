"""Comparing two periods: moves and persistent problems, with the persistent labels in the reader's language."""

from __future__ import annotations

import pytest

from scoring.compare import compare_periods
from scoring.engine import score
from tests.unit.mini import frame, mini_rubrics

BOTTOM = {"bottom": [{"id": "weak", "group_by": "parent", "share": 0.5, "flag": "软弱", "reason": "后 50%"}]}


@pytest.mark.parametrize(("lang", "flags"), [
    ("zh", ["", "连续两期后进、两期均为“软弱”"]),
    ("en", ["", "lagging in both periods, “软弱” in both periods"]),
])
def test_persistent_problems_are_labelled_in_the_language_asked(lang, flags):
    rows = [{"total": t, "period": p, "branch_id": code} for p in ("2024", "2025") for code, t in (("A", 10.0), ("B", 3.0))]
    rubrics = mini_rubrics(BOTTOM)
    table = compare_periods(score(frame(rows), rubrics), rubrics, "2024", "2025", lang).sort_values("branch_id")
    assert table["move"].tolist() == ["持平", "持平"]  # moves stay keys; the UI names them
    assert table["flags"].tolist() == flags
