"""A candidate's discussion thread: unconflicted staff and the assigned, unconflicted experts who have submitted
their own review. Experts read other experts as 专家 A/B/C (hotpot.hitpool.reviews.expert_letters); staff read names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotpot.audit import service as audit
from hotpot.auth.models import Role, User
from hotpot.errors import InvalidState, NotFound
from hotpot.hitpool import access, reviews
from hotpot.hitpool.enums import BatchStatus
from hotpot.hitpool.models import Candidate, Expert, Post
from hotpot.hitpool.review_schemas import PostIn

# The discussion is open while the committee still weighs the candidate; afterwards it is the record.
OPEN_STATES = frozenset({BatchStatus.reviewing, BatchStatus.deciding, BatchStatus.notice})
EXPERT_WAIT = "提交您自己的评审后，才能参与讨论。"


@dataclass
class PostView:
    id: int
    who: str
    kind: str  # "staff" | "expert" | "mine"
    body: str
    created_at: datetime


@dataclass
class Thread:
    posts: list[PostView]
    can_post: bool
    why_not: str | None  # why the viewer cannot post (shown instead of the form)


def is_open(candidate: Candidate) -> bool:
    return candidate.batch.status in OPEN_STATES


def may_post(session: Session, *, user: Any, candidate: Candidate) -> tuple[bool, str | None]:
    """(may the viewer post now, why not). The viewer already passed can_see_reviews."""
    if not is_open(candidate):
        return False, "本批次的讨论已结束，以下为讨论记录。"
    if access.is_staff(user):
        return (not access.is_conflicted(session, user, candidate)), None
    expert = access.expert_of(session, user)
    if not access.can_review(session, user, candidate):
        return False, None
    if not reviews.has_submitted(session, expert=expert, candidate=candidate):
        return False, EXPERT_WAIT
    return True, None


def thread(session: Session, *, user: Any, candidate: Candidate) -> Thread:
    """The candidate's posts as the viewer may read them (the route checked can_see_reviews). An expert who has not
    submitted yet sees no posts (the discussion would show the others' views)."""
    can, why = may_post(session, user=user, candidate=candidate)
    viewer_is_staff = access.is_staff(user)
    if not viewer_is_staff and why == EXPERT_WAIT:
        return Thread(posts=[], can_post=False, why_not=why)
    rows = session.execute(
        select(Post, User.role, User.display_name, Expert.id, Expert.name)
        .outerjoin(User, User.id == Post.author_id)
        .outerjoin(Expert, Expert.user_id == Post.author_id)
        .where(Post.candidate_id == candidate.id)
        .order_by(Post.created_at, Post.id)
    ).all()
    letters = reviews.expert_letters(session, candidate) if any(r[3] for r in rows) else {}
    posts = []
    for post, role, display_name, expert_id, expert_name in rows:
        if post.author_id is not None and post.author_id == user.id:
            who, kind = "我", "mine"
        elif role == Role.expert.value or expert_id is not None:
            kind = "expert"
            who = expert_name if viewer_is_staff else letters.get(expert_id, "专家")
        elif role is None:
            who, kind = "已注销的账号", "staff"
        else:
            who, kind = f"{display_name}（工作人员）", "staff"
        posts.append(PostView(id=post.id, who=who, kind=kind, body=post.body, created_at=post.created_at))
    return Thread(posts=posts, can_post=can, why_not=why)


def add(session: Session, *, user: Any, candidate: Candidate, data: PostIn) -> Post:
    """Post to the candidate's thread (one audit event "hit_post.create")."""
    if not access.can_see_reviews(session, user, candidate):
        raise NotFound()
    can, why = may_post(session, user=user, candidate=candidate)
    if not can:
        raise InvalidState(why or "您不能在这里发言。")
    post = Post(candidate_id=candidate.id, author_id=user.id, body=data.body)
    session.add(post)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="hit_post.create",
        entity_type="hit_post",
        entity_id=post.id,
        after={"candidate_id": candidate.id, "body": post.body},
    )
    return post
