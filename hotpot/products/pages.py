"""Product pages assembled in one call: the detail page and the producer's product form, for the route to render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotpot.bases import service as base_service
from hotpot.brands import service as brand_service
from hotpot.certificates import service as cert_service
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.products import media
from hotpot.products.models import Product
from hotpot.reference import service as reference


def _context(page) -> dict[str, Any]:
    return {name: getattr(page, name) for name in page.__dataclass_fields__}


@dataclass
class ProductDetail:
    product: Product
    can_edit: bool
    photos: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    brand: Any = None

    def context(self) -> dict[str, Any]:
        return _context(self)


def detail_page(session: Session, *, viewer, product: Product) -> ProductDetail:
    """What a product's page shows to this viewer: photos, raw-material sources, certificates, brand (None: no
    such product, or not visible to them)."""
    manager = enterprise_service.can_manage(viewer, product.enterprise)
    public_only = not (manager or enterprise_service.is_staff(viewer))
    return ProductDetail(
        product=product,
        can_edit=manager,
        photos=media.photos_of(session, product=product),
        sources=base_service.sources(session, product=product),
        certificates=cert_service.of_product(session, product=product, public_only=public_only),
        brand=brand_service.get(session, brand_id=product.brand_id) if product.brand_id else None,
    )


@dataclass
class ProductForm:
    """The choices of the product form (new or edit); the photos and sources of a product being edited."""

    product: Product | None
    kinds: list
    brands: list
    photos: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    base_choices: list = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return _context(self)


def form_page(session: Session, *, user, product: Product | None = None) -> ProductForm:
    """The form's choices for the user's enterprise (or the edited product's)."""
    enterprise: Enterprise | None = product.enterprise if product else enterprise_service.of_user(session, user)
    brands = brand_service.brand_choices(session, enterprise=enterprise)
    return ProductForm(
        product=product,
        kinds=reference.category_tree(session),
        brands=[(str(b.id), f"{b.name}（{b.level_label}）") for b in brands],
        photos=media.photos_of(session, product=product) if product else [],
        sources=base_service.sources(session, product=product) if product else [],
        base_choices=base_service.source_choices(session, enterprise=enterprise) if product else [],
    )
