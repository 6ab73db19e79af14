"""Input shapes of inquiries and replies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from hotpot.validation import Id, InputSchema


class InquiryIn(InputSchema):
    product_id: Id | None = None
    quantity: Decimal = Field(gt=0, le=100_000_000, max_digits=12, decimal_places=2)
    unit: str = Field(min_length=1, max_length=10)
    target_price: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    price_unit: str | None = Field(default=None, max_length=10)
    delivery_city: str = Field(min_length=2, max_length=30)
    needed_by: date | None = None
    message: str = Field(min_length=5, max_length=2000)


class ReplyIn(InputSchema):
    body: str = Field(min_length=1, max_length=2000)
    quoted_price: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    quoted_unit: str | None = Field(default=None, max_length=10)
