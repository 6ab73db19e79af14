"""Raw-material base pages assembled in one call: the detail page, for the route to render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotpot.bases import service
from hotpot.bases.models import RawBase
from hotpot.certificates import service as cert_service
from hotpot.enterprises import service as enterprise_service


@dataclass
class BaseDetail:
    base: RawBase
    can_edit: bool
    photos: list = field(default_factory=list)
    certificates: list = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def detail_page(session: Session, *, viewer, base: RawBase) -> BaseDetail:
    """A base's page for this viewer (None: no such base, or not visible to them); its operator's producers and
    staff also see certificates not yet public."""
    manager = enterprise_service.can_manage(viewer, base.enterprise)
    public_only = not (manager or enterprise_service.is_staff(viewer))
    return BaseDetail(
        base=base,
        can_edit=manager,
        photos=service.photos_of(session, base=base),
        certificates=cert_service.of_base(session, base=base, public_only=public_only),
    )
