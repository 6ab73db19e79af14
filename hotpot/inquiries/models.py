"""inquiry and inquiry_message: who asked whom for what, and what each side wrote."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.auth.models import User
from hotpot.db import Base
from hotpot.enterprises.models import Enterprise
from hotpot.products.models import Product

INQUIRY_STATUSES = {"open": "待报价", "quoted": "已报价", "closed": "已关闭"}


class Inquiry(Base):
    __tablename__ = "inquiry"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_price IS NULL OR target_price >= 0", name="target_price_non_negative"),
        Index(None, "buyer_id", "created_at"),
        Index(None, "enterprise_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(10))
    target_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_unit: Mapped[str | None] = mapped_column(String(10))
    delivery_city: Mapped[str] = mapped_column(String(30))
    needed_by: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The enterprise's first answer: the platform shows each enterprise's median time to it.
    first_reply_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime] = mapped_column(server_default=func.now())
    buyer_read_at: Mapped[datetime | None]
    enterprise_read_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id], lazy="joined", innerjoin=True)
    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    product: Mapped[Product | None] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return INQUIRY_STATUSES[self.status]


class InquiryMessage(Base):
    __tablename__ = "inquiry_message"
    __table_args__ = (Index(None, "inquiry_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))  # buyer / enterprise
    body: Mapped[str] = mapped_column(Text)
    quoted_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    quoted_unit: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    author: Mapped[User | None] = relationship(lazy="joined")
