"""The pure views behind the pages (no Streamlit): filters, KPIs, aggregates, the printable sheet, safe text."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from scoring.engine import Reading, rescale
from tests.app.files import HOSTILE_NAMES
from ui import charts
from ui.data import sample_dataset
from ui.model import branch as branch_model
from ui.model import ranking as ranking_model
from ui.model import select
from ui.model import yoy as yoy_model
from ui.model.view import Filters
from ui.safe import clip, filename, md
from ui.sheet import branch_sheet


@pytest.fixture(scope="module")
def data():
    return sample_dataset()


@pytest.fixture(scope="module")
def latest(data):
    b = data.results.branches
    return b[b["period"] == b["period"].max()]


def test_views_never_import_streamlit():
    import subprocess
    import sys

    code = "import sys, ui.model.select, ui.charts, ui.sheet, ui.safe; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("field", ["农村", "城市社区", "机关"])
def test_selection_matches_a_plain_pandas_filter(data, latest, field):
    mask = select.selection(data.results.branches, Filters(fields=(field,)))
    assert mask.sum() == (latest["field"] == field).sum()


def test_options_cascade_from_district_to_township(data):
    b = data.results.branches
    district = sorted(b["district"].dropna().unique())[0]
    options = select.filter_options(b, Filters(districts=(district,)))
    assert set(options.townships) <= set(b.loc[b["district"] == district, "township"].dropna())
    assert options.grades[0] == "先进"


def test_kpis_shares_add_up(latest):
    k = select.kpis(latest)
    assert k.count == len(latest)
    assert sum(g.count for g in k.grades) == len(latest)
    assert sum(g.share for g in k.grades) == pytest.approx(1.0)


def test_grade_mix_keeps_every_branch_and_folds_small_groups(latest):
    mix = select.grade_mix(latest, "township", other="其他", limit=5)
    assert len(mix) == 5
    assert int(mix.to_numpy().sum()) == len(latest)
    assert mix.index[-1] == "其他"


def test_grade_mix_puts_the_blank_group_after_named_ones(latest):
    mix = select.grade_mix(latest, "township", other="其他", limit=50, blank="（未填）")
    assert latest["township"].isna().any()
    assert mix.index[-1] == "（未填）"
    assert mix.drop(index="（未填）").sum(axis=1).is_monotonic_decreasing


def test_histogram_counts_every_branch(latest):
    bins = select.histogram(latest["total"])
    assert bins["count"].sum() == latest["total"].notna().sum()
    assert (bins["right"] > bins["left"]).all()


def test_weak_points_are_the_biggest_losses(data):
    chosen = select.take(data.results, select.selection(data.results.branches, Filters()))
    weak = select.weak_points(chosen, data.rubrics, top=5)
    lost = select.lost_points(chosen, data.rubrics)
    assert (lost.fillna(0).to_numpy() >= 0).all()
    assert list(weak["lost_total"]) == sorted(weak["lost_total"], reverse=True)
    assert weak["lost_total"].iloc[0] == pytest.approx(lost.sum().max())


def _lost_read_from_inputs(results, rubrics) -> tuple[pd.DataFrame, int]:
    """Points lost as the rubric defines them: each item's maximum, rescaled where the inputs make it not apply, less
    what it earned (the engine's Reading over the inputs, independent of how the view model derives it); and how many
    items of their own rubric did not apply."""
    excluded = 0
    lost = pd.DataFrame(np.nan, index=results.branches.index, columns=select.indicator_ids(rubrics))
    for rid, mine in results.branches.groupby(results.branches["rubric"].astype(str)).groups.items():
        rubric = rubrics.get(rid)
        rows = results.branches.index.get_indexer(mine)
        read = Reading(rubric, results.inputs.iloc[rows], results.not_applicable.iloc[rows])
        for std in rubric.standards:
            out, _, factor = rescale(std, read)
            for ind, gone in zip(std.indicators, out, strict=True):
                excluded += int(gone.sum())
                earned = results.indicators[ind.id].to_numpy()[rows]
                lost.iloc[rows, lost.columns.get_loc(ind.id)] = np.where(gone, np.nan, np.clip(ind.points * factor - earned, 0, None))
    return lost, excluded


@pytest.mark.parametrize("field", [None, "农村"])  # every rubric's rows, and one rubric's alone
def test_lost_points_are_each_items_rescaled_maximum_less_what_it_earned(data, field):
    results = data.results
    if field is not None:
        results = results.take(results.branches.index[results.branches["field"] == field])
        assert results.branches["rubric"].nunique() == 1
    expected, excluded = _lost_read_from_inputs(results, data.rubrics)
    assert excluded > 0  # items that do not apply, so rescaling is exercised
    pd.testing.assert_frame_equal(select.lost_points(results, data.rubrics), expected, check_exact=True)


def test_ranking_limits_rows_but_counts_all(data):
    chosen = select.take(data.results, select.selection(data.results.branches, Filters()))
    ranking = ranking_model.ranking(chosen, data.rubrics, limit=25)
    assert len(ranking.frame) == 25
    assert ranking.matched == len(chosen)
    assert ranking.as_share  # the sample mixes fields, so standards are shown as shares
    one = ranking_model.ranking(chosen.take(chosen.branches.index[chosen.branches["field"] == "农村"]), data.rubrics)
    assert not one.as_share
    assert all(f"std:{sid}" in one.frame for sid in one.standards)


def test_radar_shares_are_fractions(data, latest):
    label = latest.index[0]
    radar = branch_model.radar(data.results, data.rubrics, label)
    assert len(radar) == 6
    assert radar[["branch", "group", "best"]].stack().between(0, 1.0001).all()


def test_comparison_flows_cover_every_branch(data):
    periods = select.periods(data.results.branches)
    yoy = yoy_model.year_over_year(data.results, data.rubrics, periods[0], periods[-1], Filters(), "新", "无")
    assert yoy.flows["count"].sum() == len(yoy.table)
    assert sum(yoy.counts.values()) == len(yoy.table)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_printable_sheet_escapes_every_value():
    table = pd.DataFrame({"指标": [HOSTILE_NAMES[0]], "得分": [1.5], "说明": [np.nan]})
    html = branch_sheet(HOSTILE_NAMES[0], [("名称", HOSTILE_NAMES[2])], [("原因", [HOSTILE_NAMES[1]]), ("指标", table)], {})
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert HOSTILE_NAMES[0] in "".join(parser.text)


def test_chart_labels_are_escaped_and_short():
    assert charts.label("<b>粗</b>") == "&lt;b&gt;粗&lt;/b&gt;"
    assert len(charts.label("长" * 100)) == charts.LABEL_LIMIT


def test_safe_text_helpers():
    assert md("a*b_c<d>") == r"a\*b\_c\<d\>"
    assert clip("x" * 500, 10) == "x" * 9 + "…"
    assert filename("../../etc/passwd 名称") == "etc_passwd_名称"
