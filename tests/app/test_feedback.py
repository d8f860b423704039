"""What keeps the dashboard fast to look at: long builds show their stages, and figures carry bounded points."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator

from tests.app import files
from tests.app.conftest import no_errors, open_app
from ui.i18n import translate
from ui.model import overview as overview_model
from ui.model import select

pytestmark = pytest.mark.xdist_group("app")

HISTOGRAM_BINS = 40
MOST_POINTS = max(HISTOGRAM_BINS, select.GROUP_LIMIT)  # no trace may carry more points than bins or groups


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every progress bar drawn while the test runs (they are removed before a run ends)."""
    texts: list[str] = []
    original = DeltaGenerator.progress

    def progress(self: DeltaGenerator, value: float, text: str | None = None, **kwargs: object) -> DeltaGenerator:
        texts.append(text or "")
        return original(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    return texts


def test_a_new_overview_shows_each_stage_and_then_clears_it(shown):
    at = open_app("upload")
    at.file_uploader(key="up_file").set_value(("stages.csv", files.good_csv(70), "text/csv")).run()
    no_errors(at)
    shown.clear()
    at.button(key="up_use").click().run()
    no_errors(at)
    assert at.title[0].value == "总览"
    stages = [translate(f"progress.{s}", "zh") for s in (*overview_model.STAGES, "charts")]
    assert [text for text in shown if text in stages] == stages  # every real stage, once, in order
    assert not at.get("progress")  # nothing left behind once the page is drawn
    shown.clear()
    at.run()
    assert shown == []  # a cached overview draws no progress at all


def test_a_filter_change_shows_progress_only_when_it_builds(shown):
    at = open_app()
    shown.clear()
    at.multiselect(key="f_grade").set_value(["后进"]).run()
    no_errors(at)
    assert translate("progress.select", "zh") in shown
    shown.clear()
    at.multiselect(key="f_grade").set_value(["后进"]).run()
    assert shown == []


def points(trace: dict[str, object]) -> int:
    """The longest dimension of any data array (x, y, z) of a plotly trace, plain or base64-typed."""
    sizes = []
    for name in ("x", "y", "z"):
        value = trace.get(name)
        if isinstance(value, dict):  # plotly's typed array: {"dtype", "bdata", "shape"?}
            flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).size
            shape = [int(n) for n in str(value.get("shape", flat)).split(",")]
            sizes.append(max(shape))
        elif isinstance(value, list):
            sizes.append(max([len(value)] + [len(row) for row in value if isinstance(row, list)]))
    return max(sizes, default=0)


def test_every_overview_figure_carries_bounded_points():
    at = open_app()
    no_errors(at)
    charts = at.get("plotly_chart")
    assert len(charts) >= 5
    branches = int(next(m.value for m in at.metric if m.label.startswith("支部数")).replace(",", ""))
    assert branches > 10 * MOST_POINTS  # one marker per branch would break the bound below
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            assert 0 < points(trace) <= MOST_POINTS, (trace.get("type"), points(trace))


@pytest.mark.parametrize("rows", [50, 5_000, 200_000])
def test_aggregates_stay_the_same_size_whatever_the_number_of_branches(rows):
    rng = np.random.default_rng(rows)
    branches = pd.DataFrame({
        "total": rng.uniform(40, 100, rows),
        "township": [f"镇{i}" for i in rng.integers(0, 10 * select.GROUP_LIMIT, rows)],
        "grade": rng.choice(["先进", "中间", "后进"], rows),
        "level": 0,
    })
    assert len(select.histogram(branches["total"])) == HISTOGRAM_BINS
    assert int(select.histogram(branches["total"])["count"].sum()) == rows
    mix = select.grade_mix(branches, "township")
    assert len(mix) <= select.GROUP_LIMIT
    assert int(mix.to_numpy().sum()) == rows
