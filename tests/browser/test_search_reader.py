"""A buyer types a sentence with a town and a storage word: the search shows what it understood as chips, and
removing one widens the results (issue 11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SENTENCE = "我要采购龙市镇的冷冻虾仁"


def _total(page) -> int:
    text = page.locator(".hits-total").inner_text()
    return int(re.search(r"共找到 ([\d,]+) 个", text).group(1).replace(",", ""))


def test_a_sentence_becomes_chips_and_removing_one_widens_the_results(page, live_server):
    page.goto(live_server + "/search")
    page.fill("#search-q", SENTENCE)
    page.press("#search-q", "Enter")

    town = page.locator(".query-chip[data-chip='town']")
    storage = page.locator(".query-chip[data-chip='storage']")
    expect(town).to_contain_text("龙市镇")
    expect(storage).to_contain_text("冷冻")
    # The conditions are the facets' filters: the storage facet shows 冷冻 chosen, every hit is frozen.
    expect(page.locator("a[data-facet='storage:frozen']")).to_have_class(re.compile("chosen"))
    expect(page.locator("a[data-facet='town:500117121']")).to_have_class(re.compile("chosen"))
    assert set(page.locator(".hit-product .storage").all_inner_texts()) == {"冷冻"}
    narrow = _total(page)
    assert narrow > 0
    screenshot(page, "search-reader-chips")

    town.locator(".chip-remove").click()
    expect(page.locator(".query-chip[data-chip='town']")).to_have_count(0)
    expect(page.locator(".query-chip[data-chip='storage']")).to_contain_text("冷冻")
    expect(page).not_to_have_url(re.compile("%E9%BE%99%E5%B8%82"))  # 龙市 left the query, the rest stayed
    expect(page.locator("#search-q")).to_have_value(re.compile("冷冻虾仁"))
    wide = _total(page)
    assert wide > narrow, (narrow, wide)
    assert set(page.locator(".hit-product .storage").all_inner_texts()) == {"冷冻"}


def test_the_chips_and_the_relaxed_note_fit_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    try:
        # 有机 木耳: the demo has no organic 木耳, so the search says so and shows 木耳.
        page.goto(live_server + "/search?q=" + "求购双槐镇冷冻有机木耳500斤")
        expect(page.locator(".query-chip")).to_have_count(4)
        expect(page.locator(".relaxed-note")).to_contain_text("没有同时满足")
        assert page.locator(".hit-product").count() > 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        screenshot(page, "search-reader-phone")
        page.locator(".relaxed-note a").click()
        expect(page).to_have_url(re.compile("strict=1"))
        expect(page.locator(".no-results")).to_be_visible()
        expect(page.locator(".query-chip")).to_have_count(4)
    finally:
        context.close()
