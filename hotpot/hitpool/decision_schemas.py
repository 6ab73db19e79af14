"""Input and output shapes of decisions, objections and the ranking API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from hotpot.hitpool.enums import Outcome
from hotpot.validation import Id, InputSchema

# Outcomes that send the producer away: the committee must say why (the producer reads the note).
NOTE_REQUIRED = frozenset({Outcome.not_accepted.value, Outcome.revise.value})
NOTE_MESSAGE = "选择“不入库”或“修改后再申报”时，请写明给企业的说明（至少 4 个字）"
MIN_NOTE = 4


class DecisionIn(InputSchema):
    outcome: Literal["accepted", "not_accepted", "revise"]
    note: str | None = Field(default=None, max_length=2000)


class ObjectionIn(InputSchema):
    candidate_id: Id
    reasons: str = Field(min_length=10, max_length=2000)

    @field_validator("candidate_id", mode="before")
    @classmethod
    def _pick(cls, value: object) -> object:
        if value in (None, ""):
            raise ValueError("请选择对哪一项提出异议")
        return value


class HandleIn(InputSchema):
    action: Literal["upheld", "dismissed"]
    reason: str = Field(min_length=4, max_length=2000)
    new_outcome: Literal["accepted", "not_accepted", "revise"] | None = None


class RankRowRead(BaseModel):
    """One line of a batch's ranking (GET /api/v1/batches/{id}/ranking)."""

    rank: int | None
    candidate_id: int
    product: str
    enterprise: str
    category: str | None
    review_count: int
    expected_reviews: int
    mean_total: Decimal | None = Field(description="各专家加权总分的平均（0-100）")
    normalised: Decimal | None = Field(description="按专家标准化后的得分，映射回 0-100")
    spread: Decimal | None
    disagreement: bool
    tie_value: Decimal | None
    above_quota: bool
    recommendations: dict[str, int]
    decision: str | None
    decision_final: bool
    first_submitted_at: datetime | None

    @classmethod
    def of(cls, row) -> RankRowRead:
        return cls(
            rank=row.rank,
            candidate_id=row.candidate_id,
            product=row.product_name,
            enterprise=row.enterprise_name,
            category=row.category,
            review_count=row.review_count,
            expected_reviews=row.expected_reviews,
            mean_total=row.mean,
            normalised=row.normalised,
            spread=row.spread,
            disagreement=row.disagreement,
            tie_value=row.tie_value,
            above_quota=row.above_quota,
            recommendations=dict(row.recommendations),
            decision=row.decision_outcome,
            decision_final=row.decision_final,
            first_submitted_at=row.first_submitted_at,
        )
