"""Product pages: a producer's own products (create, edit, publish, withdraw) and the public catalogue."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.bases import service as base_service
from hotpot.bases.schemas import SourceIn
from hotpot.certificates.models import CERT_KINDS
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import PARK_GROUPS
from hotpot.files import service as files
from hotpot.hitpool import showcase
from hotpot.products import media, pages, service
from hotpot.products.deps import OwnProduct, VisibleProduct
from hotpot.products.models import PRICE_UNITS, STORAGES, Product
from hotpot.products.schemas import ProductIn
from hotpot.reference import service as reference
from hotpot.responses import PUBLIC_DAY, file_response
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form, parse_id
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "category": "品类",
    "name": "产品名称",
    "name_en": "英文名称",
    "spec": "规格",
    "storage": "储存方式",
    "shelf_life_days": "保质期（天）",
    "standard_code": "执行标准",
    "min_order": "起订量",
    "min_order_unit": "起订单位",
    "price_min": "最低价",
    "price_max": "最高价",
    "price_unit": "价格单位",
    "description": "产品介绍",
}
# The page says "10,000+" rather than counting every public product on each request.
CATALOG_COUNT_CAP = 10_000
SORT_CHOICES = [("newest", "最新发布"), ("price", "价格从低到高"), ("price_desc", "价格从高到低"), ("name", "按名称")]


def _form(request, session, *, values, errors, product=None, status_code=200) -> Response:
    page = pages.form_page(session, user=request.state.user, product=product)
    context = {
        **page.context(),
        "values": values,
        "errors": errors,
        "storages": list(STORAGES.items()),
        "price_units": [(u, u) for u in PRICE_UNITS],
    }
    return render(request, "products/form.html", context, status_code=status_code)


def _values(p: Product) -> dict:
    return {
        **{k: getattr(p, k) for k in FIELD_LABELS if k != "category"},
        "category": p.category_code,
        "version": p.version,
    }


@router.get("/my/products/new")
def new_product_form(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    if enterprise_service.of_user(session, user) is None:
        return redirect(request, "/my/enterprise/new")
    return _form(request, session, values={"storage": "frozen", "price_unit": "元/箱"}, errors={})


@router.post("/my/products/new")
def create_product(request: Request, session: SessionDep, user: ProducerUser, form: FormDict) -> Response:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        return redirect(request, "/my/enterprise/new")
    uploads = files.read_uploads(form.get("photos"))
    try:
        media.create_with_photos(session, user=user, enterprise=enterprise, form=form, uploads=uploads)
    except FieldErrors as exc:
        values = {k: v for k, v in form.items() if k != "photos"}
        return _form(request, session, values=values, errors=exc.errors, status_code=422)
    return redirect(request, "/my/enterprise", flash="product_created")


@router.get("/my/products/{product_id}/edit")
def edit_product_form(request: Request, session: SessionDep, product: OwnProduct) -> Response:
    return _form(request, session, values=_values(product), errors={}, product=product)


@router.post("/my/products/{product_id}/edit")
def edit_product(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, form: FormDict
) -> Response:
    data = dict(form)
    version = form_version(data)
    try:
        service.edit(session, user=user, product=product, data=parse_form(ProductIn, data), version=version)
    except FieldErrors as exc:
        return _form(
            request, session, values={**data, "version": version}, errors=exc.errors, product=product, status_code=422
        )
    except StaleVersion:
        changes = stale_changes(data, _values(product), FIELD_LABELS)
        return conflict(request, title=product.name, back_url=f"/my/products/{product.id}/edit", changes=changes)
    return redirect(request, "/my/enterprise", flash="product_saved")


@router.post("/my/products/{product_id}/publish")
def publish(request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, form: FormDict) -> Response:
    return _set_published(request, session, user, product, form, published=True)


@router.post("/my/products/{product_id}/withdraw")
def withdraw(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, form: FormDict
) -> Response:
    return _set_published(request, session, user, product, form, published=False)


def _set_published(request, session, user, product, form, *, published: bool) -> Response:
    try:
        service.set_published(
            session, user=user, product=product, published=published, version=form_version(dict(form))
        )
    except StaleVersion:
        return conflict(
            request, title=product.name, back_url="/my/enterprise", changes=[("状态", "—", product.status_label)]
        )
    return redirect(request, "/my/enterprise", flash="product_published" if published else "product_withdrawn")


# --- public catalogue ------------------------------------------------------------------------------------------


@router.get("/products")
def catalog(
    request: Request,
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    kind: str | None = None,
    category: str | None = None,
    storage: str | None = None,
    town: str | None = None,
    park_group: str | None = None,
    certificate: str | None = None,
) -> Response:
    filters = service.CatalogFilters(
        q=params.q,
        kind=kind or None,
        category=category or None,
        storage=storage if storage in STORAGES else None,
        town=town or None,
        park_group=park_group if park_group in PARK_GROUPS else None,
        certificate=certificate if certificate in CERT_KINDS else None,
    )
    page = service.catalog_cards(
        session,
        filters=filters,
        sort=params.sort,
        page=params.page,
        page_size=params.page_size,
        count_cap=CATALOG_COUNT_CAP,
    )
    # The cards' photos and 爆品 / 拳头产品 badges, in one statement.
    first_photos, hit_titles = showcase.photos_and_titles(session, [p.id for p in page.items])
    context = {
        "page": page,
        "filters": filters,
        "sort": params.sort or "newest",
        "sort_choices": SORT_CHOICES,
        "first_photos": first_photos,
        "hit_titles": hit_titles,
        "kinds": reference.category_tree(session),
        "towns": reference.towns(session),
        "storages": list(STORAGES.items()),
        "park_groups": list(PARK_GROUPS.items()),
        "cert_kinds": list(CERT_KINDS.items()),
    }
    return render(request, "products/list.html", context, block="results")


@router.get("/products/{product_id}")
def product_detail(request: Request, session: SessionDep, user: PublicUser, product: VisibleProduct) -> Response:
    page = pages.detail_page(session, viewer=user, product=product)
    context = {**page.context(), "hit_title": showcase.titles_for(session, [product.id]).get(product.id)}
    return render(request, "products/detail.html", context)


# --- photos and raw-material sources ----------------------------------------------------------------------------


@router.post("/my/products/{product_id}/photos")
def upload_photos(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, form: FormDict
) -> Response:
    try:
        uploads = files.read_uploads(form.get("photos"))
        version = parse_id(form.get("version"))  # a page without it is not checked; a stale one: StaleVersion (409)
        media.add_photos(session, user=user, product=product, uploads=uploads, version=version)
    except FieldErrors as exc:
        return _form(request, session, values=_values(product), errors=exc.errors, product=product, status_code=422)
    return redirect(request, f"/my/products/{product.id}/edit", flash="photos_added")


@router.post("/my/products/{product_id}/photos/{photo_id}/delete")
def delete_photo(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, photo_id: Id, form: FormDict
) -> Response:
    version = parse_id(form.get("version"))
    if not media.remove_photo(session, user=user, product=product, photo_id=photo_id, version=version):
        raise HTTPException(404)
    return redirect(request, f"/my/products/{product.id}/edit", flash="photo_removed")


@router.post("/my/products/{product_id}/sources")
def save_sources(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, form: FormDict
) -> Response:
    base_ids = form.get("base_id") or []
    shares = form.get("share_pct") or []
    base_ids = base_ids if isinstance(base_ids, list) else [base_ids]
    shares = shares if isinstance(shares, list) else [shares]
    version = form_version(dict(form))
    try:
        items = [
            parse_form(SourceIn, {"base_id": b, "share_pct": s}) for b, s in zip(base_ids, shares, strict=False) if b
        ]
        base_service.set_sources(session, user=user, product=product, items=items, version=version)
    except FieldErrors as exc:
        errors = {"sources": next(iter(exc.errors.values()))} if "sources" not in exc.errors else exc.errors
        return _form(request, session, values=_values(product), errors=errors, product=product, status_code=422)
    except StaleVersion:
        now = "、".join(
            f"{s.base.name} {float(s.share_pct):g}%" for s in base_service.sources(session, product=product)
        )
        back = f"/my/products/{product.id}/edit#sources"
        return conflict(request, title=product.name, back_url=back, changes=[("原料来源", "—", now or "（无）")])
    return redirect(request, f"/my/products/{product.id}/edit", flash="sources_saved")


def _image(request, session, product, photo_id: Id, *, thumb: bool) -> Response:
    found = media.photo_bytes(session, product=product, photo_id=photo_id, thumb=thumb)
    if found is None:
        raise HTTPException(404)
    content, digest = found
    return file_response(content, media_type="image/jpeg", inline=True, etag=digest, cache=PUBLIC_DAY, request=request)


@router.get("/products/{product_id}/photos/{photo_id}")
def photo(request: Request, session: SessionDep, user: PublicUser, product: VisibleProduct, photo_id: Id) -> Response:
    return _image(request, session, product, photo_id, thumb=False)


@router.get("/products/{product_id}/photos/{photo_id}/thumb")
def photo_thumb(
    request: Request, session: SessionDep, user: PublicUser, product: VisibleProduct, photo_id: Id
) -> Response:
    return _image(request, session, product, photo_id, thumb=True)
