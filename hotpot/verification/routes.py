"""The verification desk (审核工作台): the staff queues and decision pages of enterprises, bases and certificates.

The pages live at /verify/...; the old /review/... addresses (bookmarks, links in sent mail) redirect here: GET
with 301 and the query string kept, POST with 308 so the form is sent again, unchanged, to the new address.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hotpot.audit import service as audit
from hotpot.bases import service as base_service
from hotpot.bases.models import BaseStatus, RawBase
from hotpot.certificates import service as cert_service
from hotpot.certificates.models import Certificate, Verification
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, PublicUser, StaffUser
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import PARK_GROUPS, Enterprise, EnterpriseStatus
from hotpot.enterprises.schemas import StatusChangeIn
from hotpot.products import service as product_service
from hotpot.reference import service as reference
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form
from hotpot.verification import DecisionIn, decisions
from hotpot.web import conflict, form_version, redirect, render

router = APIRouter(include_in_schema=False)

DESK = "/verify"
OLD_DESK = "/review"
# The flash message after each enterprise decision (hotpot/web.py FLASH).
ENTERPRISE_FLASH = {
    "verify": "enterprise_verified",
    "reject": "enterprise_rejected",
    "suspend": "enterprise_suspended",
    "reinstate": "enterprise_reinstated",
}


def _get(session, model, record_id: int):
    return decisions.record_or_404(session, model, record_id)


# --- enterprises ------------------------------------------------------------------------------------------------


@router.get(f"{DESK}/enterprises")
def enterprise_queue(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    status: str = EnterpriseStatus.pending,
    town: str | None = None,
    park_group: str | None = None,
) -> Response:
    status = status if status in EnterpriseStatus.labels() else EnterpriseStatus.pending
    filters = enterprise_service.DirectoryFilters(
        q=params.q, town=town or None, park_group=park_group or None, status=status
    )
    return _enterprise_queue(request, session, filters=filters, page=params.page, page_size=params.page_size)


def _enterprise_queue(
    request, session, *, filters, page: int, page_size: int, outcome=None, errors=None, status_code: int = 200
) -> Response:
    found = enterprise_service.review_queue(session, filters=filters, page=page, page_size=page_size)
    context = {
        "page": found,
        "filters": filters,
        "counts": enterprise_service.status_counts(session),
        "statuses": EnterpriseStatus.labels(),
        "bulk_on": filters.status == EnterpriseStatus.pending,
        "duplicates": enterprise_service.duplicates(session, enterprises=found.items),
        "outcome": outcome,
        "errors": errors or {},
        "towns": reference.towns(session),
        "park_groups": list(PARK_GROUPS.items()),
    }
    return render(request, "verification/queue.html", context, block="results", status_code=status_code)


@router.post(f"{DESK}/enterprises/bulk")
def enterprise_bulk(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    """Verify or reject the ticked enterprises with one reason; a row that changed meanwhile is reported."""
    filters = enterprise_service.DirectoryFilters(status=EnterpriseStatus.pending)
    try:
        outcome = enterprise_service.decide_many(session, reviewer=user, form=form)
    except FieldErrors as exc:
        return _enterprise_queue(
            request, session, filters=filters, page=1, page_size=20, errors=exc.errors, status_code=422
        )
    return _enterprise_queue(request, session, filters=filters, page=1, page_size=20, outcome=outcome)


@router.get(f"{DESK}/enterprises/{{enterprise_id}}")
def enterprise_page(request: Request, session: SessionDep, user: StaffUser, enterprise_id: Id) -> Response:
    return _enterprise_page(request, session, user, _get(session, Enterprise, enterprise_id), errors={})


def _enterprise_page(request, session, user, enterprise: Enterprise, *, errors, status_code: int = 200) -> Response:
    context = {
        "enterprise": enterprise,
        "transitions": enterprise.workflow.allowed(enterprise, user),
        "licence": decisions.stored_file(session, enterprise.licence_file_id),
        "duplicates": enterprise_service.duplicates(session, enterprises=[enterprise]).get(enterprise.id, []),
        "history": audit.timeline(session, entity_type="enterprise", entity_id=enterprise.id),
        "products": product_service.of_enterprise(session, enterprise=enterprise, public_only=False),
        "errors": errors,
    }
    return render(request, "verification/enterprise.html", context, status_code=status_code)


@router.post(f"{DESK}/enterprises/{{enterprise_id}}/status")
def enterprise_decision(
    request: Request, session: SessionDep, user: StaffUser, enterprise_id: Id, form: FormDict
) -> Response:
    enterprise = _get(session, Enterprise, enterprise_id)
    data = dict(form)
    version = form_version(data)
    try:
        parsed = parse_form(StatusChangeIn, data)
        enterprise_service.change_status(session, reviewer=user, enterprise=enterprise, data=parsed, version=version)
    except FieldErrors as exc:
        return _enterprise_page(request, session, user, enterprise, errors=exc.errors, status_code=422)
    except StaleVersion:
        return conflict(
            request,
            title=enterprise.name,
            back_url=f"{DESK}/enterprises/{enterprise.id}",
            changes=[("状态", "—", enterprise.status_label)],
        )
    return redirect(request, f"{DESK}/enterprises/{enterprise.id}", flash=ENTERPRISE_FLASH[parsed.action])


# --- bases ------------------------------------------------------------------------------------------------------


@router.get(f"{DESK}/bases")
def base_queue(
    request: Request, session: SessionDep, user: StaffUser, params: ListParamsDep, status: str = BaseStatus.pending
) -> Response:
    status = status if status in BaseStatus.labels() else BaseStatus.pending
    return _base_queue(request, session, status=status, page=params.page, page_size=params.page_size)


def _base_queue(
    request, session, *, status, page: int, page_size: int, outcome=None, errors=None, status_code: int = 200
) -> Response:
    found = base_service.review_queue(session, status=status, page=page, page_size=page_size)
    context = {
        "page": found,
        "status": status,
        "statuses": BaseStatus.labels(),
        "bulk_on": status == BaseStatus.pending,
        "counts": base_service.status_counts(session),
        "outcome": outcome,
        "errors": errors or {},
    }
    return render(request, "verification/bases.html", context, block="results", status_code=status_code)


@router.post(f"{DESK}/bases/bulk")
def base_bulk(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    """Verify or reject the ticked bases with one reason; a row that changed meanwhile is reported."""
    pending = BaseStatus.pending
    try:
        outcome = base_service.decide_many(session, reviewer=user, form=form)
    except FieldErrors as exc:
        return _base_queue(request, session, status=pending, page=1, page_size=20, errors=exc.errors, status_code=422)
    return _base_queue(request, session, status=pending, page=1, page_size=20, outcome=outcome)


@router.get(f"{DESK}/bases/{{base_id}}")
def base_page(request: Request, session: SessionDep, user: StaffUser, base_id: Id) -> Response:
    return _base_page(request, session, user, _get(session, RawBase, base_id), errors={})


def _base_page(request, session, user, base: RawBase, *, errors, status_code=200) -> Response:
    context = {
        "base": base,
        "transitions": base.workflow.allowed(base, user),
        "errors": errors,
        "history": audit.timeline(session, entity_type="base", entity_id=base.id),
        "certificates": cert_service.of_base(session, base=base, public_only=False),
    }
    return render(request, "verification/base.html", context, status_code=status_code)


@router.post(f"{DESK}/bases/{{base_id}}/decision")
def base_decision(request: Request, session: SessionDep, user: StaffUser, base_id: Id, form: FormDict) -> Response:
    base = _get(session, RawBase, base_id)
    data = dict(form)
    version = form_version(data)
    try:
        base_service.decide(session, reviewer=user, base=base, data=parse_form(DecisionIn, data), version=version)
    except FieldErrors as exc:
        return _base_page(request, session, user, base, errors=exc.errors, status_code=422)
    except StaleVersion:
        return conflict(
            request, title=base.name, back_url=f"{DESK}/bases/{base.id}", changes=[("状态", "—", base.status_label)]
        )
    return redirect(request, f"{DESK}/bases/{base.id}", flash="decision_saved")


# --- certificates -----------------------------------------------------------------------------------------------


@router.get(f"{DESK}/certificates")
def certificate_queue(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    status: str = Verification.unverified,
) -> Response:
    status = status if status in Verification.labels() else Verification.unverified
    return _certificate_queue(request, session, status=status, q=params.q, page=params.page, page_size=params.page_size)


def _certificate_queue(
    request, session, *, status, q, page: int, page_size: int, outcome=None, errors=None, status_code: int = 200
) -> Response:
    found = cert_service.review_queue(session, verification=status, q=q, page=page, page_size=page_size)
    context = {
        "page": found,
        "status": status,
        "q": q or "",
        "statuses": Verification.labels(),
        "bulk_on": status == Verification.unverified,
        "counts": cert_service.verification_counts(session),
        "outcome": outcome,
        "errors": errors or {},
    }
    return render(request, "verification/certificates.html", context, block="results", status_code=status_code)


@router.post(f"{DESK}/certificates/bulk")
def certificate_bulk(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    """Verify or reject the ticked certificates with one reason; a row that changed meanwhile is reported."""
    unverified = Verification.unverified
    try:
        outcome = cert_service.decide_many(session, reviewer=user, form=form)
    except FieldErrors as exc:
        return _certificate_queue(
            request, session, status=unverified, q=None, page=1, page_size=20, errors=exc.errors, status_code=422
        )
    return _certificate_queue(request, session, status=unverified, q=None, page=1, page_size=20, outcome=outcome)


@router.get(f"{DESK}/certificates/{{cert_id}}")
def certificate_page(request: Request, session: SessionDep, user: StaffUser, cert_id: Id) -> Response:
    return _certificate_page(request, session, user, _get(session, Certificate, cert_id), errors={})


def _certificate_page(request, session, user, cert: Certificate, *, errors, status_code=200) -> Response:
    context = {
        "cert": cert,
        "transitions": cert.workflow.allowed(cert, user),
        "errors": errors,
        "history": audit.timeline(session, entity_type="certificate", entity_id=cert.id),
    }
    return render(request, "verification/certificate.html", context, status_code=status_code)


@router.post(f"{DESK}/certificates/{{cert_id}}/decision")
def certificate_decision(
    request: Request, session: SessionDep, user: StaffUser, cert_id: Id, form: FormDict
) -> Response:
    cert = _get(session, Certificate, cert_id)
    data = dict(form)
    version = form_version(data)
    try:
        cert_service.decide(session, reviewer=user, cert=cert, data=parse_form(DecisionIn, data), version=version)
    except FieldErrors as exc:
        return _certificate_page(request, session, user, cert, errors=exc.errors, status_code=422)
    except StaleVersion:
        return conflict(
            request,
            title=cert.kind_label,
            back_url=f"{DESK}/certificates/{cert.id}",
            changes=[("核验状态", "—", cert.verification)],
        )
    return redirect(request, f"{DESK}/certificates", flash="decision_saved")


# --- the old addresses ------------------------------------------------------------------------------------------


def _moved(request: Request, rest: str, status_code: int) -> Response:
    url = f"{DESK}/{rest}"
    if request.url.query:
        url += "?" + request.url.query
    return RedirectResponse(url, status_code=status_code)


# Public: a redirect shows nothing; the page it leads to applies its own access rule.
@router.get(f"{OLD_DESK}/{{rest:path}}")
def old_desk_page(request: Request, user: PublicUser, rest: str) -> Response:
    """The desk's pages moved from /review/... to /verify/... (301: bookmarks and links in mail keep working)."""
    return _moved(request, rest, 301)


@router.post(f"{OLD_DESK}/{{rest:path}}")
def old_desk_form(request: Request, user: PublicUser, rest: str) -> Response:
    """A form posted to the old address (a page opened before the move): 308 keeps the method and the body."""
    return _moved(request, rest, 308)
