"""Input and output shapes of 爆品 batches: the batch form's fields, one rubric row and its bands, the API's read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from hotpot.hitpool.enums import BatchStatus, TieBreak
from hotpot.validation import Id, InputSchema

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,29}$"


class BatchIn(InputSchema):
    """The batch's own fields (the rubric rows are parsed one by one: their errors sit next to each row)."""

    name: str = Field(min_length=2, max_length=40)
    description: str | None = Field(default=None, max_length=2000)
    year: int = Field(ge=2000, le=2100)
    apply_opens_on: date
    apply_closes_on: date
    review_opens_on: date
    review_closes_on: date
    quota: int = Field(ge=1, le=1000)
    experts_per_candidate: int = Field(default=3, ge=1, le=15)
    disagreement_threshold: Decimal = Field(default=Decimal(20), ge=0, le=100, max_digits=4, decimal_places=1)
    tie_break: TieBreak = TieBreak.criterion
    tie_criterion_code: str | None = Field(default=None, max_length=30)
    require_published_product: bool = False
    require_sc_licence: bool = False
    min_months_on_platform: int | None = Field(default=None, ge=0, le=120)
    notice_days: int = Field(default=5, ge=1, le=30)
    manager_id: Id | None = None


class BandIn(InputSchema):
    """One guidance band of a criterion: what a score from min to max means."""

    min: int = Field(ge=0, le=100)
    max: int = Field(ge=0, le=100)
    text: str = Field(min_length=2, max_length=200)


class CriterionIn(InputSchema):
    """One row of the rubric editor (its bands are checked against its maximum by the service)."""

    name: str = Field(min_length=2, max_length=30)
    code: str | None = Field(default=None, max_length=30, pattern=CODE_PATTERN)
    weight: int = Field(ge=1, le=100)
    max_score: int = Field(default=10, ge=1, le=100)
    description: str | None = Field(default=None, max_length=300)

    @field_validator("code", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v


class CriterionRead(BaseModel):
    code: str
    name: str
    weight: int
    max_score: int


class BatchRead(BaseModel):
    """A batch as the API lists it: state (code and label), windows, quota, counts of candidates per state."""

    id: int
    name: str
    year: int
    status: BatchStatus
    status_label: str
    apply_opens_on: date
    apply_closes_on: date
    review_opens_on: date
    review_closes_on: date
    notice_starts_on: date | None
    notice_ends_on: date | None
    quota: int
    experts_per_candidate: int
    manager_id: int | None
    rubric_frozen_at: datetime | None
    published_at: datetime | None
    candidates_total: int
    candidate_counts: dict[str, int]
    criteria: list[CriterionRead]
    is_demo: bool
    version: int

    @classmethod
    def of(cls, row: Any) -> BatchRead:
        """row: a hotpot.hitpool.batches.BatchRow (the batch and its counts)."""
        b = row.batch
        return cls(
            id=b.id,
            name=b.name,
            year=b.year,
            status=b.status,
            status_label=b.status_label,
            apply_opens_on=b.apply_opens_on,
            apply_closes_on=b.apply_closes_on,
            review_opens_on=b.review_opens_on,
            review_closes_on=b.review_closes_on,
            notice_starts_on=b.notice_starts_on,
            notice_ends_on=b.notice_ends_on,
            quota=b.quota,
            experts_per_candidate=b.experts_per_candidate,
            manager_id=b.manager_id,
            rubric_frozen_at=b.rubric_frozen_at,
            published_at=b.published_at,
            candidates_total=row.total,
            candidate_counts=row.counts,
            criteria=[
                CriterionRead(code=c.code, name=c.name, weight=c.weight, max_score=c.max_score) for c in b.criteria
            ],
            is_demo=b.is_demo,
            version=b.version,
        )
