"""Typed builders for brands and licences."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from hotpot.brands import service
from hotpot.brands.models import Brand, BrandLicence
from hotpot.brands.schemas import BrandIn, LicenceIn
from hotpot.enterprises.models import Enterprise
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise


def brand_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "level": "regional_public",
        "name": "合川火锅食材",
        "owner_body": "重庆市合川区农业农村委员会",
        "trademark_no": "61234567",
        "nice_class": "29",
        "honors": ["地理标志证明商标"],
        "description": "合川区火锅食材区域公用品牌。",
    }
    form.update(overrides)
    return form


def make_brand_with_licence(
    session: Session, *, licensee: Enterprise | None = None, **overrides: Any
) -> tuple[Brand, BrandLicence]:
    reviewer = make_user(session, role="reviewer")
    brand = service.create(session, user=reviewer, data=BrandIn(**brand_form(**overrides)))
    licensee = licensee or make_enterprise(session)
    licence = service.grant(
        session, reviewer=reviewer, brand=brand, data=LicenceIn(enterprise_id=licensee.id, since_on=date(2024, 1, 1))
    )
    return brand, licence
