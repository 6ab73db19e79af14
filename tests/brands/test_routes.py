"""Brands and the licences of regional public brands."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hotpot.brands.models import Brand, BrandLicence
from tests.auth.builders import log_in, make_user
from tests.brands.builders import brand_form, make_brand_with_licence
from tests.enterprises.builders import make_enterprise, make_product, owner_of, product_form


def test_staff_record_regional_brand_and_grant_revoke_licence(client, db):
    reviewer = make_user(db, role="reviewer")
    log_in(client, reviewer.email)
    assert client.post("/brands/new", data=brand_form(name="合川毛肚")).status_code == 303
    brand = db.scalar(select(Brand).where(Brand.name == "合川毛肚"))
    enterprise = make_enterprise(db, name="重庆授权测试食品有限公司")
    r = client.post(
        f"/brands/{brand.id}/licences",
        data={"enterprise_id": enterprise.id, "since_on": "2025-01-01", "until_on": "2024-01-01"},
    )
    assert r.status_code == 422
    assert "不能早于开始日期" in r.text
    assert (
        client.post(
            f"/brands/{brand.id}/licences", data={"enterprise_id": enterprise.id, "since_on": "2025-01-01"}
        ).status_code
        == 303
    )
    twice = client.post(f"/brands/{brand.id}/licences", data={"enterprise_id": enterprise.id, "since_on": "2025-01-01"})
    assert "已有有效授权" in twice.text
    licence = db.scalar(select(BrandLicence).where(BrandLicence.brand_id == brand.id))
    page = client.get(f"/brands/{brand.id}")
    assert "重庆授权测试食品有限公司" in page.text
    assert client.post(f"/brands/{brand.id}/licences/{licence.id}/revoke", data={"reason": "短"}).status_code == 422
    assert (
        client.post(f"/brands/{brand.id}/licences/{licence.id}/revoke", data={"reason": "抽检不合格撤销"}).status_code
        == 303
    )
    db.refresh(licence)
    assert licence.revoked_at is not None
    history = client.get(f"/brands/{brand.id}").text
    assert "撤销品牌授权" in history  # the action by its Chinese label
    assert "已撤销" in history


def test_producer_brands_and_product_brand_choice(client, db):
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    public, _ = make_brand_with_licence(db, licensee=enterprise, name="合川火锅食材公用")
    log_in(client, owner.email)
    refused = client.post("/brands/new", data=brand_form(name="偷用公用品牌"))
    assert refused.status_code == 422
    assert "区农业农村委登记" in refused.text
    own = client.post("/brands/new", data=brand_form(level="enterprise", name="渝合牌", owner_body=""))
    assert own.status_code == 303
    mine = db.scalar(select(Brand).where(Brand.name == "渝合牌"))
    assert mine.owner_enterprise_id == enterprise.id
    # A product may carry its own brand or a licensed public one, not someone else's.
    product = make_product(db, enterprise=enterprise)
    ok = client.post(
        f"/my/products/{product.id}/edit", data={**product_form(brand_id=public.id), "version": product.version}
    )
    assert ok.status_code == 303
    stranger, _ = make_brand_with_licence(db, name="别人的公用品牌")
    db.refresh(product)
    bad = client.post(
        f"/my/products/{product.id}/edit", data={**product_form(brand_id=stranger.id), "version": product.version}
    )
    assert bad.status_code == 422
    assert "已获授权" in bad.text


def test_brand_validation(client, db):
    log_in(client, make_user(db, role="reviewer").email)
    cases = [
        ({"trademark_no": "ABC"}, "trademark_no", "5-10 位数字"),
        ({"nice_class": "46"}, "nice_class", "不能大于 45"),
        ({"owner_body": ""}, "owner_body", "品牌所有者"),
        ({"level": "enterprise"}, "level", "企业自行登记"),
        ({"trademark_no": "61234567", "nice_class": ""}, "nice_class", "尼斯分类"),
    ]
    for overrides, field, message in cases:
        response = client.post("/brands/new", data=brand_form(**overrides))
        assert response.status_code == 422, overrides
        error = response.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)


def test_public_brand_api_lists_licensees(client, db):
    brand, licence = make_brand_with_licence(db, name="接口公用品牌")
    body = client.get(f"/api/v1/brands/{brand.id}").json()
    assert body["level"] == "regional_public"
    assert body["licences"][0]["enterprise_id"] == licence.enterprise_id
    assert body["licences"][0]["active"] is (licence.until_on is None or licence.until_on >= date.today())
