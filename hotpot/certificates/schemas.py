"""Input and output shapes of certificates."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from hotpot.enterprises import codes
from hotpot.validation import InputSchema

CertKind = Literal[
    "sc",
    "green_food",
    "organic",
    "agri_gi",
    "gi_product",
    "haccp",
    "iso22000",
    "china_time_honored",
    "cq_time_honored",
    "export_record",
    "other",
]


# Kinds whose certificates always expire: a missing "valid until" is a mistake.
EXPIRING_KINDS = frozenset({"sc", "green_food", "organic", "haccp", "iso22000", "export_record"})


class CertificateIn(InputSchema):
    holder: str = Field(max_length=30)  # "enterprise", "product:<id>" or "base:<id>"
    kind: CertKind
    kind_other: str | None = Field(default=None, max_length=50, validate_default=True)
    number: str = Field(min_length=3, max_length=60)
    issuer: str = Field(min_length=2, max_length=100)
    issued_on: date | None = None
    valid_until: date | None = Field(default=None, validate_default=True)

    # Field validators, not a check after the schema: each runs whatever the other fields hold, so every error of
    # the form comes back in one round. They read only fields declared above them.
    @field_validator("kind_other")
    @classmethod
    def _other_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind") == "other":
            if not value:
                raise ValueError("选择“其他”时请填写证书名称")
            return value
        return None

    @field_validator("number")
    @classmethod
    def _sc_number(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") != "sc":
            return value
        number = codes.normalize_sc(value)
        problem = codes.sc_problem(number)
        if problem:
            raise ValueError(problem)
        return number

    @field_validator("issued_on")
    @classmethod
    def _issued_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("发证日期不能晚于今天")
        return value

    @field_validator("valid_until")
    @classmethod
    def _valid_until(cls, value: date | None, info: ValidationInfo) -> date | None:
        issued_on = info.data.get("issued_on")
        if value is None and info.data.get("kind") in EXPIRING_KINDS:
            raise ValueError("此类证书有有效期，请填写“有效期至”")
        if value is not None and issued_on is not None and value <= issued_on:
            raise ValueError("有效期至应晚于发证日期")
        return value


class CertificateRead(BaseModel):
    id: int
    enterprise_id: int
    holder_type: str
    product_id: int | None
    base_id: int | None
    kind: str
    kind_label: str
    number: str
    issuer: str
    issued_on: date | None
    valid_until: date | None
    verification: str
    state: str
    sc_food_class: str | None = None
    sc_division: str | None = None
    has_scan: bool

    @classmethod
    def of(cls, c) -> CertificateRead:
        sc = c.sc
        return cls(
            id=c.id,
            enterprise_id=c.enterprise_id,
            holder_type=c.holder_type,
            product_id=c.product_id,
            base_id=c.base_id,
            kind=c.kind,
            kind_label=c.kind_label,
            number=c.number,
            issuer=c.issuer,
            issued_on=c.issued_on,
            valid_until=c.valid_until,
            verification=c.verification,
            state=c.state(),
            sc_food_class=sc.food_class if sc else None,
            sc_division=sc.division if sc else None,
            has_scan=c.scan_file_id is not None,
        )
