"""Input shapes of inquiries and replies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, ValidationInfo, field_validator

from hotpot.validation import Id, InputSchema


class InquiryIn(InputSchema):
    product_id: Id | None = None
    quantity: Decimal = Field(gt=0, le=100_000_000, max_digits=12, decimal_places=2)
    unit: str = Field(min_length=1, max_length=10)
    target_price: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    # Checked even when left empty, so the missing unit shows in the same round as every other error.
    price_unit: str | None = Field(default=None, max_length=10, validate_default=True)
    delivery_city: str = Field(min_length=2, max_length=30)
    needed_by: date | None = None
    message: str = Field(min_length=5, max_length=2000)

    # Field validators, not checks after the schema: each runs whatever the other fields hold.
    @field_validator("needed_by")
    @classmethod
    def _not_past(cls, value: date | None) -> date | None:
        if value is not None and value < date.today():
            raise ValueError("需求日期不能早于今天")
        return value

    @field_validator("price_unit")
    @classmethod
    def _unit_with_price(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("target_price") is not None and not value:
            raise ValueError("填写了目标价时请选择价格单位")
        return value


class ReplyIn(InputSchema):
    body: str = Field(min_length=1, max_length=2000)
    quoted_price: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    quoted_unit: str | None = Field(default=None, max_length=10)
