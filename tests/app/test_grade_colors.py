"""A grade has one colour in every figure, whatever the filters leave (the colour follows the grade, not its position)."""

from __future__ import annotations

from itertools import combinations

import pytest

from ui import charts
from ui.data import sample_dataset
from ui.model import overview as overview_model
from ui.model import yoy as yoy_model
from ui.model.names import english_names, grade_scale, renamed
from ui.model.view import Filters


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


def _subsets(scale):
    return [c for k in range(1, len(scale) + 1) for c in combinations(scale, k)]


def _bar_colors(fig):
    return {trace.name: trace.marker.color for trace in fig.data}


def test_the_scale_is_the_rubrics_grades_best_first(data):
    assert grade_scale(data.rubrics) == ("先进", "中间", "后进")
    colors = charts.grade_colors(grade_scale(data.rubrics))
    assert len(set(colors.values())) == 3


@pytest.mark.parametrize("fields", [(), ("农村",)])
def test_grade_bars_colour_each_grade_the_same_under_every_grade_filter(data, fields):
    scale = grade_scale(data.rubrics)
    expected = charts.grade_colors(scale)
    seen = 0
    for grades in _subsets(scale):
        bundle = overview_model.overview(data.results, data.rubrics, Filters(fields=fields, grades=grades))
        assert bundle.scale == scale  # the scale does not shrink with the filter
        for mix in (bundle.by_field, bundle.by_township):
            colors = _bar_colors(charts.grade_bars(mix, "t", "n", bundle.scale))
            assert set(colors) == set(grades) & set(mix.columns)
            assert colors == {g: expected[g] for g in colors}
            seen += len(colors)
    assert seen > 10


def test_the_lowest_grade_alone_keeps_its_colour_in_english_too(data):
    scale = grade_scale(data.rubrics)
    en = english_names(data.rubrics)
    bundle = overview_model.overview(data.results, data.rubrics, Filters(grades=(scale[-1],)))
    shown_scale = [en.get(g, g) for g in scale]
    colors = _bar_colors(charts.grade_bars(bundle.by_field.rename(columns=en), "t", "n", shown_scale))
    assert colors == {"Lagging": charts.grade_colors(scale)[scale[-1]]}
    assert colors["Lagging"] != charts.grade_colors(scale)[scale[0]]


def test_sankey_nodes_take_the_grade_colour_whatever_the_filter(data):
    scale = grade_scale(data.rubrics)
    expected = charts.grade_colors(scale)
    periods = sorted(data.results.branches["period"].astype(str).unique())
    for grades in _subsets(scale):
        yoy = yoy_model.year_over_year(data.results, data.rubrics, periods[0], periods[-1], Filters(grades=grades), "新", "无")
        fig = charts.sankey(renamed(yoy.flows, {}), "t", periods[0], periods[-1], scale)
        sankey = fig.data[0]
        for node, color in zip(sankey.node.label, sankey.node.color, strict=True):
            grade = node.split("（")[0]
            if grade in expected:
                assert color == expected[grade], (grades, node)
