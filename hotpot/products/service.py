"""Product use cases: create, edit, publish, withdraw, and the public catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from hotpot.audit import service as audit
from hotpot.auth.models import User
from hotpot.db import utcnow
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.errors import NotAllowed
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.products.schemas import ProductIn
from hotpot.reference.models import ProductCategory
from hotpot.validation import FieldErrors, check_version

SORTS = {
    "newest": (Product.published_at.desc(), Product.id.desc()),
    # By the comparable price in 元/kg (hotpot.search.unitprice); those without one after, by their own price.
    "price": (Product.unit_price_min.asc().nulls_last(), Product.price_min.asc().nulls_last(), Product.id),
    "price_desc": (Product.unit_price_max.desc().nulls_last(), Product.price_max.desc().nulls_last(), Product.id),
    "name": (Product.name, Product.id),
}


def snapshot(p: Product) -> dict[str, Any]:
    return {
        "category": p.category_code,
        "name": p.name,
        "name_en": p.name_en,
        "spec": p.spec,
        "storage": p.storage,
        "shelf_life_days": p.shelf_life_days,
        "standard_code": p.standard_code,
        "min_order": p.min_order,
        "min_order_unit": p.min_order_unit,
        "price_min": p.price_min,
        "price_max": p.price_max,
        "price_unit": p.price_unit,
        "description": p.description,
        "brand_id": p.brand_id,
        "status": p.status,
    }


def _resolve(session: Session, data: ProductIn, *, enterprise: Enterprise) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if data.brand_id is not None:
        from hotpot.brands import service as brand_service

        if data.brand_id not in {b.id for b in brand_service.brand_choices(session, enterprise=enterprise)}:
            errors["brand_id"] = "请选择本企业的品牌，或已获授权使用的公用品牌"
    category = session.get(ProductCategory, data.category)
    if category is None or category.parent_code is None:
        errors["category"] = "请选择产品细分品类"
    if data.price_min is not None and data.price_max is not None and data.price_max < data.price_min:
        errors["price_max"] = "最高价不能低于最低价"
    if data.price_max is not None and data.price_min is None:
        errors["price_min"] = "填写了最高价时请同时填写最低价"
    if (data.price_min is not None) and not data.price_unit:
        errors["price_unit"] = "请选择价格单位"
    if data.min_order is not None and not data.min_order_unit:
        errors["min_order_unit"] = "请填写起订量单位（如 箱、kg）"
    if errors:
        raise FieldErrors(errors)
    values = data.model_dump(exclude={"category"})
    values["category_code"] = category.code
    values["kind_code"] = category.parent_code
    return values


def _require_manager(user: User, enterprise: Enterprise) -> None:
    if not enterprise_service.can_manage(user, enterprise):
        raise NotAllowed("这不是您企业的产品，不能修改。")


def check(session: Session, *, enterprise: Enterprise, data: ProductIn) -> None:
    """Raise the FieldErrors create() would raise for these values, writing nothing."""
    _resolve(session, data, enterprise=enterprise)


def create(session: Session, *, user: User, enterprise: Enterprise, data: ProductIn, is_demo: bool = False) -> Product:
    """A new product of the producer's own enterprise, as a draft."""
    _require_manager(user, enterprise)
    product = Product(**_resolve(session, data, enterprise=enterprise), enterprise_id=enterprise.id, is_demo=is_demo)
    session.add(product)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="product.create",
        entity_type="product",
        entity_id=product.id,
        after=snapshot(product),
    )
    return product


def edit(session: Session, *, user: User, product: Product, data: ProductIn, version: int | None) -> Product:
    _require_manager(user, product.enterprise)
    check_version(product, version)
    before = snapshot(product)
    for key, value in _resolve(session, data, enterprise=product.enterprise).items():
        setattr(product, key, value)
    product.version += 1
    session.flush()
    audit.record(
        session,
        actor=user,
        action="product.update",
        entity_type="product",
        entity_id=product.id,
        before=before,
        after=snapshot(product),
    )
    return product


def set_published(session: Session, *, user: User, product: Product, published: bool, version: int | None) -> Product:
    """Publish (visible once the enterprise is verified) or withdraw a product."""
    _require_manager(user, product.enterprise)
    check_version(product, version)
    before = snapshot(product)
    product.status = "published" if published else "withdrawn"
    if published:
        product.published_at = utcnow()
    product.is_public = published and product.enterprise.status == "verified"
    product.version += 1
    session.flush()
    audit.record(
        session,
        actor=user,
        action="product.publish" if published else "product.withdraw",
        entity_type="product",
        entity_id=product.id,
        before=before,
        after=snapshot(product),
    )
    return product


@dataclass(frozen=True)
class CatalogFilters:
    q: str | None = None
    kind: str | None = None
    category: str | None = None
    storage: str | None = None
    town: str | None = None
    park_group: str | None = None
    certificate: str | None = None


# A product card shows only these enterprise fields; loading the whole row (description ...) costs time.
CARD_ENTERPRISE_FIELDS = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.short_name,
    Enterprise.town_code,
    Enterprise.status,
    Enterprise.is_demo,
)


def catalog(
    session: Session,
    *,
    filters: CatalogFilters,
    sort: str | None,
    page: int,
    page_size: int,
    count_cap: int | None = None,
) -> Page[Product]:
    """Public products (published, enterprise verified), filtered, sorted, paginated."""
    stmt = (
        select(Product)
        .where(Product.is_public)
        .options(joinedload(Product.enterprise).load_only(*CARD_ENTERPRISE_FIELDS))
    )
    count_where: tuple = ()
    f = filters
    if f.category:
        stmt = stmt.where(Product.category_code == f.category)
    elif f.kind:
        stmt = stmt.where(Product.kind_code == f.kind)
    if f.storage:
        stmt = stmt.where(Product.storage == f.storage)
    if f.town or f.park_group:
        sub = select(Enterprise.id)
        if f.town == "outside":
            sub = sub.where(Enterprise.town_code.is_(None))
        elif f.town:
            sub = sub.where(Enterprise.town_code == f.town)
        if f.park_group:
            sub = sub.where(Enterprise.park_group == f.park_group)
        stmt = stmt.where(Product.enterprise_id.in_(sub))
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(or_(Product.name.ilike(like), Product.spec.ilike(like)))
        if len(f.q) >= 2:
            # Only in the count: the character-pair index finds the candidates, ILIKE keeps the exact matches.
            # (In the page query it would make the planner sort all candidates instead of walking the date index.)
            pairs = func.hotpot_bigrams(Product.name + " " + Product.spec)
            count_where = (pairs.op("@>")(func.hotpot_bigrams(f.q)),)
    if f.certificate:
        stmt = stmt.where(has_verified_certificate(f.certificate))
    return paginate(
        session,
        stmt.order_by(*SORTS.get(sort or "newest", SORTS["newest"])),
        page=page,
        page_size=page_size,
        count_where=count_where,
        count_cap=count_cap,
    )


def has_verified_certificate(kind: str):
    """Products covered by a verified certificate of this kind: their own, or their enterprise's."""
    from hotpot.certificates.models import Certificate

    return (
        select(Certificate.id)
        .where(
            Certificate.kind == kind,
            Certificate.verification == "verified",
            or_(
                Certificate.product_id == Product.id,
                (Certificate.enterprise_id == Product.enterprise_id) & (Certificate.holder_type == "enterprise"),
            ),
        )
        .exists()
    )


def kind_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Product.kind_code, func.count()).where(Product.is_public).group_by(Product.kind_code))
    return {kind: n for kind, n in rows}  # noqa: C416 - rows are Row objects


def of_enterprise(session: Session, *, enterprise: Enterprise, public_only: bool) -> list[Product]:
    stmt = select(Product).where(Product.enterprise_id == enterprise.id)
    if public_only:
        stmt = stmt.where(Product.is_public)
    return list(session.scalars(stmt.order_by(Product.status, Product.updated_at.desc(), Product.id.desc())))


def visible(session: Session, *, product_id: int, user) -> Product | None:
    """The product if this caller may see it: public ones to all, others to its producers and staff."""
    product = session.get(Product, product_id)
    if product is None:
        return None
    if (
        product.is_public
        or enterprise_service.can_manage(user, product.enterprise)
        or enterprise_service.is_staff(user)
    ):
        return product
    return None
