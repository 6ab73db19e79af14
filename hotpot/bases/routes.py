"""Base pages: a producer's own bases, the public list and detail (the desk: hotpot/verification/)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.bases import pages, service
from hotpot.bases.deps import OwnBase, VisibleBase
from hotpot.bases.models import BASE_KINDS, PRODUCE, STANDARD_LEVELS, BasePhoto, RawBase
from hotpot.bases.schemas import BaseIn
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.files import images
from hotpot.files import service as files
from hotpot.reference import service as reference
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form, parse_id
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
    page = pages.detail_page(session, viewer=user, base=base)
    return render(request, "bases/detail.html", page.context())


@router.post("/my/bases/{base_id}/photos")
def upload_photos(request: Request, session: SessionDep, user: ProducerUser, base: OwnBase, form: FormDict) -> Response:
    try:
        uploads = files.read_uploads(form.get("photos"))
        service.add_photos(session, user=user, base=base, uploads=uploads, version=parse_id(form.get("version")))
    except FieldErrors as exc:
        values = {**{k: getattr(base, k) for k in FIELDS}, "town": base.town_code, "version": base.version}
        return _form(request, session, values=values, errors=exc.errors, base=base, status_code=422)
    return redirect(request, f"/my/bases/{base.id}/edit#photos", flash="photos_added")


@router.post("/my/bases/{base_id}/photos/{photo_id}/delete")
def delete_photo(
    request: Request, session: SessionDep, user: ProducerUser, base: OwnBase, photo_id: Id, form: FormDict
) -> Response:
    # A page without the version (an old tab) is not checked; a stale one gets the conflict page (StaleVersion).
    version = parse_id(form.get("version"))
    if not service.remove_photo(session, user=user, base=base, photo_id=photo_id, version=version):
        raise HTTPException(404)
    return redirect(request, f"/my/bases/{base.id}/edit#photos", flash="photo_removed")


def _photo(session, base: RawBase, photo_id: Id) -> BasePhoto:
    photo = service.photo_of(session, base=base, photo_id=photo_id)
    if photo is None:
        raise HTTPException(404)
    return photo


@router.get("/bases/{base_id}/photos/{photo_id}")
def photo(request: Request, session: SessionDep, user: PublicUser, base: VisibleBase, photo_id: Id) -> Response:
    return images.image_response(session, _photo(session, base, photo_id).image_file_id, request=request)


@router.get("/bases/{base_id}/photos/{photo_id}/thumb")
def photo_thumb(request: Request, session: SessionDep, user: PublicUser, base: VisibleBase, photo_id: Id) -> Response:
    return images.image_response(session, _photo(session, base, photo_id).thumb_file_id, request=request)
