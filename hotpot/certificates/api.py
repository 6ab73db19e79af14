"""JSON API for certificates (scans are uploaded through the web form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from hotpot.api.errors import raise_422
from hotpot.api.etag import set_etag
from hotpot.certificates import service
from hotpot.certificates.schemas import CertificateIn, CertificatePage, CertificateRead
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.validation import FieldErrors, Id

router = APIRouter(prefix="/api/v1/certificates", tags=["资质证书"])


@router.get("", response_model=CertificatePage, summary="已核验的证书")
def list_certificates(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> CertificatePage:
    page = service.public_list(session, kind=kind, page=params.page, page_size=params.page_size)
    return CertificatePage(
        items=[CertificateRead.of(c) for c in page.items], total=page.total, page=page.page, page_size=page.page_size
    )


@router.get("/{cert_id}", response_model=CertificateRead, summary="证书详情")
def get_certificate(session: SessionDep, user: PublicUser, cert_id: Id, response: Response) -> CertificateRead:
    cert = service.visible(session, cert_id=cert_id, user=user)
    if cert is None:
        raise HTTPException(404)
    set_etag(response, "certificate", cert)
    return CertificateRead.of(cert)


@router.post("", response_model=CertificateRead, status_code=201, summary="登记证书（生产企业账号）")
def create_certificate(session: SessionDep, user: ProducerUser, data: CertificateIn) -> CertificateRead:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        raise HTTPException(409, "请先登记企业")
    try:
        return CertificateRead.of(service.create(session, user=user, enterprise=enterprise, data=data))
    except FieldErrors as exc:
        raise_422(exc)
