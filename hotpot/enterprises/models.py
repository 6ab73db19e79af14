"""enterprise and its chain links; producer accounts point at their enterprise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.auth.models import Role
from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.reference.models import ChainLink, Town
from hotpot.workflow import LabeledEnum, Transition, Workflow, roles, state_type

PARK_GROUPS = {"nanxi": "南溪组团", "longshi": "龙市组团", "wuzun": "五尊组团", "none": "不在园区"}
SCALES = {"above": "规上企业", "below": "规下企业"}


class EnterpriseStatus(LabeledEnum):
    pending = "pending", "待审核"
    verified = "verified", "已认证"
    rejected = "rejected", "已退回"
    suspended = "suspended", "已暂停"


STATUSES = EnterpriseStatus.labels()  # {value: label}, for the desk's tabs and the audit log's values
STAFF = roles(Role.admin, Role.reviewer)
# The producer reads the reason next to the record.
REASON_MESSAGE = "退回或暂停时请填写原因（至少 4 个字），企业会看到这段说明"


def _clear_verified_identity(enterprise: Enterprise, _actor: object) -> None:
    """Verified again: the name and code kept from the last verification are no longer needed."""
    enterprise.verified_name = None
    enterprise.verified_uscc = None


# The committee's verification of an enterprise (hotpot/verification/); the producer's edit sends it back to
# pending in hotpot/enterprises/service.py.
ENTERPRISE_WORKFLOW = Workflow(
    entity="enterprise",
    states=EnterpriseStatus,
    transitions=(
        Transition(
            "verify",
            source={EnterpriseStatus.pending, EnterpriseStatus.rejected, EnterpriseStatus.suspended},
            target=EnterpriseStatus.verified,
            label="认证通过",
            roles=STAFF,
            effect=_clear_verified_identity,
        ),
        Transition(
            "reject",
            source={EnterpriseStatus.pending},
            target=EnterpriseStatus.rejected,
            label="退回修改",
            roles=STAFF,
            reason_required=True,
            reason_message=REASON_MESSAGE,
            style="danger",
        ),
        Transition(
            "suspend",
            source={EnterpriseStatus.verified},
            target=EnterpriseStatus.suspended,
            label="暂停公开展示",
            roles=STAFF,
            reason_required=True,
            reason_message=REASON_MESSAGE,
            style="danger",
        ),
        Transition(
            "reinstate",
            source={EnterpriseStatus.suspended},
            target=EnterpriseStatus.verified,
            label="恢复公开展示",
            roles=STAFF,
            style="ghost",
            effect=_clear_verified_identity,
        ),
    ),
)

enterprise_chain_link = Table(
    "enterprise_chain_link",
    Base.metadata,
    Column("enterprise_id", ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("chain_link_code", ForeignKey("chain_link.code"), primary_key=True),
)


class Enterprise(Versioned, TimestampMixin, Base):
    __tablename__ = "enterprise"
    workflow = ENTERPRISE_WORKFLOW
    # What the audit log records of an enterprise (hotpot/changes.py).
    audit_entity = "enterprise"
    audit_fields = (
        "uscc",
        "name",
        "short_name",
        "legal_representative",
        "town_code",
        "outside_address",
        "park_group",
        "address",
        "contact_person",
        "phone",
        "scale",
        "employees",
        "annual_capacity_t",
        "founded_on",
        ("chain_links", lambda e: [c.code for c in e.chain_links]),
        "description",
        "status",
        "status_reason",
        "licence_file_id",
    )
    __table_args__ = (
        Index(None, "status", "town_code"),
        Index("ix_enterprise_verified_name", "name", postgresql_where=text(f"status = '{EnterpriseStatus.verified}'")),
        # Location filters of the catalogue read enterprise ids by town or park group from the index alone.
        Index("ix_enterprise_town_code_id", "town_code", "id"),
        Index("ix_enterprise_park_group_id", "park_group", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str | None] = mapped_column(String(30))
    legal_representative: Mapped[str] = mapped_column(String(30))
    # NULL town means outside Hechuan; outside_address says where.
    town_code: Mapped[str | None] = mapped_column(ForeignKey("town.code"))
    outside_address: Mapped[str | None] = mapped_column(String(200))
    park_group: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    address: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(20))
    scale: Mapped[str] = mapped_column(String(10))
    employees: Mapped[int | None]
    annual_capacity_t: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    founded_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    logo_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    # The business licence (营业执照) scan, PDF or image: only the enterprise and staff see it.
    licence_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))

    status: Mapped[EnterpriseStatus] = mapped_column(
        state_type(EnterpriseStatus, 10), default=EnterpriseStatus.pending, server_default="pending"
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Name and code as they were verified, kept while a changed name/code waits for review again.
    verified_name: Mapped[str | None] = mapped_column(String(100))
    verified_uscc: Mapped[str | None] = mapped_column(String(18))

    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    town: Mapped[Town | None] = relationship(lazy="joined")
    chain_links: Mapped[list[ChainLink]] = relationship(
        secondary=enterprise_chain_link, lazy="select", order_by=ChainLink.position
    )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def status_label(self) -> str:
        return EnterpriseStatus.label_of(self.status)

    @property
    def chain_link_codes(self) -> list[str]:
        return [c.code for c in self.chain_links]

    @property
    def park_group_label(self) -> str:
        return PARK_GROUPS.get(self.park_group, "—")

    @property
    def scale_label(self) -> str:
        return SCALES.get(self.scale, "—")

    @property
    def location_label(self) -> str:
        return self.town.name if self.town else "合川区外"

    @property
    def is_public(self) -> bool:
        return self.status == EnterpriseStatus.verified


class EnterpriseInvitation(Base):
    """The owner of an enterprise invites a colleague's producer account (by e-mail) to join it."""

    __tablename__ = "enterprise_invitation"
    __table_args__ = (Index(None, "email"), Index(None, "enterprise_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
