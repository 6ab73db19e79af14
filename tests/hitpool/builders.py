"""Records of the 爆品 pool for tests: a batch with the default rubric in any state, experts, candidates,
assignments and submitted reviews. Built straight through the ORM (fast, no workflow checks): a test of a use
case drives its own service; these only set the scene."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hotpot.auth.models import User
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise
from hotpot.hitpool.enums import AssignmentSource, BatchStatus, CandidateStatus, ReviewStatus
from hotpot.hitpool.models import Assignment, Batch, BatchStep, Candidate, Expert, Review, ReviewScore
from hotpot.hitpool.rubric import default_criteria, weighted_total
from hotpot.products.models import Product
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise, make_product

_seq = itertools.count(1)


def make_batch(
    session: Session,
    *,
    status: str | BatchStatus = BatchStatus.open,
    manager: User | None = None,
    quota: int = 3,
    experts_per_candidate: int = 3,
    **overrides: Any,
) -> Batch:
    """A batch with the default rubric; windows around today so an open batch accepts applications."""
    today = date.today()
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"{today.year}年测试批次{n}",
        "description": "测试用批次",
        "year": today.year,
        "apply_opens_on": today - timedelta(days=10),
        "apply_closes_on": today + timedelta(days=10),
        "review_opens_on": today + timedelta(days=11),
        "review_closes_on": today + timedelta(days=30),
        "quota": quota,
        "experts_per_candidate": experts_per_candidate,
        "status": BatchStatus(status),
        "manager_id": manager.id if manager else None,
        "tie_criterion_code": "market",
    }
    values.update(overrides)
    batch = Batch(**values)
    batch.criteria.extend(default_criteria())
    if batch.status not in (BatchStatus.draft, BatchStatus.open, BatchStatus.screening):
        batch.rubric_frozen_at = utcnow()
    session.add(batch)
    session.flush()
    session.add(BatchStep(batch_id=batch.id, status=batch.status, by_id=manager.id if manager else None))
    session.flush()
    return batch


def make_expert(
    session: Session,
    *,
    fields: tuple[str, ...] = ("shuifa", "quality"),
    user: User | None = None,
    name: str | None = None,
    active: bool = True,
    **overrides: Any,
) -> Expert:
    """An expert account (role expert) with its pool entry."""
    n = next(_seq)
    user = user or make_user(session, role="expert", display_name=name or f"测试专家{n}", organization="测试研究院")
    expert = Expert(
        user_id=user.id,
        name=name or user.display_name,
        organization=overrides.pop("organization", "测试研究院"),
        title=overrides.pop("title", "高级工程师"),
        fields=list(fields),
        is_active=active,
        **overrides,
    )
    session.add(expert)
    session.flush()
    return expert


def make_candidate(
    session: Session,
    *,
    batch: Batch,
    enterprise: Enterprise | None = None,
    product: Product | None = None,
    status: str | CandidateStatus = CandidateStatus.passed,
    **overrides: Any,
) -> Candidate:
    """An application of a (new, published) product of a (new, verified) enterprise, in the given state."""
    enterprise = enterprise or (product.enterprise if product else make_enterprise(session))
    product = product or make_product(session, enterprise=enterprise)
    status = CandidateStatus(status)
    submitted = status not in (CandidateStatus.draft,)
    now = utcnow()
    values: dict[str, Any] = {
        "batch_id": batch.id,
        "product_id": product.id,
        "enterprise_id": enterprise.id,
        "pitch": "合川本地原料，工艺稳定，供应全国连锁火锅门店。",
        "target_markets": "川渝、华东",
        "channels": "连锁火锅门店、商超",
        "sales_wan": Decimal("1200"),
        "volume_t": Decimal("800"),
        "capacity_t": Decimal("1500"),
        "local_share_pct": Decimal("60"),
        "status": status,
        "submitted_at": now if submitted else None,
        "first_submitted_at": now if submitted else None,
    }
    values.update(overrides)
    candidate = Candidate(**values)
    session.add(candidate)
    session.flush()
    return candidate


def assign(session: Session, candidate: Candidate, expert: Expert, *, by: User | None = None) -> Assignment:
    assignment = Assignment(
        batch_id=candidate.batch_id,
        candidate_id=candidate.id,
        expert_id=expert.id,
        source=AssignmentSource.manual,
        reason="测试指派",
        created_by_id=by.id if by else None,
    )
    session.add(assignment)
    session.flush()
    return assignment


def make_review(
    session: Session,
    *,
    candidate: Candidate,
    expert: Expert,
    scores: dict[str, float] | float = 7,
    status: str | ReviewStatus = ReviewStatus.submitted,
    recommendation: str = "accept",
    confidence: int = 4,
) -> Review:
    """A review by expert of candidate; scores by criterion code, or one score for every criterion."""
    batch = session.get(Batch, candidate.batch_id)
    by_code = scores if isinstance(scores, dict) else {c.code: scores for c in batch.criteria}
    by_id = {c.id: Decimal(str(by_code[c.code])) for c in batch.criteria if c.code in by_code}
    status = ReviewStatus(status)
    review = Review(
        batch_id=candidate.batch_id,
        candidate_id=candidate.id,
        expert_id=expert.id,
        status=status,
        recommendation=recommendation,
        confidence=confidence,
        comment="材料完整，产品有竞争力。",
        weighted_total=weighted_total(batch.criteria, by_id) if status != ReviewStatus.draft else None,
        submitted_at=utcnow() if status != ReviewStatus.draft else None,
    )
    review.scores = [ReviewScore(criterion_id=cid, score=s) for cid, s in by_id.items()]
    session.add(review)
    session.flush()
    return review
