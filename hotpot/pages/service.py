"""What the public pages show: the platform's own live figures and the service's health."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from hotpot import __version__
from hotpot.bases.models import BaseStatus, RawBase
from hotpot.brands.models import Brand
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.products.models import Product
from hotpot.reference import service as reference
from hotpot.reference.models import ProductCategory
from hotpot.search import service as search_service


@dataclass(frozen=True)
class Figures:
    """Counts of what the public can see on the platform now."""

    enterprises: int
    products: int
    bases: int
    brands: int
    categories: int


# The district's published figures for 2024 (合川区火锅食材产业, as quoted in its action plan): shown only labelled so.
DISTRICT_2024 = {"bases": 1554, "enterprises": 342, "categories": 230, "brands": 70}


def figures(session: Session) -> Figures:
    """Public enterprises, public products, verified bases, public brands and sub-categories, in one query."""

    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    public_brand = or_(
        Brand.owner_enterprise_id.is_(None),
        Brand.owner_enterprise_id.in_(select(Enterprise.id).where(Enterprise.status == EnterpriseStatus.verified)),
    )
    row = session.execute(
        select(
            count(Enterprise, Enterprise.status == EnterpriseStatus.verified),
            count(Product, Product.is_public),
            count(RawBase, RawBase.status == BaseStatus.verified),
            count(Brand, public_brand),
            count(ProductCategory, ProductCategory.parent_code.is_not(None)),
        )
    ).one()
    return Figures(*row)


@dataclass(frozen=True)
class Health:
    database_ms: float
    index: search_service.IndexStatus
    version: str

    @property
    def ok(self) -> bool:
        return not self.index.needs_reindex and self.index.stored_version is not None


def health(session: Session) -> Health:
    """The database's answer time, the search index's state and the running version.

    A database that does not answer never gets here: the request's session fails first and the 503 page answers.
    """
    started = time.perf_counter()
    session.execute(text("SELECT 1"))
    elapsed = (time.perf_counter() - started) * 1000
    return Health(database_ms=elapsed, index=search_service.status(session), version=__version__)


@dataclass(frozen=True)
class HomePage:
    figures: Figures
    kinds: list  # reference.Kind: the six kinds with their sub-categories, linked to the catalogue


def home(session: Session) -> HomePage:
    """What the home page shows: live figures and the six kinds."""
    return HomePage(figures=figures(session), kinds=reference.category_tree(session))
