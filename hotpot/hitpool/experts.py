"""The expert pool (专家库): experts' accounts and entries, their own profile, and declared ties of interest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth import service as auth_service
from hotpot.auth.models import Role, User
from hotpot.auth.schemas import StaffCreateIn
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import NotAllowed, NotFound
from hotpot.hitpool import access
from hotpot.hitpool.enums import BatchStatus, Expertise
from hotpot.hitpool.expert_schemas import ExpertCreateIn, ExpertEditIn, ExpertProfileIn, TieIn
from hotpot.hitpool.models import Assignment, Batch, Candidate, Expert, Tie
from hotpot.pagination import Page, paginate
from hotpot.validation import FieldErrors, parse_id

# Batches whose active assignments count as an expert's current load.
LOAD_STATES = (BatchStatus.screening, BatchStatus.reviewing)
# Why an assignment ended when its expert declared a tie to the candidate's enterprise.
TIE_END_REASON = "申报回避"
MANAGE_MESSAGE = "只有管理员或批次负责人可以管理专家库。"


@dataclass
class ExpertRow:
    expert: Expert
    load: int
    ties: int

    @property
    def field_labels(self) -> list[str]:
        return field_labels(self.expert.fields)


def field_labels(fields: list[str] | None) -> list[str]:
    return [Expertise.label_of(f) for f in fields or []]


def field_choices() -> list[tuple[str, str]]:
    return list(Expertise.labels().items())


def require_manager(session: Session, user: Any) -> None:
    """Refuse (403) anyone who may not manage the pool."""
    if not access.can_manage_experts(session, user):
        raise NotAllowed(MANAGE_MESSAGE)


def list_experts(
    session: Session,
    *,
    field: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[ExpertRow]:
    """One page of the pool with each expert's current load and number of declared ties (3 queries)."""
    stmt = select(Expert)
    if field:
        stmt = stmt.where(Expert.fields.contains([field]))
    if active is not None:
        stmt = stmt.where(Expert.is_active.is_(active))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Expert.name.like(like), Expert.organization.like(like)))
    result = paginate(
        session, stmt.order_by(Expert.is_active.desc(), Expert.name, Expert.id), page=page, page_size=page_size
    )
    ids = [e.id for e in result.items]
    loads = load_of(session, ids)
    user_ids = [e.user_id for e in result.items]
    ties = (
        dict(
            session.execute(
                select(Tie.user_id, func.count()).where(Tie.user_id.in_(user_ids)).group_by(Tie.user_id)
            ).all()
        )
        if user_ids
        else {}
    )
    rows = [ExpertRow(expert=e, load=loads.get(e.id, 0), ties=ties.get(e.user_id, 0)) for e in result.items]
    return Page(items=rows, total=result.total, page=result.page, page_size=result.page_size)


def load_of(session: Session, expert_ids: list[int]) -> dict[int, int]:
    """Active assignments per expert in batches being screened or reviewed."""
    if not expert_ids:
        return {}
    rows = session.execute(
        select(Assignment.expert_id, func.count())
        .join(Batch, Batch.id == Assignment.batch_id)
        .where(Assignment.expert_id.in_(expert_ids), Assignment.ended_at.is_(None), Batch.status.in_(LOAD_STATES))
        .group_by(Assignment.expert_id)
    )
    return dict(rows.all())


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Expert.is_active, func.count()).group_by(Expert.is_active)).all()
    by = {bool(a): n for a, n in rows}
    return {"all": sum(by.values()), "active": by.get(True, 0), "inactive": by.get(False, 0)}


def create_expert(session: Session, *, actor: User, data: ExpertCreateIn) -> tuple[Expert, str | None]:
    """An expert account (role expert, one-time password shown once, as the admin's staff creation) and its pool
    entry, in one transaction."""
    require_manager(session, actor)
    user, password = auth_service.create_user(
        session,
        actor=actor,
        data=StaffCreateIn(email=data.email, display_name=data.name, organization=data.organization, role="expert"),
    )
    expert = Expert(
        user_id=user.id,
        name=data.name,
        organization=data.organization,
        title=data.title,
        fields=data.fields,
        bio=data.bio,
        is_active=True,
        created_by_id=actor.id,
    )
    changes.created(session, expert, actor=actor, action="expert.create")
    return expert, password


def update_expert(session: Session, *, actor: User, expert: Expert, data: ExpertEditIn, version: int) -> Expert:
    """Staff edit an expert's entry (name, organisation, title, fields, bio)."""
    require_manager(session, actor)
    with changes.tracked(session, expert, actor=actor, action="expert.update", version=version):
        expert.name = data.name
        _apply_profile(expert, data)
    return expert


def update_profile(session: Session, *, user: User, expert: Expert, data: ExpertProfileIn, version: int) -> Expert:
    """An expert edits their own organisation, title, fields and bio."""
    if expert.user_id != user.id:
        raise NotAllowed("只能修改自己的专家信息。")
    with changes.tracked(session, expert, actor=user, action="expert.update", version=version):
        _apply_profile(expert, data)
    return expert


def _apply_profile(expert: Expert, data: ExpertProfileIn) -> None:
    expert.organization = data.organization
    expert.title = data.title
    expert.fields = list(data.fields)
    expert.bio = data.bio


def set_active(session: Session, *, actor: User, expert: Expert, active: bool, version: int) -> Expert:
    """Take an expert out of the pool (never drawn again; their assignments stay for the manager to move) or back."""
    require_manager(session, actor)
    action = "expert.activate" if active else "expert.deactivate"
    with changes.tracked(session, expert, actor=actor, action=action, version=version):
        expert.is_active = active
    return expert


def form_values(expert: Expert) -> dict[str, Any]:
    return {
        "name": expert.name,
        "email": expert.user.email,
        "organization": expert.organization,
        "title": expert.title or "",
        "fields": list(expert.fields or []),
        "bio": expert.bio or "",
    }


# --- ties of interest -------------------------------------------------------------------------------------------


def ties_of(session: Session, user: User) -> list[Tie]:
    return list(session.scalars(select(Tie).where(Tie.user_id == user.id).order_by(Tie.declared_at.desc(), Tie.id)))


def tie_enterprises(session: Session, *, q: str | None, limit: int = 20) -> list[Enterprise]:
    """Verified enterprises whose name (or short name, or credit code) matches q: the picker of the tie form."""
    if not q:
        return []
    like = f"%{q.strip()}%"
    stmt = (
        select(Enterprise)
        .where(Enterprise.status == EnterpriseStatus.verified)
        .where(or_(Enterprise.name.like(like), Enterprise.short_name.like(like), Enterprise.uscc == q.strip().upper()))
        .order_by(Enterprise.name)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def tie_choices(session: Session, *, q: str | None, chosen: Any = None) -> list[Enterprise]:
    """The picker's results; the enterprise a refused form had picked stays among them."""
    results = tie_enterprises(session, q=q)
    chosen_id = parse_id(chosen)
    if chosen_id and all(e.id != chosen_id for e in results):
        enterprise = session.get(Enterprise, chosen_id)
        if enterprise is not None and enterprise.status == EnterpriseStatus.verified:
            results.insert(0, enterprise)
    return results


@dataclass
class TieOutcome:
    tie: Tie
    ended: list[Assignment]


def declare_tie(session: Session, *, user: User, data: TieIn) -> TieOutcome:
    """Declare a tie to an enterprise; an expert's active assignments on its candidates end (申报回避) so the manager
    sees they need a replacement."""
    enterprise = session.get(Enterprise, data.enterprise_id)
    if enterprise is None or enterprise.status != EnterpriseStatus.verified:
        raise FieldErrors({"enterprise_id": "请从搜索结果中选择一家已认证的企业"})
    exists = session.scalar(select(Tie.id).where(Tie.user_id == user.id, Tie.enterprise_id == enterprise.id))
    if exists is not None:
        raise FieldErrors({"enterprise_id": "您已声明过与该企业的关联"})
    tie = Tie(user_id=user.id, enterprise_id=enterprise.id, reason=data.reason)
    try:
        with session.begin_nested():
            changes.created(session, tie, actor=user, action="hit_tie.declare")
    except IntegrityError:  # the same declaration from another tab, a moment ago
        raise FieldErrors({"enterprise_id": "您已声明过与该企业的关联"}) from None
    ended: list[Assignment] = []
    expert = session.scalars(select(Expert).where(Expert.user_id == user.id)).first()
    if expert is not None:
        active = session.scalars(
            select(Assignment)
            .join(Candidate, Candidate.id == Assignment.candidate_id)
            .where(
                Assignment.expert_id == expert.id,
                Assignment.ended_at.is_(None),
                Candidate.enterprise_id == enterprise.id,
            )
        ).all()
        for assignment in active:
            end_assignment(session, assignment, actor=user, reason=TIE_END_REASON)
            ended.append(assignment)
    access.forget(session)
    return TieOutcome(tie=tie, ended=ended)


def end_assignment(session: Session, assignment: Assignment, *, actor: User, reason: str) -> None:
    """End one active assignment (history stays: the row keeps who, when and why)."""
    with changes.tracked(session, assignment, actor=actor, action="hit_assignment.end", bump=False):
        assignment.ended_at = utcnow()
        assignment.ended_by_id = actor.id
        assignment.end_reason = reason


def remove_tie(session: Session, *, user: User, tie: Tie) -> None:
    """Withdraw one's own declaration (ended assignments stay ended: the manager may assign again)."""
    if tie.user_id != user.id:  # another person's declaration: as if it did not exist
        raise NotFound()
    changes.deleted(session, tie, actor=user, action="hit_tie.remove")
    access.forget(session)


def own_tie(user: Any, tie: Tie) -> bool:
    """The record rule of the tie routes: a person sees only their own declarations."""
    return user is not None and tie.user_id == user.id


def is_expert_user(user: Any) -> bool:
    return user is not None and str(user.role) == Role.expert.value
