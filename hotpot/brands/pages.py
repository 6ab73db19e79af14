"""Brand pages assembled in one call: the detail page's records, for the route to render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.brands import service
from hotpot.brands.models import Brand
from hotpot.enterprises import service as enterprise_service


@dataclass
class BrandDetail:
    brand: Brand
    licences: list = field(default_factory=list)
    products: list = field(default_factory=list)
    licensee_products: list = field(default_factory=list)
    can_edit: bool = False
    can_license: bool = False
    # Verified enterprises a licence may be granted to (staff on a licensable brand only).
    enterprises: list = field(default_factory=list)
    history: list = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def detail_of(session: Session, *, viewer, brand: Brand) -> BrandDetail:
    """What the brand's page shows to this viewer: licences and licensees, products, the staff's tools and history."""
    staff = enterprise_service.is_staff(viewer)
    licensable = brand.is_licensable
    return BrandDetail(
        brand=brand,
        licences=service.licences(session, brand=brand) if licensable else [],
        products=service.products_of(session, brand=brand),
        licensee_products=service.licensee_products(session, brand=brand) if licensable else [],
        can_edit=service.can_edit(viewer, brand),
        can_license=staff and licensable,
        enterprises=service.licence_candidates(session) if staff and licensable else [],
        history=audit.timeline(session, entity_type="brand", entity_id=brand.id) if staff else [],
    )
