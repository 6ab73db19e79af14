"""The pool's shared pieces: the tables' rules, the rubric's arithmetic, the workflows and the conflict rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from hotpot import workflow
from hotpot.errors import InvalidState, NotAllowed
from hotpot.hitpool import access
from hotpot.hitpool.enums import BatchStatus, CandidateStatus, ReviewStatus
from hotpot.hitpool.models import Review, Tie
from hotpot.hitpool.rubric import DEFAULT_RUBRIC, weighted_total
from hotpot.validation import FieldErrors
from tests.auth.builders import make_user
from tests.brands.builders import make_brand_with_licence
from tests.enterprises.builders import make_enterprise
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review


def test_default_rubric_weights_sum_to_100():
    assert sum(c["weight"] for c in DEFAULT_RUBRIC) == 100
    assert len({c["code"] for c in DEFAULT_RUBRIC}) == len(DEFAULT_RUBRIC) == 6


def test_weighted_total_is_score_over_max_times_weight(db):
    batch = make_batch(db)
    full = weighted_total(batch.criteria, {c.id: c.max_score for c in batch.criteria})
    half = weighted_total(batch.criteria, {c.id: Decimal(c.max_score) / 2 for c in batch.criteria})
    market_only = weighted_total(batch.criteria, {batch.criteria[0].id: 10})
    assert (full, half, market_only) == (Decimal("100.00"), Decimal("50.00"), Decimal("25.00"))


def test_batch_moves_only_forward_and_only_for_staff(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="draft")
    with pytest.raises(NotAllowed):
        workflow.apply(db, batch, "open", actor=make_user(db, role="expert"))
    with pytest.raises(InvalidState):
        workflow.apply(db, batch, "review", actor=staff)
    workflow.apply(db, batch, "open", actor=staff)
    assert batch.status == BatchStatus.open
    assert batch.version == 2


def test_returning_an_application_needs_a_reason(db):
    batch = make_batch(db, status="screening")
    candidate = make_candidate(db, batch=batch, status="submitted")
    staff = make_user(db, role="reviewer")
    with pytest.raises(FieldErrors) as refused:
        workflow.apply(db, candidate, "return", actor=staff, reason="")
    assert "screening" not in str(refused.value.errors)
    assert "reason" in refused.value.errors
    workflow.apply(db, candidate, "return", actor=staff, reason="请补充检测报告")
    assert candidate.status == CandidateStatus.returned
    assert candidate.screening_reason == "请补充检测报告"


def test_one_current_review_per_expert_and_candidate(db):
    batch = make_batch(db, status="reviewing")
    candidate = make_candidate(db, batch=batch)
    expert = make_expert(db)
    first = make_review(db, candidate=candidate, expert=expert)
    db.flush()
    second = Review(
        batch_id=batch.id, candidate_id=candidate.id, expert_id=expert.id, revision=2, status=ReviewStatus.submitted
    )
    savepoint = db.begin_nested()
    db.add(second)
    with pytest.raises(IntegrityError):
        db.flush()
    savepoint.rollback()
    assert first.status == ReviewStatus.submitted


def test_conflicts_known_and_declared(db):
    producer = make_user(db, role="producer")
    own = make_enterprise(db, owner=producer)
    licensee = make_enterprise(db)
    brand, _ = make_brand_with_licence(db, licensee=licensee)
    brand.owner_enterprise_id, brand.owner_body = own.id, None
    db.flush()
    declared = make_enterprise(db)
    stranger = make_enterprise(db)
    expert = make_expert(db)
    db.add(Tie(user_id=expert.user_id, enterprise_id=declared.id, reason="曾任顾问"))
    db.flush()
    assert {own.id, licensee.id} <= access.conflicted_enterprise_ids(db, producer)
    assert access.conflicted_enterprise_ids(db, expert.user) == {declared.id}
    batch = make_batch(db, status="reviewing")
    tied = make_candidate(db, batch=batch, enterprise=declared)
    free = make_candidate(db, batch=batch, enterprise=stranger)
    assign(db, tied, expert)
    assign(db, free, expert)
    assert not access.can_review(db, expert.user, tied)
    assert access.can_review(db, expert.user, free)
    assert not access.can_review(db, make_expert(db).user, free)  # not assigned
    staff = make_user(db, role="reviewer")
    db.add(Tie(user_id=staff.id, enterprise_id=declared.id, reason="亲属任职"))
    db.flush()
    access.forget(db)
    assert not access.can_see_reviews(db, staff, tied)
    assert access.can_see_reviews(db, staff, free)
