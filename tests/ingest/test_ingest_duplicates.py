"""Duplicate rows: the row kept is one that is scored; a row rejected for another error is never called kept."""

from __future__ import annotations

import pytest

from scoring.ingest import read_assessments
from tests.ingest.files import COMMUNITY, VILLAGE, csv_bytes, row
from tests.ingest.rubrics import fields

BAD = row(VILLAGE, 党员人数="很多")  # the same branch as VILLAGE, with an error of its own


def _read(*rows):
    return read_assessments(csv_bytes(list(rows)), fields(), filename="d.csv")


def _kept_messages(ingested):
    return [(p.row, p.message) for p in ingested.report.problems if p.code == "duplicate-row" and p.severity == "warning"]


def test_when_the_first_copy_has_another_error_the_next_valid_copy_is_kept():
    ingested = _read(BAD, COMMUNITY, VILLAGE)
    assert ingested.frame.index.tolist() == [3, 4]  # the community and the valid copy of the village
    assert _kept_messages(ingested) == [(4, "与第 2 行的党组织代码“001”、年度“2025”相同；保留本行计分，其余重复行不计分")]
    assert "与第 4 行的党组织代码“001”、年度“2025”重复，本行未计分" in ingested.rejected.loc[2, "reason"]


def test_when_every_copy_has_another_error_none_is_called_kept():
    ingested = _read(BAD, BAD)
    assert ingested.frame.empty
    assert _kept_messages(ingested) == []
    for r in (2, 3):
        assert "均未计分；修正时请只保留其中一行" in ingested.rejected.loc[r, "reason"]


@pytest.mark.parametrize("rows", [(VILLAGE, VILLAGE), (BAD, VILLAGE, VILLAGE), (VILLAGE, BAD), (BAD, BAD, VILLAGE, COMMUNITY)])
def test_no_rejected_row_is_ever_described_as_kept(rows):
    ingested = _read(*rows)
    kept = {r for r, _ in _kept_messages(ingested)}
    assert kept <= set(ingested.frame.index)
    assert not kept & set(ingested.rejected.index)
    assert len(ingested.frame) + len(ingested.rejected) == len(rows)
