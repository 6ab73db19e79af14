"""Proposed and final decisions, the public notice (公示) and its objections (异议), the candidate dossier.

A decision is proposed (and changed) while the batch is deciding; during the notice only an upheld objection
changes it; when the batch is published every decision gets final_at and no service changes it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.db import utcnow
from hotpot.errors import Conflict, InvalidState, NotAllowed, NotFound
from hotpot.hitpool import access, ranking
from hotpot.hitpool.dates import add_working_days, today
from hotpot.hitpool.decision_schemas import MIN_NOTE, NOTE_MESSAGE, NOTE_REQUIRED, DecisionIn, HandleIn, ObjectionIn
from hotpot.hitpool.enums import BatchStatus, CandidateStatus, ObjectionStatus, Outcome, ReviewStatus
from hotpot.hitpool.models import Batch, Candidate, Criterion, Decision, Objection, Post, Review
from hotpot.validation import FieldErrors, StaleVersion, check_version, errors_from_validation, parse_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
# More than this many rows at once is a slip of the hand, not a committee decision.
BULK_LIMIT = 200
NOTICE_STATES = frozenset({BatchStatus.notice, BatchStatus.published, BatchStatus.archived})


# --- decisions --------------------------------------------------------------------------------------------------


def batch_or_404(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound("您要找的批次不存在或已被移除。")
    return batch


def staff_candidate(session: Session, user: Any, candidate_id: int) -> Candidate:
    """The candidate a staff page names: 404 when missing or when the viewer is conflicted (the same answer)."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or not access.is_staff(user) or access.is_conflicted(session, user, candidate):
        raise NotFound("您要找的内容不存在或已被移除。")
    return candidate


def staff_objection(session: Session, user: Any, objection_id: int) -> Objection:
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFound("您要找的内容不存在或已被移除。")
    staff_candidate(session, user, objection.candidate_id)
    return objection


def _require_staff(session: Session, actor: Any, candidate: Candidate) -> None:
    if not access.is_staff(actor):
        raise NotAllowed("只有工作人员可以拟定入库决定。")
    if access.is_conflicted(session, actor, candidate):
        raise NotFound("您要找的内容不存在或已被移除。")


def decision_of(session: Session, candidate: Candidate) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.candidate_id == candidate.id)).first()


def _check_note(outcome: str, note: str | None) -> None:
    if outcome in NOTE_REQUIRED and len((note or "").strip()) < MIN_NOTE:
        raise FieldErrors({"note": NOTE_MESSAGE})


def decide(
    session: Session,
    *,
    actor: Any,
    candidate: Candidate,
    data: DecisionIn,
    version: int | None,
    action: str = "hit_decision.propose",
    rank: int | None = None,
) -> Decision:
    """Propose or change the decision on a candidate while its batch is deciding.

    version is the decision's version the form was loaded with (0: the form saw no decision). Of two people
    deciding at once exactly one wins: an update is conditioned on the version; of two first decisions the unique
    row per candidate lets one in and the other gets a Conflict."""
    _require_staff(session, actor, candidate)
    batch = candidate.batch
    existing = decision_of(session, candidate)
    if existing is not None and existing.final_at is not None:
        raise InvalidState("该决定已随批次正式发布，不能再更改。")
    if batch.status != BatchStatus.deciding:
        raise InvalidState(
            f"批次当前为“{batch.status_label}”：只有在“拟定结果”阶段才能拟定或修改决定（公示期间须通过异议处理）。"
        )
    if existing is None and candidate.status != CandidateStatus.passed:
        raise InvalidState("只有通过形式审查的申报才能拟定入库决定。")
    _check_note(data.outcome, data.note)
    note = (data.note or "").strip() or None
    if existing is not None:
        if version == 0:
            raise StaleVersion(existing)  # the form saw no decision: someone decided meanwhile
        verb = action if action != "hit_decision.propose" else "hit_decision.update"
        with changes.tracked(session, existing, actor=actor, action=verb, version=version):
            existing.outcome = Outcome(data.outcome)
            existing.note = note
            existing.decided_by_id = actor.id
            if rank is not None:
                existing.rank = rank
        return existing
    if version not in (None, 0):
        raise StaleVersion(None)
    record = Decision(
        batch_id=batch.id,
        candidate_id=candidate.id,
        outcome=Outcome(data.outcome),
        note=note,
        rank=rank,
        decided_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            changes.created(session, record, actor=actor, action=action)
    except IntegrityError:
        raise Conflict("另一位工作人员刚刚对这项申报作出了决定，请刷新页面查看后再修改。") from None
    return record


def rank_of(session: Session, candidate: Candidate, actor: Any) -> int | None:
    """The candidate's place in its batch's ranking now (stored with the decision)."""
    for row in ranking.rank(session, candidate.batch, actor):
        if row.candidate_id == candidate.id:
            return row.rank
    return None


def propose(session: Session, *, actor: Any, candidate: Candidate, form: dict[str, Any], version: int) -> Decision:
    """The decision form of one candidate: parse, then decide (with the ranking place)."""
    from hotpot.validation import parse_form

    _require_staff(session, actor, candidate)
    data = parse_form(DecisionIn, form)
    return decide(
        session,
        actor=actor,
        candidate=candidate,
        data=data,
        version=version,
        rank=rank_of(session, candidate, actor),
    )


@dataclass
class BulkOutcome:
    """What a bulk decision did to each ticked row."""

    outcome: str
    done: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    missing: int = 0

    @property
    def outcome_label(self) -> str:
        return Outcome.label_of(self.outcome)


def parse_bulk(form: dict[str, Any]) -> tuple[DecisionIn, list[tuple[int, int]]]:
    """The outcome, the note and the ticked (candidate id, decision version) pairs; every problem in one round."""
    errors: dict[str, str] = {}
    raw = form.get("ids")
    values = raw if isinstance(raw, list) else ([raw] if raw else [])
    picks: dict[int, int] = {}
    for value in values:
        if not isinstance(value, str) or not value.isdigit() or len(value) > 10:
            continue
        version = form.get(f"version_{value}")
        ok = isinstance(version, str) and version.isdigit() and len(version) < 10
        picks[int(value)] = int(version) if ok else -1
    if not picks:
        errors["ids"] = "请先勾选要处理的申报"
    elif len(picks) > BULK_LIMIT:
        errors["ids"] = f"一次最多处理 {BULK_LIMIT} 项"
    outcome = form.get("outcome")
    note = form.get("note") if isinstance(form.get("note"), str) else None
    data = None
    try:
        data = DecisionIn.model_validate({"outcome": outcome, "note": (note or "").strip() or None})
    except ValidationError as exc:  # turned into the fields' Chinese messages
        found = errors_from_validation(exc)
        if "outcome" in found:
            found["outcome"] = "请选择决定：入库、不入库或修改后再申报"
        errors.update(found)
    if data is not None:
        try:
            _check_note(data.outcome, data.note)
        except FieldErrors as exc:
            errors.update(exc.errors)
    if errors or data is None:
        raise FieldErrors(errors)
    return data, list(picks.items())


def decide_many(session: Session, *, actor: Any, batch: Batch, form: dict[str, Any]) -> BulkOutcome:
    """One outcome and note for the ticked candidates of a batch: each in its own savepoint, with its own version
    check and audit event ("hit_decision.bulk"); rows that changed meanwhile or may not be decided are reported."""
    if not access.is_staff(actor):
        raise NotAllowed("只有工作人员可以拟定入库决定。")
    if batch.status != BatchStatus.deciding:
        raise InvalidState(f"批次当前为“{batch.status_label}”：只有在“拟定结果”阶段才能批量拟定决定。")
    data, picks = parse_bulk(form)
    result = BulkOutcome(outcome=data.outcome)
    ids = [cid for cid, _ in picks]
    visible = access.visible_candidates(
        session, actor, select(Candidate).where(Candidate.batch_id == batch.id, Candidate.id.in_(ids))
    )
    found = {c.id: c for c in session.scalars(visible)}
    places = {row.candidate_id: row.rank for row in ranking.rank(session, batch, actor)}
    result.missing = len(picks) - len(found)
    for cid, version in picks:
        candidate = found.get(cid)
        if candidate is None:
            continue
        name = candidate.product.name
        try:
            with session.begin_nested():
                decide(
                    session,
                    actor=actor,
                    candidate=candidate,
                    data=data,
                    version=version,
                    action="hit_decision.bulk",
                    rank=places.get(cid),
                )
        except StaleVersion:
            result.stale.append(name)
        except (InvalidState, Conflict, FieldErrors) as exc:
            message = exc.message if hasattr(exc, "message") else next(iter(exc.errors.values()))
            result.refused.append((name, message))
        else:
            result.done.append(name)
    return result


def panel(session: Session, candidate: Any, viewer: Any) -> dict[str, Any]:
    """What templates/hitpool/decisions/_panel.html shows on the staff candidate page: the decision (or its form
    while the batch is deciding), the objections on this candidate and how they were handled."""
    if not access.can_see_reviews(session, viewer, candidate) or not access.is_staff(viewer):
        return {"hidden": True}
    batch = candidate.batch
    decision = decision_of(session, candidate)
    final = decision is not None and decision.final_at is not None
    can_decide = (
        batch.status == BatchStatus.deciding
        and not final
        and (decision is not None or candidate.status == CandidateStatus.passed)
    )
    objections = list(
        session.scalars(select(Objection).where(Objection.candidate_id == candidate.id).order_by(Objection.created_at))
    )
    if final:
        state_note = "决定已随批次正式发布，不能再更改。"
    elif batch.status == BatchStatus.notice:
        state_note = "公示期间，决定只能通过处理异议更改。"
    elif can_decide:
        state_note = None
    elif batch.status in (BatchStatus.draft, BatchStatus.open, BatchStatus.screening, BatchStatus.reviewing):
        state_note = "批次进入“拟定结果”阶段后才能拟定决定。"
    else:
        state_note = "这项申报当前不能拟定决定。"
    return {
        "hidden": False,
        "candidate": candidate,
        "batch": batch,
        "decision": decision,
        "final": final,
        "can_decide": can_decide,
        "state_note": state_note,
        "outcomes": [(o.value, o.label) for o in Outcome],
        "values": {"outcome": str(decision.outcome) if decision else "", "note": decision.note if decision else ""},
        "errors": {},
        "objections": objections,
    }


# --- the public notice ------------------------------------------------------------------------------------------


def on_notice(session: Session, batch: Batch, actor: Any) -> None:
    """Called by the batch service inside the "notice" transition: refuse without a proposed 入库, else set the
    notice period: from today (Asia/Shanghai) to notice_days working days later."""
    accepted = session.scalar(
        select(func.count())
        .select_from(Decision)
        .where(Decision.batch_id == batch.id, Decision.outcome == Outcome.accepted)
    )
    if not accepted:
        raise InvalidState("还没有拟入库的申报，不能发布公示：请先在“排名与决定”中拟定入库名单。")
    start = today()
    with changes.tracked(session, batch, actor=actor, action="hit_batch.notice_dates", bump=False):
        batch.notice_starts_on = start
        batch.notice_ends_on = add_working_days(start, batch.notice_days)


def notice_open(batch: Batch, on: date | None = None) -> bool:
    """Objections are taken during the period, both ends included."""
    on = on or today()
    return (
        batch.status == BatchStatus.notice
        and batch.notice_starts_on is not None
        and batch.notice_ends_on is not None
        and batch.notice_starts_on <= on <= batch.notice_ends_on
    )


@dataclass
class NoticeEntry:
    candidate_id: int
    product: str
    enterprise: str
    category: str


def notice_entries(session: Session, batch: Batch) -> list[NoticeEntry]:
    """The proposed (during the notice) or final accepted list: product, enterprise, category; no scores."""
    from hotpot.enterprises.models import Enterprise
    from hotpot.products.models import Product
    from hotpot.reference.models import ProductCategory

    stmt = (
        select(Candidate.id, Product.name, Enterprise.name, ProductCategory.name)
        .select_from(Decision)
        .join(Candidate, Candidate.id == Decision.candidate_id)
        .join(Product, Product.id == Candidate.product_id)
        .join(Enterprise, Enterprise.id == Candidate.enterprise_id)
        .join(ProductCategory, ProductCategory.code == Product.category_code)
        .where(Decision.batch_id == batch.id, Decision.outcome == Outcome.accepted)
        .order_by(Decision.rank.nulls_last(), Candidate.id)
    )
    return [NoticeEntry(*row) for row in session.execute(stmt)]


def public_notice(session: Session, batch: Batch) -> dict[str, Any]:
    """What /notices/{batch} shows; NotFound for a batch that has not reached its notice."""
    if batch.status not in NOTICE_STATES:
        raise NotFound("该批次尚未发布公示。")
    return {
        "batch": batch,
        "entries": notice_entries(session, batch),
        "open": notice_open(batch),
        "published": batch.status != BatchStatus.notice,
    }


class _Discard(Exception):
    """Leaves a savepoint (rolling it back) when what it checked is not to be kept."""


def raise_objection(
    session: Session, *, user: Any, batch: Batch, form: dict[str, Any], evidence: tuple[bytes, str] | None
) -> Objection:
    """An objection by a logged-in person during the notice period: the item, reasons (10-2000), optional evidence
    (checked like every upload). Every problem in one round; nothing is kept when one is found."""
    from hotpot.files import service as files
    from hotpot.validation import parse_form

    if user is None:
        raise NotAllowed("请先登录后再提出异议。")
    if not notice_open(batch):
        raise InvalidState("该批次不在公示期内，不能提出异议。")
    errors: dict[str, str] = {}
    data = None
    try:
        data = parse_form(ObjectionIn, {k: v for k, v in form.items() if k != "evidence"})
    except FieldErrors as exc:
        errors.update(exc.errors)
        if "reasons" in errors and "字符" in errors["reasons"]:
            errors["reasons"] = "异议理由需 10 至 2000 个字，请写明事实和依据"
    listed = {e.candidate_id for e in notice_entries(session, batch)}
    picked = parse_id(form.get("candidate_id"))
    if "candidate_id" not in errors and picked not in listed:
        errors["candidate_id"] = "请选择公示名单中的一项"
    stored = None
    if evidence is not None:
        # The file is checked even when other fields are wrong (every problem in one round), and kept only when
        # everything else is right: its savepoint is rolled back otherwise.
        try:
            with session.begin_nested():
                stored = files.store(
                    session, data=evidence[0], filename=evidence[1], uploaded_by=user, field="evidence"
                )
                if errors:
                    raise _Discard()
        except FieldErrors as exc:
            errors.update(exc.errors)
            stored = None
        except _Discard:
            stored = None
    if errors or data is None:
        raise FieldErrors(errors)
    objection = Objection(
        batch_id=batch.id,
        candidate_id=data.candidate_id,
        raised_by_id=user.id,
        reasons=data.reasons,
        evidence_file_id=stored.id if stored else None,
        status=ObjectionStatus.pending,
    )
    return changes.created(session, objection, actor=user, action="hit_objection.raise")


def objections(session: Session, batch: Batch, viewer: Any) -> list[Objection]:
    """The batch's objections on candidates the viewer may see, pending first, then oldest first."""
    stmt = (
        select(Objection)
        .join(Candidate, Candidate.id == Objection.candidate_id)
        .where(Objection.batch_id == batch.id)
        .order_by(case((Objection.status == ObjectionStatus.pending, 0), else_=1), Objection.created_at, Objection.id)
    )
    return list(session.scalars(access.visible_candidates(session, viewer, stmt)))


def objection_counts(items: list[Objection]) -> dict[str, int]:
    out = {s.value: 0 for s in ObjectionStatus}
    for o in items:
        out[str(o.status)] += 1
    return out


def handle_objection(
    session: Session, *, actor: Any, objection: Objection, form: dict[str, Any], version: int
) -> Objection:
    """Uphold (the decision changes to the chosen outcome, the reason recorded on both) or dismiss (why)."""
    from hotpot.validation import parse_form

    candidate = objection.candidate
    _require_staff(session, actor, candidate)
    check_version(objection, version)
    if objection.status != ObjectionStatus.pending:
        raise InvalidState(f"该异议已处理（{ObjectionStatus.label_of(objection.status)}）。")
    batch = candidate.batch
    if batch.status != BatchStatus.notice:
        raise InvalidState(f"批次当前为“{batch.status_label}”：只有公示期间才能处理异议。")
    errors: dict[str, str] = {}
    data = None
    try:
        data = parse_form(HandleIn, form)
    except FieldErrors as exc:
        errors.update(exc.errors)
        if "reason" in errors:
            errors["reason"] = "请写明处理理由（至少 4 个字）"
        if "action" in errors:
            errors["action"] = "请选择“异议成立”或“异议不成立”"
    decision = decision_of(session, candidate)
    if data is not None and data.action == "upheld":
        if data.new_outcome is None:
            errors["new_outcome"] = "异议成立时，请选择更改后的决定"
        elif decision is not None and str(decision.outcome) == data.new_outcome:
            errors["new_outcome"] = "异议成立时，请选择与原决定不同的结果"
        elif data.new_outcome in NOTE_REQUIRED and len((data.reason or "").strip()) < MIN_NOTE:
            errors["reason"] = NOTE_MESSAGE
    if errors or data is None:
        raise FieldErrors(errors)
    if data.action == "upheld" and decision is None:
        raise InvalidState("这项申报没有可更改的决定。")
    if data.action == "upheld" and decision.final_at is not None:
        raise InvalidState("该决定已随批次正式发布，不能再更改。")
    reason = data.reason.strip()
    action = "hit_objection.uphold" if data.action == "upheld" else "hit_objection.dismiss"
    with changes.tracked(session, objection, actor=actor, action=action, version=version):
        objection.status = ObjectionStatus(data.action)
        objection.handling_reason = reason
        objection.new_outcome = Outcome(data.new_outcome) if data.action == "upheld" else None
        objection.handled_by_id = actor.id
        objection.handled_at = utcnow()
    if data.action == "upheld":
        with changes.tracked(session, decision, actor=actor, action="hit_decision.update"):
            decision.outcome = Outcome(data.new_outcome)
            decision.note = f"经公示异议复核：{reason}"
            decision.decided_by_id = actor.id
    return objection


# --- publication ------------------------------------------------------------------------------------------------


def on_publish(session: Session, batch: Batch, actor: Any) -> None:
    """Called by the batch service inside the "publish" transition: refuse while objections are pending or the
    notice period runs; then every decision becomes final (immutable), the producers' bells count them
    (candidates.unread_count: final decisions with producer_read_at NULL), and accepted candidates get their
    incubation plans (hotpot.hitpool.incubation.start_plans)."""
    from hotpot.hitpool import incubation

    pending = session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.batch_id == batch.id, Objection.status == ObjectionStatus.pending)
    )
    if pending:
        raise InvalidState(f"还有 {pending} 条异议待处理，处理完毕后才能正式发布。")
    if batch.notice_ends_on is None:
        raise InvalidState("该批次还没有公示，不能正式发布。")
    if today() <= batch.notice_ends_on:
        raise InvalidState(f"公示期到 {batch.notice_ends_on.isoformat()} 结束，期满后才能正式发布。")
    now = utcnow()
    for decision in session.scalars(select(Decision).where(Decision.batch_id == batch.id, Decision.final_at.is_(None))):
        with changes.tracked(session, decision, actor=actor, action="hit_decision.finalise"):
            decision.final_at = now
    incubation.start_plans(session, batch, actor)


# --- the dossier ------------------------------------------------------------------------------------------------


def dossier(session: Session, candidate: Candidate, viewer: Any) -> dict[str, Any]:
    """Everything about one candidate for the printable dossier (unconflicted staff): the application summary,
    every review with its scores and comments (superseded revisions too), the discussion, the decision, the
    objections and the audit history of the candidate and its decision, reviews and objections."""
    from hotpot.audit import service as audit
    from hotpot.audit.models import AuditEvent
    from hotpot.hitpool import candidates

    if not access.is_staff(viewer) or access.is_conflicted(session, viewer, candidate):
        raise NotFound("您要找的内容不存在或已被移除。")
    criteria = list(
        session.scalars(select(Criterion).where(Criterion.batch_id == candidate.batch_id).order_by(Criterion.position))
    )
    reviews = list(
        session.scalars(
            select(Review)
            .where(Review.candidate_id == candidate.id, Review.status != ReviewStatus.draft)
            .order_by(Review.expert_id, Review.revision)
        ).unique()
    )
    posts = list(session.scalars(select(Post).where(Post.candidate_id == candidate.id).order_by(Post.created_at)))
    decision = decision_of(session, candidate)
    found = list(
        session.scalars(select(Objection).where(Objection.candidate_id == candidate.id).order_by(Objection.created_at))
    )
    keys = [("hit_candidate", candidate.id)] + [("hit_review", r.id) for r in reviews]
    keys += [("hit_objection", o.id) for o in found]
    if decision is not None:
        keys.append(("hit_decision", decision.id))
    from sqlalchemy import or_, tuple_

    events = list(
        session.scalars(
            select(AuditEvent)
            .where(or_(tuple_(AuditEvent.entity_type, AuditEvent.entity_id).in_([(t, str(i)) for t, i in keys])))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
            .limit(500)
        )
    )
    return {
        "candidate": candidate,
        "batch": candidate.batch,
        "summary": candidates.summary(session, candidate),
        "criteria": criteria,
        "reviews": reviews,
        "scores": {r.id: {s.criterion_id: s for s in r.scores} for r in reviews},
        "posts": posts,
        "decision": decision,
        "objections": found,
        "history": audit.describe(session, events),
        "now_label": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
