"""Input shapes of brands and licences."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from hotpot.brands.models import HONORS
from hotpot.validation import Id, InputSchema


class BrandIn(InputSchema):
    level: Literal["regional_public", "cluster", "enterprise", "product"]
    name: str = Field(min_length=2, max_length=40)
    owner_body: str | None = Field(default=None, min_length=4, max_length=100)
    trademark_no: str | None = Field(default=None, max_length=20)
    nice_class: int | None = Field(default=None, ge=1, le=45)
    valid_until: date | None = None
    honors: list[str] = Field(default_factory=list, max_length=len(HONORS))
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("trademark_no")
    @classmethod
    def _trademark(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.replace(" ", "")
        if not re.fullmatch(r"\d{5,10}", v):
            raise ValueError("商标注册号应为 5-10 位数字（见商标注册证）")
        return v

    @field_validator("honors", mode="before")
    @classmethod
    def _honors(cls, v):
        v = [v] if isinstance(v, str) else (v or [])
        unknown = [h for h in v if h not in HONORS]
        if unknown:
            raise ValueError("请从列表中选择荣誉")
        return v


class LicenceIn(InputSchema):
    enterprise_id: Id
    since_on: date
    until_on: date | None = None


class RevokeIn(InputSchema):
    reason: str = Field(min_length=4, max_length=300)
