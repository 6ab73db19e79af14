"""The verification desk in a browser: bulk decisions on a queue at 1280 and 375 px, the action column in view,
the history and the audit log in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

REVIEWER = ("reviewer@hotpot.example", "Hotpot-Review-2026")
ADMIN = ("admin@hotpot.example", "Hotpot-Admin-2026")
RAW_CODES = re.compile(r"certificate\.(create|verify)|session\.login|enterprise\.register|green_food|\buser #|\bNone\b")


def _fits(pg) -> None:
    width = pg.viewport_size["width"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"


def _in_view(pg, locator) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= pg.viewport_size["width"], "the action is off-screen"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
def test_bulk_decision_on_certificate_queue(browser, live_server, width, height):
    base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10000)
    log_in(pg, base, *REVIEWER)
    pg.goto(base + "/verify/certificates")
    rows = pg.locator("#results .queue-item")
    expect(rows.first).to_be_visible()
    _fits(pg)
    _in_view(pg, rows.first.locator("a.btn"))  # the row's own action: 核验
    _in_view(pg, pg.locator("#bulk-bar button[value=verify]"))
    screenshot(pg, f"desk-certificate-queue-{width}")
    names = [rows.nth(i).locator("code").first.inner_text() for i in range(2)]
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    pg.click("#bulk-bar button[value=verify]")
    result = pg.locator("#bulk-result")
    expect(result).to_contain_text("已核验通过 2 条")
    for name in names:
        expect(result).to_contain_text(name)
    _fits(pg)
    screenshot(pg, f"desk-certificate-bulk-result-{width}")

    # Search the queue by the enterprise's name as the officer types (htmx swaps only the results).
    pg.goto(base + "/verify/certificates")
    first_enterprise = rows.first.locator(".queue-meta").inner_text().split(" · ")[1]
    pg.fill("#id_q", first_enterprise)
    expect(pg).to_have_url(re.compile(r"q="))
    expect(pg.locator(f"#results .queue-item:not(:has-text('{first_enterprise}'))")).to_have_count(0)
    expect(rows.first).to_contain_text(first_enterprise)
    expect(pg.locator("main")).to_have_count(1)
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
def test_enterprise_queue_history_and_audit_log_read_in_chinese(browser, live_server, width, height):
    base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10000)
    log_in(pg, base, *REVIEWER)
    pg.goto(base + "/verify/enterprises")
    rows = pg.locator("#results .queue-item")
    expect(rows.first).to_be_visible()
    _fits(pg)
    _in_view(pg, rows.first.locator("a.btn"))
    screenshot(pg, f"desk-enterprise-queue-{width}")
    # "Select all on this page" ticks every row, and unticks them.
    pg.check("[data-check-all] input")
    expect(pg.locator("#results input[name=ids]:not(:checked)")).to_have_count(0)
    pg.uncheck("[data-check-all] input")
    expect(pg.locator("#results input[name=ids]:checked")).to_have_count(0)
    # Refusing without a reason is refused, next to the reason field; nothing is decided.
    rows.first.locator("input[type=checkbox]").check()
    pg.click("#bulk-bar button[value=reject]")
    expect(pg.locator("#err_reason")).to_contain_text("原因")

    pg.goto(base + "/verify/certificates?status=verified")
    pg.locator("#results .queue-item a").first.click()
    history = pg.locator("section.card:has(h2:text('变更历史'))")
    expect(history).to_contain_text("新增证书")
    assert not RAW_CODES.search(history.inner_text())
    _fits(pg)
    screenshot(pg, f"desk-certificate-history-{width}")
    context.close()

    admin = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    log_in(admin, base, *ADMIN)
    admin.goto(base + "/admin/audit")
    log = admin.locator("#audit-table")
    expect(log).to_contain_text("登录")
    assert not RAW_CODES.search(log.inner_text())
    _fits(admin)
    ip = admin.locator(".audit-row:not(.audit-head) .audit-ip").first
    _in_view(admin, ip)  # the address column is not cut
    screenshot(admin, f"desk-audit-log-{width}")
    admin.select_option("#id_action", "session.login")
    expect(admin.locator(".audit-row:not(.audit-head)").first).to_contain_text("登录")
    expect(admin).to_have_url(re.compile(r"action=session\.login"))
    admin.context.close()
