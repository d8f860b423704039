"""The overview adds up a data set's cube: for any selection it shows what counting the selected rows shows."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.data import sample_dataset
from ui.model import overview as overview_model
from ui.model import select
from ui.model.view import Filters

OTHER, BLANK, SYSTEM = "其他", "（未填）", "{parent}（系统）"


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


@pytest.fixture(scope="module")
def cube(data):
    return overview_model.cube(data.results, data.rubrics)


def _filters(data) -> list[Filters]:
    b = data.results.branches
    fields = sorted(b["field"].astype(str).unique())
    towns = sorted(b["township"].dropna().astype(str).unique())
    periods = sorted(b["period"].astype(str).unique())
    return [Filters(), Filters(fields=(fields[0],)), Filters(grades=("后进",)), Filters(townships=tuple(towns[:3])),
            Filters(period=periods[0], fields=tuple(fields[:2])), Filters(fields=("没有这个领域",))]


@pytest.mark.parametrize("case", range(6))
def test_the_cube_gives_what_counting_the_rows_gives(data, cube, case):
    filters = _filters(data)[case]
    bundle = overview_model.summarize(cube, data.rubrics, filters, OTHER, BLANK, SYSTEM)
    b = data.results.branches
    chosen = select.take(data.results, select.selection(b, filters))
    rows = chosen.branches
    assert bundle.kpis.count == len(rows)
    if not len(rows):
        assert bundle.weak.empty and bundle.by_field.empty
        return
    expected = select.kpis(rows)
    assert bundle.kpis.average == pytest.approx(expected.average, abs=1e-9)
    assert bundle.kpis.grades == expected.grades
    township = select.local_groups(rows, SYSTEM)
    pd.testing.assert_frame_equal(bundle.by_field, select.grade_mix(rows, "field", OTHER, blank=BLANK), check_index_type=False)
    pd.testing.assert_frame_equal(bundle.by_township, select.grade_mix(rows, township, OTHER, select.LOCAL_LIMIT, BLANK),
                                  check_index_type=False)
    pd.testing.assert_frame_equal(bundle.bins, select.histogram(rows["total"]))
    heat = select.heatmap(chosen, data.rubrics, "field", OTHER, blank=BLANK)
    pd.testing.assert_frame_equal(bundle.heat_field, heat, check_exact=False, rtol=1e-9, check_index_type=False)
    weak = select.weak_points(chosen, data.rubrics)
    pd.testing.assert_frame_equal(bundle.weak, weak, check_exact=False, rtol=1e-9)


def test_a_second_period_gives_the_kpis_of_the_previous_one(data, cube):
    b = data.results.branches
    periods = sorted(b["period"].astype(str).unique())
    bundle = overview_model.summarize(cube, data.rubrics, Filters(period=periods[-1]))
    assert bundle.previous_period == periods[-2]
    assert bundle.previous is not None
    assert bundle.previous.count == int((b["period"].astype(str) == periods[-2]).sum())


def test_the_cube_has_far_fewer_cells_than_rows(data, cube):
    assert int(cube.cells["count"].sum()) == len(data.results)
    assert len(cube.cells) < len(data.results) / 2
