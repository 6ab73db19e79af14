"""The pool's demo data (hotpot/hitpool/demo.py), loaded by `load_demo` on a fresh database of its own."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from hotpot.auth.models import User
from hotpot.db import AppSession
from hotpot.hitpool import access, assignment, candidates
from hotpot.hitpool import demo as pool_demo
from hotpot.hitpool.dates import today
from hotpot.hitpool.enums import (
    AssignmentSource,
    BatchStatus,
    CandidateStatus,
    MilestoneStatus,
    ObjectionStatus,
    Outcome,
    PlanStatus,
    ReviewStatus,
)
from hotpot.hitpool.models import (
    Assignment,
    Batch,
    BatchStep,
    Candidate,
    Decision,
    Draw,
    Expert,
    Milestone,
    Objection,
    Plan,
    Post,
    Review,
    Tie,
)
from hotpot.main import create_app
from tests.conftest import Browserless, demo_database


@pytest.fixture(scope="module")
def demo_engine(server_url, demo_template):
    engine = create_engine(demo_database(server_url, demo_template, "hotpot_pool_demo"), pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def s(demo_engine):
    conn = demo_engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    outer.rollback()
    conn.close()


def _user(s, email: str) -> User:
    return s.scalars(select(User).where(User.email == email)).one()


def test_two_published_batches_of_last_year_and_one_open_batch_with_applications(s):
    batches = {b.name: b for b in s.scalars(select(Batch).where(Batch.is_demo))}
    year = today().year
    assert set(batches) == {f"{year - 1}年第一批", f"{year - 1}年第二批", f"{year}年第一批"}
    past = [batches[f"{year - 1}年第一批"], batches[f"{year - 1}年第二批"]]
    assert all(b.status == BatchStatus.published and b.published_at and b.rubric_frozen_at for b in past)
    assert all(b.apply_opens_on.year == year - 1 and b.notice_starts_on <= b.notice_ends_on for b in past)
    for b in past:  # a timeline step for every state up to published, in order
        steps = s.scalars(select(BatchStep).where(BatchStep.batch_id == b.id).order_by(BatchStep.at)).all()
        assert [st.status for st in steps] == list(BatchStatus)[:-1]
        assert len(b.criteria) == 6
        assert sum(c.weight for c in b.criteria) == 100
    current = batches[f"{year}年第一批"]
    assert current.status == BatchStatus.open
    assert current.apply_opens_on <= today() <= current.apply_closes_on
    assert current.manager_id == _user(s, "reviewer@hotpot.example").id
    states = Counter(s.scalars(select(Candidate.status).where(Candidate.batch_id == current.id)))
    assert sum(states.values()) == 8
    assert states[CandidateStatus.draft] >= 2
    assert states[CandidateStatus.submitted] >= 2
    assert states[CandidateStatus.returned] == 1
    returned = s.scalars(
        select(Candidate).where(Candidate.batch_id == current.id, Candidate.status == CandidateStatus.returned)
    ).one()
    assert returned.screening_reason


def test_twelve_graduated_products_and_incubation_with_overdue_milestones(s):
    plans = s.scalars(select(Plan).where(Plan.is_demo)).all()
    graduated = [p for p in plans if p.status == PlanStatus.graduated]
    assert len(graduated) == 12
    assert {p.title for p in graduated} == {"hit", "flagship"}
    assert all(p.story and p.graduation_reason and p.graduated_on <= today() for p in graduated)
    assert {p.batch_id for p in graduated} == {
        b.id for b in s.scalars(select(Batch).where(Batch.status == "published"))
    }
    # Every final accepted decision has its plan, and only those.
    accepted = set(
        s.scalars(
            select(Decision.candidate_id).where(Decision.outcome == Outcome.accepted, Decision.final_at.is_not(None))
        )
    )
    assert {p.candidate_id for p in plans} == accepted
    incubating = [p.id for p in plans if p.status == PlanStatus.incubating]
    assert incubating
    milestones = s.scalars(select(Milestone).where(Milestone.plan_id.in_(incubating))).all()
    overdue = [m for m in milestones if m.status == MilestoneStatus.open and m.due_on < today()]
    assert len(overdue) >= 2
    assert any(m.status == MilestoneStatus.reported for m in milestones)
    assert any(m.status == MilestoneStatus.achieved and m.checked_at for m in milestones)
    assert all(p.supports for p in plans)


def test_past_batches_were_drawn_reviewed_and_decided_without_conflicts(s):
    for batch in s.scalars(select(Batch).where(Batch.status == "published")):
        passed = s.scalars(
            select(Candidate).where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.passed)
        ).all()
        assert 18 <= len(passed) <= 30
        assert s.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.ineligible)
        )
        draw = s.scalars(select(Draw).where(Draw.batch_id == batch.id)).one()
        assert draw.seed
        assert draw.inputs["per_candidate"] == 3
        drawn = {
            (a.candidate_id, a.expert_id)
            for a in s.scalars(
                select(Assignment).where(Assignment.draw_id == draw.id, Assignment.source == AssignmentSource.draw)
            )
        }
        assert drawn == {tuple(pair) for pair in draw.result}
        assert assignment.recheck(draw).matches  # the pool's own rule gives the recorded result again
        excluded = {tuple(pair) for pair in draw.inputs["excluded"]}
        assert excluded, "the ties exclude someone in every batch"
        assert not (excluded & drawn)
        for c in passed:
            active = s.scalars(select(Assignment).where(Assignment.candidate_id == c.id, Assignment.ended_at.is_(None)))
            experts = [s.get(Expert, a.expert_id) for a in active]
            assert len(experts) == 3
            for e in experts:  # never a conflicted expert: each can review what they were given
                assert not access.is_conflicted(s, e.user, c)
                assert access.can_review(s, e.user, c)
            current = s.scalars(
                select(Review).where(Review.candidate_id == c.id, Review.status == ReviewStatus.submitted)
            ).all()
            assert {r.expert_id for r in current} == {e.id for e in experts}
            assert all(r.weighted_total is not None and len(r.scores) == 6 for r in current)
            assert s.scalars(select(Decision).where(Decision.candidate_id == c.id)).one().final_at
        accepted = s.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.batch_id == batch.id, Decision.outcome == "accepted")
        )
        assert accepted <= batch.quota
    superseded = s.scalars(select(Review).where(Review.status == ReviewStatus.superseded)).all()
    assert superseded
    for old in superseded:  # a revision supersedes it; both stay
        assert s.scalars(select(Review).where(Review.supersedes_id == old.id)).one().revision == old.revision + 1
    assert s.scalar(select(func.count()).select_from(Post)) > 0
    assert s.scalar(select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_not(None))) == 1
    handled = Counter(s.scalars(select(Objection.status)))
    assert handled == {ObjectionStatus.dismissed: 1, ObjectionStatus.upheld: 1}
    upheld = s.scalars(select(Objection).where(Objection.status == ObjectionStatus.upheld)).one()
    assert (
        s.scalars(select(Decision).where(Decision.candidate_id == upheld.candidate_id)).one().outcome == "not_accepted"
    )


def test_expert_pool_with_ties_and_the_demo_expert(s):
    experts = s.scalars(select(Expert).where(Expert.is_demo)).all()
    assert 10 <= len(experts) <= 15
    assert all("演示" in e.name and "演示" in e.organization for e in experts)
    kinds = {"shuifa", "shuichan", "rou", "zhiwudanbai", "shucai", "tiaoweiliao"}
    assert kinds <= {f for e in experts for f in e.fields}
    assert any(not e.is_active for e in experts)
    demo_expert = _user(s, "expert@hotpot.example")
    assert demo_expert.role == "expert"
    assert demo_expert.is_demo
    assert any(e.user_id == demo_expert.id for e in experts)
    reviewer = _user(s, "reviewer@hotpot.example")
    ties = s.scalars(select(Tie)).all()
    assert len(ties) >= 3
    assert sum(1 for t in ties if t.user_id == reviewer.id) == 1  # one staff tie


def test_demo_producer_has_an_application_a_plan_and_one_unread_decision(s):
    producer = _user(s, "producer@hotpot.example")
    open_batch = s.scalars(select(Batch).where(Batch.is_demo, Batch.status == BatchStatus.open)).one()
    mine = s.scalars(
        select(Candidate).where(Candidate.enterprise_id == producer.enterprise_id, Candidate.batch_id == open_batch.id)
    ).one()
    assert mine.status == CandidateStatus.draft
    assert mine.pitch
    plan = s.scalars(
        select(Plan).where(Plan.enterprise_id == producer.enterprise_id, Plan.status == PlanStatus.incubating)
    ).one()
    assert any(m.status == MilestoneStatus.open and m.due_on < today() for m in plan.milestones)
    unread = s.scalars(
        select(Decision)
        .join(Candidate, Candidate.id == Decision.candidate_id)
        .where(
            Candidate.enterprise_id == producer.enterprise_id,
            Decision.final_at.is_not(None),
            Decision.producer_read_at.is_(None),
        )
    ).all()
    assert len(unread) == 1
    returned = s.scalar(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.enterprise_id == producer.enterprise_id, Candidate.status == CandidateStatus.returned)
    )
    assert returned == 0  # so the bell shows exactly 1
    assert candidates.unread_count(s, producer) == 1


def test_walk_ids_name_the_records_the_page_walk_expects(s):
    ids = pool_demo.walk_ids(s)
    reviewer = _user(s, "reviewer@hotpot.example")
    expert_user = _user(s, "expert@hotpot.example")
    producer = _user(s, "producer@hotpot.example")
    candidate = s.get(Candidate, ids["hit_candidate"])
    assert candidate.batch_id == ids["hit_past_batch"]
    assert access.can_review(s, expert_user, candidate)
    assert access.can_see_reviews(s, reviewer, candidate)
    assert s.scalar(select(func.count()).select_from(Post).where(Post.candidate_id == candidate.id))
    assert s.get(Candidate, ids["hit_my_candidate"]).enterprise_id == producer.enterprise_id
    assert s.get(Batch, ids["hit_batch"]).status == BatchStatus.open
    assert s.get(Draw, ids["hit_draw"]).batch_id == ids["hit_past_batch"]
    assert s.get(Plan, ids["hit_plan"]).enterprise_id == producer.enterprise_id
    assert s.get(Plan, ids["hit_graduated_plan"]).status == PlanStatus.graduated
    assert s.get(Expert, ids["hit_expert"]) is not None


def test_loading_again_changes_nothing(s):
    from hotpot import demo

    before = s.scalar(select(func.count()).select_from(Review))
    demo.load_demo(s)
    assert pool_demo.load(s) is False
    assert s.scalar(select(func.count()).select_from(Review)) == before
    assert s.scalar(select(func.count()).select_from(Batch).where(Batch.is_demo)) == 3


def test_the_demo_expert_logs_in_and_lands_on_the_review_queue(demo_engine, s):
    factory = sessionmaker(
        bind=s.connection(), class_=AppSession, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app = create_app(engine=demo_engine, session_factory=factory)
    with Browserless(app, base_url="http://testserver", follow_redirects=False) as client:
        client.get("/login")
        answer = client.post(
            "/login",
            data={"email": "expert@hotpot.example", "password": "Hotpot-Expert-2026", "next": ""},
        )
        assert answer.status_code in (302, 303), answer.text[:500]
        assert answer.headers["location"].endswith("/expert")
        assert client.get("/account").status_code == 200
