"""Input and output shapes of enterprises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from hotpot.enterprises import codes
from hotpot.validation import InputSchema, normalize_phone


class EnterpriseIn(InputSchema):
    """What a producer fills in; status, owner and verification are not here, so they cannot be posted."""

    uscc: str = Field(max_length=40)
    name: str = Field(min_length=4, max_length=100)
    short_name: str | None = Field(default=None, max_length=30)
    legal_representative: str = Field(min_length=2, max_length=30)
    town: str = Field(max_length=9)  # a town code, or "outside"
    outside_address: str | None = Field(default=None, max_length=200)
    park_group: Literal["nanxi", "longshi", "wuzun", "none"] = "none"
    address: str = Field(min_length=4, max_length=200)
    contact_person: str = Field(min_length=2, max_length=30)
    phone: str = Field(max_length=30)
    scale: Literal["above", "below"]
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    annual_capacity_t: Decimal | None = Field(default=None, ge=0, le=100_000_000, max_digits=12, decimal_places=1)
    founded_on: date | None = None
    chain_links: list[str] = Field(min_length=1, max_length=8)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str) -> str:
        code = codes.normalize_uscc(v)
        problem = codes.uscc_problem(code)
        if problem:
            raise ValueError(problem)
        return code

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return normalize_phone(v)

    @field_validator("chain_links", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("founded_on")
    @classmethod
    def _founded(cls, v: date | None) -> date | None:
        if v is not None and not date(1900, 1, 1) <= v <= date.today():
            raise ValueError("成立日期应在 1900 年之后且不晚于今天")
        return v


class EnterpriseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    name: str
    short_name: str | None
    legal_representative: str
    town_code: str | None
    town_name: str | None
    outside_address: str | None
    park_group: str
    address: str
    contact_person: str
    phone: str
    scale: str
    employees: int | None
    annual_capacity_t: Decimal | None
    founded_on: date | None
    chain_links: list[str]
    description: str | None
    status: str
    status_reason: str | None
    is_demo: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, e) -> EnterpriseRead:
        return cls.model_validate(
            {
                **{k: getattr(e, k) for k in cls.model_fields if hasattr(e, k) and k != "chain_links"},
                "town_name": e.town.name if e.town else None,
                "chain_links": [c.code for c in e.chain_links],
            }
        )


class InviteIn(InputSchema):
    email: EmailStr = Field(max_length=254)


class StatusChangeIn(InputSchema):
    action: Literal["verify", "reject", "suspend", "reinstate"]
    reason: str | None = Field(default=None, max_length=500)
