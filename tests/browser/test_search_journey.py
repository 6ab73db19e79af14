"""Search to quote in a browser: a buyer types "maod", picks a suggestion, filters by 冷冻, opens a product and
sends an inquiry; the producer answers it with a price."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _log_in(page, base, email, password):
    log_in(page, base, email, password)
    expect(page.locator(".user-chip")).to_be_visible()


def test_buyer_searches_filters_and_asks_for_a_quote_that_the_producer_answers(browser, live_server):
    base = live_server
    buyer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _log_in(buyer, base, "buyer@hotpot.example", "Hotpot-Buyer-2026")
    buyer.goto(base + "/products")

    # Suggestions as you type, in the header's box: pinyin typed halfway.
    buyer.locator("#header-q").press_sequentially("maod", delay=60)
    suggestion = buyer.locator("#header-q-list .suggest-item[data-text='毛肚']")
    expect(suggestion).to_be_visible()
    expect(buyer.locator("#header-q")).to_have_attribute("aria-expanded", "true")
    screenshot(buyer, "search-suggestions")
    suggestion.click()
    expect(buyer).to_have_url(re.compile(r"/search\?q=%E6%AF%9B%E8%82%9A$"))
    expect(buyer.locator(".hit-product mark").first).to_have_text("毛肚")

    # Filter by storage: the facet link narrows the hits, and the URL keeps the whole query.
    buyer.click("a[data-facet='storage:frozen']")
    expect(buyer).to_have_url(re.compile(r"storage=frozen"))
    expect(buyer.locator("a[data-facet='storage:frozen']")).to_have_class(re.compile("chosen"))
    storages = buyer.locator(".hit-product .storage").all_inner_texts()
    assert storages
    assert set(storages) == {"冷冻"}
    screenshot(buyer, "search-filtered")

    # Open a product of the demo producer's enterprise (重庆渝合毛肚食品有限公司) and ask for a quote.
    hit = buyer.locator(".hit-product:has(.meta a:has-text('渝合毛肚'))").first
    name = hit.locator("h3 a").inner_text()
    hit.locator("h3 a").click()
    expect(buyer.locator("h1")).to_contain_text(name)
    buyer.click("a.btn:has-text('询价')")
    buyer.fill("#id_quantity", "30")
    buyer.fill("#id_delivery_city", "成都")
    buyer.fill("#id_message", "需要冷冻货，每周两次配送，请报价。")
    buyer.click("form[action$='/inquire'] button[type=submit]")
    expect(buyer.locator(".alert-success")).to_contain_text("询价已发送")
    thread_url = buyer.url

    # The producer sees it in the inbox, with the bell, and answers with a price.
    producer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _log_in(producer, base, "producer@hotpot.example", "Hotpot-Maker-2026")
    expect(producer.locator(".main-nav a[href='/inquiries'] .bell")).to_be_visible()
    producer.goto(base + "/inquiries")
    thread_path = thread_url.removeprefix(base)
    producer.click(f"a[href='{thread_path}']")
    expect(producer.locator("body")).to_contain_text("需要冷冻货")
    producer.fill("#id_body", "可以每周两次配送到成都，30 箱起。")
    producer.fill("#id_quoted_price", "52")
    producer.select_option("#id_quoted_unit", "元/kg")
    producer.click("form[action$='/messages'] button[type=submit]")
    expect(producer.locator(".alert-success")).to_contain_text("回复已发送")

    buyer.goto(thread_url)
    expect(buyer.locator(".quote")).to_contain_text("52")
    expect(buyer.locator("body")).to_contain_text("已报价")
    screenshot(buyer, "search-inquiry-answered")
