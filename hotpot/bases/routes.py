"""Base pages: a producer's own bases, the public list and detail, the committee's review."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.audit import service as audit
from hotpot.bases import service
from hotpot.bases.deps import OwnBase, VisibleBase
from hotpot.bases.models import BASE_KINDS, BASE_STATUSES, PRODUCE, STANDARD_LEVELS, BasePhoto, RawBase
from hotpot.bases.schemas import BaseIn
from hotpot.certificates import service as cert_service
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, PublicUser, StaffUser
from hotpot.enterprises import service as enterprise_service
from hotpot.files import images
from hotpot.files import service as files
from hotpot.reference import service as reference
from hotpot.review import DecisionIn
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "name": "基地名称",
    "operator_name": "经营主体",
    "operator_uscc": "经营主体信用代码",
    "kind": "基地类型",
    "produce": "主要产品",
    "area_mu": "面积（亩）",
    "stock_heads": "存栏（头/只）",
    "annual_output_t": "年产量（吨）",
    "standard_level": "标准化等级",
    "latitude": "纬度",
    "longitude": "经度",
    "description": "基地简介",
}
FIELDS = tuple(FIELD_LABELS)


def _choices(session) -> dict:
    return {
        "towns": reference.towns(session),
        "kinds": list(BASE_KINDS.items()),
        "produce": PRODUCE,
        "produce_choices": sorted({(p, p) for items in PRODUCE.values() for p in items} | {("其他", "其他")}),
        "levels": list(STANDARD_LEVELS.items()),
    }


def _form(request, session, *, values, errors, base=None, status_code=200) -> Response:
    return render(
        request,
        "bases/form.html",
        {
            "values": values,
            "errors": errors,
            "base": base,
            "photos": service.photos_of(session, base=base) if base else [],
            **_choices(session),
        },
        status_code=status_code,
    )


@router.get("/my/bases/new")
def new_base_form(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    if enterprise_service.of_user(session, user) is None:
        return redirect(request, "/my/enterprise/new")
    return _form(
        request, session, values={"kind": "planting", "standard_level": "none", "town": "500117121"}, errors={}
    )


@router.post("/my/bases/new")
def create_base(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    try:
        service.create(session, user=user, enterprise=enterprise, data=parse_form(BaseIn, form))
    except FieldErrors as exc:
        return _form(request, session, values=form, errors=exc.errors, status_code=422)
    return redirect(request, "/my/enterprise", flash="base_created")


@router.get("/my/bases/{base_id}/edit")
def edit_base_form(request: Request, session: SessionDep, base: OwnBase) -> Response:
    values = {**{k: getattr(base, k) for k in FIELDS}, "town": base.town_code, "version": base.version}
    return _form(request, session, values=values, errors={}, base=base)


@router.post("/my/bases/{base_id}/edit")
def edit_base(request: Request, session: SessionDep, user: ProducerUser, base: OwnBase, form: FormDict) -> Response:
    data = dict(form)
    version = form_version(data)
    try:
        service.edit(session, user=user, base=base, data=parse_form(BaseIn, data), version=version)
    except FieldErrors as exc:
        return _form(
            request, session, values={**data, "version": version}, errors=exc.errors, base=base, status_code=422
        )
    except StaleVersion:
        changes = stale_changes(data, {k: getattr(base, k) for k in FIELD_LABELS}, FIELD_LABELS)
        return conflict(request, title=base.name, back_url=f"/my/bases/{base.id}/edit", changes=changes)
    return redirect(request, "/my/enterprise", flash="base_saved")


@router.get("/bases")
def base_list(
    request: Request,
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    town: str | None = None,
    kind: str | None = None,
    produce: str | None = None,
    standard_level: str | None = None,
) -> Response:
    filters = service.BaseFilters(
        q=params.q,
        town=town or None,
        kind=kind if kind in BASE_KINDS else None,
        produce=produce or None,
        standard_level=standard_level if standard_level in STANDARD_LEVELS else None,
    )
    page = service.public_list(session, filters=filters, page=params.page, page_size=params.page_size)
    return render(request, "bases/list.html", {"page": page, "filters": filters, **_choices(session)}, block="results")


@router.get("/bases/{base_id}")
def base_detail(request: Request, session: SessionDep, user: PublicUser, base: VisibleBase) -> Response:
    public_only = not (enterprise_service.can_manage(user, base.enterprise) or enterprise_service.is_staff(user))
    return render(
        request,
        "bases/detail.html",
        {
            "base": base,
            "photos": service.photos_of(session, base=base),
            "certificates": cert_service.of_base(session, base=base, public_only=public_only),
            "can_edit": enterprise_service.can_manage(user, base.enterprise),
        },
    )


@router.get("/review/bases")
def review_bases(
    request: Request, session: SessionDep, user: StaffUser, params: ListParamsDep, status: str = "pending"
) -> Response:
    status = status if status in BASE_STATUSES else "pending"
    return _queue_page(request, session, status=status, page=params.page, page_size=params.page_size)


def _queue_page(
    request, session, *, status, page: int, page_size: int, outcome=None, errors=None, status_code: int = 200
) -> Response:
    found = service.review_queue(session, status=status, page=page, page_size=page_size)
    return render(
        request,
        "review/bases.html",
        {
            "page": found,
            "status": status,
            "statuses": BASE_STATUSES,
            "counts": service.status_counts(session),
            "outcome": outcome,
            "errors": errors or {},
        },
        block="results",
        status_code=status_code,
    )


@router.post("/review/bases/bulk")
def bulk_decision(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    """Verify or reject the ticked bases with one reason; a row that changed meanwhile is reported."""
    try:
        outcome = service.decide_many(session, reviewer=user, form=form)
    except FieldErrors as exc:
        return _queue_page(request, session, status="pending", page=1, page_size=20, errors=exc.errors, status_code=422)
    return _queue_page(request, session, status="pending", page=1, page_size=20, outcome=outcome)


@router.get("/review/bases/{base_id}")
def review_base(request: Request, session: SessionDep, user: StaffUser, base_id: Id) -> Response:
    base = session.get(RawBase, base_id)
    if base is None:
        raise HTTPException(404)
    return _review_page(request, session, base, errors={})


def _review_page(request, session, base, *, errors, status_code=200) -> Response:
    return render(
        request,
        "review/base.html",
        {
            "base": base,
            "errors": errors,
            "history": audit.timeline(session, entity_type="base", entity_id=base.id),
            "certificates": cert_service.of_base(session, base=base, public_only=False),
        },
        status_code=status_code,
    )


@router.post("/review/bases/{base_id}/decision")
def decide_base(request: Request, session: SessionDep, user: StaffUser, base_id: Id, form: FormDict) -> Response:
    base = session.get(RawBase, base_id)
    if base is None:
        raise HTTPException(404)
    data = dict(form)
    version = form_version(data)
    try:
        service.decide(session, reviewer=user, base=base, data=parse_form(DecisionIn, data), version=version)
    except FieldErrors as exc:
        return _review_page(request, session, base, errors=exc.errors, status_code=422)
    except StaleVersion:
        return conflict(
            request, title=base.name, back_url=f"/review/bases/{base.id}", changes=[("状态", "—", base.status_label)]
        )
    return redirect(request, f"/review/bases/{base.id}", flash="decision_saved")


@router.post("/my/bases/{base_id}/photos")
def upload_photos(request: Request, session: SessionDep, user: ProducerUser, base: OwnBase, form: FormDict) -> Response:
    try:
        service.add_photos(session, user=user, base=base, uploads=files.read_uploads(form.get("photos")))
    except FieldErrors as exc:
        values = {**{k: getattr(base, k) for k in FIELDS}, "town": base.town_code, "version": base.version}
        return _form(request, session, values=values, errors=exc.errors, base=base, status_code=422)
    return redirect(request, f"/my/bases/{base.id}/edit#photos", flash="photos_added")


@router.post("/my/bases/{base_id}/photos/{photo_id}/delete")
def delete_photo(request: Request, session: SessionDep, user: ProducerUser, base: OwnBase, photo_id: Id) -> Response:
    if not service.remove_photo(session, user=user, base=base, photo_id=photo_id):
        raise HTTPException(404)
    return redirect(request, f"/my/bases/{base.id}/edit#photos", flash="photo_removed")


def _photo(session, base: RawBase, photo_id: Id) -> BasePhoto:
    photo = session.get(BasePhoto, photo_id)
    if photo is None or photo.base_id != base.id:
        raise HTTPException(404)
    return photo


@router.get("/bases/{base_id}/photos/{photo_id}")
def photo(request: Request, session: SessionDep, user: PublicUser, base: VisibleBase, photo_id: Id) -> Response:
    return images.image_response(session, _photo(session, base, photo_id).image_file_id, request=request)


@router.get("/bases/{base_id}/photos/{photo_id}/thumb")
def photo_thumb(request: Request, session: SessionDep, user: PublicUser, base: VisibleBase, photo_id: Id) -> Response:
    return images.image_response(session, _photo(session, base, photo_id).thumb_file_id, request=request)
