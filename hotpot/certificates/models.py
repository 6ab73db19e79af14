"""certificate: held by an enterprise, one of its products or one of its bases; verified by the committee."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.bases.models import RawBase
from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product

CERT_KINDS = {
    "sc": "SC 食品生产许可证",
    "green_food": "绿色食品",
    "organic": "有机产品",
    "agri_gi": "农产品地理标志",
    "gi_product": "地理标志保护产品",
    "haccp": "HACCP 体系认证",
    "iso22000": "ISO 22000 体系认证",
    "china_time_honored": "中华老字号",
    "cq_time_honored": "重庆老字号",
    "export_record": "出口食品生产企业备案",
    "other": "其他",
}
HOLDER_TYPES = {"enterprise": "企业", "product": "产品", "base": "基地"}
VERIFICATION = {"unverified": "待核验", "verified": "已核验", "rejected": "核验未通过"}
EXPIRING_DAYS = 60


class Certificate(Versioned, TimestampMixin, Base):
    __tablename__ = "certificate"
    # What the audit log records of a certificate (hotpot/changes.py).
    audit_entity = "certificate"
    audit_fields = (
        "holder_type",
        "product_id",
        "base_id",
        "kind",
        "kind_other",
        "number",
        "issuer",
        "issued_on",
        "valid_until",
        "scan_file_id",
        "verification",
        "verification_note",
    )
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR issued_on IS NULL OR valid_until > issued_on", name="dates_order"),
        CheckConstraint(
            "(holder_type = 'enterprise' AND product_id IS NULL AND base_id IS NULL)"
            " OR (holder_type = 'product' AND product_id IS NOT NULL AND base_id IS NULL)"
            " OR (holder_type = 'base' AND base_id IS NOT NULL AND product_id IS NULL)",
            name="holder_consistent",
        ),
        Index(None, "enterprise_id"),
        Index(None, "product_id"),
        Index(None, "base_id"),
        Index(None, "verification", "kind"),
        Index(None, "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every certificate belongs to an enterprise's records, whoever among them holds it.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    holder_type: Mapped[str] = mapped_column(String(10))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    base_id: Mapped[int | None] = mapped_column(ForeignKey("base.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    kind_other: Mapped[str | None] = mapped_column(String(50))
    number: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date | None]
    valid_until: Mapped[date | None]
    scan_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    verification: Mapped[str] = mapped_column(String(12), default="unverified", server_default="unverified")
    verification_note: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    # Loaded for a whole list at once (holder_label is shown on every row of a certificate table).
    product: Mapped[Product | None] = relationship(lazy="selectin")
    base: Mapped[RawBase | None] = relationship(lazy="selectin")

    @property
    def kind_label(self) -> str:
        return self.kind_other if self.kind == "other" and self.kind_other else CERT_KINDS[self.kind]

    @property
    def holder_label(self) -> str:
        if self.holder_type == "product" and self.product is not None:
            return f"产品：{self.product.name}"
        if self.holder_type == "base" and self.base is not None:
            return f"基地：{self.base.name}"
        return "本企业"

    def state(self, today: date | None = None) -> str:
        """valid / expiring (within 60 days) / expired / unverified — what everyone sees next to it."""
        today = today or date.today()
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        if self.verification != "verified":
            return "unverified"
        if self.valid_until is not None and (self.valid_until - today).days <= EXPIRING_DAYS:
            return "expiring"
        return "valid"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state()]

    @property
    def sc(self):
        """The SC number decoded (kind, food class, division), or None for other certificates."""
        if self.kind != "sc":
            return None
        from hotpot.enterprises.codes import parse_sc

        try:
            return parse_sc(self.number)
        except ValueError:
            return None


STATE_LABELS = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "unverified": "待核验"}
