"""Browser journey for workspaces: two yearly files uploaded together give 晋位升级 as the CLI does; the link reopens it elsewhere."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import ROOT, idle, open_page
from tests.e2e.test_journeys import shot
from tests.e2e.test_snapshot_journey import metrics

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SAMPLE = ROOT / "sample_data"
MOVES = ("晋位", "持平", "降级")


def cli_moves() -> dict[str, int]:
    """What `python -m scoring compare sample_data/city.csv --before 2024 --after 2025` counts per move."""
    out = subprocess.run([sys.executable, "-m", "scoring", "compare", str(SAMPLE / "city.csv"), "--rubrics", str(ROOT / "rubrics"),
                          "--before", "2024", "--after", "2025"], cwd=ROOT, capture_output=True, check=True, timeout=300).stdout
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    return {move: sum(1 for r in rows if r["变动"] == move) for move in MOVES}


def yoy_moves(tab) -> dict[str, int]:
    """The 晋位/持平/降级 tiles of the year-over-year page."""
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("晋位升级").click()
    tab.locator("h1").filter(has_text="晋位升级").wait_for(timeout=60_000)
    tiles = metrics(tab)
    found = {}
    for move in MOVES:
        tile = next(m for m in tiles if m.startswith(move))
        found[move] = int([line for line in tile.splitlines() if line.strip()][1].replace(",", ""))
    return found


def test_two_yearly_files_make_a_workspace_whose_link_shows_the_same_figures(new_tab, tmp_path):
    expected = cli_moves()
    assert expected["晋位"] > 0 and expected["降级"] > 0  # the sample city has moves both ways
    creator = new_tab()
    open_page(creator, "upload")
    creator.get_by_text("创建工作区（多个文件").click()
    creator.locator('[data-testid="stExpander"] input[type="file"]').first.set_input_files(
        [str(SAMPLE / "city_2024_gbk.csv"), str(SAMPLE / "city_2025.xlsx")])
    idle(creator)
    creator.get_by_role("button", name="创建工作区").click()
    creator.wait_for_url(lambda url: "workspace=" in url, timeout=120_000)
    creator.get_by_text("行数核对").wait_for(timeout=120_000)
    idle(creator)
    shot(creator, tmp_path, "1-workspace")
    workspace_id = parse_qs(urlsplit(creator.url).query)["workspace"][0]
    assert yoy_moves(creator) == expected
    assert f"workspace={workspace_id}" in creator.url  # the link stays in the address across pages

    viewer = new_tab()  # a fresh context: nothing shared with the creator but the link
    open_page(viewer, f"?workspace={workspace_id}")
    assert yoy_moves(viewer) == expected
    shot(viewer, tmp_path, "2-reopened")
