"""Certificate pages: a producer records and updates certificates with scans; staff verify them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.audit import service as audit
from hotpot.certificates import service
from hotpot.certificates.deps import OwnCertificate, ScanCertificate
from hotpot.certificates.models import CERT_KINDS, VERIFICATION, Certificate
from hotpot.certificates.schemas import CertificateIn
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, PublicUser, StaffUser
from hotpot.enterprises import service as enterprise_service
from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.responses import stored_file_response
from hotpot.review import DecisionIn
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form
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
    if cert.scan_file_id is None:
        raise HTTPException(404)
    stored = session.get(StoredFile, cert.scan_file_id)
    return stored_file_response(stored, fallback_name="scan", request=request)


@router.get("/review/certificates")
def review_certificates(
    request: Request, session: SessionDep, user: StaffUser, params: ListParamsDep, status: str = "unverified"
) -> Response:
    status = status if status in VERIFICATION else "unverified"
    return _queue_page(request, session, status=status, q=params.q, page=params.page, page_size=params.page_size)


def _queue_page(
    request, session, *, status, q, page: int, page_size: int, outcome=None, errors=None, status_code: int = 200
) -> Response:
    found = service.review_queue(session, verification=status, q=q, page=page, page_size=page_size)
    return render(
        request,
        "review/certificates.html",
        {
            "page": found,
            "status": status,
            "q": q or "",
            "statuses": VERIFICATION,
            "counts": service.verification_counts(session),
            "outcome": outcome,
            "errors": errors or {},
        },
        block="results",
        status_code=status_code,
    )


@router.post("/review/certificates/bulk")
def bulk_decision(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    """Verify or reject the ticked certificates with one reason; a row that changed meanwhile is reported."""
    try:
        outcome = service.decide_many(session, reviewer=user, form=form)
    except FieldErrors as exc:
        return _queue_page(
            request, session, status="unverified", q=None, page=1, page_size=20, errors=exc.errors, status_code=422
        )
    return _queue_page(request, session, status="unverified", q=None, page=1, page_size=20, outcome=outcome)


@router.get("/review/certificates/{cert_id}")
def review_certificate(request: Request, session: SessionDep, user: StaffUser, cert_id: Id) -> Response:
    cert = session.get(Certificate, cert_id)
    if cert is None:
        raise HTTPException(404)
    return _review_page(request, session, cert, errors={})


def _review_page(request, session, cert, *, errors, status_code=200) -> Response:
    return render(
        request,
        "review/certificate.html",
        {
            "cert": cert,
            "errors": errors,
            "history": audit.timeline(session, entity_type="certificate", entity_id=cert.id),
        },
        status_code=status_code,
    )


@router.post("/review/certificates/{cert_id}/decision")
def decide_certificate(request: Request, session: SessionDep, user: StaffUser, cert_id: Id, form: FormDict) -> Response:
    cert = session.get(Certificate, cert_id)
    if cert is None:
        raise HTTPException(404)
    data = dict(form)
    version = form_version(data)
    try:
        service.decide(session, reviewer=user, cert=cert, data=parse_form(DecisionIn, data), version=version)
    except FieldErrors as exc:
        return _review_page(request, session, cert, errors=exc.errors, status_code=422)
    except StaleVersion:
        return conflict(
            request,
            title=cert.kind_label,
            back_url=f"/review/certificates/{cert.id}",
            changes=[("核验状态", "—", cert.verification)],
        )
    return redirect(request, "/review/certificates", flash="decision_saved")
