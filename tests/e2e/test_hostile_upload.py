"""A hostile workbook uploaded in one browser session is refused there while another session keeps working."""

from __future__ import annotations

import pytest

from tests.app import files
from tests.e2e.conftest import open_page
from tests.hostile.files import far_cell

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_server_keeps_serving_while_a_hostile_upload_is_refused(new_tab, tmp_path):
    hostile = tmp_path / "远处单元格.xlsx"
    hostile.write_bytes(far_cell("XFD1048576", declared=False))  # once aborted the whole server (512 GiB allocation)
    attacker = new_tab()
    open_page(attacker, "upload")
    attacker.locator('.st-key-up_file input[type="file"]').set_input_files(str(hostile))
    attacker.get_by_text("内存超过上限").first.wait_for(timeout=90_000)
    neighbour = new_tab()  # another user's session, opened after the refusal: the same server answers
    open_page(neighbour, "upload")
    assert neighbour.locator("h1").first.inner_text() == "数据上传"
    good = tmp_path / "good.csv"
    good.write_bytes(files.good_csv(20))
    attacker.locator('.st-key-up_file input[type="file"]').set_input_files(str(good))
    attacker.get_by_text("总行数").first.wait_for(timeout=90_000)
