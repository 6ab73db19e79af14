"""Enterprise pages assembled in one call: the public detail page and the producer's /my/enterprise workspace.

These pages show what an enterprise owns (products, bases, certificates, brands, inquiries), so this module imports
those domains; their records point at the enterprise, never back (tests/architecture allows exactly these edges).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotpot.bases import service as base_service
from hotpot.brands import service as brand_service
from hotpot.certificates import service as cert_service
from hotpot.enterprises import service
from hotpot.enterprises.checklist import checklist
from hotpot.enterprises.models import Enterprise
from hotpot.inquiries import service as inquiry_service
from hotpot.products import service as product_service


def _context(page) -> dict[str, Any]:
    return {name: getattr(page, name) for name in page.__dataclass_fields__}


@dataclass
class EnterpriseRecords:
    """Bases, certificates and brands of an enterprise (and the regional brands it may use)."""

    bases: list
    certificates: list
    brands: list
    licences: list

    def context(self) -> dict[str, Any]:
        return _context(self)


@dataclass(frozen=True)
class Holdings:
    """Which of an enterprise's lists hold anything (unknown: True, load it), and its inquiry reply time."""

    bases: bool = True
    certificates: bool = True
    brands: bool = True
    licences: bool = True
    reply_hours: float | None = None


def records(
    session: Session, *, enterprise: Enterprise, public_only: bool, held: Holdings | None = None
) -> EnterpriseRecords:
    """What an enterprise owns besides products, all or only the public ones. With `held` (what holdings() found),
    only the lists it says are not empty are loaded."""
    held = held or Holdings()
    return EnterpriseRecords(
        bases=base_service.of_enterprise(session, enterprise=enterprise, public_only=public_only) if held.bases else [],
        certificates=(
            cert_service.of_enterprise(session, enterprise=enterprise, public_only=public_only)
            if held.certificates
            else []
        ),
        brands=brand_service.of_enterprise(session, enterprise=enterprise) if held.brands else [],
        licences=brand_service.licensed_to(session, enterprise=enterprise) if held.licences else [],
    )


def holdings(session: Session, *, enterprise: Enterprise, public_only: bool) -> Holdings:
    """One statement for what the public page asks of four domains: whether each list is empty, and the median
    reply time. Most enterprises have no base, brand or licence: their page does not run a query for each
    (issue 12: every statement costs some 0.4 ms of Python and as much of PostgreSQL, whatever it returns)."""
    row = session.execute(
        select(
            base_service.any_of_enterprise(enterprise.id, public_only=public_only),
            cert_service.any_of_enterprise(enterprise.id, public_only=public_only),
            brand_service.any_of_enterprise(enterprise.id),
            brand_service.any_licence_of(enterprise.id),
            inquiry_service.median_first_reply_seconds(enterprise.id),
        )
    ).one()
    bases, certificates, brands, licences, seconds = row
    return Holdings(bases, certificates, brands, licences, inquiry_service.hours(seconds))


@dataclass
class EnterpriseDetail:
    enterprise: Enterprise
    products: list
    reply_hours: float | None
    records: EnterpriseRecords

    def context(self) -> dict[str, Any]:
        return {
            "enterprise": self.enterprise,
            "products": self.products,
            "reply_hours": self.reply_hours,
            **self.records.context(),
        }


def detail_page(session: Session, *, viewer, enterprise: Enterprise) -> EnterpriseDetail:
    """The enterprise's page for this viewer (None: no such enterprise, or not visible to them); its own producers
    and staff also see what is not public yet."""
    public_only = not (service.can_manage(viewer, enterprise) or service.is_staff(viewer))
    held = holdings(session, enterprise=enterprise, public_only=public_only)
    return EnterpriseDetail(
        enterprise=enterprise,
        products=product_service.of_enterprise(session, enterprise=enterprise, public_only=public_only),
        reply_hours=held.reply_hours,
        records=records(session, enterprise=enterprise, public_only=public_only, held=held),
    )


@dataclass
class Dashboard:
    enterprise: Enterprise
    products: list
    checklist: Any
    records: EnterpriseRecords
    members: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    is_owner: bool = False

    def context(self) -> dict[str, Any]:
        page = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "records"}
        return {**page, **self.records.context()}


def dashboard_page(session: Session, *, user, enterprise: Enterprise) -> Dashboard:
    """The producer's workspace: everything of the enterprise, its registration checklist, members, invitations."""
    return Dashboard(
        enterprise=enterprise,
        products=product_service.of_enterprise(session, enterprise=enterprise, public_only=False),
        checklist=checklist(session, enterprise=enterprise),
        records=records(session, enterprise=enterprise, public_only=False),
        members=service.members(session, enterprise=enterprise),
        invitations=service.invitations(session, enterprise=enterprise),
        is_owner=service.is_owner(user, enterprise),
    )
