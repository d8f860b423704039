"""Page journeys in AppTest: ranking → branch, branch details, year over year, rectification, rubrics."""

from __future__ import annotations

import pytest

from scoring.compare import compare_periods
from tests.app.conftest import go, metric, no_errors, open_app, table_with
from ui.data import sample_dataset
from ui.model.rectify import watch_mask

pytestmark = pytest.mark.xdist_group("app")

STRICT = """\
id: rural_strict
name: 农村党组织考评细则（严格版）
extends: rural
fields: [农村, 行政村, 村, 村党组织]
grading:
  bands:
    - {name: 先进, min: 97}
    - {name: 中间, min: 85}
    - {name: 后进, min: 0}
"""
BROKEN = """\
id: broken
name: 有错误的细则
extends: core
fields: [农村]
standards:
  - id: organization
    points: -3
grading:
  bandz: 1
"""


@pytest.fixture(scope="module")
def data():
    """The sample city as the app loads it."""
    return sample_dataset()


def test_search_and_sort_the_ranking(data):
    at = open_app("ranking")
    at.selectbox(key="rank_sort").set_value("total_asc").run()
    table = at.dataframe(key="rank_table").value
    assert list(table["total"]) == sorted(table["total"])
    name = str(table["name"].iloc[0])
    at.text_input(key="rank_q").input(name[:4]).run()
    table = at.dataframe(key="rank_table").value
    assert len(table) >= 1
    assert table["name"].str.contains(name[:4], regex=False).all()


def test_selecting_a_row_opens_that_branch():
    at = open_app("ranking")
    table = at.dataframe(key="rank_table").value.reset_index(drop=True)
    at.session_state["rank_table"] = {"selection": {"rows": [3], "columns": []}}
    at.run()
    no_errors(at)
    assert at.title[0].value == "支部详情"
    assert at.session_state["_view"].branch == str(table["branch_id"].iloc[3])
    assert at.query_params["branch"] == str(table["branch_id"].iloc[3])


def test_branch_page_explains_every_indicator(data):
    b = data.results.branches
    latest = b[b["period"] == b["period"].max()]
    row = latest.sort_values("total").iloc[0]
    at = open_app("branch", branch=str(row["branch_id"]))
    no_errors(at)
    assert at.subheader[0].value.replace("\\", "") == row["name"]
    indicators = table_with(at, "指标", "满分", "得分", "填报值", "说明")
    rubric = data.rubrics.get(row["rubric"])
    assert len(indicators) == len(rubric.indicators())
    lost = indicators[indicators["满分"].fillna(0) - indicators["得分"].fillna(0) > 0.01]
    assert (lost["说明"].str.len() > 0).all()
    reasons = at.markdown[0].value
    assert f"最终等次：{row['grade']}" in reasons.replace("\\", "")
    history = table_with(at, "period", "total")
    assert len(history) == (b["branch_id"] == row["branch_id"]).sum()
    assert metric(at, "等次").replace("\\", "") == row["grade"]
    assert any(d.proto.label.startswith("下载打印版") for d in at.get("download_button"))


def test_year_over_year_counts_add_up(data):
    at = open_app("yoy")
    no_errors(at)
    periods = sorted(data.results.branches["period"].unique())
    table = compare_periods(data.results, data.rubrics, periods[-2], periods[-1])
    for label, move in (("晋位", "晋位"), ("持平", "持平"), ("降级", "降级")):
        assert metric(at, label) == f"{(table['move'] == move).sum():,}"
    assert len(at.get("plotly_chart")) >= 3


def test_year_over_year_follows_the_field_filter(data):
    at = open_app("yoy", field="城市社区")
    periods = sorted(data.results.branches["period"].unique())
    table = compare_periods(data.results, data.rubrics, periods[-2], periods[-1])
    table = table[table["field"] == "城市社区"]
    assert metric(at, "晋位") == f"{(table['move'] == '晋位').sum():,}"


def test_rectification_lists_lagging_and_weak_branches(data):
    at = open_app("rectify")
    no_errors(at)
    b = data.results.branches
    latest = b["period"] == b["period"].max()
    chosen = data.results.take(b.index[latest.to_numpy()])
    expected = int(watch_mask(chosen, data.rubrics).sum())
    assert metric(at, "需整改支部") == f"{expected:,}"
    listed = table_with(at, "reasons", "flags")
    assert (listed["reasons"].str.len() > 0).all()
    assert list(listed["total"]) == sorted(listed["total"])


def test_rubrics_page_shows_every_rubric(data):
    at = open_app("rubrics")
    assert set(at.selectbox(key="rb_pick").options) == {f"{r.name}（{r.id}）" for r in data.rubrics.rubrics}
    assert table_with(at, "指标", "分值", "评分方法") is not None
    assert at.code and "standards:" in at.code[0].value


def test_custom_rubric_errors_are_located():
    at = open_app("rubrics")
    at.file_uploader(key="rb_file").set_value(("broken.yaml", BROKEN.encode(), "application/x-yaml")).run()
    no_errors(at)
    assert "处错误" in at.error[0].value
    problems = table_with(at, "line", "message")
    assert set(problems["file"]) >= {"broken.yaml"}
    assert {7, 9} <= set(problems["line"])  # points: -3 and the misspelt bandz


def test_custom_rubric_rescores_every_page(data):
    at = open_app("rubrics")
    at.file_uploader(key="rb_file").set_value(("strict.yaml", STRICT.encode(), "application/x-yaml")).run()
    no_errors(at)
    assert at.success
    at.button(key="rb_apply").click().run()
    no_errors(at)
    assert "rural_strict" in at.session_state["_dataset"].rubrics.get("rural_strict").id
    go(at, "overview")
    at.multiselect(key="f_field").set_value(["农村"]).run()
    b = data.results.branches
    rural = b[(b["period"] == b["period"].max()) & (b["field"] == "农村")]
    before = (rural["grade"] == "先进").sum()
    after = int(next(m.label for m in at.metric if m.label.startswith("先进")).split("：")[1].split(" ")[0].replace(",", ""))
    assert after < before
    assert any("strict" in c.value for c in at.sidebar.caption)
    go(at, "rubrics")
    at.button(key="rb_reset").click().run()
    no_errors(at)
    assert at.session_state["_dataset"].custom_rubric == ""


def test_snapshot_links_open_without_error():
    at = open_app(snapshot="abc123")  # not an id: the uniform refusal (tests/app/test_snapshots.py has the rest)
    no_errors(at)
    assert at.title[0].value == "分享的快照"
    assert len(at.error) == 1


def test_replacing_the_view_moves_every_widget(data):
    """What opening a snapshot does: state.set_view(...) then a rerun."""
    from ui.model.view import Filters, ViewState

    at = open_app()
    periods = sorted(data.results.branches["period"].unique())
    view = ViewState(page="ranking", lang="en", filters=Filters(period=periods[0], fields=("农村",), grades=("先进",)))
    at.session_state["_view"] = view
    at.session_state["_reseed"] = True
    at.session_state["_goto"] = view.page
    at.run()
    no_errors(at)
    assert at.title[0].value == "Ranking"
    assert at.selectbox(key="f_period").value == periods[0]
    assert at.multiselect(key="f_field").value == ["农村"]
    assert at.multiselect(key="f_grade").value == ["先进"]
    assert at.query_params["period"] == periods[0]
