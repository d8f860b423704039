"""Browser journeys for workspaces: two yearly files uploaded together give 晋位升级 as the CLI does and the link reopens it
elsewhere; a conflict decided in the browser, the link surviving a server restart, an older version restored."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.app import files
from tests.e2e.conftest import ROOT, VIEWPORT, idle, open_page, serve, stop
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


def heading(tab) -> str:
    """The workspace panel's heading: 工作区“名称”（第 N 版）."""
    found = tab.locator("h3").filter(has_text="工作区“").first
    found.wait_for(timeout=120_000)
    return found.inner_text()


def branches(tab) -> int:
    """The overview's 支部数 tile."""
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("总览").click(timeout=120_000)
    tile = next(m for m in metrics(tab) if m.startswith("支部数"))
    return int([line for line in tile.splitlines() if line.strip()][1].replace(",", ""))


def upload_page(tab) -> None:
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("数据上传").click(timeout=120_000)
    heading(tab)
    idle(tab)


def choose(tab, key: str, option: str) -> None:
    """Pick an option of a select box: open it (again if a rerun closed it) and click the option in its list."""
    box = tab.locator(f".st-key-{key} input").first
    box.scroll_into_view_if_needed()
    for _ in range(5):
        box.click()
        try:
            tab.get_by_role("listbox").get_by_text(option, exact=True).first.click(timeout=10_000)
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
            continue
        idle(tab)
        return
    raise AssertionError(f"option {option} of {key} could not be picked")


def resent_with_one_change(data: bytes) -> bytes:
    """The file with 党员大会次数 of its first branch changed, as a township re-sending a corrected file."""
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    at = header.index("党员大会次数")
    rows[0][at] = "1" if rows[0][at] != "1" else "2"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def test_a_conflict_is_decided_in_the_browser_the_link_survives_a_restart_and_an_old_version_comes_back(browser, tmp_path):
    first, resent = tmp_path / "镇A.csv", tmp_path / "镇A-重报.csv"
    first.write_bytes(files.good_csv(20))
    resent.write_bytes(resent_with_one_change(files.good_csv(25)))  # the same 20 branch-years (one cell differs) and 5 more
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    contexts = []

    def tab(base: str):
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        contexts.append(context)
        opened = context.new_page()
        opened.base = base
        return opened

    url, process = serve(store, tmp_path / "streamlit.log")
    try:
        creator = tab(url)
        open_page(creator, "upload")
        creator.get_by_text("创建工作区（多个文件").click()
        creator.locator('[data-testid="stExpander"] input[type="file"]').first.set_input_files(str(first))
        idle(creator)
        creator.get_by_role("button", name="创建工作区").click()
        creator.wait_for_url(lambda address: "workspace=" in address, timeout=120_000)
        assert heading(creator).endswith("（第 2 版）")
        workspace_id = parse_qs(urlsplit(creator.url).query)["workspace"][0]
        creator.locator('.st-key-ws_more_2 input[type="file"]').set_input_files(str(resent))  # version 2's add box, by its key
        idle(creator)
        creator.get_by_role("button", name="添加到工作区").click(timeout=120_000)  # enabled once the upload is in
        creator.get_by_text("冲突：20 个（待决定 20 个）").wait_for(timeout=120_000)
        assert heading(creator).endswith("（第 3 版）")
        if os.environ.get("UPDATE_SCREENSHOTS"):
            creator.set_viewport_size({"width": 1400, "height": 1000})
            creator.get_by_text("冲突：20 个").scroll_into_view_if_needed()
            idle(creator)
            creator.screenshot(path=str(ROOT / "docs" / "workspace.png"), full_page=False)
        assert branches(creator) == 5  # only the rows no other file has: nothing overwritten before a decision
        upload_page(creator)
        creator.get_by_text("较新的文件替换较早的").first.click()
        idle(creator)
        creator.get_by_role("button", name="记录决定（保存为新版本）").click(timeout=120_000)
        creator.get_by_text("冲突：20 个（待决定 0 个）").wait_for(timeout=120_000)
        assert heading(creator).endswith("（第 4 版）")
        assert branches(creator) == 25
        shot(creator, tmp_path, "1-decided")
    finally:
        stop(process)

    url, process = serve(store, tmp_path / "streamlit.log")  # a restarted server on the same store
    try:
        viewer = tab(url)
        open_page(viewer, f"?workspace={workspace_id}")
        assert branches(viewer) == 25
        upload_page(viewer)
        assert heading(viewer).endswith("（第 4 版）")
        viewer.get_by_text("历史版本（4 个）").click()
        idle(viewer)
        choose(viewer, "ws_version", "2")
        viewer.get_by_role("button", name="恢复第 2 版（保存为新版本）").click(timeout=120_000)
        viewer.locator("h3").filter(has_text="（第 5 版）").wait_for(timeout=120_000)
        assert branches(viewer) == 20  # the first file alone, as in version 2
        shot(viewer, tmp_path, "2-restored")
    finally:
        stop(process)
        for context in contexts:
            context.close()
