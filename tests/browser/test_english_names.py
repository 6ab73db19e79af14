"""An exporter's journey in English words: the search finds the Chinese products, the page shows the English name.

Screenshots at 1280x800 and 375x812 when HOTPOT_SCREENSHOTS names a folder; nothing is wider than the phone screen.
"""

from __future__ import annotations

from tests.browser.conftest import log_in, screenshot

SIZES = {"desktop": (1280, 800), "phone": (375, 812)}


def _fits(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"], f"the page is {width}px wide"


def test_an_english_query_finds_the_product_and_its_page_shows_the_english_name(browser, live_server):
    for label, (w, h) in SIZES.items():
        context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.goto(live_server + "/search?q=beef+omasums")
        first = pg.locator(".hit-list .hit-product h3 a").first
        first.wait_for()
        assert "毛肚" in pg.locator(".hit-list").inner_text()
        _fits(pg)
        screenshot(pg, f"english-search-{label}")
        first.click()
        english = pg.locator("p.name-en")
        english.wait_for()
        assert english.inner_text() == "Beef omasum"
        assert english.get_attribute("lang") == "en"
        # Under the Chinese name, which stays the page's title.
        assert pg.locator("h1").bounding_box()["y"] < english.bounding_box()["y"]
        _fits(pg)
        screenshot(pg, f"english-detail-{label}")
        context.close()


def test_the_product_form_offers_the_optional_english_name(browser, live_server):
    for label, (w, h) in SIZES.items():
        context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        log_in(pg, live_server, "producer@hotpot.example", "Hotpot-Maker-2026")
        pg.goto(live_server + "/my/products/new")
        field = pg.locator("#field-name_en")
        assert "英文名称（选填）" in field.inner_text()
        assert "出口或外商采购时使用，如 Beef omasum" in field.inner_text()
        pg.fill("#id_name_en", "千层毛肚")  # Chinese in the English field: refused next to it, the rest kept
        pg.fill("#id_name", "英文名测试毛肚")
        pg.click("form[action='/my/products/new'] button[type=submit]")
        pg.locator("#err_name_en").wait_for()
        assert "英文字母" in pg.locator("#err_name_en").inner_text()
        assert pg.input_value("#id_name") == "英文名测试毛肚"
        _fits(pg)
        screenshot(pg, f"english-form-{label}")
        context.close()
