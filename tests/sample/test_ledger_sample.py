"""The sample city's 2024 台账: generated deterministically, readable as any import, and showing movement in 2025."""

from __future__ import annotations

import importlib.util

import pytest

from ledger.model import CLOSED, LISTED, Entry
from ledger.sheet import read_ledger
from scoring.engine import score
from scoring.ingest import read_assessments
from tests.sample.conftest import SAMPLE
from ui.model import ledger as ledger_model

LEDGER = SAMPLE / "ledger_2024.csv"


@pytest.fixture(scope="module")
def results(rubrics):
    ingested = read_assessments((SAMPLE / "city.csv").read_bytes(), rubrics, filename="city.csv")
    return score(ingested.frame, rubrics, ingested.not_applicable)


def test_the_committed_ledger_is_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("make_ledger", SAMPLE / "make_ledger.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate() == LEDGER.read_bytes(), "run python sample_data/make_ledger.py and commit the result"
    assert module.generate(7) != LEDGER.read_bytes()


def test_the_sample_ledger_reads_without_problems_and_its_effect_shows_movement(results, rubrics):
    imported = read_ledger(LEDGER.read_bytes(), LEDGER.name, ledger_model.branches(results, "2024"), "2024")
    assert imported.problems == () and len(imported.rows) == imported.rows_in == 80
    entries = [Entry("2024", r.branch_id, r.name, r.parent, r.township, "", {**r.values, "listed": LISTED}) for r in imported.rows]
    statuses = {e.status for e in entries}
    assert CLOSED in statuses and len(statuses) >= 3
    effect = ledger_model.effect(results, rubrics, entries, "2024", "2025", "新参评", "未参评")
    assert len(effect.table) == 80 and effect.closed == sum(e.status == CLOSED for e in entries)
    assert 0 < effect.improved < effect.closed and not effect.not_improved.empty
    assert effect.flows["count"].sum() == 80 and len(effect.flows) > 1
