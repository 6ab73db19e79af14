"""Input shapes of an application (申报): the producer's form, the choice of product, the staff's screening."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field, field_validator

from hotpot.validation import Id, InputSchema

# NUMERIC(14, 2): at most 12 digits before the point. The form says so in Chinese rather than failing in PostgreSQL.
MAX_FIGURE = Decimal("999999999999.99")
FIGURE = {"ge": 0, "le": MAX_FIGURE, "max_digits": 14, "decimal_places": 2}


def _number(value: Any) -> Any:
    """Full-width digits typed with a Chinese input method and thousands separators count; inf/NaN do not."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).replace(",", "").replace("，", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("请输入数字") from None
    if not number.is_finite():
        raise ValueError("请输入数字")
    if abs(number) > MAX_FIGURE:
        raise ValueError("数值过大：最多 12 位整数、2 位小数")
    return text


class ApplyIn(InputSchema):
    product_id: Id


class CandidateIn(InputSchema):
    pitch: str | None = Field(default=None, max_length=2000)
    target_markets: str | None = Field(default=None, max_length=300)
    channels: str | None = Field(default=None, max_length=300)
    sales_wan: Decimal | None = Field(default=None, **FIGURE)
    volume_t: Decimal | None = Field(default=None, **FIGURE)
    capacity_t: Decimal | None = Field(default=None, **FIGURE)
    local_share_pct: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)
    local_share_note: str | None = Field(default=None, max_length=300)
    brand_id: Id | None = None
    certificate_ids: list[Id] = Field(default_factory=list, max_length=50)

    @field_validator("sales_wan", "volume_t", "capacity_t", "local_share_pct", mode="before")
    @classmethod
    def _figures(cls, value: Any) -> Any:
        return _number(value)

    @field_validator("certificate_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class FileIn(InputSchema):
    label: str = Field(min_length=2, max_length=60)


class ScreeningIn(InputSchema):
    action: Literal["pass", "return", "reject"]
    reason: str | None = Field(default=None, max_length=500)
