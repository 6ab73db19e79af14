"""Reference tables loaded from seed_data/ by `hotpot seed`."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotpot.db import Base


class Town(Base):
    """A subdistrict (街道) or town (镇) of Hechuan, keyed by its 9-digit statistical division code."""

    __tablename__ = "town"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10))


class ChainLink(Base):
    """A link of the hotpot-ingredient industry chain (原料种养殖, 初加工, ...)."""

    __tablename__ = "chain_link"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(200))


class FoodClass(Base):
    """A food class of SC licence numbers (digits 2-3 after the 1/2 food/additive digit)."""

    __tablename__ = "food_class"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(30))


class ProductCategory(Base):
    """The two-level product taxonomy: the plan's six kinds, each with its sub-categories."""

    __tablename__ = "product_category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("product_category.code"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    position: Mapped[int]
    # Typical storage of the sub-category (frozen / chilled / ambient), the default on a new product.
    storage: Mapped[str | None] = mapped_column(String(10))
    synonyms: Mapped[str | None] = mapped_column(String(200))
    # The English trade name (export catalogues, menus) and its alternatives separated by "|": shown to foreign
    # buyers and matched by search ("Beef omasum", "beef tripe|tripe|omasum").
    name_en: Mapped[str | None] = mapped_column(String(60))
    name_en_variants: Mapped[str | None] = mapped_column(String(300))
