"""Input and output shapes of certificates."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

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


class CertificateIn(InputSchema):
    holder: str = Field(max_length=30)  # "enterprise", "product:<id>" or "base:<id>"
    kind: CertKind
    kind_other: str | None = Field(default=None, max_length=50)
    number: str = Field(min_length=3, max_length=60)
    issuer: str = Field(min_length=2, max_length=100)
    issued_on: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _other(self) -> CertificateIn:
        self.number = self.number.replace(" ", "").replace("\u3000", "") if self.kind == "sc" else self.number
        return self


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


class CertificatePage(BaseModel):
    items: list[CertificateRead]
    total: int
    page: int
    page_size: int
