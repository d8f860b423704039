"""Branches without a township (under system or sector party committees) are grouped by their parent, not one blank bar."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.data import sample_dataset
from ui.model import overview as overview_model
from ui.model import yoy as yoy_model
from ui.model.select import local_groups
from ui.model.view import Filters

SYSTEM = "{parent}（系统/行业）"


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


@pytest.mark.parametrize(("township", "parent", "expected"), [
    ("城关镇", "城关镇党委", "城关镇"),
    (None, "教育系统党委", "教育系统党委（系统/行业）"),
    ("", "卫生健康系统党委", "卫生健康系统党委（系统/行业）"),
    (None, None, None),
])
def test_local_group_of_one_row(township, parent, expected):
    frame = pd.DataFrame({"township": [township, "某镇"], "parent": [parent, "某镇党委"]})
    keys = local_groups(frame, SYSTEM)
    got = keys.iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


def test_no_blank_group_dominates_the_township_views(data):
    bundle = overview_model.overview(data.results, data.rubrics, Filters(), "其他", "（未填）", SYSTEM)
    sizes = bundle.by_township.sum(axis=1)
    assert "（未填）" not in sizes.index
    assert any(str(k).endswith("（系统/行业）") for k in sizes.index)
    assert sizes.max() <= 3 * sizes.median()  # readable: no single bar squashes the rest
    assert "（未填）" not in bundle.heat_township.index
    assert bundle.kpis.count == sizes.sum()


def test_year_over_year_groups_the_same_way(data):
    periods = sorted(data.results.branches["period"].astype(str).unique())
    yoy = yoy_model.year_over_year(data.results, data.rubrics, periods[0], periods[-1], Filters(), "新", "无", "其他",
                                   "（未填）", SYSTEM)
    assert "（未填）" not in yoy.by_township.index
    assert any(str(k).endswith("（系统/行业）") for k in yoy.by_township.index)
