"""Accounts in a browser: register with every error at once, verify by mail, land; forget the password, reset it
from the mailed link, log in; every account page fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_mailed_link, screenshot

pytestmark = pytest.mark.browser

EMAIL = "accounts.journey@hotpot.example"


def _both_widths(page, name: str) -> None:
    """Screenshot at desktop and phone width; nothing may be wider than the phone."""
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways on a phone ({width}px)"
    screenshot(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_register_verify_land_then_forget_and_reset(page, live_server):
    base = live_server
    page.goto(base + "/register?role=producer")
    # One round reports every field: bad e-mail, short password, mismatch (next to the confirmation field).
    page.fill("#id_email", "not-an-email")
    page.fill("#id_display_name", "钱厂长")
    page.fill("#id_organization", "重庆钱记火锅食品有限公司")
    page.fill("#id_password", "short1")
    page.fill("#id_password_confirm", "short2")
    page.click("form[action='/register'] button[type=submit]")
    expect(page.locator("#err_email")).to_contain_text("邮箱格式不正确")
    expect(page.locator("#err_password")).to_contain_text("至少需要 8 个字符")
    expect(page.locator("#err_password_confirm")).to_have_text("两次输入的密码不一致")
    expect(page.locator("#err_agree")).to_be_visible()
    expect(page.locator("#id_organization")).to_have_value("重庆钱记火锅食品有限公司")
    _both_widths(page, "accounts-register-errors")

    page.fill("#id_email", EMAIL)
    page.fill("#id_password", "Qianji-Tallow-2026")
    page.fill("#id_password_confirm", "Qianji-Tallow-2026")
    page.check("input[name=agree]")
    page.click("form[action='/register'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("请查收验证邮件")
    _both_widths(page, "accounts-check-email")

    open_mailed_link(page, base, EMAIL)
    expect(page.locator("h1")).to_have_text("验证邮箱")
    page.click("button:has-text('验证并登录')")
    # A producer without an enterprise lands on 登记企业.
    expect(page).to_have_url(base + "/my/enterprise/new")
    expect(page.locator(".alert-success")).to_contain_text("邮箱已验证")

    page.goto(base + "/account")
    expect(page.locator(".device-name").first).to_contain_text(re.compile(r"Chrom\w* · Linux"))
    expect(page.locator("body")).to_contain_text("所有 API 令牌")
    _both_widths(page, "accounts-account")
    page.click("form[action='/logout'] button")

    page.goto(base + "/login")
    _both_widths(page, "accounts-login")
    page.click("a[href='/password/forgot']")
    page.fill("#id_email", EMAIL)
    page.click("form[action='/password/forgot'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("请查收邮件")

    open_mailed_link(page, base, EMAIL)
    expect(page.locator("h1")).to_have_text("设置新密码")
    page.fill("#id_new_password", "Qianji-Pepper-2027")
    page.fill("#id_new_password_confirm", "Qianji-Pepper-2028")
    page.click("form[action='/password/reset'] button[type=submit]")
    expect(page.locator("#err_new_password_confirm")).to_have_text("两次输入的新密码不一致")
    _both_widths(page, "accounts-reset")
    page.fill("#id_new_password", "Qianji-Pepper-2027")
    page.fill("#id_new_password_confirm", "Qianji-Pepper-2027")
    page.click("form[action='/password/reset'] button[type=submit]")
    expect(page).to_have_url(base + "/login")
    expect(page.locator(".alert-success")).to_contain_text("密码已重置")

    page.fill("#id_email", EMAIL)
    page.fill("#id_password", "Qianji-Pepper-2027")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(base + "/my/enterprise/new")


def test_outbox_page_fits_a_phone(page, live_server):
    page.goto(live_server + "/dev/outbox")
    expect(page.locator("h1")).to_have_text("开发发件箱")
    _both_widths(page, "accounts-outbox")
