"""The rubric workbench in AppTest: edit a line or a rule, see live validation and the what-if, adopt it (session or workspace)."""

from __future__ import annotations

from functools import cache

import pytest
from streamlit.testing.v1 import AppTest

from scoring.draft import Draft, SetValue, key_path
from scoring.engine import score
from scoring.ingest import read_assessments
from scoring.loader import load_rubrics
from scoring.results import Results
from snapshots.workspaces import Access
from tests.app import files
from tests.app.conftest import ROOT, go, no_errors, open_app, table_with
from tests.app.test_snapshots import links, share
from tests.app.test_snapshots import visit as snapshot_visit
from tests.app.test_workspace import service, visit  # noqa: F401 (service is a fixture)
from ui.i18n import TEXT

pytestmark = pytest.mark.xdist_group("app")

VALID = TEXT["wb.valid"][0]
ADOPTED = TEXT["wb.adopted"][0]
UNCHANGED = TEXT["wb.unchanged"][0]


def rural(at: AppTest) -> AppTest:
    """The workbench with the rural rubric picked."""
    at.selectbox(key="rb_pick").set_value("rural").run()
    no_errors(at)
    return at


def first_line(at: AppTest):
    return next(n for n in at.number_input if n.label.startswith(("先进", "Advanced")))


def editor_key(at: AppTest, section: str) -> str:
    return next(d.key for d in at.dataframe if d.key and d.key.startswith(f"wb_{section}_rural_"))


def edit_cell(at: AppTest, section: str, row: int, column: str, value: object) -> AppTest:
    """Change one cell of a workbench table as a user's edit would (AppTest seeds the editor's edit state)."""
    at.session_state[editor_key(at, section)] = {"edited_rows": {row: {column: value}}, "added_rows": [], "deleted_rows": []}
    at.run()
    no_errors(at)
    return at


@cache
def scored_city(threshold: float | None) -> Results:
    """The sample city scored from scratch, with the built-in rubrics or with the rural first line moved."""
    rubrics = load_rubrics([ROOT / "rubrics"])
    if threshold is not None:
        rubrics = Draft.of(rubrics).apply(SetValue("rural", key_path("grading.bands.先进.min"), threshold)).load()
    city = ROOT / "sample_data" / "city.csv"
    ingested = read_assessments(city.read_bytes(), rubrics, filename=city.name)
    return score(ingested.frame, rubrics, ingested.not_applicable)


def test_the_first_line_shows_it_is_inherited_from_core_and_the_page_starts_unchanged() -> None:
    at = rural(open_app("rubrics"))
    assert first_line(at).value == 90
    core_line = (ROOT / "rubrics" / "core.yaml").read_text(encoding="utf-8").splitlines().index(
        "    - {name: 先进, name_en: Advanced, min: 90}") + 1
    assert f"继承自 core.yaml 第 {core_line} 行" in [c.value for c in at.caption]
    assert UNCHANGED in [i.value for i in at.info]
    assert [b.label for b in at.button if b.key == "wb_adopt"] == []


def test_lowering_the_rural_line_names_the_quota_and_counts_as_scoring_the_edited_yaml() -> None:
    at = rural(open_app("rubrics"))
    first_line(at).set_value(85.0).run()
    no_errors(at)
    assert VALID in [s.value for s in at.success]
    impacts = [i.value for i in at.info if "先进线" in i.value]
    assert impacts and all("先进比例上限 30 \\% 只允许" in text for text in impacts)
    before, after = scored_city(None), scored_city(85)
    moved = int((before.branches["grade"].astype(str) != after.branches["grade"].astype(str)).sum())
    assert next(m.value for m in at.metric if m.label == TEXT["wb.changed_count"][0]) == f"{moved:,}"
    changes = table_with(at, "grade_before", "grade_after", "reason")
    assert len(changes) == moved
    mix = table_with(at, "field", "grade", "before", "after")
    rural_2025 = mix[(mix["field"] == "农村") & (mix["period"] == "2025") & (mix["grade"] == "先进")]
    expected = int(((after.branches["field"] == "农村") & (after.branches["period"] == "2025") & (after.branches["grade"] == "先进")).sum())
    assert list(rural_2025["after"]) == [expected]
    assert [d.label for d in at.get("download_button") if "rural.yaml" in d.label]  # the draft's own file


def test_points_that_no_longer_add_up_show_the_located_problem_and_nothing_to_adopt() -> None:
    at = rural(open_app("rubrics"))
    at = edit_cell(at, "indicators", 5, "points", 3.0)  # 书记、主任“一肩挑” 2 → 3: the standard no longer adds up
    assert any(e.value.startswith("草稿有 1 处问题") for e in at.error)
    problems = table_with(at, "file", "line", "code", "message")
    assert list(zip(problems["file"], problems["line"], problems["code"])) == [("rubrics/rural.yaml", 13, "points-mismatch")]
    assert [b for b in at.button if b.key == "wb_adopt"] == []


def test_the_live_problem_list_speaks_english_with_the_switch() -> None:
    at = rural(open_app("rubrics", lang="en"))
    at = edit_cell(at, "indicators", 5, "points", 3.0)  # as above, in English
    assert any(e.value.startswith(TEXT["wb.invalid"][1].format(n=1)) for e in at.error)
    (message,) = table_with(at, "file", "line", "code", "message")["message"]
    assert message.startswith("the standard “") and "but its indicators add up to" in message
    assert "分值为" not in message and "请调整" not in message

def test_a_quota_edited_in_its_table_moves_the_impact_text() -> None:
    at = rural(open_app("rubrics"))
    at = edit_cell(at, "quotas", 0, "max_share", 0.2)
    assert VALID in [s.value for s in at.success]
    assert any("先进比例上限 20 \\% 只允许" in i.value for i in at.info)


def test_a_veto_added_and_one_removed_in_the_table_are_written_into_the_rural_file() -> None:
    at = rural(open_app("rubrics"))
    vetoes = table_with(at, "when.column", "when.op", "force", "cap")
    removed = list(vetoes["item"]).index("low_satisfaction")
    added = {"item": "small_venue", "when.column": "venue_area", "when.op": "<", "when.value": "30", "cap": "中间",
             "reason": "活动场所不足 30 平方米，不能评为先进"}
    at.session_state[editor_key(at, "vetoes")] = {"edited_rows": {}, "added_rows": [added], "deleted_rows": [removed]}
    at.run()
    no_errors(at)
    assert VALID in [s.value for s in at.success]
    assert [d.label for d in at.get("download_button")] == ["下载 rural.yaml"]
    diff = next(c.value for c in at.code if c.language == "diff")
    assert "+    - id: low_satisfaction\n+      remove: true\n+    - id: small_venue" in diff
    reasons = set(table_with(at, "grade_before", "grade_after", "reason")["reason"])
    assert "群众满意度低于 90%，不能评为先进" in reasons  # branches the removed veto held back move up, named by it


def test_writing_the_line_where_it_lives_edits_core_and_every_field_follows() -> None:
    at = rural(open_app("rubrics"))
    at.radio(key=next(r.key for r in at.radio if r.key and r.key.startswith("wb_write_rural"))).set_value(TEXT["wb.write_source"][0]).run()
    first_line(at).set_value(85.0).run()
    no_errors(at)
    labels = [d.label for d in at.get("download_button")]
    assert "下载 core.yaml" in labels and "下载 rural.yaml" not in labels
    assert any(i.value.startswith("城市社区") for i in at.info if "阈值降到 85 分" in i.value)  # another field inherits the line


def test_adopting_rescores_the_session_and_the_line_becomes_an_override() -> None:
    at = rural(open_app("rubrics"))
    first_line(at).set_value(85.0).run()
    at.button(key="wb_adopt").click().run()
    no_errors(at)
    assert ADOPTED in [s.value for s in at.success]
    assert UNCHANGED in [i.value for i in at.info]  # the adopted rubric is the new base
    assert first_line(at).value == 85
    assert any(c.value.startswith("rural.yaml 第") and "覆盖继承值" in c.value for c in at.caption)
    assert any("工作台草稿" in c.value for c in at.sidebar.caption) or any("工作台草稿" in m.value for m in at.sidebar.markdown)


def test_adopting_inside_a_workspace_makes_a_version_that_keeps_the_yaml(store, service) -> None:  # noqa: F811 (fixture)
    created = service.create("工作台")
    service.add_file(created, "good.csv", files.good_csv(60))
    at = rural(visit(created.id, "rubrics"))
    first_line(at).set_value(85.0).run()
    no_errors(at)
    at.button(key="wb_adopt").click().run()
    no_errors(at)
    version, manifest = service.manifest(Access(created.id))
    assert version.number == 3 and "rural.yaml" in manifest.rubrics and "core.yaml" in manifest.rubrics
    kept = manifest.rubrics["rural.yaml"].splitlines()
    original = (ROOT / "rubrics" / "rural.yaml").read_text(encoding="utf-8").splitlines()
    assert kept[: len(original)] == original and "    - {name: 先进, name_en: Advanced, min: 85}" in kept
    assert first_line(at).value == 85  # the workspace's data set now uses its kept rubric
    assert at.session_state["_dataset"].rubrics.get("rural").grading.bands[0].min == 85


def test_a_snapshot_freezes_the_adopted_rubric_and_shows_the_workbench_read_only(store) -> None:
    at = rural(open_app("rubrics"))
    first_line(at).set_value(85.0).run()
    at.button(key="wb_adopt").click().run()
    share(at)
    seen = snapshot_visit(links(at)[0])
    go(seen, "rubrics")
    no_errors(seen)
    assert TEXT["wb.read_only"][0] in [i.value for i in seen.info]
    assert not [n for n in seen.number_input if n.label.startswith("先进")]
    assert seen.session_state["_dataset"].rubrics.get("rural").grading.bands[0].min == 85


def test_the_workbench_speaks_english_with_the_switch() -> None:
    at = open_app("rubrics", lang="en")
    at = rural(at)
    first_line(at).set_value(85.0).run()
    no_errors(at)
    assert TEXT["wb.valid"][1] in [s.value for s in at.success]
    assert any("With the line lowered to 85" in i.value and "先进比例上限" not in i.value for i in at.info)
    assert [b.label for b in at.button if b.key == "wb_adopt"] == [TEXT["wb.adopt"][1]]


def test_a_cell_that_cannot_be_read_is_named_and_blocks_adopting() -> None:
    at = rural(open_app("rubrics"))
    first_line(at).set_value(85.0).run()
    indicators = next(d.value for d in at.dataframe if d.key == editor_key(at, "indicators"))
    row = list(indicators["item"]).index("队伍完善 / training_rate")
    at = edit_cell(at, "indicators", row, "params", "target: [")
    assert any("“方法参数”无法读取" in e.value and "target: " in e.value for e in at.error), [e.value for e in at.error]
    assert TEXT["wb.fix_cells"][0].format(n=1) in [w.value for w in at.warning]
    assert [b for b in at.button if b.key == "wb_adopt"] == []


def impact_texts(at: AppTest) -> list[str]:
    return [i.value for i in at.info if "阈值降到 85 分" in i.value]


def test_a_draft_survives_leaving_the_page_and_discarding_restores_the_adopted_line() -> None:
    at = rural(open_app("rubrics"))
    adopted = first_line(at).value
    first_line(at).set_value(85.0).run()
    before = impact_texts(at)
    assert before
    at = rural(go(go(at, "overview"), "rubrics"))
    assert first_line(at).value == 85
    assert impact_texts(at) == before and VALID in [s.value for s in at.success]
    assert TEXT["wb.restored"][0] in [i.value for i in at.info]
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("wbx_discard_rural"))).click().run()
    no_errors(at)
    assert first_line(at).value == adopted != 85
    assert UNCHANGED in [i.value for i in at.info] and not impact_texts(at)


def test_an_adopted_draft_scores_later_uploads_and_the_upload_page_names_it() -> None:
    at = rural(open_app("rubrics"))
    first_line(at).set_value(85.0).run()
    at.button(key="wb_adopt").click().run()
    at = go(at, "upload")
    picked = at.radio(key="up_rubrics")
    assert picked.value == "custom" and "rural" in picked.options[1]  # the page names the adopted rubric and uses it
    lines = (ROOT / "sample_data" / "city.csv").read_bytes().splitlines(keepends=True)
    raw = b"".join(lines[:400])  # a small slice of the sample city: enough rural branches between 85 and the built-in line
    at.file_uploader(key="up_file").set_value(("city_slice.csv", raw, "text/csv")).run()
    at.button(key="up_use").click().run()
    no_errors(at)
    got = at.session_state["_dataset"].results.branches
    rubrics = Draft.of(load_rubrics([ROOT / "rubrics"])).apply(SetValue("rural", key_path("grading.bands.先进.min"), 85)).load()
    ingested = read_assessments(raw, rubrics, filename="city_slice.csv")
    expected = score(ingested.frame, rubrics, ingested.not_applicable).branches
    builtin = load_rubrics([ROOT / "rubrics"])
    plain = score(read_assessments(raw, builtin, filename="city_slice.csv").frame, builtin).branches
    assert at.session_state["_dataset"].rubrics.get("rural").grading.bands[0].min == 85
    assert list(got["grade"]) == list(expected["grade"]) and list(got["grade"]) != list(plain["grade"])
