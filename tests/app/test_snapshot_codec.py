"""A data set and its view survive the snapshot codec exactly: frames, rubrics, report, rejected rows and view."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given, settings

from ledger.frozen import MAX_ENTRIES
from ledger.model import Entry
from scoring.ingest.report import Problem
from scoring.rubricset import RubricSet
from snapshots import SnapshotCorrupt, SnapshotPayload
from tests.app import files
from tests.app.test_state import views as any_view
from ui import data as ui_data
from ui.model.view import Filters, ViewState
from ui.snapshot_codec import (
    RESULT_FRAMES,
    dataset_to_payload,
    fingerprint,
    payload_ledger,
    payload_to_dataset,
    report_from_json,
    report_to_json,
    snapshot_metadata,
)

pytestmark = pytest.mark.xdist_group("app")

VIEW = ViewState(page="ranking", lang="en", filters=Filters(period="2024", fields=("农村", "城市社区"), grades=("后进",)),
                 branch="X-1", baseline="2023")


@pytest.fixture(scope="module")
def sample() -> ui_data.Dataset:
    """The sample city as the app loads it."""
    return ui_data.sample_dataset()


@pytest.fixture(scope="module")
def messy() -> ui_data.Dataset:
    """An upload with rejected rows, warnings and a validation report full of problems."""
    raw, _ = files.messy_csv()
    rubrics = ui_data.builtin_rubrics()
    ingested = ui_data.ingest(raw, "messy.csv", rubrics)
    return ui_data.scored(raw, "messy.csv", rubrics, ingested)


def exact(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True, check_index_type=True, check_column_type=True)
    assert type(left.index) is type(right.index)
    assert list(left.dtypes) == list(right.dtypes)


def through_bytes(data: ui_data.Dataset, view: ViewState) -> tuple[ui_data.Dataset, ViewState]:
    payload = SnapshotPayload.from_bytes(dataset_to_payload(data, view).to_bytes())
    return payload_to_dataset(payload, "k")


@pytest.mark.parametrize("which", ["sample", "messy"])
def test_round_trip_is_exact(which, request):
    data = request.getfixturevalue(which)
    again, view = through_bytes(data, VIEW)
    for name in RESULT_FRAMES:
        exact(getattr(data.results, name), getattr(again.results, name))
    exact(data.rejected, again.rejected)
    assert again.rubrics == data.rubrics
    assert isinstance(again.rubrics, RubricSet)
    assert again.report == data.report
    assert view == VIEW
    assert (again.label, again.filename, again.custom_rubric) == (data.label, data.filename, data.custom_rubric)
    assert again.source is None  # the validated frames travel, not the raw file


def test_the_messy_upload_really_has_rejected_rows_and_problems(messy):
    assert len(messy.rejected) == 3
    assert messy.report is not None and messy.report.problems


def test_restored_keys_come_from_the_caller_not_the_live_data(sample):
    again, _ = payload_to_dataset(dataset_to_payload(sample, VIEW), "abc")
    other, _ = payload_to_dataset(dataset_to_payload(sample, VIEW), "abd")
    assert again.key != sample.key and again.key != other.key


@settings(max_examples=40, deadline=None)
@given(any_view)
def test_any_view_round_trips(view):
    payload = dataset_to_payload(_tiny(), view)
    assert payload_to_dataset(SnapshotPayload.from_bytes(payload.to_bytes()), "k")[1] == view


_TINY: list[ui_data.Dataset] = []


def _tiny() -> ui_data.Dataset:
    """A small uploaded data set (built once; hypothesis cannot take function-scoped fixtures)."""
    if not _TINY:
        raw = files.good_csv(5)
        rubrics = ui_data.builtin_rubrics()
        _TINY.append(ui_data.scored(raw, "tiny.csv", rubrics, ui_data.ingest(raw, "tiny.csv", rubrics)))
    return _TINY[0]


def test_report_json_round_trip_keeps_every_field(messy):
    assert messy.report is not None
    again = report_from_json(report_to_json(messy.report))
    assert again == messy.report
    assert all(isinstance(p, Problem) for p in again.problems)


def test_report_from_json_ignores_fields_it_does_not_know(messy):
    import json

    assert messy.report is not None
    raw = json.loads(report_to_json(messy.report))
    raw["added_later"] = 1
    raw["problems"][0]["also_new"] = "x"
    assert report_from_json(json.dumps(raw)) == messy.report


def test_metadata_names_rubrics_fingerprint_and_rows(sample):
    moment = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    meta = snapshot_metadata(sample, VIEW, moment)
    assert meta["fingerprint"] == hashlib.sha256(sample.source or b"").hexdigest() == fingerprint(sample)
    assert meta["rows"] == len(sample.results)
    assert meta["taken_at"] == "2025-06-01T08:30:00+00:00"
    used = set(sample.results.branches["rubric"].astype(str))
    assert {r["id"] for r in meta["rubrics"]} == used
    assert all(r["name"] and r["version"] for r in meta["rubrics"])


def test_data_without_a_file_is_fingerprinted_by_its_key(sample):
    again, _ = payload_to_dataset(dataset_to_payload(sample, VIEW), "k")
    assert fingerprint(again) == hashlib.sha256(again.key.encode()).hexdigest()


@pytest.mark.parametrize("spoil", ["codec", "frame", "rubric", "view", "report"])
def test_foreign_or_damaged_payloads_are_corrupt(sample, spoil):
    payload = dataset_to_payload(sample, VIEW)
    frames, texts, state = dict(payload.frames), dict(payload.texts), dict(payload.state)
    if spoil == "codec":
        state["codec"] = 99
    elif spoil == "frame":
        del frames["results/branches"]
    elif spoil == "rubric":
        name = next(k for k in texts if k.startswith("rubric/"))
        texts[name] = "id: [unclosed"
    elif spoil == "view":
        del state["view"]
    else:
        texts["report.json"] = "{not json"
    with pytest.raises(SnapshotCorrupt):
        payload_to_dataset(SnapshotPayload(frames=frames, texts=texts, state=state), "k")


LEDGER = (
    Entry("2024", "B-1", "一支部", "某党委", "松涛镇", "得分低于 60", {"listed": "是", "status": "整改中", "deadline": "2025-06-30",
                                                                "problems": "1. 会议记录缺失"}, revision=3),
    Entry("2023", "B-2", "二支部", "某党委", "禾城镇", "手动添加", {"listed": "否", "reason": "复核后达标"}),
)


@pytest.mark.parametrize("ledger", [None, LEDGER, ()], ids=["without", "with", "empty"])
def test_the_ledger_round_trips_through_bytes_and_its_absence_stays_absent(sample, ledger):
    payload = SnapshotPayload.from_bytes(dataset_to_payload(sample, VIEW, ledger).to_bytes())
    assert payload_ledger(payload) == ledger
    data, view = payload_to_dataset(payload, "k")
    assert view == VIEW and len(data.results) == len(sample.results)


@pytest.mark.parametrize("text", [
    "{not json", '{"a": 1}', "[1]", "[[]]",
    '[{"period": "2024", "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {}}]',
    '[{"period": "2024", "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {"x": "1"}, "revision": 1}]',
    '[{"period": "2024", "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {"notes": 5}, "revision": 1}]',
    '[{"period": 2024, "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {}, "revision": 1}]',
    '[{"period": "2024", "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {}, "revision": true}]',
    '[{"period": "2024", "branch_id": "B", "name": "n", "parent": "p", "township": "t", "source": "s", "values": {"notes": "'
    + "长" * 2_001 + '"}, "revision": 1}]',
    "[" + ",".join(["{}"] * (MAX_ENTRIES + 1)) + "]",
    "[" * 100_000,
], ids=["not-json", "not-list", "not-entry", "list-entry", "no-revision", "unknown-field", "number-value", "number-period",
        "bool-revision", "too-long", "too-many", "deep"])
def test_a_malformed_ledger_part_is_refused_as_corrupt(sample, text):
    payload = dataset_to_payload(sample, VIEW, LEDGER)
    spoiled = SnapshotPayload.from_bytes(SnapshotPayload(frames=payload.frames, texts={**payload.texts, "ledger.json": text},
                                                         state=payload.state).to_bytes())
    with pytest.raises(SnapshotCorrupt):
        payload_ledger(spoiled)
