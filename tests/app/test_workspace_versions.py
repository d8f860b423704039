"""Workspace versions in AppTest: row fixes made in the workspace's fix editor, a stored rubric scoring the workspace, and
restoring an older version bringing back its fixes and rubric."""

from __future__ import annotations

import hashlib

import pytest
from streamlit.testing.v1 import AppTest

from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics, parse_rubrics
from scoring.rubricset import RubricSet
from snapshots.manifest import RowFix
from tests.app import files
from tests.app.conftest import ROOT, go, no_errors, table_with
from tests.app.test_workspace import service, visit  # noqa: F401  (the fixture is used by name)
from ui.i18n import TEXT

pytestmark = pytest.mark.xdist_group("app")

MESSY = (ROOT / "sample_data" / "messy.csv").read_bytes()
RUBRICS = ROOT / "rubrics"


def accounts(at: AppTest):
    """The total line of the workspace's row accounting."""
    return table_with(at, "rows_in", "scored", "warned", "rejected", "in_data").iloc[-1]


def fix(at: AppTest, version: int, edits: dict[int, dict[str, str]]) -> AppTest:
    """Edit cells in the workspace's fix editor (by position in the shown rows) and press its button."""
    at.session_state[f"ws_editor_{version}_0"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.button(key="ws_fix").click().run()
    no_errors(at)
    return at


def test_the_fix_editor_in_a_workspace_records_versions_and_never_readmits_a_rejected_duplicate(store, service):  # noqa: F811
    created = service.create("修正")
    service.add_file(created, "messy.csv", MESSY)
    at = visit(created.id, "upload")
    before = accounts(at)
    assert (int(before["rejected"]), int(before["in_data"])) == (11, 30)
    fix(at, 2, {0: {"党员大会次数": "4"}})  # row 3: 四次 → 4
    opened = service.open(created.id)
    assert opened.head.number == 3 and opened.head.description == "修正“messy.csv”中 1 处单元格"
    assert opened.manifest.fixes == (RowFix(hashlib.sha256(MESSY).hexdigest(), 3, "党员大会次数", "4"),)
    after = accounts(at)
    assert (int(after["rejected"]), int(after["in_data"])) == (10, 31)
    assert int(after["rows_in"]) == int(after["scored"]) + int(after["warned"]) + int(after["rejected"])

    at.button(key="ws_fix").click().run()  # nothing edited: nothing recorded
    assert [i.value for i in at.info if i.value == TEXT["ws.fix_none"][0]]
    assert service.open(created.id).head.number == 3

    fix(at, 3, {6: {"党组织名称": "改了名称的重复行"}})  # rows 5, 7, …: row 24 (7th) is still 102001021 of 2025 like row 23
    assert service.open(created.id).head.number == 4
    assert int(accounts(at)["rejected"]) == 10  # recorded, but validation still rejects it
    ranked = go(at, "ranking").dataframe(key="rank_table").value
    assert ranked["branch_id"].astype(str).eq("102001021").sum() == 1

    at = go(at, "upload")
    restore(at, 2)  # before any fix
    assert service.open(created.id).manifest.fixes == () and int(accounts(at)["rejected"]) == 11
    restore(at, 3)
    assert len(service.open(created.id).manifest.fixes) == 1 and int(accounts(at)["rejected"]) == 10


def restore(at: AppTest, number: int) -> AppTest:
    """Restore an earlier version from the history on the upload page."""
    at.selectbox(key="ws_version").set_value(number).run()
    at.button(key="ws_restore").click().run()
    no_errors(at)
    return at


def _lenient_urban() -> str:
    """The urban-community rubric with a lower training target: scores change where training rates are below 95%."""
    text = (RUBRICS / "urban_community.yaml").read_text(encoding="utf-8")
    lenient = text.replace("      - id: training_rate\n        points: 3\n",
                           "      - id: training_rate\n        points: 3\n        method: {kind: rate, target: 0.5, zero_at: 0.2}\n", 1)
    assert lenient != text
    return lenient


def _totals(at: AppTest) -> dict[str, float]:
    ranked = go(at, "ranking").dataframe(key="rank_table").value
    return dict(zip(ranked["branch_id"].astype(str), ranked["total"].astype(float)))


def _expected(rubrics: RubricSet, data: bytes) -> dict[str, float]:
    """Each branch's total as the scoring core gives it with these rubrics."""
    ingested = read_assessments(data, rubrics, filename="good.csv")
    results = score(ingested.frame, rubrics, ingested.not_applicable).branches
    return dict(zip(results["branch_id"].astype(str), results["total"].astype(float)))


def test_a_stored_rubric_scores_the_workspace_and_restore_brings_back_rubric_and_fixes(store, service):  # noqa: F811
    data = files.good_csv(40)
    created = service.create("细则")
    service.add_file(created, "good.csv", data)  # version 2: built-in rubrics
    lenient = {"urban_community.yaml": _lenient_urban()}
    service.set_rubric(created, lenient)  # version 3, as the 评分细则 page records it
    library = {str(p): p.read_text(encoding="utf-8") for p in sorted(RUBRICS.glob("*.y*ml"))}
    custom, builtin = _expected(parse_rubrics(lenient, library=library), data), _expected(load_rubrics([RUBRICS]), data)
    assert custom != builtin  # the test means something: the lenient target changes totals
    at = visit(created.id, "ranking")
    assert _totals(at) == pytest.approx(custom)
    restore(go(at, "upload"), 2)
    assert service.open(created.id).manifest.rubrics == {}
    assert _totals(at) == pytest.approx(builtin)
    restore(go(at, "upload"), 3)
    assert service.open(created.id).manifest.rubrics == lenient
    assert _totals(at) == pytest.approx(custom)


def _unique_city_file(rows: slice, marker: str) -> bytes:
    """Part of the sample city as its own file, made unique (the upload cache is shared by every test of this process)."""
    header, *lines = (ROOT / "sample_data" / "city.csv").read_text(encoding="utf-8-sig").splitlines()
    name = header.split(",").index("党组织名称")
    chosen = [line.split(",") for line in lines[rows]]
    chosen[0][name] += marker
    return "\r\n".join([header, *(",".join(cells) for cells in chosen)]).encode("utf-8")


def test_a_kept_file_is_read_once_whatever_versions_follow(store, service, monkeypatch):  # noqa: F811
    import uuid

    from ui import data as data_module

    reads: list[str] = []
    real = data_module.read_assessments
    monkeypatch.setattr(data_module, "read_assessments", lambda raw, rubrics, **kw: reads.append(kw["filename"]) or real(raw, rubrics, **kw))
    marker = uuid.uuid4().hex
    created = service.create("读一次")
    service.add_file(created, "first.csv", _unique_city_file(slice(0, 30), marker))
    at = visit(created.id, "upload")
    assert reads == ["first.csv"]
    at.file_uploader(key="ws_more_2").set_value([("second.csv", _unique_city_file(slice(30, 60), marker), "text/csv")]).run()
    at.button(key="ws_add").click().run()
    no_errors(at)
    assert service.open(created.id).head.number == 3
    assert reads == ["first.csv", "second.csv"]  # checked before it was kept, then combined from the same reading
    visit(created.id)  # a new session on the same server
    assert reads == ["first.csv", "second.csv"]
