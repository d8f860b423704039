"""At 1400 px the key columns are on screen without horizontal scrolling: grade and reasons, the problem's message.

The grid (glide-data-grid) draws on a canvas and keeps an accessibility table with a header cell for each column in
its visible scroll window only, so a column that needs scrolling has no header cell there.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ROOT, idle, open_page

pytestmark = pytest.mark.e2e
WIDTH = 1400


def _visible_headers(tab, index: int) -> tuple[list[str], dict]:
    """Headers in the grid's visible scroll window, and the grid's box on the page."""
    grid = tab.locator('[data-testid="stDataFrame"]').nth(index)
    grid.scroll_into_view_if_needed()
    tab.wait_for_timeout(500)
    shown = [h.strip() for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    return shown, grid.bounding_box()


@pytest.fixture
def wide(browser, server):
    context = browser.new_context(viewport={"width": WIDTH, "height": 1000}, locale="zh-CN")
    tab = context.new_page()
    tab.base = server
    yield tab
    context.close()


@pytest.mark.parametrize(("path", "index", "wanted", "offscreen"), [
    ("rectify", 0, ["党组织名称", "等次", "主要原因"], "党组织代码"),
    ("ranking", 0, ["党组织名称", "总分", "等次"], "党组织代码"),
    ("branch", 0, ["指标", "得分", "说明"], None),
])
def test_key_columns_are_visible_without_scrolling(wide, path, index, wanted, offscreen):
    open_page(wide, path)
    shown, box = _visible_headers(wide, index)
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert set(wanted) <= set(shown), shown
    if offscreen is not None:  # the check can fail: a column at the far end of a wide table is not in the window
        assert offscreen not in shown, shown


def test_the_problem_message_is_visible_without_scrolling(wide):
    open_page(wide, "upload")
    wide.locator('.st-key-up_file input[type="file"]').set_input_files(str(ROOT / "sample_data" / "messy.csv"))
    idle(wide, 120_000)
    wide.locator('[role="columnheader"]', has_text="列名").first.wait_for(state="attached", timeout=120_000)
    grids = wide.locator('[data-testid="stDataFrame"]')
    for index in range(grids.count()):
        shown, box = _visible_headers(wide, index)
        if "列名" in shown:
            assert box["x"] + box["width"] <= WIDTH
            assert {"行", "列名", "说明"} <= set(shown), shown
            return
    raise AssertionError("no problem list on the upload page")


def test_long_problem_messages_wrap_and_show_in_full(wide):
    from ui import data

    raw = (ROOT / "sample_data" / "messy.csv").read_bytes()
    lines = data.ingest(raw, "messy.csv", data.builtin_rubrics()).report.kinds()
    assert max(map(len, lines)) > 60  # long enough to be cut off in one line of a grid column
    open_page(wide, "upload")
    wide.locator('.st-key-up_file input[type="file"]').set_input_files(str(ROOT / "sample_data" / "messy.csv"))
    idle(wide, 120_000)
    items = wide.locator(".st-key-up_kinds li")
    items.first.wait_for(state="visible", timeout=120_000)
    assert items.count() == len(lines)
    for index, line in enumerate(lines):
        item = items.nth(index)
        assert " ".join(item.inner_text().split()) == " ".join(line.split())  # the whole message, nothing cut
        box = item.bounding_box()
        width, overflow = item.evaluate("e => [e.clientWidth, e.scrollWidth]")
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and overflow <= width  # wrapped inside the page
    tallest = max(items.nth(i).bounding_box()["height"] for i in range(len(lines)))
    assert tallest > 1.5 * items.first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")  # the longest wraps


def test_the_longest_main_reason_on_rectify_is_readable_in_full(wide):
    from ui.data import sample_dataset
    from ui.model import rectify
    from ui.model.view import Filters

    data = sample_dataset()
    watch = rectify.rectification(data.results, data.rubrics, Filters()).watch
    longest = watch.loc[watch["reasons"].str.len().idxmax()]
    assert len(longest["reasons"]) > 120  # more than the grid's column shows in its three wrapped lines
    open_page(wide, "rectify")
    panel = wide.locator(".st-key-rect_full_panel")
    panel.scroll_into_view_if_needed()
    panel.locator('[data-testid="stSelectbox"]').click()
    label = f"{longest['name']}（{longest['branch_id']}）"
    wide.keyboard.type(longest["branch_id"])
    wide.get_by_role("option", name=label, exact=True).click()
    idle(wide)
    text = panel.locator('[data-testid="stMarkdownContainer"]').filter(has_text="主要原因").first
    shown = text.inner_text()
    assert " ".join(shown.split()) == " ".join(f"主要原因 {longest['reasons']}".split())  # the whole text, nothing cut
    box = text.bounding_box()
    width, overflow = text.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and overflow <= width  # wrapped inside the page
    assert box["height"] > 2.5 * text.evaluate("e => parseFloat(getComputedStyle(e.querySelector('p')).lineHeight)")
