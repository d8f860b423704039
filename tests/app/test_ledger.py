"""The 整顿台账 page in AppTest: the sample's read-only 台账, designation, editing, status changes, overdue, stale saves, effect, import."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ledger.model import CLOSED
from ledger.sheet import to_csv
from scoring.compare import UP, compare_periods
from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics
from snapshots import open_store
from snapshots.ledger_service import Candidate, LedgerService
from snapshots.workspaces import WorkspaceService
from tests.app.conftest import APP, ROOT, TIMEOUT, metric, no_errors, open_app
from ui.i18n import TEXT

pytestmark = pytest.mark.xdist_group("app")

TOWNSHIPS = ("松涛镇", "禾城镇")


def small_city() -> bytes:
    """Two townships of the sample city, both years (208 rows): quick to score, with candidates in each year."""
    frame = pd.read_csv(ROOT / "sample_data" / "city.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame[frame["乡镇（街道）"].isin(TOWNSHIPS)].to_csv(index=False).encode("utf-8-sig")


@pytest.fixture
def workspace(store):
    """A workspace holding the small city, and the ledger service over the same store."""
    backend = open_store(store)
    access = WorkspaceService(backend.db).create("台账演示")
    WorkspaceService(backend.db).add_file(access, "small.csv", small_city())
    yield access, LedgerService(backend.db)
    backend.close()


def visit(workspace_id: str, period: str = "2024") -> AppTest:
    """Open the ledger page of a workspace link in a fresh session, on the ledger year `period`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"workspace": workspace_id, "page": "ledger"})
    at.run()
    at.run()
    no_errors(at)
    if at.selectbox(key="lg_period").value != period:
        at.selectbox(key="lg_period").set_value(period).run()
    no_errors(at)
    return at


def designate(ledger: LedgerService, access, codes: list[str]) -> None:
    ledger.designate(access, "2024", [Candidate(code, f"支部{code}") for code in codes], reason="测试", by="张三")


def codes_2024() -> list[str]:
    frame = pd.read_csv(ROOT / "sample_data" / "city.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = frame[frame["乡镇（街道）"].isin(TOWNSHIPS) & (frame["考核年度"] == "2024")]
    return rows["党组织代码"].tolist()


def test_the_sample_city_shows_its_2024_ledger_read_only_with_a_hint():
    at = open_app("ledger")
    no_errors(at)
    listed = len(pd.read_csv(ROOT / "sample_data" / "ledger_2024.csv", dtype=str, encoding="utf-8-sig"))
    assert metric(at, TEXT["ledger.listed"][0]) == f"{listed:,}"
    assert any("只读" in i.value for i in at.info)
    keys = {b.key for b in at.button}
    assert not keys & {"lg_designate_go", "lg_save", "lg_remove", "lg_apply"}
    assert int(metric(at, TEXT["ledger.overdue"][0])) > 0  # the sample has unfinished entries past their 2025 deadlines
    assert metric(at, TEXT["ledger.improved_share"][0]).endswith("%")
    assert any(chart for chart in at.get("plotly_chart"))


def test_a_snapshot_of_the_sample_city_carries_its_2024_ledger():
    from tests.app.test_snapshots import links, share
    from tests.app.test_snapshots import visit as open_snapshot

    at = open_app("ledger")
    listed = metric(at, TEXT["ledger.listed"][0])
    share(at)
    seen = open_snapshot(links(at)[0], page="ledger")
    seen.run()
    no_errors(seen)
    assert TEXT["ledger.snapshot_frozen"][0] in [i.value for i in seen.info]
    assert metric(seen, TEXT["ledger.listed"][0]) == listed != "0"


def test_candidates_are_designated_with_reason_and_decider(workspace):
    access, ledger = workspace
    at = visit(access.id)
    picker = at.multiselect(key="lg_candidates")
    chosen = picker.options[:3]
    assert len(picker.options) >= 3
    for option in chosen:
        picker.select(option)
    at.text_input(key="lg_reason").input("2024 年度考评后进")
    at.text_input(key="lg_by").input("张三")
    at.button(key="lg_designate_go").click().run()
    no_errors(at)
    entries = ledger.entries(access, "2024")
    assert len(entries) == 3 and all(e.listed and e.get("decided_by") == "张三" for e in entries)
    assert all(e.get("reason") == "2024 年度考评后进" and e.get("problems").startswith("1. ") and e.source for e in entries)
    assert metric(at, TEXT["ledger.listed"][0]) == "3"
    assert any("3" in s.value for s in at.success)


def test_designation_without_a_name_is_refused_and_keeps_nothing(workspace):
    access, ledger = workspace
    at = visit(access.id)
    at.multiselect(key="lg_candidates").select(at.multiselect(key="lg_candidates").options[0])
    at.text_input(key="lg_reason").input("后进")
    at.button(key="lg_designate_go").click().run()
    no_errors(at)
    assert at.error and ledger.entries(access) == []


def test_editing_and_status_changes_are_saved_with_history_and_bad_values_refused(workspace):
    access, ledger = workspace
    designate(ledger, access, codes_2024()[:1])
    at = visit(access.id)
    at.text_input(key="lg_by").input("李四")
    at.selectbox(key="lg_status").set_value("延期")
    at.button(key="lg_save").click().run()
    no_errors(at)
    assert any("延期原因" in e.value for e in at.error)
    assert ledger.entries(access)[0].revision == 1
    at.text_input(key="lg_delay_reason").input("新书记尚未到岗")
    at.date_input(key="lg_deadline").set_value(date(2025, 9, 30))
    at.button(key="lg_save").click().run()
    no_errors(at)
    entry = ledger.entries(access)[0]
    assert (entry.status, entry.get("delay_reason"), entry.get("deadline"), entry.revision) == ("延期", "新书记尚未到岗", "2025-09-30", 2)
    history = next(f.value for f in at.dataframe if TEXT["ledger.col.old"][0] in map(str, f.value.columns)
                   or "old" in map(str, f.value.columns))
    assert {"延期", "新书记尚未到岗", "2025-09-30"} <= set(history.iloc[:, -1].astype(str))
    at.selectbox(key="lg_status").set_value(CLOSED)
    at.date_input(key="lg_accepted_on").set_value(date(2025, 9, 1))
    at.button(key="lg_save").click().run()
    no_errors(at)
    assert ledger.entries(access)[0].status == CLOSED and metric(at, TEXT["ledger.closed"][0]) == "1"


def test_overdue_entries_are_counted_and_listed_first(workspace):
    access, ledger = workspace
    late, on_time, closed = codes_2024()[:3]
    designate(ledger, access, [late, on_time, closed])
    ledger.save(access, "2024", late, 1, {"deadline": "2020-06-30", "status": "整改中"}, by="李四")
    ledger.save(access, "2024", on_time, 1, {"deadline": "2099-06-30", "status": "整改中"}, by="李四")
    ledger.save(access, "2024", closed, 1, {"deadline": "2020-06-30", "status": CLOSED, "accepted_on": "2020-06-01"}, by="李四")
    at = visit(access.id)
    assert metric(at, TEXT["ledger.overdue"][0]) == "1"
    table = next(f.value for f in at.dataframe if "branch_id" in map(str, f.value.columns) and "overdue" in map(str, f.value.columns))
    assert table["branch_id"].iloc[0] == late and table["overdue"].iloc[0] == TEXT["ledger.overdue_mark"][0]
    assert (table["overdue"] == TEXT["ledger.overdue_mark"][0]).sum() == 1


def test_a_stale_save_is_told_shows_both_versions_and_can_be_kept_on_purpose(workspace):
    access, ledger = workspace
    code = codes_2024()[0]
    designate(ledger, access, [code])
    at = visit(access.id)  # opened at revision 1
    ledger.save(access, "2024", code, 1, {"measures": "对方的措施"}, by="王五")  # someone else saves meanwhile
    at.text_input(key="lg_by").input("李四")
    at.text_area(key="lg_measures").input("我的措施")
    at.button(key="lg_save").click().run()
    no_errors(at)
    assert any("王五" in w.value and "没有保存" in w.value for w in at.warning)
    versions = next(f.value for f in at.dataframe if {"theirs", "mine"} <= set(map(str, f.value.columns)))
    assert ("对方的措施", "我的措施") in set(zip(versions["theirs"], versions["mine"], strict=True))
    assert ledger.entry(access, "2024", code).get("measures") == "对方的措施"  # nothing overwritten silently
    at.button(key="lg_overwrite").click().run()
    no_errors(at)
    kept = ledger.entry(access, "2024", code)
    assert kept.get("measures") == "我的措施" and kept.revision == 3


def test_the_effect_view_compares_the_list_with_next_year_grades(workspace):
    access, ledger = workspace
    codes = codes_2024()[:6]
    designate(ledger, access, codes)
    for code in codes[:4]:
        ledger.save(access, "2024", code, 1, {"status": CLOSED, "accepted_on": "2025-06-01"}, by="李四")
    at = visit(access.id)
    rubrics = load_rubrics([ROOT / "rubrics"])
    ingested = read_assessments(small_city(), rubrics, filename="small.csv")
    moves = compare_periods(score(ingested.frame, rubrics, ingested.not_applicable), rubrics, "2024", "2025").set_index("branch_id")["move"]
    improved = sum(moves[code] == UP for code in codes[:4])
    assert metric(at, TEXT["ledger.improved"][0]) == str(improved)
    assert metric(at, TEXT["ledger.improved_share"][0]) == f"{improved / 4:.1%}"
    effect = next(f.value for f in at.dataframe if "grade_after" in map(str, f.value.columns) and len(f.value) == 6)
    assert set(effect["branch_id"]) == set(codes)
    assert any(chart for chart in at.get("plotly_chart"))


def test_reimporting_the_export_reports_no_changes_and_bad_rows_are_located(workspace):
    access, ledger = workspace
    designate(ledger, access, codes_2024()[:3])
    at = visit(access.id)
    exported = to_csv(ledger.entries(access, "2024"))
    at.file_uploader(key="lg_import").set_value(("台账.csv", exported, "text/csv")).run()
    no_errors(at)
    assert any(TEXT["ledger.no_changes"][0] in s.value for s in at.success)
    assert "lg_apply" not in {b.key for b in at.button}
    bad = exported.decode("utf-8-sig").replace("未开始", "快好了", 1).encode("utf-8-sig")
    at.file_uploader(key="lg_import").set_value(("台账.csv", bad, "text/csv")).run()
    no_errors(at)
    problems = next(f.value for f in at.dataframe if {"row", "column", "fix"} <= set(map(str, f.value.columns)))
    assert problems[["row", "column", "header"]].values.tolist() == [[2, "I", "进展情况"]]
    assert "未开始" in problems["fix"].iloc[0]


def test_a_changed_import_can_be_applied(workspace):
    access, ledger = workspace
    designate(ledger, access, codes_2024()[:2])
    at = visit(access.id)
    changed = to_csv(ledger.entries(access, "2024")).decode("utf-8-sig").replace("未开始", "整改中").encode("utf-8-sig")
    at.file_uploader(key="lg_import").set_value(("台账.csv", changed, "text/csv")).run()
    at.text_input(key="lg_by").input("导入人")
    at.button(key="lg_apply").click().run()
    no_errors(at)
    assert [e.status for e in ledger.entries(access, "2024")] == ["整改中", "整改中"]
    assert any("修改 2" in s.value for s in at.success)


def test_a_branch_is_taken_off_the_list_with_a_reason_and_kept_in_history(workspace):
    access, ledger = workspace
    first, second = codes_2024()[:2]
    designate(ledger, access, [first, second])
    at = visit(access.id)
    at.text_input(key="lg_by").input("李四")
    at.selectbox(key="lg_pick").set_value(second).run()
    at.text_input(key="lg_remove_reason").input("复核后得分达标")
    at.button(key="lg_remove").click().run()
    no_errors(at)
    removed = ledger.entry(access, "2024", second)
    assert not removed.listed and removed.get("reason") == "复核后得分达标" and removed.get("decided_by") == "李四"
    assert metric(at, TEXT["ledger.listed"][0]) == "1"
    assert [h.change.new for h in ledger.history(access, "2024", second) if h.change.key == "listed"] == ["是", "否"]


def test_a_snapshot_freezes_the_ledger_read_only_and_later_edits_do_not_reach_it(workspace):
    from tests.app.test_snapshots import links, share
    from tests.app.test_snapshots import visit as open_snapshot

    access, ledger = workspace
    designate(ledger, access, codes_2024()[:2])
    at = visit(access.id)
    assert "lg_designate_go" in {b.key for b in at.button}
    share(at)
    first = links(at)[0]
    seen = open_snapshot(first, page="ledger")
    seen.run()
    no_errors(seen)
    assert not {b.key for b in seen.button} & {"lg_designate_go", "lg_save", "lg_remove", "lg_apply"}
    assert not seen.get("file_uploader")
    assert TEXT["ledger.snapshot_frozen"][0] in [i.value for i in seen.info]
    assert metric(seen, TEXT["ledger.listed"][0]) == "2"
    designate(ledger, access, codes_2024()[2:4])  # the workspace moves on after the snapshot was taken
    again = open_snapshot(first, page="ledger")
    again.run()
    no_errors(again)
    assert metric(again, TEXT["ledger.listed"][0]) == "2"
    assert not {b.key for b in again.button} & {"lg_designate_go", "lg_save", "lg_remove", "lg_apply"}
    at.run()
    share(at)  # sharing again from the workspace after the edits takes a new snapshot with the new 台账
    later = open_snapshot(links(at)[0], page="ledger")
    later.run()
    assert links(at)[0] != first
    assert metric(later, TEXT["ledger.listed"][0]) == "4"


def test_the_english_ledger_page_explains_a_bad_import_and_refused_edits_in_english(workspace):
    from tests.app.test_english import _chinese_left, _page_texts, _pattern
    from tests.unit.test_ledger_english import BAD, FILE_WORDS

    access, ledger = workspace
    codes = codes_2024()[:2]
    designate(ledger, access, codes)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"workspace": access.id, "page": "ledger", "lang": "en"})
    at.run()
    at.run()
    at.selectbox(key="lg_period").set_value("2024").run()
    bad = "\r\n".join(",".join(row) for row in [BAD[0], [codes[0], *BAD[1][1:]], *BAD[2:]]).encode("utf-8-sig")
    at.file_uploader(key="lg_import").set_value(("台账.csv", bad, "text/csv")).run()
    at.selectbox(key="lg_status").set_value("延期")
    at.button(key="lg_save").click().run()  # no name given, and 延期 without a reason
    no_errors(at)
    problems = next(f.value for f in at.dataframe if {"row", "column", "fix"} <= set(map(str, f.value.columns)))
    assert len(problems) >= 9 and problems["message"].str.len().min() > 20
    assert at.error and at.error[0].value.startswith("The change was refused: Fill in your name")
    at.text_input(key="lg_by").input("李四")
    at.button(key="lg_save").click().run()
    no_errors(at)
    assert any(e.value.startswith("The entry was not saved:") and "reason for the delay" in e.value for e in at.error)
    user = {cell for row in BAD for cell in row} | {f"支部{code}" for code in codes} | {"台账演示", "测试", "张三", "李四", *FILE_WORDS}
    allowed = _pattern(user)
    texts = [*_page_texts(at, "ledger"), *(("problem", str(v)) for v in problems[["message", "fix"]].to_numpy().ravel())]
    leaks = sorted({(where, text[:160]) for where, text in texts if _chinese_left(text, allowed)})
    assert leaks == [], "\n".join(map(str, leaks))
