"""The upload flow: a good file, a messy file, a wrong file, an oversized file, fixing rejected rows, templates."""

from __future__ import annotations

import tomllib

import pytest
from streamlit import config

from tests.app import files
from tests.app.conftest import go, metric, no_errors, open_app, table_with
from tests.hostile.files import far_cell

pytestmark = pytest.mark.xdist_group("app")


def upload(name: str, data: bytes, mime: str = "text/csv"):
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value((name, data, mime)).run()
    no_errors(at)
    return at


def test_good_file_then_explore_it():
    at = upload("good.csv", files.good_csv(60))
    assert metric(at, "总行数") == "60"
    assert metric(at, "拒收") == "0"
    at.button(key="up_use").click().run()
    no_errors(at)
    assert at.title[0].value == "总览"
    assert metric(at, "支部数") == "60"
    assert any(r"good\.csv" in c.value for c in at.sidebar.caption)  # escaped Markdown
    go(at, "ranking")
    assert metric_free_count(at) == 60


def test_a_file_too_large_for_the_upload_cache_is_read_once_per_session(monkeypatch):
    """At 1,000,000 rows the read file outweighs the upload cache: every rerun of the upload page (查看结果, the
    rejected-rows radio) read and scored it again, 15–26 s each in the browser. The session now keeps its last upload."""
    from ui import data

    reads: list[str] = []
    read = data._read

    def counted(*args, **kwargs):
        reads.append(args[1])
        return read(*args, **kwargs)

    monkeypatch.setattr(data, "_read", counted)
    monkeypatch.setattr(data._UPLOADS, "budget", 0)  # nothing fits, as a 1,000,000-row file does not
    messy, expected = files.messy_csv()
    at = upload("big.csv", messy)
    assert reads == ["big.csv"]
    at.radio(key="up_mode").set_value("aside").run()
    no_errors(at)
    assert len(table_with(at, "reason")) == expected["rejected"]
    at.button(key="up_use").click().run()
    no_errors(at)
    assert at.title[0].value == "总览"
    assert metric(at, "支部数") == str(expected["scored"])
    assert reads == ["big.csv"]
    go(at, "upload")
    at.file_uploader(key="up_file").set_value(("other.csv", files.good_csv(30), "text/csv")).run()
    no_errors(at)
    assert metric(at, "总行数") == "30"
    assert reads == ["big.csv", "other.csv"]  # another file is read


def test_the_overview_is_summed_while_the_report_is_read(monkeypatch):
    """At 1,000,000 rows summing the overview's cube takes about a second: the upload sums it (a stage of its progress
    bar), so 查看结果 opens the overview without summing the rows again."""
    from ui.model import overview as overview_model

    sums: list[int] = []
    cube = overview_model.cube

    def counted(results, *args, **kwargs):
        sums.append(len(results))
        return cube(results, *args, **kwargs)

    monkeypatch.setattr(overview_model, "cube", counted)
    at = upload("summed.csv", files.good_csv(45))
    assert sums == [45]
    at.button(key="up_use").click().run()
    no_errors(at)
    assert metric(at, "支部数") == "45"
    assert sums == [45]


def metric_free_count(at) -> int:
    return len(at.dataframe(key="rank_table").value)


def test_good_xlsx_file_with_a_title_row():
    at = upload("city_2025.xlsx", (files.ROOT / "sample_data" / "city_2025.xlsx").read_bytes(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert metric(at, "拒收") == "0"
    assert int(metric(at, "可评分").replace(",", "")) > 0


def test_messy_file_reports_every_problem_and_sets_rows_aside():
    data, expected = files.messy_csv()
    at = upload("messy.csv", data)
    assert metric(at, "拒收") == str(expected["rejected"])
    problems = table_with(at, "行", "列", "说明")
    assert {"行", "列", "说明"} <= set(problems.columns)
    assert problems["行"].notna().any()
    assert len(table_with(at, "reason")) == expected["rejected"]
    assert at.get("download_button")  # the problem list can be downloaded
    at.button(key="up_use").click().run()
    assert metric(at, "支部数") == str(expected["scored"])


def test_fixing_a_rejected_row_brings_it_back():
    at = upload("fixable.csv", files.fixable_csv())
    assert metric(at, "拒收") == "1"
    at.radio(key="up_mode").set_value("fix").run()
    at.session_state["up_editor"] = {"edited_rows": {0: {"党员大会次数": "4"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="up_fix").click().run()
    no_errors(at)
    assert any("1 行通过校验" in i.value for i in at.info)
    at.button(key="up_use").click().run()
    assert metric(at, "支部数") == "20"


def test_the_report_shows_normalizations_and_what_the_warning_metric_counts():
    at = upload("messy.csv", (files.ROOT / "sample_data" / "messy.csv").read_bytes())
    captions = [c.value for c in at.caption]
    assert any(c.startswith("已自动规范：百分比 168 处") for c in captions)  # as the CLI prints it
    assert any(c.startswith("发现问题：错误 11 条，警告 2 条") for c in captions)
    warned = next(m for m in at.metric if m.label.startswith("有警告"))
    assert warned.label == "有警告的行（仍计分）"
    assert warned.value == "1"
    assert "共有 2 条警告" in warned.proto.help


def test_rechecking_unedited_rows_never_scores_a_rejected_duplicate():
    """Issue 9: 102001021 was scored twice after 重新校验 without edits."""
    messy = (files.ROOT / "sample_data" / "messy.csv").read_bytes()
    at = upload("messy.csv", messy)
    accepted = int(metric(at, "可评分").replace(",", "")) + int(metric(at, "有警告").split()[0].replace(",", ""))
    at.radio(key="up_mode").set_value("fix").run()
    at.button(key="up_fix").click().run()
    no_errors(at)
    assert any("0 行通过校验" in i.value for i in at.info)
    at.button(key="up_use").click().run()
    no_errors(at)
    assert metric(at, "支部数") == f"{accepted:,}"
    go(at, "ranking")
    ranked = at.dataframe(key="rank_table").value
    assert ranked["branch_id"].astype(str).eq("102001021").sum() == 1, list(ranked.columns)


@pytest.mark.parametrize(("name", "data"), [("notes.csv", files.unrelated_csv()), ("photo.csv", files.PNG),
                                            ("fake.xlsx", b"not a workbook"), ("empty.csv", b"")])
def test_wrong_files_get_a_clear_message(name, data):
    at = upload(name, data)
    assert at.error, "expected an error message"
    assert "无法读取" in at.error[0].value
    assert not at.get("metric")


@pytest.fixture
def one_mb_limit():
    """server.maxUploadSize set to 1 (MB) for one test."""
    before = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", 1)
    yield
    config.set_option("server.maxUploadSize", before)


def test_oversized_upload_is_refused_with_the_limit_in_bytes(one_mb_limit):
    at = upload("big.csv", b"x" * 1_000_001)  # Streamlit's browser widget refuses above 1,000,000 bytes: so must the app
    assert "超过上限 1 MB（1,000,000 字节）" in at.error[0].value
    assert "1,000,001 字节" in at.error[0].value


def test_a_file_at_the_limit_is_not_refused_for_its_size(one_mb_limit):
    at = upload("one-cell.csv", b"x" * 1_000_000)  # exactly the limit: past the size gate, refused for its content
    assert not any("超过上限" in e.value for e in at.error)
    assert "有一个单元格超过" in at.error[0].value  # the content check, not the size gate


def test_the_app_limit_is_within_every_limit_streamlit_applies():
    config_file = (files.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    megabytes = int(tomllib.loads(config_file)["server"]["maxUploadSize"])
    assert megabytes == 200  # the documented default (issue 12)
    config.set_option("server.maxUploadSize", megabytes)
    at = open_app("upload")
    assert "200 MB（200,000,000 字节）" in at.file_uploader(key="up_file").help
    app_limit = megabytes * 1_000_000
    assert app_limit <= megabytes * 2**20  # Streamlit's server counts MiB
    assert app_limit <= megabytes * 1000**2  # its browser widget counts 10^6 (or 2^20) bytes


def test_a_hostile_workbook_is_refused_on_the_page_and_the_app_carries_on():
    at = upload("far.xlsx", far_cell("XFD1048576", declared=False),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "内存超过上限" in at.error[0].value
    at.file_uploader(key="up_file").set_value(("good.csv", files.good_csv(10), "text/csv")).run()
    no_errors(at)
    assert metric(at, "总行数") == "10"


def test_back_to_the_sample_city():
    at = upload("good.csv", files.good_csv(10))
    at.button(key="up_use").click().run()
    go(at, "upload")
    at.button(key="up_back").click().run()
    no_errors(at)
    assert any("示例城市" in c.value for c in at.sidebar.caption)


def test_blank_templates_are_offered_per_field():
    at = open_app("upload")
    fields = at.selectbox(key="up_tpl_field").options
    assert len(fields) >= 8
    assert len(at.get("download_button")) >= 2
