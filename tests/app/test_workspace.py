"""The workspace in AppTest: created from the upload page, reopened by its link, fed to every page, conflicts decided, history restored."""

from __future__ import annotations

import csv

import pytest
from streamlit.testing.v1 import AppTest

from scoring.compare import compare_periods
from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics
from snapshots import SnapshotService, open_store
from snapshots.workspaces import WorkspaceService
from tests.app import files
from tests.app.conftest import APP, ROOT, TIMEOUT, go, metric, no_errors, open_app, table_with
from tests.app.test_snapshots import links, share
from tests.ingest.files import xlsx_bytes
from tests.rubrics.test_problem_texts import CHINESE
from tests.snapshots.test_workspace_contract import sql
from ui.i18n import TEXT
from ui.safe import md

pytestmark = pytest.mark.xdist_group("app")

SAMPLE = ROOT / "sample_data"
UNAVAILABLE = TEXT["ws.unavailable"][0]
LOCKED = TEXT["ws.locked"][0]
MALFORMED = ["../../etc/passwd", "' OR 1=1 --", "x" * 5_000, "A" * 23]


@pytest.fixture
def service(store):
    """A workspace service over the same store, to look behind the UI."""
    backend = open_store(store)
    yield WorkspaceService(backend.db)
    backend.close()


def create(at: AppTest, uploads: list[tuple[str, bytes]], code: str = "") -> AppTest:
    """Upload several files on the upload page and create a workspace from them in one click."""
    at.file_uploader(key="ws_files").set_value([(name, raw, "application/octet-stream") for name, raw in uploads]).run()
    if code:
        at.text_input(key="ws_new_code").input(code)
    at.button(key="ws_create").click().run()
    no_errors(at)
    return at


def visit(workspace_id: str, page: str = "overview") -> AppTest:
    """Open a workspace link in a fresh session (another browser, a reload, after a restart)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["workspace"] = workspace_id
    if page != "overview":
        at.query_params["page"] = page
    at.run()
    if page != "overview":
        at.run()
    no_errors(at)
    return at


def workspace_of(at: AppTest) -> str:
    """The workspace id the app keeps in its URL."""
    return at.query_params["workspace"][-1] if isinstance(at.query_params["workspace"], list) else at.query_params["workspace"]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def city_years() -> list[tuple[str, bytes]]:
    return [("city_2024_gbk.csv", (SAMPLE / "city_2024_gbk.csv").read_bytes()), ("city_2025.xlsx", (SAMPLE / "city_2025.xlsx").read_bytes())]


def expected_moves() -> dict[str, int]:
    """晋位/持平/降级 counts of the scoring core on the one-file city (what `python -m scoring compare` prints)."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    ingested = read_assessments((SAMPLE / "city.csv").read_bytes(), rubrics, filename="city.csv")
    compared = compare_periods(score(ingested.frame, rubrics, ingested.not_applicable), rubrics, "2024", "2025")
    return {str(k): int(v) for k, v in compared["move"].value_counts().items()}


def yoy_counts(at: AppTest) -> dict[str, int]:
    return {move: int(metric(at, TEXT[key][0]).replace(",", "")) for move, key in
            (("晋位", "yoy.up"), ("持平", "yoy.same"), ("降级", "yoy.down"))}


def test_no_link_shows_the_sample_city_and_the_create_form(store):
    at = open_app("upload")
    no_errors(at)
    assert "workspace" not in at.query_params
    assert at.file_uploader(key="ws_files").accept_multiple_files
    assert at.button(key="ws_create").disabled  # nothing to create from yet
    assert at.file_uploader(key="up_file")  # the single-file upload is still there


def test_two_years_in_two_files_give_year_over_year_and_the_link_survives_a_new_session(store, service):
    at = create(open_app("upload"), city_years())
    workspace_id = workspace_of(at)
    opened = service.open(workspace_id)
    assert [f.name for f in opened.manifest.files] == ["city_2024_gbk.csv", "city_2025.xlsx"]
    accounts = table_with(at, "rows_in", "scored", "warned", "rejected")
    total = accounts.iloc[-1]
    assert total["rows_in"] == total["scored"] + total["warned"] + total["rejected"]
    assert list(accounts["rows_in"][:-1].astype(int)) and int(accounts["rows_in"][:-1].sum()) == int(total["rows_in"])
    assert total["rows_in"] == 2960  # every row of both files read (the one-file city has 2,960 rows)
    expected = expected_moves()
    at = go(at, "yoy")
    no_errors(at)
    assert yoy_counts(at) == {move: expected.get(move, 0) for move in ("晋位", "持平", "降级")}
    again = visit(workspace_id, "yoy")  # a reload or another browser: state comes from the store
    assert yoy_counts(again) == yoy_counts(at)
    assert workspace_of(again) == workspace_id


def test_a_coded_workspace_asks_for_its_code_and_refuses_uniformly(store, service):
    created = service.create("县委组织部 2025", access_code="Ab12")
    service.add_file(created, "good.csv", files.good_csv(40))
    at = visit(created.id)
    assert at.info and at.info[0].value == LOCKED
    at.text_input(key="ws_code").input("Zz99")
    at.button(key="ws_open").click().run()
    assert errors(at) == [UNAVAILABLE]
    unknown = visit("A" * 24)  # well-formed but unknown: the same message as a wrong code
    at.text_input(key="ws_code").input("Ab12")
    at.button(key="ws_open").click().run()
    no_errors(at)
    assert not at.error
    assert at.session_state["_workspace"] == created.id  # opened: every page now shows the workspace's data
    assert workspace_of(at) == created.id
    assert unknown.info and unknown.info[0].value == LOCKED


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_links_are_refused_with_the_same_message(store, bad):
    at = visit(bad)
    assert errors(at) == [UNAVAILABLE]
    at.button(key="ws_live").click().run()  # back to the sample city, no traceback
    no_errors(at)
    assert "workspace" not in at.query_params


def test_a_conflict_is_listed_and_nothing_enters_until_decided(store, service):
    header_rows = files.good_csv(20)
    changed = header_rows.decode("utf-8-sig").splitlines()
    cells = changed[1].split(",")
    at_col = changed[0].split(",").index("党员大会次数")
    cells[at_col] = "1" if cells[at_col] != "1" else "2"
    changed[1] = ",".join(cells)
    resent = ("\r\n".join(changed) + "\r\n").encode("utf-8-sig")
    at = create(open_app("upload"), [("镇A.csv", header_rows), ("镇A-重报.csv", resent)])
    conflicts = table_with(at, "conflict", "files", "rows", "differences")
    assert len(conflicts) == 20  # every branch-year of the file is in both
    differing = conflicts[conflicts["differences"] != "—"]
    assert len(differing) == 1 and "党员大会次数" in differing.iloc[0]["differences"]
    accounts = table_with(at, "withheld", "in_data")
    assert int(accounts.iloc[-1]["in_data"]) == 0  # nothing silently chosen
    workspace_id = workspace_of(at)
    before = len(service.versions(service.open(workspace_id).access))
    at.radio(key="ws_decision").set_value("newer").run()
    at.button(key="ws_decide").click().run()
    no_errors(at)
    opened = service.open(workspace_id)
    assert len(service.versions(opened.access)) == before + 1  # every pending conflict decided at once: one version
    assert "20 个冲突" in opened.head.description
    assert set(opened.manifest.decisions.values()) == {"newer"}
    accounts = table_with(at, "withheld", "in_data")
    assert [int(v) for v in accounts["in_data"]] == [0, 20, 20]  # the newer file's rows, once each


def test_history_lists_versions_and_restores_an_earlier_one_as_a_new_version(store, service):
    at = create(open_app("upload"), [("a.csv", files.good_csv(10))])
    workspace_id = workspace_of(at)
    at.file_uploader(key="ws_more_2").set_value([("b.csv", _other_year(), "text/csv")]).run()
    at.button(key="ws_add").click().run()
    no_errors(at)
    history = table_with(at, "number", "created_at", "description")
    assert list(history["number"]) == [3, 2, 1]
    assert "b.csv" in history.iloc[0]["description"]
    at.selectbox(key="ws_version").set_value(2).run()
    at.button(key="ws_restore").click().run()
    no_errors(at)
    opened = service.open(workspace_id)
    assert opened.head.number == 4 and "第 2 版" in opened.head.description
    assert [h.value for h in at.subheader if "工作区" in h.value] == [f"工作区“{md('a.csv', 80)}”（第 4 版）"]  # not the restored one's number
    assert [f.name for f in opened.manifest.files] == ["a.csv"]
    assert [f.name for f in service.manifest(opened.access, 3)[1].files] == ["a.csv", "b.csv"]  # nothing lost


def test_a_resent_file_shows_what_it_changes_and_replaces_the_kept_one_as_a_whole(store, service):
    at = create(open_app("upload"), [("镇A.csv", files.good_csv(10))])
    workspace_id = workspace_of(at)
    at.file_uploader(key="ws_more_2").set_value([("镇A.csv", files.good_csv(12), "text/csv")]).run()
    no_errors(at)
    assert [i.value for i in at.info if "新增" in i.value] == [TEXT["ws.resend"][0].format(name=md("镇A.csv", 80), added=2, removed=0, changed=0)]
    assert service.open(workspace_id).head.number == 2  # nothing replaced before the click
    at.button(key="ws_add").click().run()
    no_errors(at)
    opened = service.open(workspace_id)
    assert [f.name for f in opened.manifest.files] == ["镇A.csv"] and opened.head.number == 3
    assert not at.file_uploader(key="ws_more_3").value and not [i for i in at.info if "新增" in i.value]  # kept: not offered again
    assert int(table_with(at, "rows_in", "in_data").iloc[-1]["in_data"]) == 12


def _other_year() -> bytes:
    return files.good_csv(10).replace(b",2025,", b",2024,")


def test_a_snapshot_taken_inside_a_workspace_freezes_its_data_and_the_workspace_stays_open(store, service):
    created = service.create("快照来源")
    service.add_file(created, "good.csv", files.good_csv(40))
    at = share(visit(created.id), title="工作区快照")
    snapshot_id, _ = links(at)
    backend = open_store(store)
    try:
        frozen = SnapshotService(backend).open(snapshot_id)
    finally:
        backend.close()
    assert int(frozen.meta.metadata["rows"]) == 40  # the workspace's rows, not the sample city's
    assert workspace_of(at) == created.id


def _yearly_workbook(branches: int = 15) -> bytes:
    """One sheet per year (2024, 2025) of the same branches, and a notes sheet that is not data."""
    with (SAMPLE / "city.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    at = header.index("考核年度")
    by_year = {year: [r for r in rows if r[at] == year][:branches] for year in ("2024", "2025")}
    return xlsx_bytes({"说明": [["本工作簿每年一张表"]], **{year: [header, *lines] for year, lines in by_year.items()}})


def test_ticked_sheets_of_one_workbook_are_each_their_own_report_and_give_year_over_year(store, service):
    workbook = _yearly_workbook()
    at = open_app("upload")
    at.file_uploader(key="ws_files").set_value([("历年.xlsx", workbook, "application/octet-stream")]).run()
    sheets = at.multiselect(key="ws_files_sheets_历年.xlsx")
    assert sheets.options == ["说明", "2024", "2025"] and sheets.value == ["说明"]  # the first sheet, as a one-sheet read
    sheets.set_value(["2024", "2025"]).run()
    at.button(key="ws_create").click().run()
    no_errors(at)
    opened = service.open(workspace_of(at))
    assert [(f.name, f.sheets) for f in opened.manifest.files] == [("历年.xlsx", ("2024", "2025"))]
    accounts = table_with(at, "file", "rows_in", "scored", "rejected", "in_data")
    assert list(accounts["file"]) == ["历年.xlsx（2024）", "历年.xlsx（2025）", "（合计）"]
    assert [int(v) for v in accounts["rows_in"]] == [15, 15, 30] and [int(v) for v in accounts["in_data"]] == [15, 15, 30]
    assert not table_with(at, "file", "rows_in").empty and not [t for t in at.markdown if "冲突" in t.value]  # years never conflict
    at = go(at, "yoy")
    no_errors(at)
    assert sum(yoy_counts(at).values()) == 15  # every branch compared across the two sheets


def test_a_resent_workbook_offers_the_sheets_ticked_when_it_was_kept(store, service):
    created = service.create("历年")
    service.add_file(created, "历年.xlsx", _yearly_workbook(), sheets=("2024", "2025"))
    at = visit(created.id, "upload")
    at.file_uploader(key="ws_more_2").set_value([("历年.xlsx", _yearly_workbook(14), "application/octet-stream")]).run()
    assert at.multiselect(key="ws_more_2_sheets_历年.xlsx").value == ["2024", "2025"]  # not the notes sheet
    at.button(key="ws_add").click().run()
    no_errors(at)
    opened = service.open(created.id)
    assert [(f.name, f.sheets) for f in opened.manifest.files] == [("历年.xlsx", ("2024", "2025"))]
    assert opened.head.number == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_kept_file_altered_in_the_store_is_named_as_damaged_in_the_ui_language(store, service, lang):
    """Stored bytes that no longer match their SHA-256 are refused with a message naming the file, never a traceback;
    in English no Chinese is left but the file's own name."""
    access = service.create("篡改的工作区")
    kept = files.good_csv(23) + f"\n# {lang}-{access.id}\n".encode()  # bytes no other test keeps (nothing cached by their hash)
    service.add_file(access, "城关镇.csv", kept)
    _, manifest = service.manifest(access)
    sql(store, "UPDATE workspace_files SET content = ? WHERE sha256 = ?", (kept + b"\n# altered", manifest.files[0].sha256))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"workspace": access.id, "lang": lang})
    at.run()
    assert not at.exception
    shown = errors(at)
    assert len(shown) == 1 and "城关镇.csv" in shown[0]
    assert ("已损坏" in shown[0]) if lang == "zh" else ("damaged" in shown[0] and not CHINESE.search(shown[0].replace("城关镇.csv", "")))
