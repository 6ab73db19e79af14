"""What a person sees on the public pages and the file pickers, in a browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.certificates.builders import PDF

pytestmark = pytest.mark.browser


def test_file_picker_says_what_to_choose_in_chinese_and_names_the_chosen_file(page, live_server, tmp_path):
    log_in(page, live_server, "producer@hotpot.example", "Hotpot-Maker-2026")
    page.goto(live_server + "/my/certificates/new")
    picker = page.locator("#id_scan").locator("xpath=..")
    expect(picker.locator(".file-button")).to_have_text("选择文件")
    expect(picker.locator(".file-name")).to_have_text("未选择文件")
    # The button looks like the other buttons, not the browser's grey default.
    assert "btn" in (picker.locator(".file-button").get_attribute("class") or "")
    scan = tmp_path / "SC许可证扫描件.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("#id_scan", str(scan))
    expect(picker.locator(".file-name")).to_have_text("已选择：SC许可证扫描件.pdf")
    screenshot(page, "file-picker")


def test_home_figures_link_to_their_lists_and_kinds_to_the_catalogue(page, live_server):
    page.goto(live_server + "/")
    expect(page.locator(".hero-figures")).to_contain_text("平台实时数据")
    expect(page.locator(".district-figures")).to_contain_text("合川区 2024 年公开数据")
    page.locator(".category-list a", has_text="水发类").click()
    expect(page).to_have_url(live_server + "/products?kind=shuifa")
    page.goto(live_server + "/")
    page.locator("a.zone-card", has_text="龙市组团").click()
    expect(page).to_have_url(live_server + "/products?park_group=longshi")


def test_footer_service_status_opens_a_page_in_chinese(page, live_server):
    page.goto(live_server + "/")
    page.locator(".site-footer").get_by_role("link", name="服务状态").click()
    expect(page).to_have_url(live_server + "/status")
    expect(page.locator("h1")).to_have_text("服务状态")
    expect(page.locator(".status-list")).to_contain_text("数据库")
    expect(page.locator(".alert-success")).to_contain_text("平台运行正常")
