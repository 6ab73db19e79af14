"""The registry's whole journey in a browser: a producer registers an enterprise, adds a product with a photo and a
certificate and publishes it; a reviewer verifies the enterprise; the product is public; another producer cannot
edit it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotpot.enterprises import codes
from tests.browser.conftest import register_and_verify, screenshot
from tests.certificates.builders import PDF
from tests.products.builders import image_bytes

pytestmark = pytest.mark.browser


def _register(page, base, email, name):
    register_and_verify(
        page,
        base,
        role="producer",
        email=email,
        name=name,
        organization="重庆旅程火锅食品有限公司",
        password="Beef-Tallow-2026",
    )
    # A producer without an enterprise lands on 登记企业.
    expect(page).to_have_url(base + "/my/enterprise/new")


def test_producer_to_public_product(browser, live_server, tmp_path):
    base = live_server
    producer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _register(producer, base, "journey.maker@hotpot.example", "周厂长")
    producer.click(".main-nav >> text=我的企业")
    expect(producer).to_have_url(base + "/my/enterprise/new")

    # The instant check flags a wrong check character while typing.
    good = codes.demo_uscc(88801)
    producer.fill("#id_uscc", good[:-1] + ("0" if good[-1] != "0" else "1"))
    expect(producer.locator("#uscc-check")).to_contain_text("校验")
    producer.fill("#id_uscc", good)
    expect(producer.locator("#uscc-check")).to_contain_text("格式正确")
    producer.fill("#id_name", "重庆旅程火锅食品有限公司")
    producer.fill("#id_legal_representative", "周建国")
    producer.select_option("#id_town", "500117121")
    producer.select_option("#id_park_group", "longshi")
    producer.fill("#id_address", "龙市镇食品路18号")
    producer.fill("#id_phone", "023-42861234")
    producer.check("input[name=chain_links][value=deep_processing]")
    producer.fill("#id_description", "水发毛肚、鸭肠生产企业。")
    producer.click("form button[type=submit]:has-text('提交审核')")
    expect(producer.locator(".alert-success")).to_contain_text("企业信息已提交")
    screenshot(producer, "registry-dashboard-pending")

    producer.click("text=＋ 登记产品")
    producer.select_option("#id_category", "maodu")
    producer.fill("#id_name", "旅程千层毛肚")
    producer.fill("#id_spec", "500g/袋×20袋/箱")
    producer.select_option("#id_storage", "chilled")
    producer.fill("#id_price_min", "48")
    producer.fill("#id_price_max", "56")
    producer.select_option("#id_price_unit", "元/kg")
    producer.click("form[action='/my/products/new'] button[type=submit]")
    expect(producer.locator(".alert-success")).to_contain_text("草稿")
    producer.click("text=旅程千层毛肚 >> xpath=ancestor::tr >> text=编辑")
    photo = tmp_path / "maodu.png"
    photo.write_bytes(image_bytes("PNG", size=(800, 600)))
    producer.set_input_files("#id_photos", str(photo))
    producer.click("#photos button[type=submit]")
    expect(producer.locator("#photos img")).to_have_count(1)

    producer.goto(base + "/my/certificates/new")
    scan = tmp_path / "sc.pdf"
    scan.write_bytes(PDF)
    producer.select_option("#id_kind", "sc")
    producer.fill("#id_number", "SC11150011700088")
    producer.fill("#id_issuer", "重庆市合川区市场监督管理局")
    producer.fill("#id_issued_on", "2024-03-01")
    producer.fill("#id_valid_until", "2029-02-28")
    producer.set_input_files("#id_scan", str(scan))
    producer.click("form[action='/my/certificates/new'] button[type=submit]")
    expect(producer.locator("#certificates")).to_contain_text("SC11150011700088")
    producer.click("form[action$='/publish'] button")
    expect(producer.locator(".alert-success")).to_contain_text("产品已发布")
    expect(producer.locator("body")).to_contain_text("企业认证后公开")
    product_url = producer.locator("a:has-text('旅程千层毛肚')").first.get_attribute("href")

    # Not public before verification.
    visitor = browser.new_context(locale="zh-CN").new_page()
    assert visitor.goto(base + product_url).status == 404

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    reviewer.goto(base + "/login")
    reviewer.fill("#id_email", "reviewer@hotpot.example")
    reviewer.fill("#id_password", "Hotpot-Review-2026")
    reviewer.click("form[action='/login'] button[type=submit]")
    reviewer.click(".main-nav >> text=审核工作台")
    reviewer.click("text=重庆旅程火锅食品有限公司")
    reviewer.fill("#id_reason", "资料齐全，核验通过")
    reviewer.click("button[value=verify]")
    expect(reviewer.locator(".alert-success")).to_contain_text("已认证")
    screenshot(reviewer, "registry-review")

    visitor.goto(base + "/products?category=maodu")
    expect(visitor.locator("#results")).to_contain_text("旅程千层毛肚")
    visitor.click("text=旅程千层毛肚")
    expect(visitor.locator("h1")).to_contain_text("旅程千层毛肚")
    expect(visitor.locator("body")).to_contain_text("重庆旅程火锅食品有限公司")
    expect(visitor.locator(".gallery img")).to_have_count(1)
    screenshot(visitor, "registry-public-product")

    # Another producer cannot edit it.
    intruder = browser.new_context(locale="zh-CN").new_page()
    _register(intruder, base, "journey.other@hotpot.example", "吴厂长")
    product_id = re.search(r"/products/(\d+)", product_url).group(1)
    assert intruder.goto(f"{base}/my/products/{product_id}/edit").status == 403
    expect(intruder.locator("h1")).to_have_text("没有访问权限")
