"""Product use cases: create, edit, publish, withdraw, and the public catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from hotpot import changes
from hotpot.auth.models import User
from hotpot.db import utcnow
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed
from hotpot.pagination import Page, paginate
from hotpot.products.models import STORAGE_SHORT, Product, ProductStatus, price_label
from hotpot.products.schemas import ProductIn
from hotpot.reference.models import ProductCategory, Town
from hotpot.search import engine as search_engine
from hotpot.validation import FieldErrors, check_version

SORTS = {
    "newest": (Product.published_at.desc(), Product.id.desc()),
    # By the comparable price in 元/kg (hotpot.search.unitprice); those without one after, by their own price.
    "price": (Product.unit_price_min.asc().nulls_last(), Product.price_min.asc().nulls_last(), Product.id),
    "price_desc": (Product.unit_price_max.desc().nulls_last(), Product.price_max.desc().nulls_last(), Product.id),
    "name": (Product.name, Product.id),
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
    return changes.created(session, product, actor=user, action="product.create")


def edit(session: Session, *, user: User, product: Product, data: ProductIn, version: int | None) -> Product:
    _require_manager(user, product.enterprise)
    check_version(product, version)
    values = _resolve(session, data, enterprise=product.enterprise)
    with changes.tracked(session, product, actor=user, action="product.update"):
        for key, value in values.items():
            setattr(product, key, value)
    return product


def set_published(session: Session, *, user: User, product: Product, published: bool, version: int | None) -> Product:
    """Publish (visible once the enterprise is verified) or withdraw a product."""
    _require_manager(user, product.enterprise)
    action = "product.publish" if published else "product.withdraw"
    with changes.tracked(session, product, actor=user, action=action, version=version):
        product.status = ProductStatus.published if published else ProductStatus.withdrawn
        if published:
            product.published_at = utcnow()
        product.is_public = published and product.enterprise.status == EnterpriseStatus.verified
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


def _catalog_rows(filters: CatalogFilters, stmt):
    """stmt (a select of products) under the catalogue's filters, and the conditions that only speed up its count."""
    stmt = stmt.where(Product.is_public)
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
    return stmt, count_where


def _catalog_page(session, stmt, *, filters, sort, page, page_size, count_cap, rows=None, count_from=None) -> Page:
    stmt, count_where = _catalog_rows(filters, stmt)
    # The total under these filters changes only with a public product's search document (the public set and every
    # column filtered here are in it, hotpot.search.sources), so each process keeps it with the index's version,
    # as the search keeps its answers: the count is most of a list page's work in PostgreSQL (issue 12).
    versions = search_engine.state(session)
    f = filters
    key = (f.q, f.kind, f.category, f.storage, f.town, f.park_group, f.certificate, count_cap)
    counted = search_engine.cached("catalog-total", key, versions)
    result = paginate(
        session,
        stmt.order_by(*SORTS.get(sort or "newest", SORTS["newest"])),
        page=page,
        page_size=page_size,
        count_where=count_where,
        count_cap=count_cap,
        counted=counted,
        rows=rows,
        count_from=_catalog_rows(filters, count_from)[0] if count_from is not None and counted is None else None,
    )
    if counted is None:
        search_engine.remember("catalog-total", key, versions, result.counted)
    return result


def catalog(
    session: Session,
    *,
    filters: CatalogFilters,
    sort: str | None,
    page: int,
    page_size: int,
    count_cap: int | None = None,
) -> Page[Product]:
    """Public products (published, enterprise verified), filtered, sorted, paginated: the records (the API)."""
    stmt = select(Product).options(joinedload(Product.enterprise).load_only(*CARD_ENTERPRISE_FIELDS))
    return _catalog_page(session, stmt, filters=filters, sort=sort, page=page, page_size=page_size, count_cap=count_cap)


@dataclass(frozen=True, slots=True)
class CardEnterprise:
    id: int
    name: str
    short_name: str | None
    town_name: str | None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def location_label(self) -> str:
        return self.town_name or "合川区外"


@dataclass(frozen=True, slots=True)
class CardCategory:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What a catalogue card shows of a product (the same names as Product's), read as plain columns: twenty ORM
    products with their enterprises, towns and categories cost a list page some 1 ms of Python (issue 12)."""

    id: int
    name: str
    spec: str | None
    storage: str
    price_min: Decimal | None
    price_max: Decimal | None
    price_unit: str | None
    is_demo: bool
    enterprise_id: int
    category: CardCategory
    enterprise: CardEnterprise

    @property
    def storage_label(self) -> str:
        return STORAGE_SHORT.get(self.storage, self.storage)

    @property
    def price_label(self) -> str:
        return price_label(self.price_min, self.price_max, self.price_unit)


_CARD_COLUMNS = select(
    Product.id,
    Product.name,
    Product.spec,
    Product.storage,
    Product.price_min,
    Product.price_max,
    Product.price_unit,
    Product.is_demo,
    Product.enterprise_id,
    Product.category_code,
    ProductCategory.name,
    Enterprise.name,
    Enterprise.short_name,
    Town.name,
).select_from(Product)
CARD_ROWS = (
    _CARD_COLUMNS.join(ProductCategory, ProductCategory.code == Product.category_code)
    .join(Enterprise, Enterprise.id == Product.enterprise_id)
    .outerjoin(Town, Town.code == Enterprise.town_code)
)


def _card(row) -> ProductCard:
    (pid, name, spec, storage, low, high, unit, demo, eid, code, category, e_name, e_short, town) = row
    return ProductCard(
        pid,
        name,
        spec,
        storage,
        low,
        high,
        unit,
        demo,
        eid,
        CardCategory(code, category),
        CardEnterprise(eid, e_name, e_short, town),
    )


def catalog_cards(
    session: Session,
    *,
    filters: CatalogFilters,
    sort: str | None,
    page: int,
    page_size: int,
    count_cap: int | None = None,
) -> Page[ProductCard]:
    """The same page as catalog(), as the cards the catalogue page shows (ProductCard)."""
    return _catalog_page(
        session,
        CARD_ROWS,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        count_cap=count_cap,
        rows=_card,
        count_from=select(Product.id),
    )


def has_verified_certificate(kind: str):
    """Products covered by a verified certificate of this kind: their own, or their enterprise's."""
    from hotpot.certificates.models import Certificate, Verification

    return (
        select(Certificate.id)
        .where(
            Certificate.kind == kind,
            Certificate.verification == Verification.verified,
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
    # The caller holds the enterprise: the rows need not bring it (and its town) again; `product.enterprise` is then
    # found in the session without a query. (46 products: 1.8 → 1.3 ms of Python.)
    stmt = select(Product).where(Product.enterprise_id == enterprise.id).options(lazyload(Product.enterprise))
    if public_only:
        stmt = stmt.where(Product.is_public)
    return list(session.scalars(stmt.order_by(Product.status, Product.updated_at.desc(), Product.id.desc())))


def can_see(user, product: Product) -> bool:
    """Who may see a product: public ones everyone; others its enterprise's producers and staff."""
    return (
        product.is_public
        or enterprise_service.can_manage(user, product.enterprise)
        or enterprise_service.is_staff(user)
    )


def can_edit(user, product: Product) -> bool:
    """Only the producers of the product's own enterprise change it."""
    return enterprise_service.can_manage(user, product.enterprise)


def visible(session: Session, *, product_id: int, user) -> Product | None:
    """The product if this caller may see it (`can_see`), or None: a missing and a hidden one look the same."""
    record = session.get(Product, product_id)
    return record if record is not None and can_see(user, record) else None
