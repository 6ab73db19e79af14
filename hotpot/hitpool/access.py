"""Who may see what of the 爆品 pool: staff, batch managers, experts, conflicts of interest.

Every page, API, export and search of the pool asks these rules (never its own copy):

- `conflicted_enterprise_ids(session, user)`: the enterprises a person is tied to. Ties the platform knows (the
  account belongs to the enterprise; brand licences between the person's enterprise and another: the licensor of a
  brand it uses, the licensees of a brand it owns) and ties the person declared (hit_tie). A conflicted expert is
  never drawn or assigned; a conflicted expert or staff member sees nothing of that candidate's scores, reviews,
  discussion or decision details.
- `can_review(session, user, candidate)`: an expert with an active assignment and no conflict.
- `can_see_reviews(session, user, candidate)`: unconflicted staff, or an assigned unconflicted expert (whose page
  still hides the others' scores until their own review is submitted: `hotpot.hitpool.reviews`).
- `visible_candidates(session, user, query)`: the same rule in SQL, for lists and exports.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hotpot.auth.models import Role, User
from hotpot.brands.models import Brand, BrandLicence
from hotpot.hitpool.models import Assignment, Batch, Candidate, Expert, Tie

STAFF_ROLES = frozenset({Role.admin.value, Role.reviewer.value})


def is_staff(user: Any) -> bool:
    return user is not None and str(user.role) in STAFF_ROLES


def is_manager(user: Any, batch: Batch) -> bool:
    """May run the batch's assignment (the matrix, moves, draws): an admin or the batch's manager."""
    if user is None:
        return False
    return str(user.role) == Role.admin.value or (is_staff(user) and batch.manager_id == user.id)


def expert_of(session: Session, user: Any) -> Expert | None:
    if user is None or str(user.role) != Role.expert.value:
        return None
    return session.scalars(select(Expert).where(Expert.user_id == user.id)).first()


def conflicted_enterprise_ids(session: Session, user: Any) -> set[int]:
    """Enterprises the person may not judge (see the module's docstring)."""
    if user is None:
        return set()
    cache = _request_cache(session)
    key = ("conflicts", user.id)
    if key in cache:
        return cache[key]
    ids = set(session.scalars(select(Tie.enterprise_id).where(Tie.user_id == user.id)))
    own = getattr(user, "enterprise_id", None)
    if own is not None:
        ids.add(own)
        # Licensees of brands the person's enterprise owns, and owners of brands it is licensed to use.
        ids |= set(
            session.scalars(
                select(BrandLicence.enterprise_id)
                .join(Brand, Brand.id == BrandLicence.brand_id)
                .where(Brand.owner_enterprise_id == own, BrandLicence.revoked_at.is_(None))
            )
        )
        ids |= {
            e
            for e in session.scalars(
                select(Brand.owner_enterprise_id)
                .join(BrandLicence, BrandLicence.brand_id == Brand.id)
                .where(BrandLicence.enterprise_id == own, BrandLicence.revoked_at.is_(None))
            )
            if e is not None
        }
    cache[key] = ids
    return ids


def is_conflicted(session: Session, user: Any, candidate: Candidate) -> bool:
    return candidate.enterprise_id in conflicted_enterprise_ids(session, user)


def active_assignment(session: Session, expert: Expert | None, candidate: Candidate) -> Assignment | None:
    if expert is None:
        return None
    return session.scalars(
        select(Assignment).where(
            Assignment.candidate_id == candidate.id,
            Assignment.expert_id == expert.id,
            Assignment.ended_at.is_(None),
        )
    ).first()


def can_review(session: Session, user: Any, candidate: Candidate) -> bool:
    """An expert assigned to the candidate (active assignment), not conflicted, in an active pool membership."""
    expert = expert_of(session, user)
    if expert is None or not expert.is_active or is_conflicted(session, user, candidate):
        return False
    return active_assignment(session, expert, candidate) is not None


def can_see_reviews(session: Session, user: Any, candidate: Candidate) -> bool:
    """Scores, reviews, discussion: unconflicted staff, or an assigned unconflicted expert."""
    if is_staff(user):
        return not is_conflicted(session, user, candidate)
    return can_review(session, user, candidate)


def visible_candidates(session: Session, user: Any, query: Select) -> Select:
    """query (selecting from hit_candidate) narrowed to the candidates user may see the reviews of."""
    if is_staff(user):
        ids = conflicted_enterprise_ids(session, user)
        return query.where(Candidate.enterprise_id.not_in(ids)) if ids else query
    expert = expert_of(session, user)
    if expert is None or not expert.is_active:
        return query.where(False)
    ids = conflicted_enterprise_ids(session, user)
    assigned = select(Assignment.candidate_id).where(Assignment.expert_id == expert.id, Assignment.ended_at.is_(None))
    query = query.where(Candidate.id.in_(assigned))
    return query.where(Candidate.enterprise_id.not_in(ids)) if ids else query


def _request_cache(session: Session) -> dict:
    """Per-session memo (a request has one session): the conflicts of a person are read once per request."""
    return session.info.setdefault("hitpool_access", {})


def forget(session: Session) -> None:
    """Drop the memo after a write that changes ties (a declaration, a licence)."""
    session.info.pop("hitpool_access", None)


def is_producer_of(user: User | None, candidate: Candidate) -> bool:
    return (
        user is not None
        and str(user.role) == Role.producer.value
        and user.enterprise_id is not None
        and user.enterprise_id == candidate.enterprise_id
    )


def can_manage_experts(session: Session, user: Any) -> bool:
    """May create, edit and (de)activate pool experts: an admin, or the manager of a batch that is not archived."""
    if user is None:
        return False
    if str(user.role) == Role.admin.value:
        return True
    if not is_staff(user):
        return False
    from hotpot.hitpool.enums import BatchStatus

    return (
        session.scalar(
            select(Batch.id).where(Batch.manager_id == user.id, Batch.status != BatchStatus.archived).limit(1)
        )
        is not None
    )


def conflicts_of_users(session: Session, users: list[Any]) -> dict[int, set[int]]:
    """conflicted_enterprise_ids for many people at once (the assignment matrix, the draw): the same rule, read in
    three queries whatever the number of people, and kept in the same per-request memo."""
    cache = _request_cache(session)
    out: dict[int, set[int]] = {}
    todo = []
    for user in users:
        key = ("conflicts", user.id)
        if key in cache:
            out[user.id] = cache[key]
        else:
            out[user.id] = set()
            todo.append(user)
    if not todo:
        return out
    ids = [u.id for u in todo]
    for user_id, enterprise_id in session.execute(select(Tie.user_id, Tie.enterprise_id).where(Tie.user_id.in_(ids))):
        out[user_id].add(enterprise_id)
    own = {u.id: u.enterprise_id for u in todo if getattr(u, "enterprise_id", None) is not None}
    if own:
        owners = set(own.values())
        licensees: dict[int, set[int]] = {}
        for owner, licensee in session.execute(
            select(Brand.owner_enterprise_id, BrandLicence.enterprise_id)
            .join(BrandLicence, BrandLicence.brand_id == Brand.id)
            .where(BrandLicence.revoked_at.is_(None))
            .where((Brand.owner_enterprise_id.in_(owners)) | (BrandLicence.enterprise_id.in_(owners)))
        ):
            if owner is not None:
                licensees.setdefault(owner, set()).add(licensee)
                licensees.setdefault(licensee, set()).add(owner)
        for user_id, enterprise_id in own.items():
            out[user_id].add(enterprise_id)
            out[user_id] |= licensees.get(enterprise_id, set())
    for user in todo:
        cache[("conflicts", user.id)] = out[user.id]
    return out
