"""Every page renders on the sample city, in both languages, and the shared filters change the numbers correctly."""

from __future__ import annotations

import pytest

from tests.app.conftest import PAGES, go, metric, no_errors, open_app
from ui.data import sample_dataset
from ui.i18n import translate

pytestmark = pytest.mark.xdist_group("app")


@pytest.fixture(scope="module")
def sample():
    """The sample city's branch rows, read directly (not through the app)."""
    return sample_dataset().results.branches


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders(page, lang):
    at = open_app(page, lang=lang)
    no_errors(at)
    assert at.title[0].value == translate(f"nav.{page}", lang) or at.title[0].value == translate(f"{page}.title", lang)


def test_switching_pages_in_one_session_keeps_the_filters():
    at = open_app(field="农村")
    for page in PAGES:
        go(at, page)
        no_errors(at)
        assert at.multiselect(key="f_field").value == ["农村"]
        assert at.query_params.get("field") == "农村"


def test_overview_counts_match_the_data(app, sample):
    latest = sample["period"].max()
    rows = sample[sample["period"] == latest]
    assert metric(app, "支部数") == f"{len(rows):,}"
    assert metric(app, "平均分") == f"{rows['total'].mean():.2f}"
    for grade, count in rows["grade"].value_counts().items():
        assert metric(app, f"{grade}：") == f"{count / len(rows):.1%}"
        assert any(m.label == f"{grade}：{count:,} 个" for m in app.metric)


def test_field_filter_changes_the_numbers_and_the_url(app, sample):
    field = sorted(sample["field"].unique())[0]
    app.multiselect(key="f_field").set_value([field]).run()
    no_errors(app)
    latest = sample["period"].max()
    expected = ((sample["period"] == latest) & (sample["field"] == field)).sum()
    assert metric(app, "支部数") == f"{expected:,}"
    assert app.query_params["field"] == field


def test_grade_filter_keeps_only_that_grade(app, sample):
    app.multiselect(key="f_grade").set_value(["后进"]).run()
    latest = sample["period"].max()
    expected = ((sample["period"] == latest) & (sample["grade"] == "后进")).sum()
    assert metric(app, "支部数") == f"{expected:,}"
    assert metric(app, "后进：") == "100.0%"


def test_period_filter_shows_the_earlier_period(app, sample):
    first = sorted(sample["period"].unique())[0]
    app.selectbox(key="f_period").set_value(first).run()
    assert metric(app, "支部数") == f"{(sample['period'] == first).sum():,}"
    assert app.query_params["period"] == first
    assert first in app.caption[0].value


def test_township_options_follow_the_district(app, sample):
    if "district" not in sample or sample["district"].nunique() < 2:
        pytest.skip("the sample has a single district")
    district = sorted(sample["district"].unique())[0]
    app.multiselect(key="f_district").set_value([district]).run()
    towns = set(sample.loc[sample["district"] == district, "township"])
    assert set(app.multiselect(key="f_township").options) <= towns


def test_links_with_unknown_values_still_open():
    at = open_app(field="不存在的领域", grade=["<b>x</b>"], period="1999", lang="xx")
    no_errors(at)
    assert at.multiselect(key="f_field").value == []


def test_clear_filters(app):
    app.multiselect(key="f_grade").set_value(["先进"]).run()
    app.button(key="f_reset").click().run()
    assert app.multiselect(key="f_grade").value == []
    assert "grade" not in app.query_params


def test_language_switch_translates_the_page(app):
    app.segmented_control(key="lang").set_value("en").run()
    no_errors(app)
    assert app.title[0].value == "Overview"
    assert app.query_params["lang"] == "en"
