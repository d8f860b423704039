"""Browser journey for the rubric workbench: lower the rural 先进 line to 85, read why only a few more branches get it (the
30 % quota), adopt it, see the overview change, download the YAML and check the CLI accepts it with only the line changed."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import ROOT, idle, open_page
from tests.e2e.test_journeys import shot
from tests.e2e.test_snapshot_journey import metrics

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RUBRICS = ROOT / "rubrics"
CORE_LINE = "    - {name: 先进, name_en: Advanced, min: 90}"


def overview_tiles(tab) -> list[str]:
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("总览").click()
    tab.locator("h1").filter(has_text="总览").wait_for(timeout=60_000)
    return metrics(tab)


def open_workbench(tab) -> None:
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("评分细则").click()
    tab.locator("h1").filter(has_text="评分细则").wait_for(timeout=60_000)
    idle(tab)
    picker = tab.locator('[data-testid="stSelectbox"]').filter(has_text="评分细则").first.locator("input")
    for _ in range(3):  # a rerun that remounts the picker closes its list; open it again
        if "（rural）" in picker.input_value():
            return
        picker.click()
        picker.fill("rural")  # the combobox filters its list, so the option is inside the list's virtual window
        try:
            tab.get_by_role("option").filter(has_text="（rural）").click(timeout=10_000)
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
        idle(tab)
    assert "（rural）" in picker.input_value()


def test_lower_the_rural_line_read_the_quota_adopt_and_download_a_yaml_the_cli_accepts(page, tmp_path):
    open_page(page)
    before = overview_tiles(page)
    open_workbench(page)
    line = RUBRICS.joinpath("core.yaml").read_text(encoding="utf-8").splitlines().index(CORE_LINE) + 1
    page.get_by_text(f"继承自 core.yaml 第 {line} 行").first.wait_for(timeout=30_000)  # where the line lives

    field = page.get_by_label("先进 分数线")
    field.fill("85")
    field.press("Enter")
    idle(page, 120_000)
    page.get_by_text("草稿校验通过").wait_for(timeout=120_000)
    impact = page.get_by_text("阈值降到 85 分后有").first
    impact.wait_for(timeout=120_000)
    assert "先进比例上限 30 % 只允许" in impact.inner_text()
    shot(page, tmp_path, "1-impact")

    page.get_by_role("button", name="采用草稿").click()
    page.get_by_text("已采用草稿").wait_for(timeout=120_000)
    idle(page, 120_000)
    after_tiles = overview_tiles(page)
    assert after_tiles != before  # the overview now scores with the adopted draft
    open_workbench(page)
    assert page.get_by_label("先进 分数线").input_value() == "85.00"
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载 rural.yaml").click()
    folder = tmp_path / "rubrics"
    folder.mkdir()
    downloaded = folder / "rural.yaml"
    info.value.save_as(downloaded)
    shutil.copy(RUBRICS / "core.yaml", folder / "core.yaml")  # the parent it extends, beside it as in rubrics/

    checked = subprocess.run([sys.executable, "-m", "scoring", "validate-rubric", str(downloaded)], check=False, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "✓ rural" in checked.stdout

    original = RUBRICS.joinpath("rural.yaml").read_text(encoding="utf-8").splitlines()
    diff = [d for d in difflib.ndiff(original, downloaded.read_text(encoding="utf-8").splitlines()) if d[:1] in "+-"]
    core_bands = [b for b in RUBRICS.joinpath("core.yaml").read_text(encoding="utf-8").splitlines() if b.startswith("    - {name: ")
                  and "min:" in b][:3]
    assert diff == ["+   bands:", f"+ {core_bands[0].replace('min: 90', 'min: 85')}", f"+ {core_bands[1]}", f"+ {core_bands[2]}"]
