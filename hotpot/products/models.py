"""product: what an enterprise makes, with its category, specification, storage and price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.enterprises.models import Enterprise
from hotpot.reference.models import ProductCategory
from hotpot.workflow import LabeledEnum, state_type

STORAGES = {"frozen": "冷冻（≤ -18°C）", "chilled": "冷藏（0-4°C）", "ambient": "常温"}
STORAGE_SHORT = {"frozen": "冷冻", "chilled": "冷藏", "ambient": "常温"}


class ProductStatus(LabeledEnum):
    draft = "draft", "草稿"
    published = "published", "已发布"
    withdrawn = "withdrawn", "已下架"


PRODUCT_STATUSES = ProductStatus.labels()  # {value: label}, for the forms and the audit log's values
PRICE_UNITS = ("元/kg", "元/箱", "元/袋", "元/件", "元/桶", "元/吨")


class Product(Versioned, TimestampMixin, Base):
    __tablename__ = "product"
    # What the audit log records of a product (hotpot/changes.py).
    audit_entity = "product"
    audit_fields = (
        ("category", lambda p: p.category_code),
        "name",
        "name_en",
        "spec",
        "storage",
        "shelf_life_days",
        "standard_code",
        "min_order",
        "min_order_unit",
        "price_min",
        "price_max",
        "price_unit",
        "description",
        "brand_id",
        "status",
    )
    __table_args__ = (
        CheckConstraint("price_min IS NULL OR price_min >= 0", name="price_min_non_negative"),
        CheckConstraint("price_max IS NULL OR price_min IS NULL OR price_max >= price_min", name="price_range"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        Index(None, "enterprise_id", "status"),
        # The public list reads only public rows, newest first, optionally by category or storage.
        Index("ix_product_public_newest", "published_at", "id", postgresql_where=text("is_public")),
        Index("ix_product_public_category", "category_code", "published_at", postgresql_where=text("is_public")),
        Index("ix_product_public_kind", "kind_code", "published_at", postgresql_where=text("is_public")),
        # Storage and location filters of the public catalogue (see bench/registry.py); the price sorts' indexes
        # follow the class.
        Index("ix_product_public_storage", "storage", "enterprise_id", postgresql_where=text("is_public")),
        Index("ix_product_public_enterprise", "enterprise_id", postgresql_where=text("is_public")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    category_code: Mapped[str] = mapped_column(ForeignKey("product_category.code"))
    # The level-1 kind, copied from the category so lists filter by kind without a join.
    kind_code: Mapped[str] = mapped_column(ForeignKey("product_category.code"))
    name: Mapped[str] = mapped_column(String(60))
    # An optional English trade name for exporters and foreign buyers ("Beef omasum"); the pages stay Chinese.
    name_en: Mapped[str | None] = mapped_column(String(120))
    spec: Mapped[str] = mapped_column(String(100))
    storage: Mapped[str] = mapped_column(String(10))
    shelf_life_days: Mapped[int | None]
    standard_code: Mapped[str | None] = mapped_column(String(50))
    min_order: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    min_order_unit: Mapped[str | None] = mapped_column(String(10))
    price_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_unit: Mapped[str | None] = mapped_column(String(10))
    # The price in 元/kg where unit and spec allow it (hotpot.search.unitprice), for the catalogue's price sort;
    # written by the search indexer with the product's document, so it is set on public products only.
    unit_price_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit_price_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str | None] = mapped_column(Text)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"), index=True)
    status: Mapped[ProductStatus] = mapped_column(
        state_type(ProductStatus, 10), default=ProductStatus.draft, server_default="draft"
    )
    published_at: Mapped[datetime | None]
    # Published and its enterprise verified; kept by the services so public lists need no join.
    is_public: Mapped[bool] = mapped_column(default=False, server_default="false")
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    category: Mapped[ProductCategory] = relationship(foreign_keys=[category_code], lazy="joined", innerjoin=True)

    @property
    def storage_label(self) -> str:
        return STORAGE_SHORT.get(self.storage, self.storage)

    @property
    def status_label(self) -> str:
        return ProductStatus.label_of(self.status)

    @property
    def price_label(self) -> str:
        return price_label(self.price_min, self.price_max, self.price_unit)


def price_label(price_min: Decimal | None, price_max: Decimal | None, unit: str | None) -> str:
    """'12–18 元/kg', '12 元/kg', or 面议 when no price is given."""
    if price_min is None:
        return "面议"
    low = format(price_min.normalize(), "f")
    high = None
    if price_max is not None and price_max != price_min:
        high = format(price_max.normalize(), "f")
    return f"{low}–{high} {unit or ''}".strip() if high else f"{low} {unit or ''}".strip()


# Declared after the class: a descending, nulls-last key needs the column object. The price sorts (products.service
# SORTS) read the price in 元/kg, then the list price; by category, the first page is the index's first rows.
Index("ix_product_public_unit_price", Product.unit_price_min, Product.id, postgresql_where=text("is_public"))
Index(
    "ix_product_public_unit_price_desc",
    Product.unit_price_max.desc().nulls_last(),
    Product.id,
    postgresql_where=text("is_public"),
)
Index(
    "ix_product_public_category_unit_price",
    Product.category_code,
    Product.unit_price_min,
    Product.price_min,
    Product.id,
    postgresql_where=text("is_public"),
)
Index(
    "ix_product_public_category_unit_price_desc",
    Product.category_code,
    Product.unit_price_max.desc().nulls_last(),
    Product.price_max.desc().nulls_last(),
    Product.id,
    postgresql_where=text("is_public"),
)
