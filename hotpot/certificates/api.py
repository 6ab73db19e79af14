"""JSON API for certificates (scans are uploaded through the web form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from hotpot.api.errors import raise_422
from hotpot.api.etag import set_etag
from hotpot.api.pages import ApiPage
from hotpot.certificates import service
from hotpot.certificates.deps import VisibleCertificate
from hotpot.certificates.schemas import CertificateIn, CertificateRead
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.validation import FieldErrors

router = APIRouter(prefix="/api/v1/certificates", tags=["资质证书"])


@router.get("", response_model=ApiPage[CertificateRead], summary="已核验的证书")
def list_certificates(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> ApiPage[CertificateRead]:
    page = service.public_list(session, kind=kind, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, CertificateRead.of)


@router.get("/{cert_id}", response_model=CertificateRead, summary="证书详情")
def get_certificate(user: PublicUser, cert: VisibleCertificate, response: Response) -> CertificateRead:
    set_etag(response, "certificate", cert)
    return CertificateRead.of(cert)


@router.post("", response_model=CertificateRead, status_code=201, summary="登记证书（生产企业账号）")
def create_certificate(
    session: SessionDep, user: ProducerUser, data: CertificateIn, response: Response
) -> CertificateRead:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        raise HTTPException(409, "请先登记企业")
    try:
        cert = service.create(session, user=user, enterprise=enterprise, data=data)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "certificate", cert)
    return CertificateRead.of(cert)
