"""评分细则: a custom rubric that would leave rows unscored says how many and why before it is applied."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from tests.app.conftest import no_errors, open_app, table_with
from tests.rubrics.hostile import alias_bomb
from ui.data import sample_dataset

pytestmark = pytest.mark.xdist_group("app")

NARROW = """\
id: rural_narrow
name: 只认“行政村”的农村细则
extends: rural
fields: [行政村]
"""
STRICT = """\
id: rural_strict
name: 农村党组织考评细则（严格版）
extends: rural
fields: [农村, 行政村, 村, 村党组织]
"""
DROPPED = ("农村", "村", "村党组织")  # rural field names the narrow rubric no longer covers


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


def upload(at, name: str, body: bytes):
    return at.file_uploader(key="rb_file").set_value((name, body, "application/x-yaml")).run()


def test_a_rubric_that_drops_a_field_says_how_many_rows_and_why_before_applying(data):
    results = data.results
    rows = pd.concat([results.inputs["field"], results.unscored["field"]])
    expected = int(rows.isin(DROPPED).sum())
    assert expected > 0
    at = upload(open_app("rubrics"), "narrow.yaml", NARROW.encode())
    no_errors(at)
    warning = next(w.value for w in at.warning if "不能评分" in w.value)
    assert f"将有 {expected:,} 行不能评分" in warning
    lost = table_with(at, "field", "reason", "rows")
    assert dict(zip(lost["field"], lost["rows"])) == {f: int((rows == f).sum()) for f in DROPPED if (rows == f).any()}
    assert all("没有对应的评分细则" in r for r in lost["reason"])
    assert not [b for b in at.button if b.key == "rb_apply"], "nothing is applied before the user confirms"
    assert "_dataset" not in at.session_state or at.session_state["_dataset"].custom_rubric == ""

    at.checkbox(key="rb_confirm").check().run()
    at.button(key="rb_apply").click().run()
    no_errors(at)
    after = at.session_state["_dataset"]
    assert after.custom_rubric == "narrow.yaml"
    assert len(after.results.branches) == len(results.branches) - expected + len(results.unscored)
    shown = " ".join(w.value for w in at.warning)
    assert f"{expected + len(data.rejected):,} 行未评分" in shown
    assert not any("所有页面均显示新结果" in s.value for s in at.success)


def test_a_rubric_that_covers_every_row_says_so_and_applies_directly(data):
    at = upload(open_app("rubrics"), "strict.yaml", STRICT.encode())
    no_errors(at)
    assert any("都有适用的评分细则" in i.value for i in at.info)
    assert not [c for c in at.checkbox if c.key == "rb_confirm"]
    at.button(key="rb_apply").click().run()
    no_errors(at)
    assert at.session_state["_dataset"].custom_rubric == "strict.yaml"


def test_a_gbk_rubric_is_decoded_not_replaced():
    at = upload(open_app("rubrics"), "严格版.yaml", STRICT.encode("gbk"))
    no_errors(at)
    valid = next(s.value for s in at.success if "校验通过" in s.value)
    assert "农村党组织考评细则（严格版）" in valid and "\ufffd" not in valid


def test_an_undecodable_rubric_is_refused_in_chinese():
    at = upload(open_app("rubrics"), "坏.yaml", b"id: x\nname: \x80\xff\xfe\n")
    no_errors(at)
    assert "处错误" in at.error[0].value
    problems = table_with(at, "line", "message")
    assert list(problems["file"]) == ["坏.yaml"] and "UTF-8" in problems["message"].iloc[0]


def test_an_alias_bomb_upload_is_refused_naming_the_limit():
    at = open_app("rubrics")
    started = time.perf_counter()
    upload(at, "炸弹.yaml", alias_bomb().encode())
    assert time.perf_counter() - started < 30  # minutes and gigabytes before the bounds
    no_errors(at)
    problems = table_with(at, "line", "message")
    assert list(problems["code"]) == ["limit-values"] and "10,000" in problems["message"].iloc[0]
    assert list(problems["file"]) == ["炸弹.yaml"]
