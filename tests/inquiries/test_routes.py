"""Inquiries: a buyer asks, the enterprise's producers answer in a thread, the bell counts news, limits hold."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from hotpot.config import get_settings
from hotpot.inquiries import service
from hotpot.inquiries.models import Inquiry
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise, make_product, owner_of


def _form(**overrides):
    form = {"quantity": "50", "unit": "箱", "delivery_city": "成都", "message": "每周稳定采购，请报含税到店价。"}
    form.update(overrides)
    return form


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Inquiry))


def test_buyer_asks_producer_quotes_buyer_closes(client, make_client, db):
    enterprise = make_enterprise(db)
    product = make_product(db, enterprise=enterprise, name="询价毛肚")
    buyer = make_user(db, role="buyer", organization="山城火锅连锁")
    log_in(client, buyer.email)
    assert "询价" in client.get(f"/products/{product.id}").text
    response = client.post(f"/enterprises/{enterprise.id}/inquire", data=_form(product_id=product.id))
    assert response.status_code == 303
    inquiry = db.scalar(select(Inquiry).where(Inquiry.buyer_id == buyer.id))
    assert inquiry.status == "open"

    producer = make_client()
    log_in(producer, owner_of(db, enterprise).email)
    inbox = producer.get("/inquiries")
    assert "询价毛肚" in inbox.text
    assert 'class="bell"' in inbox.text  # one unread
    thread = producer.get(f"/inquiries/{inquiry.id}")
    assert "每周稳定采购" in thread.text
    assert 'class="bell"' not in producer.get("/inquiries").text  # read now
    quote = producer.post(
        f"/inquiries/{inquiry.id}/messages",
        data={"body": "可以，500g/袋×20袋/箱，含税到店价如下。", "quoted_price": "52", "quoted_unit": "元/kg"},
    )
    assert quote.status_code == 303
    db.refresh(inquiry)
    assert inquiry.status == "quoted"
    assert inquiry.first_reply_at is not None
    assert 'class="bell"' in client.get("/inquiries").text  # the buyer has news
    assert "52 元/kg" in client.get(f"/inquiries/{inquiry.id}").text
    assert client.post(f"/inquiries/{inquiry.id}/close").status_code == 303
    db.refresh(inquiry)
    assert inquiry.status == "closed"
    late = producer.post(f"/inquiries/{inquiry.id}/messages", data={"body": "还在吗？"})
    assert late.status_code == 422
    assert "已关闭" in late.text
    hours = service.median_first_reply_hours(db, enterprise_id=enterprise.id)
    assert hours is not None
    assert hours >= 0
    assert "中位数" in client.get(f"/enterprises/{enterprise.id}").text


def test_inquiry_rules_refused_and_nothing_written(client, db):
    enterprise = make_enterprise(db)
    other_product = make_product(db)
    log_in(client, make_user(db, role="buyer").email)
    cases = [
        ({"quantity": "0"}, "quantity", "必须大于 0"),
        ({"delivery_city": ""}, "delivery_city", "必填"),
        ({"message": "急"}, "message", "至少需要 5 个字符"),
        ({"needed_by": (date.today() - timedelta(days=1)).isoformat()}, "needed_by", "不能早于今天"),
        ({"target_price": "30"}, "price_unit", "价格单位"),
        ({"product_id": str(other_product.id)}, "product_id", "该企业已发布的产品"),
    ]
    before = _count(db)
    for overrides, field, message in cases:
        r = client.post(f"/enterprises/{enterprise.id}/inquire", data=_form(**overrides))
        assert r.status_code == 422, overrides
        error = r.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)
    assert _count(db) == before


def test_hourly_limit_against_spam(client, db):
    enterprise = make_enterprise(db)
    log_in(client, make_user(db, role="buyer").email)
    limit = get_settings().inquiries_per_hour
    for _ in range(limit):
        assert client.post(f"/enterprises/{enterprise.id}/inquire", data=_form()).status_code == 303
    blocked = client.post(f"/enterprises/{enterprise.id}/inquire", data=_form())
    assert blocked.status_code == 422
    assert f"最多发起 {limit} 条询价" in blocked.text


def test_only_the_parties_see_a_thread(client, make_client, db):
    enterprise = make_enterprise(db)
    buyer = make_user(db, role="buyer")
    log_in(client, buyer.email)
    client.post(f"/enterprises/{enterprise.id}/inquire", data=_form())
    inquiry = db.scalar(select(Inquiry).where(Inquiry.buyer_id == buyer.id))
    for role in ("buyer", "producer", "reviewer"):
        stranger = make_client()
        user = make_user(db, role=role)
        if role == "producer":
            make_enterprise(db, owner=user)
        log_in(stranger, user.email)
        assert stranger.get(f"/inquiries/{inquiry.id}").status_code in (403, 404), role
        assert stranger.post(f"/inquiries/{inquiry.id}/messages", data={"body": "插话"}).status_code in (403, 404)


def test_cannot_ask_unverified_enterprise(client, db):
    pending = make_enterprise(db, status="pending")
    log_in(client, make_user(db, role="buyer").email)
    assert client.get(f"/enterprises/{pending.id}/inquire").status_code == 404


def test_every_inquiry_error_comes_in_one_round(client, db):
    """A past date, a price without unit and a foreign product are flagged with a bad quantity, not after it."""
    enterprise = make_enterprise(db)
    other_product = make_product(db)
    log_in(client, make_user(db, role="buyer").email)
    form = _form(
        quantity="0",
        message="急",
        needed_by=(date.today() - timedelta(days=1)).isoformat(),
        target_price="30",
        product_id=str(other_product.id),
    )
    before = _count(db)
    r = client.post(f"/enterprises/{enterprise.id}/inquire", data=form)
    assert r.status_code == 422
    expected = {
        "quantity": "必须大于 0",
        "message": "至少需要 5 个字符",
        "needed_by": "不能早于今天",
        "price_unit": "价格单位",
        "product_id": "该企业已发布的产品",
    }
    for field, message in expected.items():
        assert f'id="err_{field}">' in r.text, field
        assert message in r.text.split(f'id="err_{field}">')[1].split("</p>")[0], field
    assert _count(db) == before
