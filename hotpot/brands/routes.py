"""Brand pages: the public list and detail; producers' own brands; the committee's public brands and licences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hotpot.auth.models import Role
from hotpot.brands import pages, service
from hotpot.brands.deps import EditableBrand, StaffBrand, VisibleBrand
from hotpot.brands.models import BRAND_LEVELS, HONORS, LICENSABLE
from hotpot.brands.schemas import BrandIn, LicenceIn, RevokeIn
from hotpot.db import SessionDep
from hotpot.deps import AnyUser, FormDict, ListParamsDep, PublicUser, StaffUser, allow_roles
from hotpot.files import images
from hotpot.files import service as files
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form, parse_id
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)
BrandEditor = Annotated[object, Depends(allow_roles(Role.producer, Role.reviewer, Role.admin))]
FIELD_LABELS = {
    "level": "品牌层级",
    "name": "品牌名称",
    "owner_body": "品牌所有者",
    "trademark_no": "商标注册号",
    "nice_class": "尼斯分类",
    "valid_until": "有效期至",
    "description": "品牌介绍",
}
FIELDS = tuple(FIELD_LABELS)


def _levels_for(user) -> list[tuple[str, str]]:
    staff = user.role in (Role.admin, Role.reviewer)
    return [(k, v) for k, v in BRAND_LEVELS.items() if (k in LICENSABLE) == staff]


def _form(request, user, *, values, errors, brand=None, status_code=200) -> Response:
    return render(
        request,
        "brands/form.html",
        {"values": values, "errors": errors, "brand": brand, "levels": _levels_for(user), "honors": HONORS},
        status_code=status_code,
    )


@router.get("/brands")
def brand_list(
    request: Request, session: SessionDep, user: PublicUser, params: ListParamsDep, level: str | None = None
) -> Response:
    filters = service.BrandFilters(q=params.q, level=level if level in BRAND_LEVELS else None)
    page = service.public_list(session, filters=filters, page=params.page, page_size=params.page_size)
    counts = service.licence_counts(session, [b.id for b in page.items])
    return render(
        request,
        "brands/list.html",
        {"page": page, "filters": filters, "levels": list(BRAND_LEVELS.items()), "licence_counts": counts},
        block="results",
    )


@router.get("/brands/new")
def new_brand_form(request: Request, user: BrandEditor) -> Response:
    return _form(request, user, values={"level": _levels_for(user)[0][0], "honors": []}, errors={})


@router.post("/brands/new")
def create_brand(request: Request, session: SessionDep, user: BrandEditor, form: FormDict) -> Response:
    try:
        brand = service.create(session, user=user, data=parse_form(BrandIn, form))
    except FieldErrors as exc:
        return _form(request, user, values=form, errors=exc.errors, status_code=422)
    return redirect(request, f"/brands/{brand.id}", flash="brand_saved")


@router.get("/brands/{brand_id}")
def brand_detail(request: Request, session: SessionDep, user: PublicUser, brand: VisibleBrand) -> Response:
    return _detail(request, session, user, brand, errors={})


def _detail(request, session, user, brand, *, errors, status_code=200) -> Response:
    page = pages.detail_of(session, viewer=user, brand=brand)
    return _render_detail(request, page, errors=errors, status_code=status_code)


def _render_detail(request, page: pages.BrandDetail, *, errors, status_code=200) -> Response:
    context = {**page.context(), "errors": errors, "values": {}}
    return render(request, "brands/detail.html", context, status_code=status_code)


@router.get("/brands/{brand_id}/edit")
def edit_brand_form(request: Request, user: AnyUser, brand: EditableBrand) -> Response:
    values = {**{k: getattr(brand, k) for k in FIELDS}, "honors": brand.honor_list, "version": brand.version}
    return _form(request, user, values=values, errors={}, brand=brand)


@router.post("/brands/{brand_id}/edit")
def edit_brand(request: Request, session: SessionDep, user: AnyUser, brand: EditableBrand, form: FormDict) -> Response:
    data = dict(form)
    version = form_version(data)
    try:
        service.edit(session, user=user, brand=brand, data=parse_form(BrandIn, data), version=version)
    except FieldErrors as exc:
        return _form(
            request, user, values={**data, "version": version}, errors=exc.errors, brand=brand, status_code=422
        )
    except StaleVersion:
        changes = stale_changes(data, {k: getattr(brand, k) for k in FIELD_LABELS}, FIELD_LABELS)
        return conflict(request, title=brand.name, back_url=f"/brands/{brand.id}/edit", changes=changes)
    return redirect(request, f"/brands/{brand.id}", flash="brand_saved")


@router.post("/brands/{brand_id}/licences")
def grant_licence(
    request: Request, session: SessionDep, user: StaffUser, brand: StaffBrand, form: FormDict
) -> Response:
    try:
        service.grant(session, reviewer=user, brand=brand, data=parse_form(LicenceIn, form))
    except FieldErrors as exc:
        return _detail(request, session, user, brand, errors=exc.errors, status_code=422)
    return redirect(request, f"/brands/{brand.id}", flash="licence_granted")


@router.post("/brands/{brand_id}/licences/{licence_id}/revoke")
def revoke_licence(
    request: Request, session: SessionDep, user: StaffUser, brand: StaffBrand, licence_id: Id, form: FormDict
) -> Response:
    try:
        service.revoke(session, reviewer=user, brand=brand, licence_id=licence_id, data=parse_form(RevokeIn, form))
    except FieldErrors as exc:
        return _detail(request, session, user, brand, errors=exc.errors, status_code=422)
    return redirect(request, f"/brands/{brand.id}", flash="licence_revoked")


@router.post("/brands/{brand_id}/logo")
def upload_logo(request: Request, session: SessionDep, user: AnyUser, brand: EditableBrand, form: FormDict) -> Response:
    try:
        upload, version = files.read_upload(form.get("logo")), parse_id(form.get("version"))
        service.set_logo(session, user=user, brand=brand, upload=upload, version=version)
    except FieldErrors as exc:
        return _detail(request, session, user, brand, errors=exc.errors, status_code=422)
    return redirect(request, f"/brands/{brand.id}", flash="logo_saved")


@router.get("/brands/{brand_id}/logo")
def brand_logo(request: Request, session: SessionDep, user: PublicUser, brand: VisibleBrand) -> Response:
    return images.image_response(session, brand.logo_file_id, request=request)
