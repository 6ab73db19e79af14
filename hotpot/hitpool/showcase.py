"""The public showcase of graduated products (爆品 / 拳头产品) and the badge the catalogue and search show for them.

Only graduated plans of products the catalogue shows (public) appear; anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import any_, extract, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from hotpot.enterprises.models import Enterprise
from hotpot.errors import NotFound
from hotpot.hitpool.enums import GraduationTitle, PlanStatus
from hotpot.hitpool.models import Batch, Plan
from hotpot.pagination import Page, paginate
from hotpot.products import media
from hotpot.products.models import Product
from hotpot.reference import service as reference

NOT_FOUND = "您访问的页面不存在或已被移除，请检查网址，或返回首页继续浏览。"


def _shown():
    """Graduated plans whose product the public catalogue shows."""
    return (Plan.status == PlanStatus.graduated.value, Product.is_public)


# Built once (see products.media.FIRST_PHOTOS_JSON); the parameter is media.PRODUCT_IDS.
_TITLES = (
    select(Plan.product_id, Plan.title)
    .where(Plan.product_id == any_(media.PRODUCT_IDS), Plan.status == PlanStatus.graduated.value)
    .order_by(Plan.product_id, Plan.graduated_on.desc(), Plan.id.desc())
    .ext(distinct_on(Plan.product_id))
)
_TITLE_ROWS = _TITLES.subquery()
_CARDS = select(
    media.FIRST_PHOTOS_JSON,
    select(func.json_agg(func.json_build_array(_TITLE_ROWS.c.product_id, _TITLE_ROWS.c.title))).scalar_subquery(),
)


def titles_for(session: Session, product_ids) -> dict[int, str]:
    """{product id: 爆品 / 拳头产品} for the graduated products among product_ids (one query; the latest title when a
    product graduated more than once)."""
    ids = sorted({int(i) for i in product_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(_TITLES, {"product_ids": ids})
    return {pid: GraduationTitle.label_of(title) for pid, title in rows}


def photos_and_titles(session: Session, product_ids: list[int]) -> tuple[dict[int, int], dict[int, str]]:
    """What a list page's cards show beside the product: its first photo (products.media.first_photos) and its
    爆品 / 拳头产品 badge (titles_for), in one statement (issue 12: a statement costs some 0.4 ms of Python and as
    much of PostgreSQL, however little it returns)."""
    ids = sorted({int(i) for i in product_ids if i is not None})
    if not ids:
        return {}, {}
    photos, titles = session.execute(_CARDS, {"product_ids": ids}).one()
    return media.pairs(photos), {pid: GraduationTitle.label_of(t) for pid, t in media.pairs(titles).items()}


@dataclass
class ShowcaseFilters:
    batch: int | None = None
    kind: str | None = None
    year: int | None = None
    title: str | None = None

    def active(self) -> bool:
        return any((self.batch, self.kind, self.year, self.title))


@dataclass
class ShowcaseItem:
    plan: Plan
    product: Product
    enterprise: Enterprise
    batch: Batch
    kind_name: str
    photo_id: int | None

    @property
    def title_label(self) -> str:
        return GraduationTitle.label_of(self.plan.title)


@dataclass
class Showcase:
    page: Page
    items: list[ShowcaseItem]
    filters: ShowcaseFilters
    total: int  # every shown product, unfiltered
    by_batch: list[tuple[int, str, int]]
    by_kind: list[tuple[str, str, int]]
    by_year: list[tuple[int, int]]
    by_title: list[tuple[str, str, int]]


def _stmt(filters: ShowcaseFilters):
    stmt = select(Plan).join(Product, Product.id == Plan.product_id).where(*_shown())
    if filters.batch:
        stmt = stmt.where(Plan.batch_id == filters.batch)
    if filters.kind:
        stmt = stmt.where(Product.kind_code == filters.kind)
    if filters.year:
        stmt = stmt.where(extract("year", Plan.graduated_on) == filters.year)
    if filters.title in GraduationTitle.labels():
        stmt = stmt.where(Plan.title == filters.title)
    return stmt.order_by(Plan.graduated_on.desc(), Plan.id.desc())


def items_of(session: Session, plans: list[Plan]) -> list[ShowcaseItem]:
    if not plans:
        return []
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_([p.product_id for p in plans])))}
    enterprises = {
        e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_([p.enterprise_id for p in plans])))
    }
    batches = {b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_([p.batch_id for p in plans])))}
    kinds = {k.code: k.name for k in reference.category_tree(session)}
    photos = media.first_photos(session, list(products))
    return [
        ShowcaseItem(
            plan=p,
            product=products[p.product_id],
            enterprise=enterprises[p.enterprise_id],
            batch=batches[p.batch_id],
            kind_name=kinds.get(products[p.product_id].kind_code, ""),
            photo_id=photos.get(p.product_id),
        )
        for p in plans
    ]


def showcase(session: Session, *, filters: ShowcaseFilters, page: int, page_size: int) -> Showcase:
    """One page of graduated products under the filters, with the counts by batch, kind, year and title."""
    result = paginate(session, _stmt(filters), page=page, page_size=page_size)
    joined = select(Plan).join(Product, Product.id == Plan.product_id).where(*_shown()).subquery()
    kinds = {k.code: k.name for k in reference.category_tree(session)}
    by_batch = [
        (bid, name, n)
        for bid, name, n in session.execute(
            select(Batch.id, Batch.name, func.count())
            .join(joined, joined.c.batch_id == Batch.id)
            .group_by(Batch.id, Batch.name)
            .order_by(Batch.id.desc())
        )
    ]
    by_kind = [
        (code, kinds.get(code, code), n)
        for code, n in session.execute(
            select(Product.kind_code, func.count())
            .select_from(Plan)
            .join(Product, Product.id == Plan.product_id)
            .where(*_shown())
            .group_by(Product.kind_code)
        )
    ]
    order = {k: i for i, k in enumerate(kinds)}
    by_kind.sort(key=lambda row: order.get(row[0], 99))
    year = extract("year", Plan.graduated_on)
    by_year = [
        (int(y), n)
        for y, n in session.execute(
            select(year, func.count())
            .select_from(Plan)
            .join(Product, Product.id == Plan.product_id)
            .where(*_shown())
            .group_by(year)
            .order_by(year.desc())
        )
    ]
    by_title = [
        (str(t), GraduationTitle.label_of(t), n)
        for t, n in session.execute(
            select(Plan.title, func.count())
            .select_from(Plan)
            .join(Product, Product.id == Plan.product_id)
            .where(*_shown())
            .group_by(Plan.title)
            .order_by(Plan.title.desc())
        )
    ]
    items = items_of(session, result.items)
    return Showcase(
        page=Page(items=items, total=result.total, page=result.page, page_size=result.page_size),
        items=items,
        filters=filters,
        total=sum(n for _, _, n in by_batch),
        by_batch=by_batch,
        by_kind=by_kind,
        by_year=by_year,
        by_title=by_title,
    )


def graduated_page(session: Session, *, filters: ShowcaseFilters, page: int, page_size: int) -> Page:
    """The API's page: graduated products (as ShowcaseItem) under the filters."""
    result = paginate(session, _stmt(filters), page=page, page_size=page_size)
    return Page(items=items_of(session, result.items), total=result.total, page=result.page, page_size=result.page_size)


def entry(session: Session, *, plan_id: int) -> ShowcaseItem:
    """One graduated product's showcase page, or NotFound (not graduated, or the product is not public)."""
    plan = session.get(Plan, plan_id)
    if plan is None or plan.status != PlanStatus.graduated:
        raise NotFound(NOT_FOUND)
    product = session.get(Product, plan.product_id)
    if product is None or not product.is_public:
        raise NotFound(NOT_FOUND)
    return items_of(session, [plan])[0]


@dataclass
class HomeTeaser:
    total: int
    hits: int
    flagships: int
    latest: list[ShowcaseItem]


def home_teaser(session: Session, *, limit: int = 4) -> HomeTeaser | None:
    """The home page's 爆品展示 section: the platform's own counts and the latest graduates (None: none yet)."""
    counts: dict[str, Any] = dict(
        session.execute(
            select(Plan.title, func.count())
            .select_from(Plan)
            .join(Product, Product.id == Plan.product_id)
            .where(*_shown())
            .group_by(Plan.title)
        ).all()
    )
    total = sum(counts.values())
    if not total:
        return None
    latest = session.scalars(_stmt(ShowcaseFilters()).limit(limit)).all()
    return HomeTeaser(
        total=total,
        hits=counts.get(GraduationTitle.hit.value, 0),
        flagships=counts.get(GraduationTitle.flagship.value, 0),
        latest=items_of(session, list(latest)),
    )
