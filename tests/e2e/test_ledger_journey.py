"""Browser journey for the 整顿台账: designate three candidates, edit one, export the 台账, re-import it unchanged → no changes."""

from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, idle, open_page
from tests.e2e.test_journeys import shot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def small_city(folder) -> str:
    """Two townships of the sample city in both years, as a CSV file."""
    frame = pd.read_csv(ROOT / "sample_data" / "city.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path = folder / "两镇.csv"
    path.write_bytes(frame[frame["乡镇（街道）"].isin(("松涛镇", "禾城镇"))].to_csv(index=False).encode("utf-8-sig"))
    return str(path)


def choose(tab, key: str, option: str) -> None:
    """Pick an option of the selectbox with this key."""
    tab.locator(f".st-key-{key}").click()
    tab.get_by_role("option", name=option, exact=True).click()
    idle(tab)


def test_designate_edit_export_and_reimport_unchanged(new_tab, tmp_path):
    tab = new_tab()
    open_page(tab, "upload")
    tab.get_by_text("创建工作区（多个文件").click()
    tab.locator('[data-testid="stExpander"] input[type="file"]').first.set_input_files(small_city(tmp_path))
    idle(tab)
    tab.get_by_role("button", name="创建工作区").click()
    tab.wait_for_url(lambda url: "workspace=" in url, timeout=120_000)
    tab.get_by_text("行数核对").wait_for(timeout=120_000)
    idle(tab)

    tab.locator('[data-testid="stSidebarNav"]').get_by_text("整顿台账").click()
    tab.locator("h1").filter(has_text="软弱涣散整顿台账").wait_for(timeout=60_000)
    idle(tab)
    choose(tab, "lg_period", "2024")
    tab.locator(".st-key-lg_by input").fill("张三")
    tab.keyboard.press("Enter")
    idle(tab)

    # designate three candidates
    picker = tab.locator('.st-key-lg_candidates input[role="combobox"]')
    for _ in range(3):
        picker.click()
        tab.get_by_role("option").filter(has_text="—").first.click()  # a candidate, not the widget's "Select all"
        tab.keyboard.press("Escape")
    tab.locator(".st-key-lg_reason input").fill("2024 年度考评后进")
    tab.get_by_role("button", name="确认列入整顿").click()
    tab.get_by_text("已列入 3 个支部").wait_for(timeout=60_000)
    idle(tab)
    expect(tab.locator('[data-testid="stMetric"]').filter(has_text="列入整顿")).to_contain_text("3")

    # edit one
    tab.locator(".st-key-lg_measures textarea").fill("选优配强支部书记；每月检查三会一课记录")
    tab.locator(".st-key-lg_leader input").fill("王明（副县长）")
    choose(tab, "lg_status", "整改中")
    tab.get_by_role("button", name="保存修改").click()
    tab.get_by_text("已保存（第 2 版）").wait_for(timeout=60_000)
    idle(tab)
    shot(tab, tmp_path, "1-ledger")

    # export, then re-import the export unchanged
    with tab.expect_download(timeout=60_000) as download:
        tab.locator(".st-key-lg_dl_xlsx button").click()
    exported = tmp_path / "台账.xlsx"
    download.value.save_as(exported)
    assert exported.stat().st_size > 4_000
    tab.locator('.st-key-lg_import input[type="file"]').set_input_files(str(exported))
    tab.get_by_text("没有变化").wait_for(timeout=120_000)
    idle(tab)
    assert tab.get_by_text("读入 3 行：可导入 3 行，有问题 0 行").first.is_visible()
    assert tab.get_by_role("button", name="导入", exact=True).count() == 0
    shot(tab, tmp_path, "2-reimported")
