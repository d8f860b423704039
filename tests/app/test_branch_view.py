"""The branch page's view: deductions read as deductions, the history axis does not exaggerate, radar ticks sit apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ui import charts
from ui.data import sample_dataset
from ui.model import branch as branch_model


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


def test_penalty_items_show_what_they_deducted_out_of_their_cap(data):
    b = data.results.branches
    penalized = b.index[b["penalty"] > 0][0]
    clean = b.index[b["penalty"] == 0][0]
    for label in (penalized, clean):
        row = b.loc[label]
        detail = branch_model.branch_detail(data.results, data.rubrics, str(row["branch_id"]), str(row["period"]))
        table = detail.indicators
        rubric = data.rubrics.get(str(row["rubric"]))
        caps = {i.name: i.points for i in rubric.penalty.indicators}
        penalty = table[table["指标"].isin(caps) & (table["标准"] == "减分项")]
        assert len(penalty) == len(caps)
        assert penalty["得分"].isna().all()  # no "满分 6 / 得分 0"
        assert penalty["满分"].tolist() == [caps[n] for n in penalty["指标"]]
        assert penalty["扣分"].sum() == pytest.approx(row["penalty"])
        scored = table.drop(index=penalty.index)
        assert scored["扣分"].isna().all() and scored["得分"].notna().all()


@pytest.mark.parametrize(("totals", "full"), [([99.2, 99.8], 100.0), ([60.0, 95.0, 80.0], 100.0), ([0.0, 1.0], 100.0)])
def test_history_axis_spans_at_least_a_tenth_of_the_full_score_and_leaves_room_for_labels(totals, full):
    frame = pd.DataFrame({"period": [f"p{i}" for i in range(len(totals))], "total": totals, "grade": ["先进"] * len(totals)})
    fig = charts.history(frame, "总分", full)
    low, high = fig.layout.yaxis.range
    assert high - low >= full / 10
    assert low >= 0 and low <= min(totals) and high > max(totals) + (high - low) * 0.1
    assert not fig.layout.title.text  # the page's subheader is the only heading


def test_radar_ticks_sit_between_standards(data):
    b = data.results.branches
    detail = branch_model.branch_detail(data.results, data.rubrics, str(b["branch_id"].iloc[0]), None)
    fig = charts.radar(detail.radar, "t", ("a", "b", "c"))
    n = len(detail.radar)
    polar = fig.layout.polar
    assert polar.angularaxis.rotation == 90 and polar.angularaxis.direction == "clockwise"
    category_angles = np.array([(90 - k * 360 / n) % 360 for k in range(n)])
    gap = np.abs((category_angles - polar.radialaxis.angle % 360 + 180) % 360 - 180)
    assert gap.min() >= 360 / n / 2 - 1e-9


@pytest.mark.parametrize("which", [0, 17, -1])
def test_radar_is_the_share_of_points_of_the_branch_its_group_and_the_best_of_its_peers(data, which):
    from ui.model.select import standard_percent

    b = data.results.branches
    label = b.index[which]
    row = b.loc[label]
    rubric = data.rubrics.get(str(row["rubric"]))
    shares = standard_percent(data.results, data.rubrics)
    peers = (b["rubric"] == row["rubric"]) & (b["period"] == row["period"])
    group = peers & (b[rubric.grading.rank_by] == row[rubric.grading.rank_by])
    best = peers & (b["level"] == 0)
    ids = [s.id for s in rubric.standards]
    got = branch_model.radar(data.results, data.rubrics, label)
    assert got["standard"].tolist() == [s.name for s in rubric.standards]
    np.testing.assert_allclose(got["branch"], shares.loc[label, ids].to_numpy(dtype=float))
    np.testing.assert_allclose(got["group"], shares.loc[group, ids].mean().to_numpy(dtype=float))
    np.testing.assert_allclose(got["best"], shares.loc[best, ids].mean().to_numpy(dtype=float))
