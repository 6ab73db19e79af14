"""brand and brand_licence: who owns a brand, and which enterprises may use a regional or cluster brand."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.enterprises.models import Enterprise, EnterpriseStatus

BRAND_LEVELS = {
    "regional_public": "区域公用品牌",
    "cluster": "集群品牌",
    "enterprise": "企业品牌",
    "product": "产品品牌",
}
# Regional public and cluster brands belong to public bodies and are licensed to enterprises by the committee.
LICENSABLE = ("regional_public", "cluster")
HONORS = ("中华老字号", "重庆老字号", "重庆市著名商标", "地理标志证明商标", "农产品地理标志", "绿色食品", "名优农产品")


class Brand(Versioned, TimestampMixin, Base):
    __tablename__ = "brand"
    # What the audit log records of a brand (hotpot/changes.py).
    audit_entity = "brand"
    audit_fields = (
        "level",
        "name",
        "owner_enterprise_id",
        "owner_body",
        "trademark_no",
        "nice_class",
        "valid_until",
        "honors",
        "description",
    )
    __table_args__ = (
        CheckConstraint("nice_class IS NULL OR (nice_class BETWEEN 1 AND 45)", name="nice_class_range"),
        CheckConstraint("(owner_enterprise_id IS NULL) <> (owner_body IS NULL)", name="one_owner"),
        Index(None, "level"),
        Index(None, "owner_enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    owner_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    owner_body: Mapped[str | None] = mapped_column(String(100))
    trademark_no: Mapped[str | None] = mapped_column(String(20))
    nice_class: Mapped[int | None]
    valid_until: Mapped[date | None]
    honors: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    logo_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    owner_enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")

    @property
    def level_label(self) -> str:
        return BRAND_LEVELS[self.level]

    @property
    def owner_label(self) -> str:
        return self.owner_enterprise.name if self.owner_enterprise else (self.owner_body or "—")

    @property
    def honor_list(self) -> list[str]:
        return [h for h in (self.honors or "").split("|") if h]

    @property
    def is_licensable(self) -> bool:
        return self.level in LICENSABLE

    @property
    def is_public(self) -> bool:
        return self.owner_enterprise is None or self.owner_enterprise.status == EnterpriseStatus.verified


class BrandLicence(Base):
    """An enterprise's right to use a regional or cluster brand: granted, possibly revoked, never deleted."""

    __tablename__ = "brand_licence"
    __table_args__ = (
        CheckConstraint("until_on IS NULL OR until_on >= since_on", name="dates_order"),
        Index(None, "brand_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    since_on: Mapped[date]
    until_on: Mapped[date | None]
    granted_at: Mapped[datetime]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    brand: Mapped[Brand] = relationship(lazy="joined", innerjoin=True)

    def active(self, today: date | None = None) -> bool:
        today = today or date.today()
        return self.revoked_at is None and self.since_on <= today and (self.until_on is None or self.until_on >= today)
