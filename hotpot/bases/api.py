"""JSON API for raw-material bases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel

from hotpot.api.errors import raise_422
from hotpot.api.etag import set_etag
from hotpot.api.pages import ApiPage
from hotpot.bases import service
from hotpot.bases.deps import VisibleBase
from hotpot.bases.schemas import BaseIn
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.validation import FieldErrors

router = APIRouter(prefix="/api/v1/bases", tags=["原料基地"])


class BaseRead(BaseModel):
    id: int
    enterprise_id: int
    name: str
    operator: str
    town_code: str
    town_name: str
    kind: str
    produce: str
    area_mu: Decimal | None
    stock_heads: int | None
    annual_output_t: Decimal | None
    standard_level: str
    latitude: Decimal | None
    longitude: Decimal | None
    status: str
    is_demo: bool
    updated_at: datetime

    @classmethod
    def of(cls, b) -> BaseRead:
        return cls(
            id=b.id,
            enterprise_id=b.enterprise_id,
            name=b.name,
            operator=b.operator_label,
            town_code=b.town_code,
            town_name=b.town.name,
            kind=b.kind,
            produce=b.produce,
            area_mu=b.area_mu,
            stock_heads=b.stock_heads,
            annual_output_t=b.annual_output_t,
            standard_level=b.standard_level,
            latitude=b.latitude,
            longitude=b.longitude,
            status=b.status,
            is_demo=b.is_demo,
            updated_at=b.updated_at,
        )


@router.get("", response_model=ApiPage[BaseRead], summary="原料基地（已认证）")
def list_bases(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    town: Annotated[str | None, Query(max_length=9)] = None,
    kind: Annotated[str | None, Query(pattern="^(planting|breeding|aquaculture)$")] = None,
    produce: Annotated[str | None, Query(max_length=20)] = None,
) -> ApiPage[BaseRead]:
    filters = service.BaseFilters(q=params.q, town=town, kind=kind, produce=produce)
    page = service.public_list(session, filters=filters, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, BaseRead.of)


@router.get("/{base_id}", response_model=BaseRead, summary="基地详情")
def get_base(user: PublicUser, base: VisibleBase, response: Response) -> BaseRead:
    set_etag(response, "base", base)
    return BaseRead.of(base)


@router.post("", response_model=BaseRead, status_code=201, summary="登记基地（生产企业账号）")
def create_base(session: SessionDep, user: ProducerUser, data: BaseIn, response: Response) -> BaseRead:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        raise HTTPException(409, "请先登记企业")
    try:
        base = service.create(session, user=user, enterprise=enterprise, data=data)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "base", base)
    return BaseRead.of(base)
