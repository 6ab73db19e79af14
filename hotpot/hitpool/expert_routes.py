"""The expert pool's pages: staff's 专家库 (list, create, edit, (de)activate), the expert's own profile and ties,
and staff's own declared ties."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from hotpot.auth.models import Role, User
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, StaffUser, allow_roles, visible
from hotpot.errors import NotFound
from hotpot.hitpool import access
from hotpot.hitpool import experts as service
from hotpot.hitpool.enums import Expertise
from hotpot.hitpool.expert_schemas import ExpertCreateIn, ExpertEditIn, ExpertProfileIn, TieIn
from hotpot.hitpool.models import Expert, Tie
from hotpot.validation import FieldErrors, parse_form
from hotpot.web import form_version, redirect, render

router = APIRouter(tags=["爆品培育"], include_in_schema=False)

ExpertUser = Annotated[User, Depends(allow_roles(Role.expert))]
PoolExpert = visible(Expert, param="expert_id", user=StaffUser)
StaffTie = visible(Tie, param="tie_id", user=StaffUser)
ExpertTie = visible(Tie, param="tie_id", user=ExpertUser)


# --- staff: the pool ---------------------------------------------------------------------------------------------


@router.get("/pool/experts")
def pool(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    field: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    field = field if field in Expertise.labels() else None
    active = {"active": True, "inactive": False}.get(status or "")
    page = service.list_experts(
        session, field=field, active=active, q=params.q, page=params.page, page_size=params.page_size
    )
    context = {
        "page": page,
        "filters": {"q": params.q or "", "field": field or "", "status": status if active is not None else ""},
        "field_choices": service.field_choices(),
        "counts": service.counts(session),
        "can_manage": access.can_manage_experts(session, user),
    }
    return render(request, "hitpool/experts/pool.html", context, block="expert_table")


def _form_context(values: dict, errors: dict, **more) -> dict:
    return {"values": values, "errors": errors, "field_choices": service.field_choices(), **more}


@router.get("/pool/experts/new")
def new_expert(request: Request, session: SessionDep, user: StaffUser) -> Response:
    service.require_manager(session, user)
    return render(request, "hitpool/experts/form.html", _form_context({}, {}, expert=None))


@router.post("/pool/experts/new")
def create_expert(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    service.require_manager(session, user)
    try:
        data = parse_form(ExpertCreateIn, form)
        expert, password = service.create_expert(session, actor=user, data=data)
    except FieldErrors as exc:
        return render(
            request, "hitpool/experts/form.html", _form_context(form, exc.errors, expert=None), status_code=422
        )
    # The one-time password is shown once, on this response only (as the admin's staff creation).
    request.state.private = True
    return render(request, "hitpool/experts/created.html", {"expert": expert, "password": password}, status_code=201)


@router.get("/pool/experts/{expert_id}/edit")
def edit_expert(request: Request, session: SessionDep, user: StaffUser, expert: PoolExpert) -> Response:
    service.require_manager(session, user)
    values = {**service.form_values(expert), "version": expert.version}
    return render(request, "hitpool/experts/form.html", _form_context(values, {}, expert=expert))


@router.post("/pool/experts/{expert_id}/edit")
def update_expert(
    request: Request, session: SessionDep, user: StaffUser, expert: PoolExpert, form: FormDict
) -> Response:
    service.require_manager(session, user)
    values = dict(form)
    version = form_version(values)
    try:
        data = parse_form(ExpertEditIn, values)
        service.update_expert(session, actor=user, expert=expert, data=data, version=version)
    except FieldErrors as exc:
        context = _form_context({**form, "email": expert.user.email}, exc.errors, expert=expert)
        return render(request, "hitpool/experts/form.html", context, status_code=422)
    return redirect(request, "/pool/experts", flash="expert_saved")


@router.post("/pool/experts/{expert_id}/active")
def set_active(request: Request, session: SessionDep, user: StaffUser, expert: PoolExpert, form: FormDict) -> Response:
    values = dict(form)
    version = form_version(values)
    active = values.get("active")
    if active not in ("0", "1"):
        raise HTTPException(400, "请选择启用或停用。")
    service.set_active(session, actor=user, expert=expert, active=active == "1", version=version)
    return redirect(request, "/pool/experts", flash="expert_activated" if active == "1" else "expert_deactivated")


# --- ties: the same pieces for staff (/pool/ties) and experts (/expert/ties) ------------------------------------


def _ties_page(request, session, user, *, base: str, values=None, errors=None, status_code=200) -> Response:
    q = (request.query_params.get("q") or "").strip()[:100] or None
    context = {
        "ties": service.ties_of(session, user),
        "base": base,
        "q": q or "",
        "results": service.tie_choices(session, q=q, chosen=(values or {}).get("enterprise_id")),
        "values": values or {},
        "errors": errors or {},
        "is_expert": base == "/expert/ties",
    }
    return render(request, "hitpool/experts/ties.html", context, block="tie_results", status_code=status_code)


def _declare(request, session, user, form, *, base: str) -> Response:
    try:
        outcome = service.declare_tie(session, user=user, data=parse_form(TieIn, form))
    except FieldErrors as exc:
        return _ties_page(request, session, user, base=base, values=form, errors=exc.errors, status_code=422)
    return redirect(request, base, flash="tie_declared_ended" if outcome.ended else "tie_declared")


def _remove(request, session, user, tie: Tie, *, base: str) -> Response:
    service.remove_tie(session, user=user, tie=tie)
    return redirect(request, base, flash="tie_removed")


@router.get("/pool/ties")
def staff_ties(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return _ties_page(request, session, user, base="/pool/ties")


@router.post("/pool/ties")
def staff_declare(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    return _declare(request, session, user, form, base="/pool/ties")


@router.post("/pool/ties/{tie_id}/delete")
def staff_remove(request: Request, session: SessionDep, user: StaffUser, tie: StaffTie) -> Response:
    return _remove(request, session, user, tie, base="/pool/ties")


@router.get("/expert/ties")
def expert_ties(request: Request, session: SessionDep, user: ExpertUser) -> Response:
    return _ties_page(request, session, user, base="/expert/ties")


@router.post("/expert/ties")
def expert_declare(request: Request, session: SessionDep, user: ExpertUser, form: FormDict) -> Response:
    return _declare(request, session, user, form, base="/expert/ties")


@router.post("/expert/ties/{tie_id}/delete")
def expert_remove(request: Request, session: SessionDep, user: ExpertUser, tie: ExpertTie) -> Response:
    return _remove(request, session, user, tie, base="/expert/ties")


# --- the expert's own profile ------------------------------------------------------------------------------------


def _own_entry(session, user) -> Expert:
    expert = access.expert_of(session, user)
    if expert is None:
        raise NotFound("您的账号还没有专家库信息，请联系批次负责人。")
    return expert


@router.get("/expert/profile")
def profile(request: Request, session: SessionDep, user: ExpertUser) -> Response:
    expert = _own_entry(session, user)
    values = {**service.form_values(expert), "version": expert.version}
    return render(request, "hitpool/experts/profile.html", _form_context(values, {}, expert=expert))


@router.post("/expert/profile")
def save_profile(request: Request, session: SessionDep, user: ExpertUser, form: FormDict) -> Response:
    expert = _own_entry(session, user)
    values = dict(form)
    version = form_version(values)
    try:
        data = parse_form(ExpertProfileIn, values)
        service.update_profile(session, user=user, expert=expert, data=data, version=version)
    except FieldErrors as exc:
        context = _form_context({**form, "name": expert.name, "email": expert.user.email}, exc.errors, expert=expert)
        return render(request, "hitpool/experts/profile.html", context, status_code=422)
    return redirect(request, "/expert/profile", flash="expert_profile_saved")
