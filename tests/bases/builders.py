"""Typed builders for raw-material bases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotpot.bases import service
from hotpot.bases.models import RawBase
from hotpot.bases.schemas import BaseIn
from hotpot.enterprises.models import Enterprise
from hotpot.verification import DecisionIn
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise, owner_of


def base_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "龙市镇二荆条辣椒种植基地",
        "town": "500117121",
        "kind": "planting",
        "produce": "辣椒",
        "area_mu": "1200",
        "annual_output_t": "2400",
        "standard_level": "district",
        "latitude": "30.2112",
        "longitude": "106.1825",
        "description": "二荆条辣椒标准化种植。",
    }
    form.update(overrides)
    return form


def make_base(
    session: Session, *, enterprise: Enterprise | None = None, verified: bool = True, **overrides: Any
) -> RawBase:
    enterprise = enterprise or make_enterprise(session)
    base = service.create(
        session, user=owner_of(session, enterprise), enterprise=enterprise, data=BaseIn(**base_form(**overrides))
    )
    if verified:
        service.decide(
            session, reviewer=make_user(session, role="reviewer"), base=base, data=DecisionIn(action="verify")
        )
    return base
