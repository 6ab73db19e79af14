"""Incubation of accepted products: plans, milestones with their KPI, the committee's support and checks, the
producer's progress updates with evidence, and the plan's end: graduation to 爆品 / 拳头产品, or ended.

Who: unconflicted staff run a plan (a staff member tied to the enterprise sees none of it, like its reviews); the
producer of the plan's enterprise follows it and reports progress. A milestone is overdue (逾期) when its due date
has passed (Asia/Shanghai) and it is not achieved, on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from hotpot import changes
from hotpot.config import get_settings
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise
from hotpot.errors import InvalidState, NotFound
from hotpot.files import service as files
from hotpot.hitpool import access
from hotpot.hitpool.dates import today
from hotpot.hitpool.enums import GraduationTitle, KpiKind, MilestoneStatus, Outcome, PlanStatus, SupportKind
from hotpot.hitpool.incubation_schemas import CheckIn, EndIn, GraduateIn, MilestoneIn, ProgressIn, SupportIn
from hotpot.hitpool.models import Batch, Candidate, Decision, Milestone, Plan, ProgressUpdate, Support
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors, check_version, parse_form

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN_MONTHS = 12
NOT_FOUND = "您访问的页面不存在或已被移除，请检查网址，或返回首页继续浏览。"


def add_months(day: date, months: int) -> date:
    """The same day months later (the 29th of February becomes the 28th in a common year)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def is_overdue(milestone: Milestone, on: date | None = None) -> bool:
    """Past its due date (Shanghai) and not achieved."""
    return milestone.status != MilestoneStatus.achieved and milestone.due_on < (on or today())


def _overdue_sql(on: date):
    return and_(Milestone.status != MilestoneStatus.achieved.value, Milestone.due_on < on)


# --- starting plans ---------------------------------------------------------------------------------------------


def start_plans(session: Session, batch: Batch, actor: Any) -> list[Plan]:
    """A plan for every accepted candidate of a published batch (called by decisions.on_publish): incubating from
    the publication day (Shanghai) for 12 months. Idempotent: a candidate that has a plan keeps it."""
    published = batch.published_at or utcnow()
    starts_on = published.astimezone(SHANGHAI).date() if published.tzinfo else published.date()
    accepted = session.scalars(
        select(Candidate)
        .join(Decision, Decision.candidate_id == Candidate.id)
        .where(
            Decision.batch_id == batch.id,
            Decision.outcome == Outcome.accepted.value,
            Decision.final_at.is_not(None),
            ~select(Plan.id).where(Plan.candidate_id == Candidate.id).exists(),
        )
        .order_by(Candidate.id)
    ).all()
    plans = []
    for candidate in accepted:
        plan = Plan(
            batch_id=batch.id,
            candidate_id=candidate.id,
            product_id=candidate.product_id,
            enterprise_id=candidate.enterprise_id,
            status=PlanStatus.incubating,
            starts_on=starts_on,
            ends_on=add_months(starts_on, PLAN_MONTHS),
            is_demo=bool(candidate.is_demo),
        )
        plans.append(changes.created(session, plan, actor=actor, action="hit_plan.start"))
    return plans


# --- who may see a plan -----------------------------------------------------------------------------------------


def staff_may_see(session: Session, user: Any, plan: Plan) -> bool:
    """Staff not tied to the plan's enterprise (a tie hides the plan like the candidate's reviews)."""
    return access.is_staff(user) and plan.enterprise_id not in access.conflicted_enterprise_ids(session, user)


def staff_plan(session: Session, *, user: Any, plan_id: int) -> Plan:
    """The plan for a staff page, or NotFound (missing, or the caller is conflicted)."""
    plan = session.get(Plan, plan_id)
    if plan is None or not staff_may_see(session, user, plan):
        raise NotFound(NOT_FOUND)
    return plan


def producer_plan(session: Session, *, user: Any, plan_id: int) -> Plan:
    """The plan for the producer's page: only the producers of the plan's enterprise (NotFound for anyone else)."""
    plan = session.get(Plan, plan_id)
    if plan is None or not access.is_producer_of(user, plan):
        raise NotFound(NOT_FOUND)
    return plan


def staff_milestone(session: Session, *, user: Any, milestone_id: int) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or not staff_may_see(session, user, session.get(Plan, milestone.plan_id)):
        raise NotFound(NOT_FOUND)
    return milestone


def plan_of(session: Session, milestone: Milestone) -> Plan:
    return session.get(Plan, milestone.plan_id)


def producer_milestone(session: Session, *, user: Any, plan: Plan, milestone_id: int) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.plan_id != plan.id:
        raise NotFound(NOT_FOUND)
    return milestone


def evidence_file(session: Session, *, user: Any, plan_id: int, update_id: int):
    """The evidence of a progress update of the plan: to the plan's producers and unconflicted staff."""
    plan = session.get(Plan, plan_id)
    if plan is None or not (access.is_producer_of(user, plan) or staff_may_see(session, user, plan)):
        raise NotFound(NOT_FOUND)
    update = session.get(ProgressUpdate, update_id)
    if update is None or update.evidence_file_id is None:
        raise NotFound(NOT_FOUND)
    milestone = session.get(Milestone, update.milestone_id)
    if milestone is None or milestone.plan_id != plan.id:
        raise NotFound(NOT_FOUND)
    from hotpot.files.models import StoredFile

    stored = session.get(StoredFile, update.evidence_file_id)
    if stored is None:
        raise NotFound(NOT_FOUND)
    return stored


# --- the staff's list -------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    plan: Plan
    product: Product
    enterprise: Enterprise
    batch: Batch
    milestones: int = 0
    achieved: int = 0
    overdue: int = 0
    next_due: date | None = None


@dataclass
class PlanList:
    page: Page
    rows: list[PlanRow]
    counts: dict[str, int]  # plans per status (under the batch filter), "all", "overdue" (plans with one)
    batches: list[Batch]


def plan_list(
    session: Session,
    *,
    user: Any,
    batch_id: int | None,
    status: str | None,
    overdue_only: bool,
    page: int,
    page_size: int,
) -> PlanList:
    """Every plan the caller may see, plans with overdue milestones first (most overdue first), then by the next
    due date; counts per status and of plans with an overdue milestone."""
    on = today()
    conflicted = access.conflicted_enterprise_ids(session, user)
    base = [Plan.enterprise_id.not_in(conflicted)] if conflicted else []
    if batch_id:
        base.append(Plan.batch_id == batch_id)
    overdue_count = (
        select(func.count(Milestone.id)).where(Milestone.plan_id == Plan.id, _overdue_sql(on)).scalar_subquery()
    )
    next_due = (
        select(func.min(Milestone.due_on))
        .where(Milestone.plan_id == Plan.id, Milestone.status != MilestoneStatus.achieved.value)
        .scalar_subquery()
    )
    stmt = select(Plan).where(*base)
    if status in PlanStatus.labels():
        stmt = stmt.where(Plan.status == status)
    if overdue_only:
        stmt = stmt.where(overdue_count > 0)
    stmt = stmt.order_by(
        case((Plan.status == PlanStatus.incubating.value, 0), else_=1),
        overdue_count.desc(),
        next_due.asc().nulls_last(),
        Plan.id.desc(),
    )
    result = paginate(session, stmt, page=page, page_size=page_size)
    rows = _rows(session, result.items, on)
    counts = {s.value: 0 for s in PlanStatus}
    for st, n in session.execute(select(Plan.status, func.count()).where(*base).group_by(Plan.status)):
        counts[str(st)] = n
    counts["all"] = sum(counts[s.value] for s in PlanStatus)
    plans_overdue = select(Milestone.plan_id).where(_overdue_sql(on)).distinct()
    counts["overdue"] = (
        session.scalar(
            select(func.count()).select_from(Plan).where(*base, Plan.status == "incubating", Plan.id.in_(plans_overdue))
        )
        or 0
    )
    batches = list(session.scalars(select(Batch).where(Batch.id.in_(select(Plan.batch_id))).order_by(Batch.id.desc())))
    page_of_rows = Page(items=rows, total=result.total, page=result.page, page_size=result.page_size)
    return PlanList(page=page_of_rows, rows=rows, counts=counts, batches=batches)


def _rows(session: Session, plans: list[Plan], on: date) -> list[PlanRow]:
    if not plans:
        return []
    ids = [p.id for p in plans]
    stats = {
        pid: (total, achieved, overdue, nxt)
        for pid, total, achieved, overdue, nxt in session.execute(
            select(
                Milestone.plan_id,
                func.count(),
                func.count().filter(Milestone.status == MilestoneStatus.achieved.value),
                func.count().filter(_overdue_sql(on)),
                func.min(Milestone.due_on).filter(Milestone.status != MilestoneStatus.achieved.value),
            )
            .where(Milestone.plan_id.in_(ids))
            .group_by(Milestone.plan_id)
        )
    }
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_([p.product_id for p in plans])))}
    enterprises = {
        e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_([p.enterprise_id for p in plans])))
    }
    batches = {b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_([p.batch_id for p in plans])))}
    rows = []
    for p in plans:
        total, achieved, overdue, nxt = stats.get(p.id, (0, 0, 0, None))
        rows.append(
            PlanRow(
                plan=p,
                product=products[p.product_id],
                enterprise=enterprises[p.enterprise_id],
                batch=batches[p.batch_id],
                milestones=total,
                achieved=achieved,
                overdue=overdue if p.status == PlanStatus.incubating else 0,
                next_due=nxt,
            )
        )
    return rows


# --- one plan's page --------------------------------------------------------------------------------------------


@dataclass
class MilestoneView:
    milestone: Milestone
    overdue: bool
    updates: list[ProgressUpdate]

    @property
    def latest(self) -> ProgressUpdate | None:
        return self.updates[-1] if self.updates else None


@dataclass
class PlanPage:
    plan: Plan
    product: Product
    enterprise: Enterprise
    batch: Batch
    milestones: list[MilestoneView]
    supports: list[Support]
    support_total: Decimal
    overdue: int
    today: date
    history: list = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def plan_page(session: Session, *, plan: Plan, with_history: bool = False) -> PlanPage:
    """A plan with its milestones (each with its updates and overdue mark), its support and its total."""
    on = today()
    milestones = session.scalars(
        select(Milestone)
        .where(Milestone.plan_id == plan.id)
        .options(selectinload(Milestone.updates))
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    supports = session.scalars(
        select(Support).where(Support.plan_id == plan.id).order_by(Support.given_on.desc(), Support.id.desc())
    ).all()
    views = [
        MilestoneView(m, is_overdue(m, on) and plan.status == PlanStatus.incubating, list(m.updates))
        for m in milestones
    ]
    history = []
    if with_history:
        from hotpot.audit import service as audit

        history = audit.timeline(session, entity_type="hit_plan", entity_id=plan.id)
    return PlanPage(
        plan=plan,
        product=session.get(Product, plan.product_id),
        enterprise=session.get(Enterprise, plan.enterprise_id),
        batch=session.get(Batch, plan.batch_id),
        milestones=views,
        supports=list(supports),
        support_total=sum((s.amount_wan or Decimal(0) for s in supports), Decimal(0)),
        overdue=sum(1 for v in views if v.overdue),
        today=on,
        history=history,
    )


# --- the committee's writes -------------------------------------------------------------------------------------


def _require_incubating(plan: Plan, what: str) -> None:
    if plan.status != PlanStatus.incubating:
        raise InvalidState(f"培育计划已{PlanStatus.label_of(plan.status)}，不能再{what}。")


def _milestone_values(data: MilestoneIn) -> dict[str, Any]:
    return {
        "title": data.title,
        "due_on": data.due_on,
        "kpi": KpiKind(data.kpi),
        "target_value": data.target_value,
        "target_unit": data.target_unit or None,
    }


def _check_due(plan: Plan, data: MilestoneIn) -> None:
    if data.due_on < plan.starts_on:
        raise FieldErrors({"due_on": f"完成期限不能早于培育开始日（{plan.starts_on:%Y-%m-%d}）"})


def add_milestone(session: Session, *, plan: Plan, actor: Any, data: MilestoneIn) -> Milestone:
    """A new milestone of an incubating plan."""
    _require_incubating(plan, "新增里程碑")
    _check_due(plan, data)
    milestone = Milestone(plan_id=plan.id, status=MilestoneStatus.open, **_milestone_values(data))
    return changes.created(session, milestone, actor=actor, action="hit_milestone.create")


def edit_milestone(session: Session, *, milestone: Milestone, actor: Any, data: MilestoneIn, version: int) -> None:
    """Change a milestone's title, due date or target (not once it has been checked)."""
    plan = session.get(Plan, milestone.plan_id)
    check_version(milestone, version)
    _require_incubating(plan, "修改里程碑")
    if milestone.status in (MilestoneStatus.achieved, MilestoneStatus.missed):
        raise InvalidState("里程碑已核查，不能再修改。")
    _check_due(plan, data)
    with changes.tracked(session, milestone, actor=actor, action="hit_milestone.update", version=version):
        for key, value in _milestone_values(data).items():
            setattr(milestone, key, value)


def check_milestone(session: Session, *, milestone: Milestone, actor: Any, data: CheckIn, version: int) -> None:
    """The committee's check: achieved or missed, with a note. Of two staff checking at once exactly one wins."""
    plan = session.get(Plan, milestone.plan_id)
    check_version(milestone, version)
    _require_incubating(plan, "核查里程碑")
    if milestone.status in (MilestoneStatus.achieved, MilestoneStatus.missed):
        raise InvalidState("这个里程碑已经核查过了。")
    with changes.tracked(session, milestone, actor=actor, action="hit_milestone.check", version=version):
        milestone.status = MilestoneStatus(data.result)
        milestone.check_note = data.note
        milestone.checked_by_id = actor.id
        milestone.checked_at = utcnow()


def add_support(session: Session, *, plan: Plan, actor: Any, data: SupportIn) -> Support:
    """Record support given to the product (on the plan's history: one audit event)."""
    if plan.status == PlanStatus.ended:
        raise InvalidState("培育计划已终止，不能再登记扶持。")
    support = Support(
        plan_id=plan.id,
        kind=SupportKind(data.kind),
        description=data.description,
        amount_wan=data.amount_wan,
        given_on=data.given_on,
        recorded_by_id=actor.id,
    )
    with changes.tracked(session, plan, actor=actor, action="hit_support.create", bump=False) as change:
        session.add(support)
        change.before = None
        change.after = {
            "support_kind": support.kind.value,
            "description": support.description,
            "amount_wan": support.amount_wan,
            "given_on": support.given_on,
        }
    return support


def graduate(session: Session, *, plan: Plan, actor: Any, data: GraduateIn, version: int) -> None:
    """Graduation to 爆品 or 拳头产品: the date, the reason and the showcase's story."""
    check_version(plan, version)
    _require_incubating(plan, "认定")
    if data.graduated_on < plan.starts_on or data.graduated_on > today():
        raise FieldErrors({"graduated_on": f"认定日期应在培育开始日（{plan.starts_on:%Y-%m-%d}）与今天之间"})
    with changes.tracked(session, plan, actor=actor, action="hit_plan.graduate", version=version):
        plan.status = PlanStatus.graduated
        plan.title = GraduationTitle(data.title)
        plan.graduated_on = data.graduated_on
        plan.graduation_reason = data.reason
        plan.story = data.story
        plan.graduated_by_id = actor.id


def end_plan(session: Session, *, plan: Plan, actor: Any, data: EndIn, version: int) -> None:
    """End the incubation without a title (the reason is kept as the plan's outcome reason)."""
    check_version(plan, version)
    _require_incubating(plan, "终止")
    with changes.tracked(session, plan, actor=actor, action="hit_plan.end", version=version):
        plan.status = PlanStatus.ended
        plan.graduation_reason = data.reason
        plan.ends_on = today()


# --- the producer's progress ------------------------------------------------------------------------------------


def post_progress(
    session: Session,
    *,
    milestone: Milestone,
    user: Any,
    form: dict[str, Any],
    upload: tuple[bytes, str] | None,
    version: int,
) -> ProgressUpdate:
    """A progress update on a milestone (text, value reached, evidence file): the milestone becomes 待核查.
    Every error (text, value, file) comes back in one round; nothing is kept when one is found."""
    plan = session.get(Plan, milestone.plan_id)
    check_version(milestone, version)
    _require_incubating(plan, "提交进展")
    if milestone.status == MilestoneStatus.achieved:
        raise InvalidState("这个里程碑已经达成，无需再提交进展。")
    errors: dict[str, str] = {}
    data = None
    try:
        data = parse_form(ProgressIn, form)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if upload and errors:
        errors.update(_upload_errors(upload))  # the file's own faults in the same round, without keeping it
    if errors or data is None:
        raise FieldErrors(errors)
    stored = None
    if upload:
        stored = files.store(session, data=upload[0], filename=upload[1], uploaded_by=user, field="evidence")
    update = ProgressUpdate(
        milestone_id=milestone.id,
        author_id=user.id,
        body=data.body,
        value=data.value,
        evidence_file_id=stored.id if stored else None,
    )
    with changes.tracked(session, milestone, actor=user, action="hit_progress.create", version=version) as change:
        session.add(update)
        milestone.status = MilestoneStatus.reported
        change.after = {
            **changes.snapshot(milestone),
            "progress": data.body,
            "value": data.value,
            "evidence": stored.filename if stored else None,
        }
    return update


def _upload_errors(upload: tuple[bytes, str]) -> dict[str, str]:
    """What files.store would refuse in this upload (empty, too large, wrong type), checked without storing it."""
    data = upload[0]
    cap = get_settings().max_upload_bytes
    if not data:
        return {"evidence": "文件为空，请重新选择"}
    if len(data) > cap:
        return {"evidence": f"文件不能超过 {cap // (1024 * 1024)} MB"}
    mime = files.detect_mime(data)
    if mime not in files.DOCUMENT_TYPES:
        return {"evidence": f"文件类型不支持（按内容识别为 {mime}），只接受 JPG、PDF、PNG、WEBP"}
    return {}


def producer_plans(session: Session, *, user: Any) -> list[Plan]:
    """The plans of the producer's enterprise (for the candidates helper's /my/pool page)."""
    if getattr(user, "enterprise_id", None) is None:
        return []
    return list(session.scalars(select(Plan).where(Plan.enterprise_id == user.enterprise_id).order_by(Plan.id.desc())))
