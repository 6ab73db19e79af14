"""JSON API for products: the public catalogue, and a producer's own products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from hotpot.api.errors import raise_422
from hotpot.api.etag import required_version, set_etag
from hotpot.api.pages import ApiPage
from hotpot.db import SessionDep
from hotpot.deps import ListParamsDep, ProducerUser, PublicUser
from hotpot.enterprises import service as enterprise_service
from hotpot.products import service
from hotpot.products.deps import OwnProduct, VisibleProduct
from hotpot.products.schemas import ProductIn, ProductRead
from hotpot.validation import FieldErrors

router = APIRouter(prefix="/api/v1/products", tags=["产品"])


@router.get("", response_model=ApiPage[ProductRead], summary="产品目录（已发布且企业已认证）")
def list_products(
    session: SessionDep,
    user: PublicUser,
    params: ListParamsDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    storage: Annotated[str | None, Query(pattern="^(frozen|chilled|ambient)$")] = None,
    town: Annotated[str | None, Query(max_length=9)] = None,
    park_group: Annotated[str | None, Query(pattern="^(nanxi|longshi|wuzun|none)$")] = None,
    certificate: Annotated[str | None, Query(max_length=20, description="证书类型，如 sc、green_food")] = None,
) -> ApiPage[ProductRead]:
    filters = service.CatalogFilters(
        q=params.q,
        kind=kind,
        category=category,
        storage=storage,
        town=town,
        park_group=park_group,
        certificate=certificate,
    )
    page = service.catalog(session, filters=filters, sort=params.sort, page=params.page, page_size=params.page_size)
    return ApiPage.of(page, ProductRead.of)


@router.get("/{product_id}", response_model=ProductRead, summary="产品详情")
def get_product(user: PublicUser, product: VisibleProduct, response: Response) -> ProductRead:
    set_etag(response, "product", product)
    return ProductRead.of(product)


@router.post("", response_model=ProductRead, status_code=201, summary="登记产品（草稿，生产企业账号）")
def create_product(session: SessionDep, user: ProducerUser, data: ProductIn, response: Response) -> ProductRead:
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None:
        raise HTTPException(409, "请先登记企业")
    try:
        product = service.create(session, user=user, enterprise=enterprise, data=data)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "product", product)
    return ProductRead.of(product)


@router.put("/{product_id}", response_model=ProductRead, summary="修改产品（需 If-Match）")
def edit_product(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, data: ProductIn, response: Response
) -> ProductRead:
    version = required_version(request, "product", product)
    try:
        service.edit(session, user=user, product=product, data=data, version=version)
    except FieldErrors as exc:
        raise_422(exc)
    set_etag(response, "product", product)
    return ProductRead.of(product)


@router.post("/{product_id}/publish", response_model=ProductRead, summary="发布产品（需 If-Match）")
def publish(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, response: Response
) -> ProductRead:
    return _set_published(request, session, user, product, response, published=True)


@router.post("/{product_id}/withdraw", response_model=ProductRead, summary="下架产品（需 If-Match）")
def withdraw(
    request: Request, session: SessionDep, user: ProducerUser, product: OwnProduct, response: Response
) -> ProductRead:
    return _set_published(request, session, user, product, response, published=False)


def _set_published(request, session, user, product, response, *, published: bool) -> ProductRead:
    version = required_version(request, "product", product)
    service.set_published(session, user=user, product=product, published=published, version=version)
    set_etag(response, "product", product)
    return ProductRead.of(product)
