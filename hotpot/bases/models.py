"""base and product_source: the raw-material bases an enterprise runs or buys from, and products' shares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.enterprises.models import STAFF, Enterprise, EnterpriseStatus
from hotpot.reference.models import Town
from hotpot.workflow import LabeledEnum, Transition, Workflow, state_type

BASE_KINDS = {"planting": "种植", "breeding": "养殖", "aquaculture": "水产养殖"}
PRODUCE = {
    "planting": ["辣椒", "花椒", "魔芋", "黄豆", "豌豆", "蔬菜", "油菜籽", "红薯", "莲藕", "食用菌"],
    "breeding": ["生猪", "肉牛", "鸭", "鹅", "鸡"],
    "aquaculture": ["鱼", "虾", "稻田鱼", "小龙虾"],
}
STANDARD_LEVELS = {
    "none": "未评定",
    "district": "区级标准化基地",
    "municipal": "市级标准化基地",
    "national": "国家级标准化基地",
}


class BaseStatus(LabeledEnum):
    pending = "pending", "待审核"
    verified = "verified", "已认证"
    rejected = "rejected", "已退回"


BASE_STATUSES = BaseStatus.labels()  # {value: label}, for the desk's tabs and the audit log's values

# The committee's verification of a base (hotpot/verification/); the producer's edit sends it back to pending in
# hotpot/bases/service.py. A decided base may be refused again with a new reason.
BASE_WORKFLOW = Workflow(
    entity="base",
    states=BaseStatus,
    transitions=(
        Transition(
            "verify",
            source={BaseStatus.pending, BaseStatus.rejected},
            target=BaseStatus.verified,
            label="核验通过",
            roles=STAFF,
            blocked="该基地已认证",
        ),
        Transition(
            "reject",
            source=BaseStatus,
            target=BaseStatus.rejected,
            label="退回",
            roles=STAFF,
            reason_required=True,
            reason_message="退回或暂停时请填写原因（至少 4 个字），企业会看到这段说明",
            style="danger",
        ),
    ),
    changed_by_field=None,
)
# Chongqing's bounding box (WGS-84): a base's location must fall inside it.
CHONGQING_LAT = (28.16, 32.21)
CHONGQING_LON = (105.28, 110.20)


class RawBase(Versioned, TimestampMixin, Base):
    __tablename__ = "base"
    workflow = BASE_WORKFLOW
    # What the audit log records of a base (hotpot/changes.py).
    audit_entity = "base"
    audit_fields = (
        "name",
        "operator_name",
        "operator_uscc",
        "town_code",
        "kind",
        "produce",
        "area_mu",
        "stock_heads",
        "annual_output_t",
        "standard_level",
        "latitude",
        "longitude",
        "description",
        "status",
        "status_reason",
    )
    __table_args__ = (
        CheckConstraint("area_mu IS NULL OR area_mu >= 0", name="area_non_negative"),
        CheckConstraint("stock_heads IS NULL OR stock_heads >= 0", name="stock_non_negative"),
        CheckConstraint("annual_output_t IS NULL OR annual_output_t >= 0", name="output_non_negative"),
        Index(None, "status", "kind"),
        Index(None, "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The enterprise that put the base on record and manages it on the platform.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    # Who runs it, when not the enterprise itself (a cooperative, with its own credit code).
    operator_name: Mapped[str | None] = mapped_column(String(100))
    operator_uscc: Mapped[str | None] = mapped_column(String(18))
    town_code: Mapped[str] = mapped_column(ForeignKey("town.code"))
    kind: Mapped[str] = mapped_column(String(12))
    produce: Mapped[str] = mapped_column(String(20))
    area_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    stock_heads: Mapped[int | None]
    annual_output_t: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    standard_level: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[BaseStatus] = mapped_column(
        state_type(BaseStatus, 10), default=BaseStatus.pending, server_default="pending"
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    town: Mapped[Town] = relationship(lazy="joined", innerjoin=True)

    @property
    def kind_label(self) -> str:
        return BASE_KINDS[self.kind]

    @property
    def standard_label(self) -> str:
        return STANDARD_LEVELS[self.standard_level]

    @property
    def status_label(self) -> str:
        return BaseStatus.label_of(self.status)

    @property
    def is_verified(self) -> bool:
        return self.status == BaseStatus.verified

    @property
    def operator_label(self) -> str:
        return self.operator_name or self.enterprise.name

    @property
    def is_public(self) -> bool:
        return self.status == BaseStatus.verified and self.enterprise.status == EnterpriseStatus.verified


class ProductSource(Base):
    """A product's raw material from a base, with the share (%) of that material; shares total at most 100."""

    __tablename__ = "product_source"
    __table_args__ = (CheckConstraint("share_pct > 0 AND share_pct <= 100", name="share_range"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id", ondelete="CASCADE"), primary_key=True, index=True)
    share_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    base: Mapped[RawBase] = relationship(lazy="joined", innerjoin=True)


class BasePhoto(Base):
    """Up to eight photos of a base (fields, barns, ponds), re-encoded, each with a thumbnail."""

    __tablename__ = "base_photo"
    __table_args__ = (Index(None, "base_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id", ondelete="CASCADE"))
    position: Mapped[int]
    image_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    thumb_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
