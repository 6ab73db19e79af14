"""Enterprise pages: a producer's own enterprise and the public directory (the desk: hotpot/verification/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import codes, pages, service
from hotpot.enterprises.deps import VisibleEnterprise, VisibleEnterpriseWithLinks
from hotpot.enterprises.models import PARK_GROUPS, SCALES, Enterprise, EnterpriseStatus
from hotpot.enterprises.schemas import EnterpriseIn, InviteIn
from hotpot.files import images
from hotpot.files import service as files
from hotpot.reference import service as reference
from hotpot.responses import stored_file_response
from hotpot.validation import FieldErrors, Id, StaleVersion, normalize_phone, parse_form, parse_id
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "short_name": "简称",
    "legal_representative": "法定代表人",
    "town_code": "所在镇街",
    "outside_address": "区外所在地",
    "park_group": "园区组团",
    "address": "详细地址",
    "contact_person": "联系人",
    "phone": "联系电话",
    "scale": "企业规模",
    "employees": "从业人数",
    "annual_capacity_t": "年产能（吨）",
    "founded_on": "成立日期",
    "chain_links": "产业链环节",
    "description": "企业简介",
    "status": "状态",
}


def _choices(session) -> dict:
    links = reference.chain_links(session)
    return {
        "towns": reference.towns(session),
        "chain_links": links,
        "chain_link_choices": [(c.code, c.name) for c in links],
        "park_groups": list(PARK_GROUPS.items()),
        "scales": list(SCALES.items()),
    }


def _form_values(e: Enterprise) -> dict:
    return {
        **{
            k: getattr(e, k)
            for k in (
                "uscc",
                "name",
                "short_name",
                "legal_representative",
                "outside_address",
                "park_group",
                "address",
                "contact_person",
                "phone",
                "scale",
                "employees",
                "annual_capacity_t",
                "founded_on",
                "description",
                "version",
            )
        },
        "town": e.town_code or "outside",
        "chain_links": [c.code for c in e.chain_links],
    }


def _form(
    request,
    session,
    *,
    values,
    errors,
    mode: str,
    status_code: int = 200,
    enterprise=None,
    invitations=(),
    licence=None,
) -> Response:
    key = getattr(request.state, "csrf_token", "")
    context = {
        "values": values,
        "errors": errors,
        "mode": mode,
        "held_licence": licence,
        "licence_token": files.hold_token(licence, key=key) if licence is not None and key else None,
        "enterprise": enterprise,
        "invitations": invitations,
        **_choices(session),
    }
    return render(request, "enterprises/form.html", context, status_code=status_code)


def _licence_of_try(request, session, user, data: dict):
    """The business licence chosen now (stored at once) or kept from the last try, and its own error."""
    upload = files.read_upload(data.pop("licence", None))
    key = getattr(request.state, "csrf_token", "")
    held = files.held_file(session, token=data.pop("licence_token", None), key=key, user=user)
    return files.take(session, user=user, upload=upload, held=held, field="licence")


def _listify(form: dict) -> dict:
    data = dict(form)
    links = data.get("chain_links")
    data["chain_links"] = links if isinstance(links, list) else ([links] if links else [])
    return data


@router.get("/my/enterprise")
def my_enterprise(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    enterprise = service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    return _dashboard(request, session, user, enterprise, errors={})


def _dashboard(request, session, user, enterprise: Enterprise, *, errors: dict, status_code: int = 200) -> Response:
    context = {**pages.dashboard_page(session, user=user, enterprise=enterprise).context(), "errors": errors}
    return render(request, "my/enterprise.html", context, status_code=status_code)


def _records(session, enterprise: Enterprise, *, public_only: bool) -> dict:
    """Bases, certificates and brands of an enterprise, for the verification desk's page."""
    return pages.records(session, enterprise=enterprise, public_only=public_only).context()


@router.get("/my/enterprise/new")
def new_enterprise_form(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    if user.enterprise_id:
        return redirect(request, "/my/enterprise")
    values = {
        "park_group": "none",
        "scale": "below",
        "contact_person": user.display_name,
        "phone": user.phone,
        "name": user.organization,
        "chain_links": [],
    }
    return _form(
        request, session, values=values, errors={}, mode="new", invitations=service.invitations_for(session, user=user)
    )


@router.post("/my/enterprise/new")
def register_enterprise(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    data = _listify(form)
    licence, licence_errors = _licence_of_try(request, session, user, data)
    try:
        parsed = parse_form(EnterpriseIn, data)
        service.register(session, user=user, data=parsed, licence=licence, licence_errors=licence_errors)
    except FieldErrors as exc:
        errors = {**licence_errors, **exc.errors}
        return _form(request, session, values=data, errors=errors, mode="new", status_code=422, licence=licence)
    return redirect(request, "/my/enterprise", flash="enterprise_registered")


@router.get("/my/enterprise/edit")
def edit_enterprise_form(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    enterprise = service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    return _form(request, session, values=_form_values(enterprise), errors={}, mode="edit", enterprise=enterprise)


@router.post("/my/enterprise/edit")
def edit_enterprise(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = service.of_user(session, user)
    if enterprise is None:
        raise HTTPException(404)
    data = _listify(form)
    licence, licence_errors = _licence_of_try(request, session, user, data)
    version = form_version(data)
    was = enterprise.status
    try:
        parsed = parse_form(EnterpriseIn, data)
        service.edit(
            session,
            user=user,
            enterprise=enterprise,
            data=parsed,
            version=version,
            licence=licence,
            licence_errors=licence_errors,
        )
    except FieldErrors as exc:
        return _form(
            request,
            session,
            values={**data, "version": version},
            errors={**licence_errors, **exc.errors},
            mode="edit",
            status_code=422,
            enterprise=enterprise,
            licence=licence,
        )
    except StaleVersion:
        return _conflict(request, enterprise, data)
    flash = (
        "enterprise_resubmitted"
        if enterprise.status == EnterpriseStatus.pending and was != EnterpriseStatus.pending
        else "enterprise_saved"
    )
    return redirect(request, "/my/enterprise", flash=flash)


def _conflict(request, enterprise: Enterprise, submitted: dict) -> Response:
    labels = {("town" if k == "town_code" else k): v for k, v in FIELD_LABELS.items()}
    changes = stale_changes(submitted, _form_values(enterprise), labels)
    return conflict(request, title=enterprise.name, back_url="/my/enterprise/edit", changes=changes)


@router.get("/my/enterprise/check")
def check_field(
    request: Request, user: ProducerUser, field: Annotated[str, Query(pattern="^(uscc|phone)$")]
) -> Response:
    """Instant check of one field while the producer types (htmx sends the field under its own name)."""
    value = request.query_params.get(field, "")[:200]
    message = ""
    if field == "uscc" and value:
        message = codes.uscc_problem(codes.normalize_uscc(value)) or ""
    elif field == "phone" and value:
        try:
            normalize_phone(value)
        except ValueError as exc:
            message = str(exc)
    context = {"message": message, "field": field if value else ""}
    return HTMLResponse(render(request, "enterprises/_field_check.html", context).body)


# --- colleagues --------------------------------------------------------------------------------------------------


@router.post("/my/enterprise/invitations")
def invite(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = service.of_user(session, user)
    # Refused here, before the form is parsed: a colleague's bad e-mail address gets the 403, not a 422.
    if enterprise is None or not service.is_owner(user, enterprise):
        raise HTTPException(403, "只有企业的登记人可以邀请同事。")
    try:
        email = parse_form(InviteIn, form).email
        service.invite(session, owner=user, enterprise=enterprise, email=email)
    except FieldErrors as exc:
        return render(
            request,
            "my/_members.html",
            {
                "enterprise": enterprise,
                "members": service.members(session, enterprise=enterprise),
                "invitations": service.invitations(session, enterprise=enterprise),
                "is_owner": True,
                "errors": exc.errors,
                "values": form,
            },
            status_code=422,
        )
    return redirect(request, "/my/enterprise#members", flash="invitation_sent")


@router.post("/my/enterprise/invitations/{invitation_id}/revoke")
def revoke_invitation(request: Request, session: SessionDep, user: ProducerUser, invitation_id: Id) -> Response:
    enterprise = service.of_user(session, user)
    if enterprise is None:  # a colleague who is not the owner is refused by service.revoke_invitation (403)
        raise HTTPException(403, "只有企业的登记人可以撤回邀请。")
    if not service.revoke_invitation(session, owner=user, enterprise=enterprise, invitation_id=invitation_id):
        raise HTTPException(404)
    return redirect(request, "/my/enterprise#members", flash="invitation_revoked")


@router.post("/my/invitations/{invitation_id}/accept")
def accept_invitation(request: Request, session: SessionDep, user: ProducerUser, invitation_id: Id) -> Response:
    try:  # no open invitation for this account: NotFound (404) from the service
        service.accept_invitation(session, user=user, invitation_id=invitation_id)
    except FieldErrors as exc:
        raise HTTPException(409, next(iter(exc.errors.values()))) from None
    return redirect(request, "/my/enterprise", flash="invitation_accepted")


# --- public directory ------------------------------------------------------------------------------------------


def _directory_filters(town, park_group, chain_link, scale, q) -> service.DirectoryFilters:
    return service.DirectoryFilters(
        q=q,
        town=town or None,
        park_group=park_group if park_group in PARK_GROUPS else None,
        chain_link=chain_link or None,
        scale=scale if scale in SCALES else None,
    )


@router.get("/enterprises")
def directory(
    request: Request,
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    town: str | None = None,
    park_group: str | None = None,
    chain_link: str | None = None,
    scale: str | None = None,
) -> Response:
    filters = _directory_filters(town, park_group, chain_link, scale, params.q)
    page = service.directory(session, filters=filters, sort=params.sort, page=params.page, page_size=params.page_size)
    context = {"page": page, "filters": filters, "sort": params.sort or "name", **_choices(session)}
    return render(request, "enterprises/list.html", context, block="results")


@router.get("/enterprises/{enterprise_id}")
def enterprise_detail(
    request: Request, session: SessionDep, user: PublicUser, enterprise: VisibleEnterpriseWithLinks
) -> Response:
    page = pages.detail_page(session, viewer=user, enterprise=enterprise)
    context = page.context()
    return render(request, "enterprises/detail.html", context)


@router.post("/my/enterprise/logo")
def upload_logo(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    try:
        upload, version = files.read_upload(form.get("logo")), parse_id(form.get("version"))
        service.set_logo(session, user=user, enterprise=enterprise, upload=upload, version=version)
    except FieldErrors as exc:
        return _dashboard(request, session, user, enterprise, errors=exc.errors, status_code=422)
    return redirect(request, "/my/enterprise", flash="logo_saved")


@router.get("/enterprises/{enterprise_id}/licence")
def enterprise_licence(request: Request, session: SessionDep, user: PublicUser, enterprise_id: Id) -> Response:
    """The business licence scan, to the enterprise's producers and staff only (it carries personal data)."""
    stored = service.licence_file(session, user=user, enterprise_id=enterprise_id)
    if stored is None:
        raise HTTPException(404)
    return stored_file_response(stored, fallback_name="licence", request=request)


@router.get("/enterprises/{enterprise_id}/logo")
def enterprise_logo(request: Request, session: SessionDep, user: PublicUser, enterprise: VisibleEnterprise) -> Response:
    return images.image_response(session, enterprise.logo_file_id, request=request)
