"""Browser journeys: a buyer registers, logs out and in, and sees their navigation; an admin sees theirs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_mailed_link, screenshot

pytestmark = pytest.mark.browser


def test_buyer_registers_logs_out_and_in(page, live_server):
    base = live_server
    page.goto(base + "/")
    expect(page).to_have_title(re.compile("合川火锅食材数字化平台"))
    page.click("text=注册采购账号")
    expect(page.locator("input[name=role][value=buyer]")).to_be_checked()

    # A mistake first: errors appear next to the fields and the input is kept.
    page.fill("#id_email", "purchaser@laozao.example")
    page.fill("#id_display_name", "张采购")
    page.fill("#id_organization", "山城老灶火锅连锁")
    page.fill("#id_phone", "12345")
    page.fill("#id_password", "Spicy-Broth-2026")
    page.fill("#id_password_confirm", "Spicy-Broth-2026")
    page.check("input[name=agree]")
    page.click("form[action='/register'] button[type=submit]")
    expect(page.locator("#err_phone")).to_contain_text("手机号")
    expect(page.locator("#id_display_name")).to_have_value("张采购")
    screenshot(page, "register-error")

    page.fill("#id_phone", "13800138000")
    page.fill("#id_password", "Spicy-Broth-2026")
    page.fill("#id_password_confirm", "Spicy-Broth-2026")
    page.check("input[name=agree]")
    page.click("form[action='/register'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("请查收验证邮件")
    # The verification mail, read in the demo outbox; its link logs the buyer in on the search page.
    open_mailed_link(page, base, "purchaser@laozao.example", button="验证并登录")
    expect(page).to_have_url(base + "/search")
    expect(page.locator(".alert-success")).to_contain_text("邮箱已验证")
    page.goto(base + "/account")
    header = page.locator(".site-header")
    expect(header.locator(".role-badge")).to_have_text("采购商")
    expect(header).not_to_contain_text("系统管理")
    screenshot(page, "buyer-account")

    page.click("form[action='/logout'] button")
    expect(page).to_have_url(base + "/")
    expect(page.locator(".alert-info")).to_contain_text("您已安全退出")
    expect(page.locator(".site-header")).to_contain_text("登录")

    page.goto(base + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account"))
    page.fill("#id_email", "purchaser@laozao.example")
    page.fill("#id_password", "Spicy-Broth-2026")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(base + "/account")
    expect(page.locator(".site-header .user-name")).to_have_text("张采购")

    # The password form posts through htmx (CSRF token in the hx-headers header) and swaps in its errors.
    page.fill("#id_current_password", "not-my-password")
    page.fill("#id_new_password", "Numbing-Pepper-77")
    page.fill("#id_new_password_confirm", "Numbing-Pepper-77")
    page.click("#password-card button[type=submit]")
    expect(page.locator("#err_current_password")).to_have_text(re.compile("当前密码不正确"))
    page.fill("#id_current_password", "Spicy-Broth-2026")
    page.fill("#id_new_password", "Numbing-Pepper-77")
    page.fill("#id_new_password_confirm", "Numbing-Pepper-77")
    page.click("#password-card button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("密码已修改")


def test_admin_sees_admin_navigation_and_manages_users(page, live_server):
    log_in(page, live_server, "admin@hotpot.example", "Hotpot-Admin-2026")
    nav = page.locator(".main-nav")
    expect(nav.get_by_role("link", name="系统管理", exact=True)).to_be_visible()
    nav.get_by_role("link", name="系统管理", exact=True).click()
    expect(page.locator("h1")).to_have_text("用户管理")
    # The admin's pages are tabs: users, the search word list, the operation log.
    expect(page.locator(".admin-tabs")).to_contain_text("搜索词库")
    # A new staff account first, so the filter below has one row to find whatever accounts other browser tests
    # made on this shared server (tests.auth.builders names theirs "user<n>-reviewer@hotpot.example").
    page.get_by_role("link", name="＋ 新建账号").click()
    page.select_option("#id_role", "reviewer")
    page.fill("#id_email", "chen.shenhe@hotpot.example")
    page.fill("#id_display_name", "陈审核")
    page.click("form[action='/admin/users'] button[type=submit]")
    expect(page.locator("#one-time-password")).to_have_text(re.compile(r"^\S{12,}$"))

    page.goto(live_server + "/admin/users")
    expect(page.locator("#user-table tbody tr")).to_have_count(20)
    # htmx filter: typing narrows the table without a page load.
    page.fill("#id_q", "chen.shenhe")
    expect(page.locator("#user-table tbody tr")).to_have_count(1)
    expect(page.locator("#user-table tbody tr")).to_contain_text("陈审核")
    expect(page.locator("#user-table tbody tr select[name=role]")).to_have_value("reviewer")
    expect(page).to_have_url(re.compile(r"q=chen\.shenhe"))
    expect(page.locator("h1")).to_have_count(1)
    screenshot(page, "admin-users")


def test_reviewer_cannot_open_admin_pages(page, live_server):
    log_in(page, live_server, "reviewer@hotpot.example", "Hotpot-Review-2026")
    expect(page.locator(".main-nav")).not_to_contain_text("系统管理")
    response = page.goto(live_server + "/admin/users")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("没有访问权限")


def test_phone_layout_menu_opens(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page.locator(".main-nav")).to_be_hidden()
    page.click(".nav-toggle")
    expect(page.locator(".main-nav")).to_be_visible()
    expect(page.locator(".main-nav")).to_contain_text("注册")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    screenshot(page, "home-phone")
    context.close()
