"""Admin pages: list accounts, create staff accounts, disable or enable, change a role."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from hotpot.audit import labels as audit_labels
from hotpot.audit import service as audit
from hotpot.auth import service as auth_service
from hotpot.auth.models import ROLE_LABELS, Role, User
from hotpot.auth.schemas import AdminResetIn, RoleChangeIn, StaffCreateIn
from hotpot.db import SessionDep
from hotpot.deps import AdminUser, FormDict, ListParamsDep, visible
from hotpot.validation import FieldErrors, StaleVersion, parse_form
from hotpot.web import form_version, redirect, render

router = APIRouter(prefix="/admin", tags=["管理"], include_in_schema=False)

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


# The account a path names: admins may act on any account (404 only when there is none).
Account = visible(User, param="user_id", user=AdminUser)


@router.get("/users")
def users(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    params: ListParamsDep,
    role: str | None = None,
    status: str | None = None,
) -> Response:
    role = role if role in {r.value for r in Role} else None
    active = {"active": True, "disabled": False}.get(status or "")
    page = auth_service.list_users(
        session, q=params.q, role=role, active=active, page=params.page, page_size=params.page_size
    )
    context = {
        "page": page,
        "filters": {"q": params.q or "", "role": role or "", "status": status or ""},
        "role_choices": ROLE_CHOICES,
        "counts": auth_service.count_by_role(session),
    }
    return render(request, "admin/users.html", context, block="user_table")


@router.get("/users/new")
def new_user_form(request: Request, admin: AdminUser) -> Response:
    return render(
        request,
        "admin/user_new.html",
        {"values": {"role": "reviewer"}, "errors": {}, "role_choices": ROLE_CHOICES},
    )


@router.post("/users")
def create_user(request: Request, session: SessionDep, admin: AdminUser, form: FormDict) -> Response:
    try:
        data = parse_form(StaffCreateIn, form)
        user, password = auth_service.create_user(session, actor=admin, data=data)
    except FieldErrors as exc:
        context = {"values": form, "errors": exc.errors, "role_choices": ROLE_CHOICES}
        return render(request, "admin/user_new.html", context, status_code=422)
    # The one-time password is shown once, on this response only (never stored in clear, never in a redirect).
    request.state.private = True
    return render(request, "admin/user_created.html", {"user": user, "password": password}, status_code=201)


@router.post("/users/{user_id}/disable")
def disable_user(request: Request, session: SessionDep, admin: AdminUser, user: Account, form: FormDict) -> Response:
    return _set_active(request, session, admin, user, form, active=False)


@router.post("/users/{user_id}/enable")
def enable_user(request: Request, session: SessionDep, admin: AdminUser, user: Account, form: FormDict) -> Response:
    return _set_active(request, session, admin, user, form, active=True)


def _set_active(request, session, admin, user: User, form: dict, *, active: bool) -> Response:
    version = form_version(dict(form))
    try:
        auth_service.set_active(session, actor=admin, user=user, active=active, version=version)
    except StaleVersion:
        raise HTTPException(409, "该账号刚被其他管理员修改过，请刷新页面后重试。") from None
    except FieldErrors as exc:
        raise HTTPException(400, next(iter(exc.errors.values()))) from None
    return redirect(request, "/admin/users", flash="user_enabled" if active else "user_disabled")


@router.post("/users/{user_id}/role")
def change_role(request: Request, session: SessionDep, admin: AdminUser, user: Account, form: FormDict) -> Response:
    try:
        data = parse_form(RoleChangeIn, form)
        auth_service.change_role(session, actor=admin, user=user, role=data.role, version=data.version)
    except StaleVersion:
        raise HTTPException(409, "该账号刚被其他管理员修改过，请刷新页面后重试。") from None
    except FieldErrors as exc:
        raise HTTPException(400, next(iter(exc.errors.values()))) from None
    return redirect(request, "/admin/users", flash="role_changed")


def _log_date(raw: str | None, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = "请输入正确的日期（年-月-日）"
        return None


@router.post("/users/{user_id}/reset-password")
def reset_password(request: Request, session: SessionDep, admin: AdminUser, user: Account, form: FormDict) -> Response:
    """Mail the account a reset link, or give it a one-time password (shown once) to change at its next login."""
    try:
        data = parse_form(AdminResetIn, form)
        password = auth_service.admin_reset_password(session, actor=admin, user=user, mode=data.mode)
    except FieldErrors as exc:
        raise HTTPException(400, next(iter(exc.errors.values()))) from None
    if password is None:
        return redirect(request, "/admin/users", flash="reset_link_sent")
    request.state.private = True
    return render(request, "admin/user_created.html", {"user": user, "password": password, "reset": True})


@router.get("/audit")
def audit_log(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    params: ListParamsDep,
    date_from: Annotated[str | None, Query(max_length=20)] = None,
    date_to: Annotated[str | None, Query(max_length=20)] = None,
    who: Annotated[str | None, Query(max_length=100)] = None,
    entity_type: Annotated[str | None, Query(max_length=50)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
) -> Response:
    errors: dict[str, str] = {}
    filters = audit.LogFilters(
        date_from=_log_date(date_from, "date_from", errors),
        date_to=_log_date(date_to, "date_to", errors),
        who=(who or "").strip() or None,
        entity_type=entity_type if entity_type in audit_labels.ENTITY_TYPES else None,
        action=action if action in audit_labels.ACTIONS else None,
    )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["date_to"] = "结束日期不能早于开始日期"
    page = audit.log_page(session, page=params.page, page_size=params.page_size, filters=filters)
    context = {
        "page": page,
        "errors": errors,
        "values": {
            "date_from": date_from or "",
            "date_to": date_to or "",
            "who": filters.who or "",
            "entity_type": filters.entity_type or "",
            "action": filters.action or "",
        },
        "entity_types": list(audit_labels.ENTITY_TYPES.items()),
        "actions": list(audit_labels.ACTIONS.items()),
    }
    return render(request, "admin/audit.html", context, block="audit_table")
