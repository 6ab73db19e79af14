"""What a person sees on the search page: facets, sorts and pages swap the results and nothing else (one page, not
one inside another), the console stays clean, and on a phone a search box is in the header or its menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


# A CSP violation is reported to the console by Chromium; this makes sure it is, with what was blocked.
REPORT_CSP = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    " console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber); });"
)


def _console_errors(page) -> list[str]:
    """Every console error, uncaught exception and CSP violation of the page from now on."""
    errors: list[str] = []
    page.add_init_script(REPORT_CSP)
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


@pytest.fixture
def new_page(browser):
    """Pages in contexts of their own size, closed after the test whatever happens."""
    contexts = []

    def make(viewport):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        return page

    yield make
    for context in contexts:
        context.close()


def _one_page(page) -> None:
    """One header, one <main>, one footer, one results block: no copy of the site inside the results."""
    for selector in ("header.site-header", "main", "footer", "#search-results", ".search-head", "#search-q"):
        expect(page.locator(selector)).to_have_count(1)


def _wait_swapped(page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator(".htmx-request")).to_have_count(0)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "phone"])
def test_sort_facet_and_next_page_swap_only_the_results(new_page, live_server, viewport):
    page = new_page(viewport)
    errors = _console_errors(page)
    page.goto(live_server + "/search?q=毛肚&page_size=10")
    _one_page(page)

    # A sort: the URL follows, the page is whole, the 毛肚 products come first, and the page says how it sorts.
    page.click(".sort-links a:has-text('价格从低到高')")
    expect(page).to_have_url(re.compile(r"sort=price(&|$)"))
    _wait_swapped(page)
    _one_page(page)
    expect(page.locator(".sort-links a[aria-current='true']")).to_have_text("价格从低到高")
    expect(page.locator(".sort-note")).to_contain_text("按折算单价（元/kg）排序，无法折算的排在后面")
    expect(page.locator(".hit-product .kicker").first).to_contain_text("毛肚")

    # A storage facet.
    page.click("a[data-facet='storage:frozen']")
    expect(page).to_have_url(re.compile(r"storage=frozen"))
    _wait_swapped(page)
    _one_page(page)
    expect(page.locator("a[data-facet='storage:frozen']")).to_have_class(re.compile("chosen"))
    assert set(page.locator(".hit-product .storage").all_inner_texts()) == {"冷冻"}
    screenshot(page, f"search-facet-{viewport['width']}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide"

    # The next page.
    page.goto(live_server + "/search?q=毛肚&page_size=10")
    page.click(".pager a[rel='next']")
    expect(page).to_have_url(re.compile(r"page=2"))
    _wait_swapped(page)
    _one_page(page)
    expect(page.locator(".pager-info")).to_contain_text("第 2 /")
    # Back goes back to the first page, still whole.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=2"))
    _wait_swapped(page)
    _one_page(page)

    assert errors == []


def test_the_search_page_logs_no_console_error(page, live_server):
    errors = _console_errors(page)
    for path in ("/search", "/search?q=毛肚", "/search?q=maod&type=enterprise", "/search?q=毛读肚皮"):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
    page.fill("#search-q", "")
    page.locator("#search-q").press_sequentially("yach", delay=40)
    expect(page.locator("#search-q-list .suggest-item").first).to_be_visible()
    assert errors == []


PAGES = ["/", "/products", "/enterprises", "/bases", "/brands", "/login", "/register"]


def _search_from_header(page) -> None:
    """Use the search box a person finds at the top: in the header, or in the menu behind ☰."""
    box = page.locator("#header-q")
    if not box.count() or not box.is_visible():
        box = page.locator("#menu-q")
        expect(box).to_be_hidden()
        page.click("label.nav-toggle")
        expect(box).to_be_visible()
    box.fill("毛肚")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=%E6%AF%9B%E8%82%9A"))
    expect(page.locator(".hit-product mark").first).to_have_text("毛肚")


@pytest.mark.parametrize("path", PAGES)
def test_on_a_phone_every_page_has_a_search_box_at_the_top(new_page, live_server, path):
    page = new_page(PHONE)
    errors = _console_errors(page)
    page.goto(live_server + path)
    if path == "/":
        screenshot(page, "menu-closed-375")
    _search_from_header(page)
    assert errors == []


@pytest.mark.parametrize(
    ("email", "password", "path"),
    [
        ("producer@hotpot.example", "Hotpot-Maker-2026", "/my/enterprise"),
        ("reviewer@hotpot.example", "Hotpot-Review-2026", "/verify/enterprises"),
        ("buyer@hotpot.example", "Hotpot-Buyer-2026", "/inquiries"),
    ],
)
def test_on_a_phone_every_role_finds_the_search_in_the_menu(new_page, live_server, email, password, path):
    page = new_page(PHONE)
    log_in(page, live_server, email, password)
    page.goto(live_server + path)
    page.click("label.nav-toggle")
    screenshot(page, f"menu-open-{email.split('@')[0]}-375")
    page.click("label.nav-toggle")
    _search_from_header(page)


def test_on_a_laptop_the_menu_box_stays_hidden(page, live_server):
    page.goto(live_server + "/products")
    expect(page.locator("#header-q")).to_be_visible()
    expect(page.locator("#menu-q")).to_be_hidden()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "phone"])
def test_catalogue_filters_swap_one_results_section(new_page, live_server, viewport):
    page = new_page(viewport)
    errors = _console_errors(page)
    page.goto(live_server + "/products")
    page.select_option("#id_sort", "price")
    expect(page).to_have_url(re.compile(r"sort=price"))
    expect(page.locator("#results .sort-note")).to_contain_text("按折算单价（元/kg）排序")
    page.select_option("#id_storage", "frozen")
    expect(page).to_have_url(re.compile(r"storage=frozen"))
    _wait_swapped(page)
    for selector in ("header.site-header", "main", "footer", "#results", "form.filter-bar"):
        expect(page.locator(selector)).to_have_count(1)
    assert set(page.locator("#results .storage").all_inner_texts()) == {"冷冻"}
    assert errors == []
