"""Input shapes of incubation: milestones, their check, support, progress updates, graduation and ending a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from hotpot.validation import InputSchema

KPI = Literal["sales", "outlets", "certification", "brand", "export", "other"]


class MilestoneIn(InputSchema):
    title: str = Field(min_length=2, max_length=100)
    due_on: date
    kpi: KPI
    target_value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    target_unit: str | None = Field(default=None, max_length=10, validate_default=True)

    @field_validator("target_unit")
    @classmethod
    def _unit_with_value(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("target_value") is not None and not value:
            raise ValueError("填写了目标值时请同时填写单位（如 万元、家、项）")
        return value or None


class CheckIn(InputSchema):
    result: Literal["achieved", "missed"]
    note: str = Field(min_length=2, max_length=500)


class SupportIn(InputSchema):
    kind: Literal["funding", "exhibition", "testing", "training", "other"]
    description: str = Field(min_length=2, max_length=300)
    amount_wan: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    given_on: date


class ProgressIn(InputSchema):
    body: str = Field(min_length=4, max_length=2000)
    value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class GraduateIn(InputSchema):
    title: Literal["hit", "flagship"]
    graduated_on: date
    reason: str = Field(min_length=4, max_length=500)
    story: str = Field(min_length=10, max_length=5000)


class EndIn(InputSchema):
    reason: str = Field(min_length=4, max_length=500)
