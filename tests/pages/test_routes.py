"""The public pages: home figures and links, status, legal and contact pages, brand products, reply times."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotpot.bases.models import RawBase
from hotpot.brands.models import Brand
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product
from hotpot.reference.models import ProductCategory
from tests.auth.builders import make_user
from tests.brands.builders import make_brand_with_licence
from tests.enterprises.builders import make_enterprise, make_product


def _figure(html: str, label: str) -> int:
    """The number shown next to a figure's label on the home page."""
    m = re.search(rf'figure-label">{label}</span><span class="figure-value">([\d,]+)', html)
    assert m, f"no figure {label}"
    return int(m.group(1).replace(",", ""))


def test_home_shows_the_platforms_live_counts(client, db):
    make_product(db)  # a verified enterprise with one public product
    make_product(db, enterprise=make_enterprise(db, status="pending"))  # neither counts
    page = client.get("/").text
    count = lambda model, *where: db.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    assert _figure(page, "已认证企业") == count(Enterprise, Enterprise.status == "verified")
    assert _figure(page, "公开产品") == count(Product, Product.is_public)
    assert _figure(page, "已核验原料基地") == count(RawBase, RawBase.status == "verified")
    assert _figure(page, "产品细分品类") == count(ProductCategory, ProductCategory.parent_code.is_not(None)) == 54
    assert _figure(page, "食材品牌") == count(Brand)
    before = _figure(page, "已认证企业")
    make_enterprise(db)
    assert _figure(client.get("/").text, "已认证企业") == before + 1


def test_home_labels_the_district_figures_and_promises_nothing_missing(client):
    page = client.get("/").text
    # The district's 2024 figures only with their year and source, never as the platform's own.
    assert "1,554" in page
    assert "合川区 2024 年公开数据" in page
    assert "来源" in page
    assert re.search(r"<dd>1,554", page) is None
    # Features that are not built yet are not announced (on the home page nor in the footer).
    for missing in ("爆品培育", "爆品批次", "产业链全景", "经营监测", "运行监测", "预警", "经营数据"):
        assert missing not in page, missing


def test_home_kinds_and_park_groups_link_to_the_filtered_catalogue(client):
    page = client.get("/").text
    for kind in ("shuifa", "shuichan", "rou", "zhiwudanbai", "shucai", "tiaoweiliao"):
        assert f'href="/products?kind={kind}"' in page
    for group in ("nanxi", "longshi", "wuzun"):
        assert f'href="/products?park_group={group}"' in page
    # ... and the catalogue filters by them.
    assert client.get("/products?kind=shuifa").status_code == 200
    assert client.get("/products?park_group=longshi").status_code == 200


def test_footer_links_people_to_pages_not_json(client):
    page = client.get("/").text
    footer = page[page.index('<footer class="site-footer">') :]
    for href in ("/status", "/privacy", "/terms", "/contact"):
        assert f'href="{href}"' in footer
    assert 'href="/healthz"' not in footer


def test_status_page_is_for_people_and_healthz_stays_json(client):
    r = client.get("/status")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "服务状态" in r.text
    assert "数据库" in r.text
    assert "搜索索引" in r.text
    assert "程序版本" in r.text
    health = client.get("/healthz")
    assert health.headers["content-type"].startswith("application/json")
    assert health.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/privacy", ["隐私政策", "合川区农业农村委员会", "Cookie"]),
        ("/terms", ["服务条款", "合川区农业农村委员会", "询价"]),
        ("/contact", ["联系我们", "合川区农业农村委员会", "演示"]),
    ],
)
def test_legal_and_contact_pages(client, path, words):
    r = client.get(path)
    assert r.status_code == 200
    for word in words:
        assert word in r.text


def test_registration_checkbox_links_the_terms_and_privacy_policy(client):
    page = client.get("/register").text
    agree = page[page.index('id="field-agree"') :][:800]
    assert 'href="/terms"' in agree
    assert 'href="/privacy"' in agree


def test_regional_brand_page_shows_its_licensees_products_not_none(client, db):
    licensee = make_enterprise(db, name="重庆品牌授权测试食品有限公司")
    make_product(db, enterprise=licensee)
    make_product(db, enterprise=licensee, name="授权测试毛肚")
    brand, _ = make_brand_with_licence(db, licensee=licensee)
    page = client.get(f"/brands/{brand.id}").text
    products = page[page.index('id="brand-products"') :]
    products = products[: products.index("</section>")]
    assert "暂无" not in products
    assert "重庆品牌授权测试食品有限公司" in products
    assert "公开产品 2 个" in products
    # A product that names the brand is listed by name.
    tagged = make_product(db, enterprise=licensee, name="带品牌的牛油底料", brand_id=brand.id)
    page = client.get(f"/brands/{brand.id}").text
    assert f'href="/products/{tagged.id}"' in page


def test_brand_without_licensees_or_products_says_so(client, db):
    brand, licence = make_brand_with_licence(db)
    from hotpot.brands import service as brand_service
    from hotpot.brands.schemas import RevokeIn

    reviewer = make_user(db, role="reviewer")
    data = RevokeIn(reason="测试撤销授权")
    brand_service.revoke(db, reviewer=reviewer, brand=brand, licence_id=licence.id, data=data)
    page = client.get(f"/brands/{brand.id}").text
    assert "暂无标注本品牌的公开产品" in page


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0.004, "不到 1 分钟"),
        (0.2, "约 12 分钟"),
        (3.5, "约 3.5 小时"),
        (5, "约 5 小时"),
        (36, "约 1.5 天"),
        (48, "约 2 天"),
    ],
)
def test_reply_time_reads_in_minutes_hours_or_days(hours, text):
    from hotpot.web import approx_duration

    assert approx_duration(hours) == text


def test_enterprise_page_shows_a_quick_reply_in_minutes(client, db):
    from hotpot.inquiries import service as inquiry_service
    from hotpot.inquiries.schemas import InquiryIn

    enterprise = make_enterprise(db)
    inquiry = inquiry_service.create(
        db,
        buyer=make_user(db, role="buyer"),
        enterprise=enterprise,
        data=InquiryIn(quantity=10, unit="箱", delivery_city="重庆", message="请报价，谢谢。"),
    )
    db.refresh(inquiry)
    inquiry.first_reply_at = inquiry.created_at + timedelta(minutes=12)
    db.flush()
    page = client.get(f"/enterprises/{enterprise.id}").text
    assert "近 90 天中位数约 12 分钟" in page
    assert "0.0 小时" not in page
