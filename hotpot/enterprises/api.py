"""JSON API for enterprises: the public directory, one's own registration and edits, the committee's decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from hotpot.api.errors import raise_422
from hotpot.api.etag import required_version, set_etag
from hotpot.api.pages import ApiPage
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, ProducerUser, PublicUser, StaffUser
from hotpot.enterprises import service
from hotpot.enterprises.deps import OwnEnterprise, StaffEnterprise, VisibleEnterprise
from hotpot.enterprises.schemas import EnterpriseIn, EnterpriseRead, StatusChangeIn
from hotpot.validation import FieldErrors

router = APIRouter(prefix="/api/v1/enterprises", tags=["企业"])


@router.get("", response_model=ApiPage[EnterpriseRead], summary="企业名录（已认证企业）")
def list_enterprises(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    town: Annotated[str | None, Query(max_length=9)] = None,
    park_group: Annotated[str | None, Query(pattern="^(nanxi|longshi|wuzun|none)$")] = None,
    chain_link: Annotated[str | None, Query(max_length=30)] = None,
    scale: Annotated[str | None, Query(pattern="^(above|below)$")] = None,
) -> ApiPage[EnterpriseRead]:
    filters = service.DirectoryFilters(q=params.q, town=town, park_group=park_group, chain_link=chain_link, scale=scale)
    page = service.directory(session, filters=filters, sort=params.sort, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, EnterpriseRead.of)


@router.get("/{enterprise_id}", response_model=EnterpriseRead, summary="企业详情")
def get_enterprise(user: PublicUser, enterprise: VisibleEnterprise, response: Response) -> EnterpriseRead:
    set_etag(response, "enterprise", enterprise)
    return EnterpriseRead.of(enterprise)


@router.post("", response_model=EnterpriseRead, status_code=201, summary="登记本企业（生产企业账号）")
def register_enterprise(
    session: SessionDep, user: ProducerUser, data: EnterpriseIn, response: Response
) -> EnterpriseRead:
    try:
        enterprise = service.register(session, user=user, data=data)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "enterprise", enterprise)
    return EnterpriseRead.of(enterprise)


@router.put("/{enterprise_id}", response_model=EnterpriseRead, summary="修改本企业信息（需 If-Match）")
def edit_enterprise(
    request: Request,
    session: SessionDep,
    user: ProducerUser,
    enterprise: OwnEnterprise,
    data: EnterpriseIn,
    response: Response,
) -> EnterpriseRead:
    version = required_version(request, "enterprise", enterprise)
    try:
        service.edit(session, user=user, enterprise=enterprise, data=data, version=version)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "enterprise", enterprise)
    return EnterpriseRead.of(enterprise)


@router.post(
    "/{enterprise_id}/status", response_model=EnterpriseRead, summary="审核：认证、退回、暂停、恢复（需 If-Match）"
)
def change_status(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    enterprise: StaffEnterprise,
    data: StatusChangeIn,
    response: Response,
) -> EnterpriseRead:
    version = required_version(request, "enterprise", enterprise)
    try:
        service.change_status(session, reviewer=user, enterprise=enterprise, data=data, version=version)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "enterprise", enterprise)
    return EnterpriseRead.of(enterprise)
