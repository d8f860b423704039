"""Small things a clerk trips on: local times, short rubric names, the pages' default rubric."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.app.conftest import open_app, table_with
from ui.model.share import local_time, shortened

MOMENT = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "expected"), [
    ("", "2025-06-01 16:30 Asia/Shanghai"),  # the default
    ("Asia/Shanghai", "2025-06-01 16:30 Asia/Shanghai"),
    ("Europe/Berlin", "2025-06-01 10:30 Europe/Berlin"),
    ("Mars/Olympus", "2025-06-01 08:30 UTC"),
])
def test_times_are_shown_in_the_deployment_time_zone(zone, expected):
    assert local_time(MOMENT, zone) == expected


def test_the_time_zone_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DASHBOARD_TIMEZONE", "Europe/London")
    assert local_time(MOMENT) == "2025-06-01 09:30 Europe/London"
    monkeypatch.delenv("DASHBOARD_TIMEZONE")
    assert local_time(MOMENT).endswith("Asia/Shanghai")


@pytest.mark.parametrize(("names", "short", "ending"), [
    (["农村（行政村）党组织标准化规范化建设考评细则", "机关党支部标准化规范化建设考评细则"],
     ["农村（行政村）党组织", "机关党支部"], "标准化规范化建设考评细则"),
    (["甲细则", "乙细则"], ["甲细则", "乙细则"], ""),  # too short an ending to be worth saying once
    (["只有一个"], ["只有一个"], ""),
])
def test_rubric_names_lose_their_shared_ending(names, short, ending):
    assert shortened(names) == (short, ending)


def test_rubrics_page_and_template_open_on_the_data_s_first_field_not_government():
    from ui.data import sample_dataset

    at = open_app("rubrics")
    expected = str(sample_dataset().results.branches["rubric"].iloc[0])
    assert at.selectbox(key="rb_pick").value == expected != "government"
    at = open_app("upload")
    assert at.selectbox(key="up_tpl_field").value == expected


def test_the_ranking_has_its_own_download_of_every_matching_row():
    import io

    import pandas as pd

    at = open_app("ranking")
    buttons = [b for b in at.get("download_button") if b.proto.id and "rank_dl" in str(b.proto.id)]
    assert len(buttons) == 2, [b.proto.id for b in at.get("download_button")]
    from ui import exports
    from ui.data import sample_dataset
    from ui.model import ranking as ranking_model
    from ui.model import select
    from ui.model.view import Filters
    from ui.screens.ranking import _download

    data = sample_dataset()
    chosen = select.take(data.results, select.selection(data.results.branches, Filters()))
    whole = ranking_model.ranking(chosen, data.rubrics, limit=None)
    table = _download(whole, {})
    frame = pd.read_csv(io.BytesIO(exports.frame_csv(lambda: table)()), encoding="utf-8-sig")
    assert len(frame) == whole.matched > 500  # more than the on-screen limit
    assert {"党组织名称", "总分", "等次", "组织健全（得分率）"} <= set(frame.columns)  # mixed rubrics: shares


def test_a_long_text_cut_in_the_grid_is_read_whole_below_it():
    import io

    import pandas as pd

    from tests.app import files
    from ui.i18n import TEXT
    from ui.safe import plain

    at = open_app("rectify")
    table = table_with(at, "reasons", "branch_id").reset_index(drop=True)
    longest = int(table["reasons"].str.len().idxmax())
    assert len(table["reasons"][longest]) > 120 and len(at.selectbox(key="rect_full").options) == len(table)  # every row offered
    at.selectbox(key="rect_full").set_value(longest).run()
    heading = f"**{TEXT['col.reasons'][0]}**"
    assert [m.value for m in at.markdown if m.value.startswith(heading)] == [f"{heading}  \n{plain(table['reasons'][longest])}"]
    frame = pd.read_csv(io.BytesIO(files.good_csv(5)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[0, "党员学习培训达标率"] = "大约" + "很多次" * 40  # quoted whole in its problem's message
    frame.loc[1, "党员学习培训达标率"] = "很多"  # a short message, which fits its column
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value(("long.csv", frame.to_csv(index=False).encode("utf-8-sig"), "text/csv")).run()
    problems = table_with(at, "说明", "列名").reset_index(drop=True)
    long = problems.index[problems["值"].str.startswith("大约")][0]
    where = f"第 {problems['行'][long]} 行 {problems['列'][long]} 列“党员学习培训达标率”"
    assert len(problems) > 1 and at.selectbox(key="up_problems_full").options == [where]
    heading = f"**{TEXT['hdr.说明'][0]}**"
    assert [m.value for m in at.markdown if m.value.startswith(heading)] == [f"{heading}  \n{plain(problems['说明'][long])}"]
