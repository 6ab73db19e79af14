"""JSON API for brands and their licensees."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from hotpot.api.etag import set_etag
from hotpot.api.pages import ApiPage
from hotpot.brands import service
from hotpot.brands.deps import VisibleBrand
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, PublicUser

router = APIRouter(prefix="/api/v1/brands", tags=["品牌"])


class LicenceRead(BaseModel):
    enterprise_id: int
    enterprise_name: str
    since_on: date
    until_on: date | None
    active: bool


class BrandRead(BaseModel):
    id: int
    level: str
    name: str
    owner: str
    owner_enterprise_id: int | None
    trademark_no: str | None
    nice_class: int | None
    valid_until: date | None
    honors: list[str]
    description: str | None
    is_demo: bool
    licences: list[LicenceRead] = []

    @classmethod
    def of(cls, b, licences=()) -> BrandRead:
        return cls(
            id=b.id,
            level=b.level,
            name=b.name,
            owner=b.owner_label,
            owner_enterprise_id=b.owner_enterprise_id,
            trademark_no=b.trademark_no,
            nice_class=b.nice_class,
            valid_until=b.valid_until,
            honors=b.honor_list,
            description=b.description,
            is_demo=b.is_demo,
            licences=[
                LicenceRead(
                    enterprise_id=lic.enterprise_id,
                    enterprise_name=lic.enterprise.name,
                    since_on=lic.since_on,
                    until_on=lic.until_on,
                    active=lic.active(),
                )
                for lic in licences
            ],
        )


@router.get("", response_model=ApiPage[BrandRead], summary="品牌")
def list_brands(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    level: Annotated[str | None, Query(pattern="^(regional_public|cluster|enterprise|product)$")] = None,
) -> ApiPage[BrandRead]:
    page = service.public_list(
        session, filters=service.BrandFilters(q=params.q, level=level), page=params.page, page_size=params.page_size
    )
    return ApiPage.of(page, BrandRead.of)


@router.get("/{brand_id}", response_model=BrandRead, summary="品牌详情（含授权使用企业）")
def get_brand(session: SessionDep, user: PublicUser, brand: VisibleBrand, response: Response) -> BrandRead:
    set_etag(response, "brand", brand)
    return BrandRead.of(brand, service.licences(session, brand=brand) if brand.is_licensable else ())
