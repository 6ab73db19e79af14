"""Photos in the browser: the catalogue shows the demo pictures, a product page opens its photos in the viewer
(next / previous, arrow keys, Esc), a producer chooses photos on the create form; no console errors, nothing wider
than a phone."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _png(colour: str, size=(1000, 750)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _watch_console(pg) -> list[str]:
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems


def _viewport_shot(pg, name: str) -> None:
    """Like screenshot(), of the screen only: a modal dialog covers the screen, not the whole page."""
    folder = os.environ.get("HOTPOT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / f"{name}.png"))


def _until(pg, expression: str) -> None:
    """Poll a JS expression (page.wait_for_function would eval a string, which the CSP forbids)."""
    for _ in range(100):
        if pg.evaluate(expression):
            return
        pg.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def _no_wider_than_viewport(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"], width


def test_catalogue_shows_demo_pictures_and_the_viewer_opens_them(browser, live_server):
    for name, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 375, "height": 812})):
        context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=name == "phone")
        pg = context.new_page()
        pg.set_default_timeout(10000)
        problems = _watch_console(pg)
        pg.goto(live_server + "/products")
        thumbs = pg.locator(".product-card .thumb img")
        assert thumbs.count() >= 10  # most demo products have a picture
        _until(
            pg,
            "[...document.querySelectorAll('.product-card .thumb img')].slice(0, 3)"
            ".every(i => i.complete && i.naturalWidth > 0)",
        )
        _no_wider_than_viewport(pg)
        screenshot(pg, f"media-products-{name}")

        pg.locator(".product-card .thumb").first.click()
        expect(pg).to_have_url(re.compile(r"/products/\d+$"))
        link = pg.locator(".gallery a[data-viewer-item]").first
        full_url = link.get_attribute("href")
        link.click()
        dialog = pg.locator("#photo-viewer")
        expect(dialog).to_be_visible()
        big = dialog.locator(".viewer-img")
        expect(big).to_have_attribute("src", re.compile(re.escape(full_url) + "$"))
        _until(pg, "document.querySelector('#photo-viewer .viewer-img').naturalWidth > 0")
        assert pg.evaluate("document.querySelector('#photo-viewer .viewer-img').naturalWidth") >= 480
        assert pg.url.endswith(tuple("0123456789"))  # the page did not navigate to the image
        # The viewer fits the screen (the detail page below it is the pages helper's to fit).
        right = pg.evaluate(
            "Math.max(...['#photo-viewer', '#photo-viewer .viewer-img', '#photo-viewer .viewer-close']"
            ".map(s => document.querySelector(s).getBoundingClientRect().right))"
        )
        assert right <= viewport["width"], right
        _viewport_shot(pg, f"media-viewer-{name}")
        pg.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert pg.evaluate("document.activeElement.hasAttribute('data-viewer-item')")  # focus back on the thumbnail
        assert problems == []
        context.close()


def test_producer_creates_a_product_with_photos_and_pages_through_them(page, live_server):
    problems = _watch_console(page)
    log_in(page, live_server, "producer@hotpot.example", "Hotpot-Maker-2026")
    page.goto(live_server + "/my/products/new")
    page.select_option("#id_category", "maodu")
    page.fill("#id_name", "浏览器带图毛肚")
    page.fill("#id_spec", "500g/袋")
    page.set_input_files(
        "#id_photos",
        [
            {"name": "红.png", "mimeType": "image/png", "buffer": _png("#c8322b")},
            {"name": "绿.png", "mimeType": "image/png", "buffer": _png("#2b8c3c")},
        ],
    )
    page.click("form[action='/my/products/new'] button[type=submit]")
    expect(page).to_have_url(live_server + "/my/enterprise")
    page.click("text=浏览器带图毛肚")
    expect(page.locator("h1")).to_contain_text("浏览器带图毛肚")
    links = page.locator(".gallery a[data-viewer-item]")
    expect(links).to_have_count(2)
    links.nth(0).click()
    dialog = page.locator("#photo-viewer")
    expect(dialog).to_be_visible()
    caption = dialog.locator(".viewer-caption")
    expect(caption).to_contain_text("1 / 2")
    _until(page, "document.querySelector('#photo-viewer .viewer-img').naturalWidth === 1000")
    page.keyboard.press("ArrowRight")
    expect(caption).to_contain_text("2 / 2")
    second = re.compile(re.escape(links.nth(1).get_attribute("href")) + "$")
    expect(dialog.locator(".viewer-img")).to_have_attribute("src", second)
    page.keyboard.press("ArrowRight")  # wraps round
    expect(caption).to_contain_text("1 / 2")
    dialog.locator(".viewer-prev").click()
    expect(caption).to_contain_text("2 / 2")
    dialog.locator(".viewer-close").click()
    expect(dialog).to_be_hidden()
    links.nth(1).click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert problems == []


def test_without_javascript_a_thumbnail_is_a_link_to_the_full_image(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.goto(live_server + "/products")
    pg.locator(".product-card .thumb").first.click()
    link = pg.locator(".gallery a[data-viewer-item]").first
    href = link.get_attribute("href")
    with pg.expect_response(lambda r: r.url.endswith(href)) as response:
        link.click()
    assert response.value.headers["content-type"] == "image/jpeg"
    context.close()
