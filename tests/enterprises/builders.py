"""Typed builders for enterprises and products."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from hotpot.auth.models import User
from hotpot.enterprises import codes
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.enterprises.schemas import EnterpriseIn, StatusChangeIn
from hotpot.products import service as product_service
from hotpot.products.models import Product
from hotpot.products.schemas import ProductIn
from tests.auth.builders import make_user

_seq = itertools.count(50000)


def enterprise_form(**overrides: Any) -> dict[str, Any]:
    """A valid enterprise form (as a browser would post it)."""
    form: dict[str, Any] = {
        "uscc": codes.demo_uscc(next(_seq)),
        "name": "重庆测试火锅食品有限公司",
        "short_name": "测试食品",
        "legal_representative": "王建国",
        "town": "500117121",
        "park_group": "longshi",
        "address": "龙市镇工业大道88号",
        "contact_person": "李娟",
        "phone": "023-42828888",
        "scale": "below",
        "employees": "120",
        "annual_capacity_t": "3000",
        "founded_on": "2015-06-01",
        "chain_links": ["primary_processing", "deep_processing"],
        "description": "专业生产水发毛肚、鸭肠。",
    }
    form.update(overrides)
    return form


def product_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "category": "maodu",
        "name": "千层毛肚",
        "spec": "500g/袋×20袋/箱",
        "storage": "chilled",
        "shelf_life_days": "10",
        "standard_code": "GB 2707-2016",
        "min_order": "5",
        "min_order_unit": "箱",
        "price_min": "45",
        "price_max": "60",
        "price_unit": "元/kg",
        "description": "精选牛瓣胃，清水发制。",
    }
    form.update(overrides)
    return form


def make_enterprise(
    session: Session, *, owner: User | None = None, status: str = "verified", **overrides: Any
) -> Enterprise:
    owner = owner or make_user(session, role="producer")
    enterprise = enterprise_service.register(session, user=owner, data=EnterpriseIn(**enterprise_form(**overrides)))
    if status != "pending":
        reviewer = make_user(session, role="reviewer")
        if status == "rejected":
            data = StatusChangeIn(action="reject", reason="信息不完整，请补充")
        else:
            data = StatusChangeIn(action="verify")
        enterprise_service.change_status(session, reviewer=reviewer, enterprise=enterprise, data=data)
        if status == "suspended":
            enterprise_service.change_status(
                session,
                reviewer=reviewer,
                enterprise=enterprise,
                data=StatusChangeIn(action="suspend", reason="许可证过期"),
            )
    return enterprise


def owner_of(session: Session, enterprise: Enterprise) -> User:
    from sqlalchemy import select

    return session.scalars(select(User).where(User.enterprise_id == enterprise.id)).first()


def make_product(
    session: Session, *, enterprise: Enterprise | None = None, published: bool = True, **overrides: Any
) -> Product:
    enterprise = enterprise or make_enterprise(session)
    owner = owner_of(session, enterprise)
    product = product_service.create(
        session, user=owner, enterprise=enterprise, data=ProductIn(**product_form(**overrides))
    )
    if published:
        product_service.set_published(session, user=owner, product=product, published=True, version=None)
    return product
