"""Who reviews what: the random draw (随机抽取) with its recorded seed, the assignment matrix, adding and moving
single assignments.

The draw ("draw-v1") is a pure function of its recorded inputs and seed (`compute`), so `recheck` can run it again
from the stored record and say whether the stored result is what it gives. For each candidate in id order, each
missing slot takes, among the eligible experts (active, not conflicted, not already on it, not moved off it), those
of the best field match (0: the product's kind is one of their fields, 1: they have a discipline, 2: neither),
then of the fewest assignments in this batch so far; among equals `random.Random(seed)` picks.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from hotpot import changes
from hotpot.audit import service as audit
from hotpot.auth.models import User
from hotpot.db import utcnow
from hotpot.errors import Conflict, InvalidState, NotAllowed
from hotpot.hitpool import access
from hotpot.hitpool.enums import PRODUCT_KINDS, AssignmentSource, BatchStatus, CandidateStatus, ReviewStatus
from hotpot.hitpool.expert_schemas import AssignmentAddIn, AssignmentMoveIn
from hotpot.hitpool.models import Assignment, Batch, Candidate, Draw, Expert, Review
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors

ALGORITHM = "draw-v1"
# Batches in which assignments may be made.
ASSIGN_STATES = (BatchStatus.screening, BatchStatus.reviewing)
MANAGER_MESSAGE = "只有管理员或本批次负责人可以分配评审专家。"
STATE_MESSAGE = "只有在形式审查或专家评审阶段才能分配评审专家。"


def require_manager(batch: Batch, user: Any) -> None:
    if not access.is_manager(user, batch):
        raise NotAllowed(MANAGER_MESSAGE)


def _require_state(batch: Batch) -> None:
    if batch.status not in ASSIGN_STATES:
        raise InvalidState(STATE_MESSAGE)


# --- the draw: a pure function of its inputs ---------------------------------------------------------------------


def match_rank(kind: str | None, fields: list[str]) -> int:
    """0: the expert knows the product's kind; 1: the expert has a discipline (quality, marketing ...); 2: neither."""
    if kind and kind in fields:
        return 0
    if any(f not in PRODUCT_KINDS for f in fields):
        return 1
    return 2


def compute(inputs: dict[str, Any], seed: str) -> list[list[int]]:
    """The pairs [candidate id, expert id] the draw-v1 rule gives for these inputs and this seed, in drawing order."""
    rng = random.Random(seed)
    per = int(inputs.get("per_candidate") or 0)
    experts = sorted(inputs.get("experts") or [], key=lambda e: e["id"])
    loads = {e["id"]: int(e.get("load") or 0) for e in experts}
    fields = {e["id"]: list(e.get("fields") or []) for e in experts}
    excluded = {(int(c), int(e)) for c, e in (inputs.get("excluded") or [])}
    excluded |= {(int(c), int(e)) for c, e in (inputs.get("removed") or [])}
    result: list[list[int]] = []
    for cand in sorted(inputs.get("candidates") or [], key=lambda c: c["id"]):
        cid = cand["id"]
        taken = set(cand.get("assigned") or [])
        need = per - len(taken)
        for _ in range(max(0, need)):
            pool = [e for e in loads if e not in taken and (cid, e) not in excluded]
            if not pool:
                break
            best = min((match_rank(cand.get("kind"), fields[e]), loads[e]) for e in pool)
            tied = [e for e in pool if (match_rank(cand.get("kind"), fields[e]), loads[e]) == best]
            chosen = rng.choice(tied)
            taken.add(chosen)
            loads[chosen] += 1
            result.append([cid, chosen])
    return result


def shortfall(inputs: dict[str, Any], result: list[list[int]]) -> dict[int, int]:
    """Candidate id -> slots the draw could not fill (not enough eligible experts)."""
    per = int(inputs.get("per_candidate") or 0)
    got: dict[int, int] = {}
    for c, _ in result:
        got[c] = got.get(c, 0) + 1
    out = {}
    for cand in inputs.get("candidates") or []:
        missing = per - len(cand.get("assigned") or []) - got.get(cand["id"], 0)
        if missing > 0:
            out[cand["id"]] = missing
    return out


# --- the draw: reading its inputs, recording it ------------------------------------------------------------------


def _experts_with_users(session: Session) -> list[Expert]:
    return list(
        session.scalars(
            select(Expert)
            .join(User, User.id == Expert.user_id)
            .where(Expert.is_active, User.is_active)
            .order_by(Expert.id)
        )
    )


def _active_pairs(session: Session, batch: Batch) -> list[tuple[int, int]]:
    return list(
        session.execute(
            select(Assignment.candidate_id, Assignment.expert_id).where(
                Assignment.batch_id == batch.id, Assignment.ended_at.is_(None)
            )
        ).all()
    )


def draw_inputs(session: Session, batch: Batch) -> dict[str, Any]:
    """What the draw starts from now: the passed candidates lacking experts (with their product kinds and current
    experts), the eligible experts with their fields and loads in this batch, the excluded pairs."""
    per = batch.experts_per_candidate
    pairs = _active_pairs(session, batch)
    assigned: dict[int, list[int]] = {}
    loads: dict[int, int] = {}
    for c, e in pairs:
        assigned.setdefault(c, []).append(e)
        loads[e] = loads.get(e, 0) + 1
    rows = session.execute(
        select(Candidate.id, Candidate.enterprise_id, Product.kind_code)
        .join(Product, Product.id == Candidate.product_id)
        .where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.passed)
        .order_by(Candidate.id)
    ).all()
    lacking = [(cid, ent, kind) for cid, ent, kind in rows if len(assigned.get(cid, [])) < per]
    experts = _experts_with_users(session)
    conflicts = access.conflicts_of_users(session, [e.user for e in experts])
    lacking_ids = [cid for cid, _, _ in lacking]
    removed = (
        session.execute(
            select(Assignment.candidate_id, Assignment.expert_id)
            .where(Assignment.candidate_id.in_(lacking_ids), Assignment.ended_at.is_not(None))
            .distinct()
        ).all()
        if lacking_ids
        else []
    )
    excluded = [[cid, e.id] for cid, ent, _ in lacking for e in experts if ent in conflicts.get(e.user_id, set())]
    return {
        "per_candidate": per,
        "candidates": [
            {"id": cid, "kind": kind, "assigned": sorted(assigned.get(cid, []))} for cid, _, kind in lacking
        ],
        "experts": [{"id": e.id, "fields": list(e.fields or []), "load": loads.get(e.id, 0)} for e in experts],
        "excluded": excluded,
        "removed": sorted([c, e] for c, e in removed),
    }


@dataclass
class DrawOutcome:
    draw: Draw | None
    pairs: list[list[int]] = field(default_factory=list)
    shortfall: dict[int, int] = field(default_factory=dict)


def draw(session: Session, batch: Batch, actor: User, seed: str | None = None) -> DrawOutcome:
    """Fill every passed candidate up to the batch's experts per candidate, at random (see the module), and record
    the draw: its seed, inputs and result, and one audit event. Nothing to fill: nothing recorded."""
    require_manager(batch, actor)
    _require_state(batch)
    # One draw of a batch at a time: a second manager's draw waits here and then sees the first one's assignments.
    session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    inputs = draw_inputs(session, batch)
    if not inputs["candidates"]:
        return DrawOutcome(draw=None)
    seed = seed or secrets.token_hex(8)
    result = compute(inputs, seed)
    record = Draw(
        batch_id=batch.id, seed=seed, algorithm=ALGORITHM, inputs=inputs, result=result, created_by_id=actor.id
    )
    changes.created(session, record, actor=actor, action="hit_assignment.draw")
    for c, e in result:
        session.add(
            Assignment(
                batch_id=batch.id,
                candidate_id=c,
                expert_id=e,
                source=AssignmentSource.draw,
                draw_id=record.id,
                reason="随机抽取",
                created_by_id=actor.id,
            )
        )
    session.flush()
    return DrawOutcome(draw=record, pairs=result, shortfall=shortfall(inputs, result))


@dataclass
class Recheck:
    matches: bool
    recomputed: list[list[int]]
    differences: int
    message: str


def recheck(record: Draw) -> Recheck:
    """Run the recorded rule again from the stored inputs and seed; say whether it gives the stored result."""
    if record.algorithm != ALGORITHM:
        return Recheck(False, [], 0, f"无法复核：未知的抽取规则 {record.algorithm}")
    recomputed = compute(record.inputs or {}, record.seed)
    stored = [list(p) for p in record.result or []]
    diff = len({tuple(p) for p in stored} ^ {tuple(p) for p in recomputed})
    if recomputed == stored:
        return Recheck(True, recomputed, 0, "复核一致：按记录的输入和种子重新抽取，结果与记录完全相同。")
    return Recheck(False, recomputed, diff, "复核不一致：重新抽取的结果与记录不同，记录可能被改动。")


@dataclass
class DrawView:
    draw: Draw
    batch: Batch
    check: Recheck
    pairs: list[tuple[Any, list[Any]]]  # (candidate, its drawn experts in drawing order) the viewer may see
    hidden: int
    shortfall: list[tuple[Any, int]]
    experts: int
    candidates: int
    excluded: int
    by: User | None


def draw_view(session: Session, record: Draw, viewer: User) -> DrawView:
    """The draw page: seed, inputs summary, result (without candidates the viewer is conflicted with), re-check."""
    batch = session.get(Batch, record.batch_id)
    inputs = record.inputs or {}
    result = record.result or []
    cids = {c for c, _ in result} | {c["id"] for c in inputs.get("candidates") or []}
    eids = {e for _, e in result}
    cands = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(cids)))} if cids else {}
    experts = {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(eids)))} if eids else {}
    mine = access.conflicted_enterprise_ids(session, viewer)
    grouped: dict[int, list[Any]] = {}
    hidden = 0
    for c, e in result:
        cand = cands.get(c)
        if cand is not None and cand.enterprise_id in mine:
            hidden += 1
            continue
        grouped.setdefault(c, []).append(experts.get(e))
    pairs = [(cands.get(c), drawn) for c, drawn in grouped.items()]
    short = [
        (cands.get(c), n)
        for c, n in shortfall(inputs, result).items()
        if cands.get(c) is None or cands[c].enterprise_id not in mine
    ]
    return DrawView(
        draw=record,
        batch=batch,
        check=recheck(record),
        pairs=pairs,
        hidden=hidden,
        shortfall=short,
        experts=len(inputs.get("experts") or []),
        candidates=len(inputs.get("candidates") or []),
        excluded=len(inputs.get("excluded") or []),
        by=session.get(User, record.created_by_id) if record.created_by_id else None,
    )


# --- the matrix --------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    assignment: Assignment | None = None
    conflicted: bool = False
    reviewed: bool = False


@dataclass
class MatrixRow:
    candidate: Candidate
    active: list[Assignment]
    ended: list[Assignment]
    reviewed: set[int]
    conflicted: set[int]

    def cell(self, expert_id: int) -> Cell:
        """The crossing with one expert (made when asked: the list view never draws 25 x 50 of them)."""
        assignment = next((a for a in self.active if a.expert_id == expert_id), None)
        return Cell(assignment=assignment, conflicted=expert_id in self.conflicted, reviewed=expert_id in self.reviewed)

    @property
    def missing(self) -> int:
        return max(0, self.candidate.batch.experts_per_candidate - len(self.active))


@dataclass(frozen=True, slots=True)
class DrawLine:
    id: int
    created_at: datetime
    seed: str
    pairs: int


@dataclass
class Matrix:
    batch: Batch
    page: Page
    rows: list[MatrixRow]
    experts: list[Expert]
    loads: dict[int, int]
    draws: list[DrawLine]
    counts: dict[str, int]
    can_manage: bool
    can_assign: bool


def matrix(
    session: Session, batch: Batch, viewer: User, *, page: int = 1, page_size: int = 25, lacking: bool = False
) -> Matrix:
    """One page of candidates (passed, or with assignments) × the experts, with loads, conflicts and review state;
    a fixed number of queries whatever the size (no query per cell)."""
    base = select(Candidate).where(
        Candidate.batch_id == batch.id,
        (Candidate.status == CandidateStatus.passed)
        | Candidate.id.in_(select(Assignment.candidate_id).where(Assignment.batch_id == batch.id)),
    )
    if lacking:  # only the passed candidates with fewer active assignments than the batch wants
        active_n = (
            select(func.count())
            .where(Assignment.candidate_id == Candidate.id, Assignment.ended_at.is_(None))
            .correlate(Candidate)
            .scalar_subquery()
        )
        base = base.where(Candidate.status == CandidateStatus.passed, active_n < batch.experts_per_candidate)
    base = access.visible_candidates(session, viewer, base)
    page_rows = base.order_by(Candidate.id).options(lazyload(Candidate.batch))  # in the identity map already
    result = paginate(session, page_rows, page=page, page_size=page_size)
    cids = [c.id for c in result.items]
    # Every expert with an assignment in the batch is here: the assignments below find theirs in the identity map.
    experts = list(
        session.scalars(
            select(Expert)
            .where(
                Expert.is_active | Expert.id.in_(select(Assignment.expert_id).where(Assignment.batch_id == batch.id))
            )
            .order_by(Expert.name, Expert.id)
        )
    )
    assignments = (
        list(
            session.scalars(
                select(Assignment)
                .where(Assignment.candidate_id.in_(cids))
                .order_by(Assignment.created_at, Assignment.id)
                .options(lazyload(Assignment.expert))
            )
        )
        if cids
        else []
    )
    reviewed = (
        set(
            session.execute(
                select(Review.candidate_id, Review.expert_id).where(
                    Review.candidate_id.in_(cids), Review.status == ReviewStatus.submitted
                )
            ).all()
        )
        if cids
        else set()
    )
    conflicts = access.conflicts_of_users(session, [e.user for e in experts])
    loads = dict(
        session.execute(
            select(Assignment.expert_id, func.count())
            .where(Assignment.batch_id == batch.id, Assignment.ended_at.is_(None))
            .group_by(Assignment.expert_id)
        ).all()
    )
    rows = []
    by_candidate: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_candidate[a.candidate_id].append(a)
    done_by: dict[int, set[int]] = defaultdict(set)
    for cid, eid in reviewed:
        done_by[cid].add(eid)
    # Per expert once: his id and the enterprises he must stay away from (plain values, not ORM attributes read
    # 1,250 times a page).
    expert_conflicts = [(e.id, conflicts.get(e.user_id, set())) for e in experts]
    for cand in result.items:
        mine = by_candidate.get(cand.id, [])
        active = [a for a in mine if a.ended_at is None]
        ended = [a for a in mine if a.ended_at is not None]
        enterprise_id = cand.enterprise_id
        conflicted = {eid for eid, avoid in expert_conflicts if enterprise_id in avoid}
        rows.append(MatrixRow(cand, active, ended, done_by.get(cand.id, set()), conflicted))
    # The last draws: the page shows their number, time, seed and size, never the (large) inputs and result.
    draws = [
        DrawLine(*found)
        for found in session.execute(
            select(Draw.id, Draw.created_at, Draw.seed, func.jsonb_array_length(Draw.result))
            .where(Draw.batch_id == batch.id)
            .order_by(Draw.created_at.desc())
            .limit(10)
        )
    ]
    counts = _counts(session, batch, loads)
    return Matrix(
        batch=batch,
        page=result,
        rows=rows,
        experts=experts,
        loads=loads,
        draws=draws,
        counts=counts,
        can_manage=access.is_manager(viewer, batch),
        can_assign=access.is_manager(viewer, batch) and batch.status in ASSIGN_STATES,
    )


def _counts(session: Session, batch: Batch, loads: dict[int, int]) -> dict[str, int]:
    """Passed candidates, those still lacking experts, active assignments (the sum of the experts' loads), submitted
    reviews of the batch: one statement."""
    per = batch.experts_per_candidate
    active = (
        select(Assignment.candidate_id, func.count().label("n"))
        .where(Assignment.batch_id == batch.id, Assignment.ended_at.is_(None))
        .group_by(Assignment.candidate_id)
        .subquery()
    )
    reviews = (
        select(func.count())
        .where(Review.batch_id == batch.id, Review.status == ReviewStatus.submitted)
        .scalar_subquery()
    )
    passed, lacking, submitted = session.execute(
        select(func.count(), func.count().filter(func.coalesce(active.c.n, 0) < per), reviews)
        .select_from(Candidate)
        .outerjoin(active, active.c.candidate_id == Candidate.id)
        .where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.passed)
    ).one()
    return {"passed": passed, "lacking": lacking, "assignments": sum(loads.values()), "reviews": submitted or 0}


# --- single assignments ------------------------------------------------------------------------------------------


def _check_eligible(session: Session, candidate: Candidate, expert: Expert, field_name: str = "expert_id") -> None:
    if not expert.is_active or not expert.user.is_active:
        raise FieldErrors({field_name: f"{expert.name} 已停用，不能指派"})
    if candidate.enterprise_id in access.conflicted_enterprise_ids(session, expert.user):
        raise FieldErrors({field_name: f"{expert.name} 与该申报企业存在利益关联，须回避，不能指派"})
    taken = session.scalar(
        select(Assignment.id).where(
            Assignment.candidate_id == candidate.id, Assignment.expert_id == expert.id, Assignment.ended_at.is_(None)
        )
    )
    if taken is not None:
        raise FieldErrors({field_name: f"{expert.name} 已是该申报的评审专家"})


def _insert(session: Session, assignment: Assignment, *, actor: User, action: str, expert: Expert) -> Assignment:
    try:
        with session.begin_nested():
            changes.created(session, assignment, actor=actor, action=action)
    except IntegrityError:  # uq_hit_assignment_active: someone assigned the same expert a moment ago
        raise FieldErrors({"expert_id": f"{expert.name} 已是该申报的评审专家"}) from None
    return assignment


def add(
    session: Session, batch: Batch, *, actor: User, candidate: Candidate, expert: Expert, reason: str
) -> Assignment:
    """Assign an expert by hand (refused when conflicted, inactive or already assigned)."""
    require_manager(batch, actor)
    _require_state(batch)
    if candidate.batch_id != batch.id:
        raise FieldErrors({"candidate_id": "请选择本批次的申报"})
    if candidate.status != CandidateStatus.passed:
        raise FieldErrors({"candidate_id": "只有通过形式审查的申报才能指派专家"})
    _check_eligible(session, candidate, expert)
    assignment = Assignment(
        batch_id=batch.id,
        candidate_id=candidate.id,
        expert_id=expert.id,
        source=AssignmentSource.manual,
        reason=reason,
        created_by_id=actor.id,
    )
    return _insert(session, assignment, actor=actor, action="hit_assignment.add", expert=expert)


MOVED_MESSAGE = "该分配刚被其他人调换或结束，请刷新页面查看最新分配。"


def move(session: Session, assignment: Assignment, *, actor: User, expert: Expert, reason: str) -> Assignment:
    """End one assignment and give the candidate to another expert by hand. Of two managers moving the same
    assignment at once exactly one wins: the UPDATE is conditioned on the assignment still being active."""
    batch = session.get(Batch, assignment.batch_id)
    require_manager(batch, actor)
    _require_state(batch)
    if assignment.ended_at is not None:
        raise Conflict(MOVED_MESSAGE)
    submitted = session.scalar(
        select(Review.id).where(
            Review.candidate_id == assignment.candidate_id,
            Review.expert_id == assignment.expert_id,
            Review.status.in_((ReviewStatus.submitted, ReviewStatus.superseded)),
        )
    )
    if submitted is not None:
        raise Conflict(f"{assignment.expert.name} 已提交评审意见，不能调换。")
    candidate = session.get(Candidate, assignment.candidate_id)
    if expert.id == assignment.expert_id:
        raise FieldErrors({"expert_id": "请选择另一位专家"})
    _check_eligible(session, candidate, expert)
    before = changes.snapshot(assignment)
    new = Assignment(
        batch_id=batch.id,
        candidate_id=candidate.id,
        expert_id=expert.id,
        source=AssignmentSource.manual,
        reason=reason,
        created_by_id=actor.id,
    )
    # Both writes or neither: the end of the old assignment and the new one share a savepoint.
    try:
        with session.begin_nested():
            ended = session.execute(
                update(Assignment)
                .where(Assignment.id == assignment.id, Assignment.ended_at.is_(None))
                .values(ended_at=utcnow(), ended_by_id=actor.id, end_reason=f"调换：{reason}"[:300])
                .execution_options(synchronize_session=False)
            )
            if ended.rowcount != 1:
                raise Conflict(MOVED_MESSAGE)
            session.add(new)
            session.flush()
    except IntegrityError:
        raise FieldErrors({"expert_id": f"{expert.name} 已是该申报的评审专家"}) from None
    session.refresh(assignment)
    audit.record(
        session,
        actor=actor,
        action="hit_assignment.move",
        entity_type="hit_assignment",
        entity_id=assignment.id,
        before=before,
        after={**changes.snapshot(assignment), "new_assignment_id": new.id, "new_expert_id": expert.id},
    )
    return new


def assignable_experts(session: Session) -> list[Expert]:
    """The experts a manager may pick by hand (active accounts in the pool)."""
    return _experts_with_users(session)


def assignable_candidates(session: Session, batch: Batch, viewer: User) -> list[Candidate]:
    stmt = select(Candidate).where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.passed)
    return list(session.scalars(access.visible_candidates(session, viewer, stmt).order_by(Candidate.id).limit(1000)))


def add_from_form(session: Session, batch: Batch, *, actor: User, data: AssignmentAddIn) -> Assignment:
    """add() with the candidate and expert a form named (each missing one refused next to its field)."""
    require_manager(batch, actor)
    candidate = session.get(Candidate, data.candidate_id)
    expert = session.get(Expert, data.expert_id)
    errors = {}
    if candidate is None or candidate.batch_id != batch.id:
        errors["candidate_id"] = "请选择本批次的申报"
    if expert is None:
        errors["expert_id"] = "请选择专家库中的专家"
    if errors:
        raise FieldErrors(errors)
    return add(session, batch, actor=actor, candidate=candidate, expert=expert, reason=data.reason)


def move_from_form(session: Session, assignment: Assignment, *, actor: User, data: AssignmentMoveIn) -> Assignment:
    """move() to the expert a form named."""
    require_manager(batch_of(session, assignment), actor)
    expert = session.get(Expert, data.expert_id)
    if expert is None:
        raise FieldErrors({"expert_id": "请选择专家库中的专家"})
    return move(session, assignment, actor=actor, expert=expert, reason=data.reason)


def batch_of(session: Session, assignment: Assignment) -> Batch:
    return session.get(Batch, assignment.batch_id)
