"""The 爆品 application in a browser, at 1280 and 375 px: the demo producer applies a product to an open batch, submits
an empty application and sees every failed rule with its fix, fills it and submits; staff return it in the screening
queue; the producer sees the reasons and the bell. Nothing is wider than the phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from hotpot import pg as hotpot_pg
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

PRODUCER = ("producer@hotpot.example", "Hotpot-Maker-2026")
REVIEWER = ("reviewer@hotpot.example", "Hotpot-Review-2026")


def _database(server_url: str) -> str:
    name = "hotpot_browser"
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    if configured:
        name = f"{hotpot_pg.make_url(hotpot_pg.normalize_url(configured)).database}_{name}"
    return hotpot_pg.with_database(server_url, name)


@pytest.fixture(scope="module")
def scene(live_server, server_url):
    """An open batch and a fresh product of the demo producer (so no earlier application holds it)."""
    from hotpot.auth.models import User
    from tests.enterprises.builders import make_product
    from tests.hitpool.builders import make_batch

    engine = create_engine(_database(server_url))
    with Session(engine) as s:
        producer = s.scalars(select(User).where(User.email == PRODUCER[0])).one()
        from hotpot.enterprises.models import Enterprise

        enterprise = s.get(Enterprise, producer.enterprise_id)
        batch = make_batch(s, name="2026年浏览器测试批次", description="火锅食材爆品培育：测试用批次")
        names = []
        for width in (1280, 375):
            product = make_product(s, enterprise=enterprise, name=f"浏览器申报毛肚{width}")
            names.append(product.name)
        s.commit()
        out = {"batch": batch.id, "batch_name": batch.name, "products": names}
    engine.dispose()
    return out


def _fits(pg) -> None:
    width = pg.viewport_size["width"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
def test_apply_fail_fix_submit_and_screen(browser, live_server, scene, width, height):
    base = live_server
    product = scene["products"][0 if width == 1280 else 1]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    log_in(pg, base, *PRODUCER)
    pg.goto(base + "/my/pool")
    expect(pg.locator("#open-batches")).to_contain_text(scene["batch_name"])
    expect(pg.locator("#open-batches")).to_contain_text("市场潜力")
    _fits(pg)
    screenshot(pg, f"pool-my-pool-{width}")

    pg.goto(base + f"/my/pool/apply/{scene['batch']}")
    pg.locator("label.choice-card", has_text=product).click()
    pg.click("form[action^='/my/pool/apply'] button[type=submit]")
    expect(pg.locator("h1")).to_contain_text(product)
    # Submitting the empty application: every failed rule, each with its fix.
    pg.click("form[action$='/submit'] button[type=submit]")
    failures = pg.locator("#eligibility")
    expect(failures).to_contain_text("未能提交")
    expect(failures).to_contain_text("请填写申报理由")
    _fits(pg)
    screenshot(pg, f"pool-application-failures-{width}")

    pg.fill("#id_pitch", "合川本地牛源千层毛肚，清水发制，脆嫩爽口，供应川渝连锁火锅门店。")
    pg.fill("#id_sales_wan", "1200")
    pg.fill("#id_volume_t", "800")
    pg.fill("#id_capacity_t", "1500")
    pg.click("form[action$='/edit'] button[type=submit]")
    expect(pg.locator(".flash, .alert-success").first).to_be_visible()
    screenshot(pg, f"pool-application-filled-{width}")
    blocked = pg.locator("#eligibility")
    if blocked.count():  # the demo enterprise may be too new, or lack a valid SC licence: the rules say so
        expect(blocked).to_contain_text("提交前检查")
        context.close()
        return
    pg.click("form[action$='/submit'] button[type=submit]")
    expect(pg.locator(".page-head")).to_contain_text("已提交")

    staff = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    sp = staff.new_page()
    sp.set_default_timeout(15000)
    log_in(sp, base, *REVIEWER)
    sp.goto(base + f"/pool/batches/{scene['batch']}/screening")
    item = sp.locator(".screen-item", has_text=product)
    expect(item).to_contain_text("资格复核")
    _fits(sp)
    screenshot(sp, f"pool-screening-{width}")
    item.locator("input[name=reason]").fill("请补充第三方检测报告")
    item.locator("button[value=return]").click()
    expect(sp.locator(".tabs")).to_be_visible()
    staff.close()

    pg.goto(base + "/my/pool")
    # The 爆品申报 entry's bell (inside the menu on a phone); the demo producer's 询价 may carry its own, from other
    # tests' inquiries.
    assert pg.locator('header a[href="/my/pool"] .bell').count() == 1
    pg.locator("#my-applications a", has_text=product).first.click()
    expect(pg.locator("#returned")).to_contain_text("请补充第三方检测报告")
    _fits(pg)
    screenshot(pg, f"pool-application-returned-{width}")
    context.close()
