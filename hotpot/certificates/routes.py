"""Certificate pages: a producer records and updates certificates with scans (staff verify: hotpot/verification/)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.certificates import service
from hotpot.certificates.deps import OwnCertificate, ScanCertificate
from hotpot.certificates.models import CERT_KINDS
from hotpot.certificates.schemas import CertificateIn
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.files import service as files
from hotpot.responses import stored_file_response
from hotpot.validation import FieldErrors, StaleVersion, parse_form
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "kind": "证书类型",
    "kind_other": "证书名称",
    "number": "证书编号",
    "issuer": "发证机关",
    "issued_on": "发证日期",
    "valid_until": "有效期至",
}
FIELDS = tuple(FIELD_LABELS)


def _scan_of_try(request, session, user, data: dict):
    """The scan chosen now (stored at once) or kept from the last try, and the scan's own error."""
    scan = files.read_upload(data.pop("scan", None))
    key = getattr(request.state, "csrf_token", "")
    held = files.held_file(session, token=data.pop("scan_token", None), key=key, user=user)
    return service.take_scan(session, user=user, scan=scan, held=held)


def _form(request, session, enterprise, *, values, errors, cert=None, status_code=200, scan_file=None) -> Response:
    key = getattr(request.state, "csrf_token", "")
    context = {
        "values": values,
        "errors": errors,
        "cert": cert,
        "held_scan": scan_file,
        "scan_token": files.hold_token(scan_file, key=key) if scan_file is not None and key else None,
        "kinds": list(CERT_KINDS.items()),
        "holders": service.holder_choices(session, enterprise=enterprise),
    }
    return render(request, "certificates/form.html", context, status_code=status_code)


@router.get("/my/certificates/new")
def new_certificate_form(
    request: Request, session: SessionDep, user: ProducerUser, holder: str = "enterprise"
) -> Response:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    return _form(request, session, enterprise, values={"holder": holder, "kind": "sc"}, errors={})


@router.post("/my/certificates/new")
def create_certificate(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    data = dict(form)
    scan_file, scan_errors = _scan_of_try(request, session, user, data)
    try:
        parsed = parse_form(CertificateIn, data)
        service.create(
            session, user=user, enterprise=enterprise, data=parsed, scan_file=scan_file, scan_errors=scan_errors
        )
    except FieldErrors as exc:
        errors = {**scan_errors, **exc.errors}
        return _form(request, session, enterprise, values=data, errors=errors, status_code=422, scan_file=scan_file)
    return redirect(request, "/my/enterprise", flash="certificate_created")


@router.get("/my/certificates/{cert_id}/edit")
def edit_certificate_form(request: Request, session: SessionDep, cert: OwnCertificate) -> Response:
    holder = cert.holder_type + (f":{cert.product_id or cert.base_id}" if cert.holder_type != "enterprise" else "")
    values = {**{k: getattr(cert, k) for k in FIELDS}, "holder": holder, "version": cert.version}
    return _form(request, session, cert.enterprise, values=values, errors={}, cert=cert)


@router.post("/my/certificates/{cert_id}/edit")
def edit_certificate(
    request: Request, session: SessionDep, user: ProducerUser, cert: OwnCertificate, form: FormDict
) -> Response:
    data = dict(form)
    scan_file, scan_errors = _scan_of_try(request, session, user, data)
    version = form_version(data)
    try:
        parsed = parse_form(CertificateIn, data)
        service.edit(
            session,
            user=user,
            cert=cert,
            data=parsed,
            version=version,
            scan_file=scan_file,
            scan_errors=scan_errors,
        )
    except FieldErrors as exc:
        return _form(
            request,
            session,
            cert.enterprise,
            values={**data, "version": version},
            errors={**scan_errors, **exc.errors},
            cert=cert,
            status_code=422,
            scan_file=scan_file,
        )
    except StaleVersion:
        changes = stale_changes(data, {k: getattr(cert, k) for k in FIELD_LABELS}, FIELD_LABELS)
        return conflict(request, title=cert.kind_label, back_url=f"/my/certificates/{cert.id}/edit", changes=changes)
    return redirect(request, "/my/enterprise", flash="certificate_saved")


@router.get("/certificates/{cert_id}/scan")
def certificate_scan(request: Request, session: SessionDep, user: PublicUser, cert: ScanCertificate) -> Response:
    """The scan, to the enterprise's producers and staff only (scans carry personal data)."""
    stored = service.scan_for(session, cert_id=cert.id, user=user)
    if stored is None:
        raise HTTPException(404)
    return stored_file_response(stored, fallback_name="scan", request=request)
