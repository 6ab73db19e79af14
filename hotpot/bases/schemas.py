"""Input shapes of bases and product sources."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from hotpot.enterprises import codes
from hotpot.validation import Id, InputSchema


class BaseIn(InputSchema):
    name: str = Field(min_length=2, max_length=60)
    operator_name: str | None = Field(default=None, min_length=2, max_length=100)
    operator_uscc: str | None = Field(default=None, max_length=40)
    town: str = Field(max_length=9)
    kind: Literal["planting", "breeding", "aquaculture"]
    produce: str = Field(min_length=1, max_length=20)
    area_mu: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=1)
    stock_heads: int | None = Field(default=None, ge=0, le=100_000_000)
    annual_output_t: Decimal | None = Field(default=None, ge=0, le=100_000_000, max_digits=12, decimal_places=1)
    standard_level: Literal["none", "district", "municipal", "national"] = "none"
    latitude: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("operator_uscc")
    @classmethod
    def _uscc(cls, v: str | None) -> str | None:
        if v is None:
            return None
        code = codes.normalize_uscc(v)
        problem = codes.uscc_problem(code)
        if problem:
            raise ValueError(problem)
        return code


class SourceIn(InputSchema):
    base_id: Id
    share_pct: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)
