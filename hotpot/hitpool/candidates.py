"""Applications (申报) and screening (形式审查): a producer applies a product to an open batch, fills the
application, attaches registry certificates, brand and files, submits (eligibility checked) or withdraws; staff pass,
return or reject submitted applications. Also the producer's bell and the read-only summary other pages include."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import Role, User
from hotpot.bases.models import ProductSource
from hotpot.brands import service as brand_service
from hotpot.brands.models import Brand
from hotpot.certificates.models import Certificate
from hotpot.db import utcnow
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.errors import InvalidState, NotAllowed, NotFound
from hotpot.files import service as files
from hotpot.files.models import StoredFile
from hotpot.hitpool import access, eligibility
from hotpot.hitpool.candidate_schemas import ApplyIn, CandidateIn, FileIn, ScreeningIn
from hotpot.hitpool.enums import ACTIVE_CANDIDATE, CANDIDATE_WORKFLOW, BatchStatus, CandidateStatus, Outcome
from hotpot.hitpool.models import Batch, Candidate, CandidateCertificate, CandidateFile, Decision, Plan
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product
from hotpot.validation import FieldErrors, check_version

# A batch that still holds its products: a product can be in one such batch at a time.
UNFINISHED_BATCH = (
    BatchStatus.draft,
    BatchStatus.open,
    BatchStatus.screening,
    BatchStatus.reviewing,
    BatchStatus.deciding,
    BatchStatus.notice,
)
SCREENING_BATCH = (BatchStatus.open, BatchStatus.screening)
MAX_FILES = 10
# The screening queue's tabs, in order.
SCREENING_TABS = (
    CandidateStatus.submitted,
    CandidateStatus.returned,
    CandidateStatus.passed,
    CandidateStatus.ineligible,
    CandidateStatus.withdrawn,
)
NOT_FOUND = "您访问的页面不存在或已被移除，请检查网址，或返回首页继续浏览。"


class NotEligible(Exception):
    """Submitting refused: the failed eligibility rules (nothing was changed)."""

    def __init__(self, failures: list[eligibility.Failure]):
        super().__init__("; ".join(f.message for f in failures))
        self.failures = failures


# --- the bell and the summary (called by other areas) -------------------------------------------------------------


def unread_count(session: Session, user: Any) -> int:
    """The producer's bell: final decisions not read yet and applications returned for a fix."""
    if user is None or str(user.role) != Role.producer.value or not getattr(user, "enterprise_id", None):
        return 0
    decisions = (
        select(func.count())
        .select_from(Decision)
        .join(Candidate, Candidate.id == Decision.candidate_id)
        .where(
            Candidate.enterprise_id == user.enterprise_id,
            Decision.final_at.is_not(None),
            Decision.producer_read_at.is_(None),
        )
        .scalar_subquery()
    )
    returned = (
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.enterprise_id == user.enterprise_id, Candidate.status == CandidateStatus.returned)
        .scalar_subquery()
    )
    return int(session.scalar(select(decisions + returned)) or 0)


def local_share(session: Session, product: Product) -> tuple[Decimal | None, list[ProductSource]]:
    """The product's raw-material share from Hechuan bases (every base on the platform lies in a Hechuan town:
    bases.town_code is required and names a Hechuan town), with the sources it is computed from; None when the
    product names no sources."""
    sources = list(
        session.scalars(
            select(ProductSource).where(ProductSource.product_id == product.id).order_by(ProductSource.share_pct.desc())
        )
    )
    if not sources:
        return None, []
    total = sum((s.share_pct for s in sources), Decimal(0))
    return min(total, Decimal(100)), sources


def summary(session: Session, candidate: Any) -> dict[str, Any]:
    """What templates/hitpool/candidates/_summary.html shows of an application (the staff candidate page and the
    expert's review page include it): the application's own data, never anyone's reviews."""
    computed, sources = local_share(session, candidate.product)
    brand = session.get(Brand, candidate.brand_id) if candidate.brand_id else None
    return {
        "candidate": candidate,
        "product": candidate.product,
        "enterprise": candidate.enterprise,
        "batch": candidate.batch,
        "computed_share": computed,
        "sources": sources,
        "share_differs": candidate.local_share_pct is not None and candidate.local_share_pct != computed,
        "certificates": attached_certificates(session, candidate),
        "brand": brand,
        "files": list(candidate.files),
    }


def attached_certificates(session: Session, candidate: Candidate) -> list[Certificate]:
    ids = select(CandidateCertificate.certificate_id).where(CandidateCertificate.candidate_id == candidate.id)
    return list(session.scalars(select(Certificate).where(Certificate.id.in_(ids)).order_by(Certificate.kind)))


# --- loading what a path names ------------------------------------------------------------------------------------


def for_producer(session: Session, *, user: User, candidate_id: int) -> Candidate:
    """The producer's own application, or NotFound (another enterprise's looks like a missing one)."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or not access.is_producer_of(user, candidate):
        raise NotFound(NOT_FOUND)
    return candidate


def for_staff(session: Session, *, user: User, candidate_id: int) -> Candidate:
    """An application for staff; a staff member tied to its enterprise gets NotFound."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or not access.is_staff(user) or access.is_conflicted(session, user, candidate):
        raise NotFound(NOT_FOUND)
    return candidate


def batch_for_staff(session: Session, *, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(NOT_FOUND)
    return batch


def batch_for_producer(session: Session, *, batch_id: int) -> Batch:
    """A batch a producer may look at: any but a draft."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.status == BatchStatus.draft:
        raise NotFound(NOT_FOUND)
    return batch


def stored_file(session: Session, *, user: Any, candidate_id: int, file_id: int) -> StoredFile:
    """A supporting file: for the candidate's producer, unconflicted staff and assigned unconflicted experts."""
    candidate = session.get(Candidate, candidate_id)
    row = session.get(CandidateFile, file_id)
    if candidate is None or row is None or row.candidate_id != candidate.id:
        raise NotFound(NOT_FOUND)
    if not (access.is_producer_of(user, candidate) or access.can_see_reviews(session, user, candidate)):
        raise NotFound(NOT_FOUND)
    stored = session.get(StoredFile, row.file_id)
    if stored is None:
        raise NotFound(NOT_FOUND)
    return stored


# --- windows and states -------------------------------------------------------------------------------------------


def window_open(batch: Batch) -> bool:
    return batch.apply_opens_on <= eligibility.today() <= batch.apply_closes_on


def accepts_applications(batch: Batch) -> bool:
    return batch.status == BatchStatus.open and window_open(batch)


def editable(candidate: Candidate) -> bool:
    """A draft while the batch takes applications; a returned application while the window is open (the batch
    may already be in screening)."""
    batch = candidate.batch
    if candidate.status == CandidateStatus.draft:
        return accepts_applications(batch)
    if candidate.status == CandidateStatus.returned:
        return batch.status in SCREENING_BATCH and window_open(batch)
    return False


def _require_editable(candidate: Candidate) -> None:
    if editable(candidate):
        return
    batch = candidate.batch
    if candidate.status not in (CandidateStatus.draft, CandidateStatus.returned):
        raise InvalidState(f"申报当前状态为“{candidate.status_label}”，不能修改。")
    closes = batch.apply_closes_on
    raise InvalidState(
        f"“{batch.name}”的申报已于 {closes.year}年{closes.month}月{closes.day}日截止，不能再修改或提交。"
    )


def next_step(candidate: Candidate, decision: Decision | None = None) -> str:
    """What the producer does (or waits for) next, in one line."""
    batch = candidate.batch
    closes = f"{batch.apply_closes_on.month}月{batch.apply_closes_on.day}日"
    status = candidate.status
    if status == CandidateStatus.draft:
        return f"完善申报书，于 {closes} 前提交" if editable(candidate) else "申报已截止，未提交"
    if status == CandidateStatus.returned:
        return f"按退回意见修改后，于 {closes} 前重新提交" if editable(candidate) else "申报已截止，未重新提交"
    if status == CandidateStatus.submitted:
        return "等待工作人员形式审查"
    if status == CandidateStatus.ineligible:
        return "形式审查未通过：不符合申报条件"
    if status == CandidateStatus.withdrawn:
        return "已撤回"
    if decision is not None:
        return f"评审结果：{Outcome.label_of(decision.outcome)}"
    return {
        BatchStatus.screening: "形式审查已通过，等待专家评审",
        BatchStatus.reviewing: "专家评审中",
        BatchStatus.deciding: "评审结束，正在拟定结果",
        BatchStatus.notice: "拟定结果公示中",
    }.get(batch.status, "形式审查已通过")


# --- the producer's pages -----------------------------------------------------------------------------------------


@dataclass
class OpenBatch:
    batch: Batch
    accepting: bool
    rules: list[str]
    criteria: list


@dataclass
class MyApplication:
    candidate: Candidate
    next_step: str
    decision: Decision | None
    plan_id: int | None = None  # the incubation plan of an accepted application (/my/pool/plans/{id})


@dataclass
class MyPool:
    enterprise: Enterprise | None
    verified: bool
    batches: list[OpenBatch] = field(default_factory=list)
    applications: list[MyApplication] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def final_decisions(session: Session, candidate_ids: list[int]) -> dict[int, Decision]:
    if not candidate_ids:
        return {}
    rows = session.scalars(
        select(Decision).where(Decision.candidate_id.in_(candidate_ids), Decision.final_at.is_not(None))
    )
    return {d.candidate_id: d for d in rows}


def my_pool(session: Session, *, user: User) -> MyPool:
    """/my/pool: the batches open for applications and every application of the producer's enterprise."""
    enterprise = enterprise_service.of_user(session, user)
    batches = list(
        session.scalars(select(Batch).where(Batch.status == BatchStatus.open).order_by(Batch.apply_closes_on))
    )
    page = MyPool(
        enterprise=enterprise,
        verified=enterprise is not None and enterprise.status == EnterpriseStatus.verified,
        batches=[OpenBatch(b, accepts_applications(b), eligibility.rules(b), list(b.criteria)) for b in batches],
    )
    if enterprise is not None:
        mine = list(
            session.scalars(
                select(Candidate).where(Candidate.enterprise_id == enterprise.id).order_by(Candidate.created_at.desc())
            )
        )
        decided = final_decisions(session, [c.id for c in mine])
        plans = dict(
            session.execute(select(Plan.candidate_id, Plan.id).where(Plan.candidate_id.in_([c.id for c in mine]))).all()
        )
        page.applications = [
            MyApplication(c, next_step(c, decided.get(c.id)), decided.get(c.id), plans.get(c.id)) for c in mine
        ]
    return page


@dataclass
class ProductChoice:
    product: Product
    taken_by: str | None  # the unfinished batch the product is already in


@dataclass
class ApplyPage:
    batch: Batch
    enterprise: Enterprise | None
    verified: bool
    accepting: bool
    rules: list[str]
    products: list[ProductChoice]

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _holding_batches(session: Session, product_ids: list[int]) -> dict[int, Batch]:
    """product id -> the unfinished batch its active application is in."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(Candidate.product_id, Batch)
        .join(Batch, Batch.id == Candidate.batch_id)
        .where(
            Candidate.product_id.in_(product_ids),
            Candidate.status.in_(ACTIVE_CANDIDATE),
            Batch.status.in_(UNFINISHED_BATCH),
        )
    )
    return {pid: batch for pid, batch in rows}  # noqa: C416 - rows are Row objects


def apply_page(session: Session, *, user: User, batch: Batch) -> ApplyPage:
    enterprise = enterprise_service.of_user(session, user)
    products: list[ProductChoice] = []
    if enterprise is not None:
        own = list(
            session.scalars(select(Product).where(Product.enterprise_id == enterprise.id).order_by(Product.name))
        )
        held = _holding_batches(session, [p.id for p in own])
        same = set(session.scalars(select(Candidate.product_id).where(Candidate.batch_id == batch.id)))
        for p in own:
            taken = held.get(p.id)
            label = None
            if p.id in same:
                label = f"已在“{batch.name}”申报过"
            elif taken is not None:
                label = f"已在“{taken.name}”中申报"
            products.append(ProductChoice(p, label))
    return ApplyPage(
        batch=batch,
        enterprise=enterprise,
        verified=enterprise is not None and enterprise.status == EnterpriseStatus.verified,
        accepting=accepts_applications(batch),
        rules=eligibility.rules(batch),
        products=products,
    )


def apply(session: Session, *, user: User, batch: Batch, data: ApplyIn) -> Candidate:
    """Start a draft application of one of the enterprise's products. The product's row is locked (FOR UPDATE) so
    two concurrent applications of it are checked one after the other: one open batch per product."""
    enterprise = enterprise_service.of_user(session, user)
    if enterprise is None or enterprise.status != EnterpriseStatus.verified:
        raise NotAllowed("企业通过认证后才能申报爆品。")
    if not accepts_applications(batch):
        raise InvalidState(f"“{batch.name}”当前不接受申报。")
    product = session.scalars(
        select(Product)
        .where(Product.id == data.product_id, Product.enterprise_id == enterprise.id)
        .with_for_update(of=Product)
        .execution_options(populate_existing=True)
    ).first()
    if product is None:
        raise FieldErrors({"product_id": "请选择本企业的产品"})
    existing = session.scalars(
        select(Candidate).where(Candidate.batch_id == batch.id, Candidate.product_id == product.id)
    ).first()
    if existing is not None:
        raise FieldErrors(
            {"product_id": f"“{product.name}”已在“{batch.name}”申报过（{existing.status_label}），同一批次不能重复申报"}
        )
    held = _holding_batches(session, [product.id]).get(product.id)
    if held is not None:
        raise FieldErrors(
            {"product_id": f"“{product.name}”已在“{held.name}”中申报，一个产品同一时间只能参加一个未结束的批次"}
        )
    computed, _ = local_share(session, product)
    brand_ids = {b.id for b in brand_service.brand_choices(session, enterprise=enterprise)}
    candidate = Candidate(
        batch_id=batch.id,
        product_id=product.id,
        enterprise_id=enterprise.id,
        local_share_computed=computed,
        local_share_pct=computed,
        brand_id=product.brand_id if product.brand_id in brand_ids else None,
        status=CandidateStatus.draft,
        created_by_id=user.id,
    )
    changes.created(session, candidate, actor=user, action="hit_candidate.create")
    # The certificates that already count (verified, in force) are attached; the producer may change the choice.
    now = eligibility.today()
    for cert in certificate_choices(session, candidate):
        if cert.state(now) in ("valid", "expiring"):
            session.add(CandidateCertificate(candidate_id=candidate.id, certificate_id=cert.id))
    session.flush()
    session.refresh(candidate)
    return candidate


def certificate_choices(session: Session, candidate: Candidate) -> list[Certificate]:
    """Registry certificates an application may cite: the enterprise's own, the product's, and its bases'."""
    stmt = select(Certificate).where(
        Certificate.enterprise_id == candidate.enterprise_id,
        or_(Certificate.holder_type.in_(("enterprise", "base")), Certificate.product_id == candidate.product_id),
    )
    return list(session.scalars(stmt.order_by(Certificate.holder_type, Certificate.kind, Certificate.id)))


@dataclass
class ApplicationPage:
    candidate: Candidate
    summary: dict[str, Any]
    editable: bool
    brands: list
    certificate_choices: list
    attached_ids: set[int]
    preview: list  # the eligibility failures as of now (before submitting)
    decision: Decision | None
    actions: list  # the workflow buttons the producer may press

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def application_page(session: Session, *, user: User, candidate: Candidate) -> ApplicationPage:
    """The producer's application page; the final decision (if published) is marked read."""
    decision = final_decisions(session, [candidate.id]).get(candidate.id)
    if decision is not None and decision.producer_read_at is None:
        # A read receipt, not an edit: the decision is final, its version and history stay as they are.
        session.execute(
            update(Decision)
            .where(Decision.id == decision.id, Decision.producer_read_at.is_(None))
            .values(producer_read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    page_summary = summary(session, candidate)
    can_edit = editable(candidate)
    return ApplicationPage(
        candidate=candidate,
        summary=page_summary,
        editable=can_edit,
        brands=brand_service.brand_choices(session, enterprise=candidate.enterprise) if can_edit else [],
        certificate_choices=certificate_choices(session, candidate) if can_edit else [],
        attached_ids={c.id for c in page_summary["certificates"]},
        preview=eligibility.check(session, candidate) if can_edit else [],
        decision=decision,
        actions=[t for t in CANDIDATE_WORKFLOW.allowed(candidate, user) if t.name != "submit" or can_edit],
    )


def edit(session: Session, *, user: User, candidate: Candidate, data: CandidateIn, version: int | None) -> Candidate:
    """Save the application (draft or returned, window open): figures, local share (a note when it differs from the
    computed one), brand and certificates from the registry."""
    check_version(candidate, version)
    if not access.is_producer_of(user, candidate):
        raise NotAllowed("这不是您企业的申报，不能修改。")
    _require_editable(candidate)
    errors: dict[str, str] = {}
    computed, _ = local_share(session, candidate.product)
    note = (data.local_share_note or "").strip() or None
    if data.local_share_pct is not None and data.local_share_pct != computed and note is None:
        basis = (
            f"系统计算值为 {format(computed.normalize(), 'f')}%"
            if computed is not None
            else "产品尚未登记原料来源，系统无法计算"
        )
        errors["local_share_note"] = f"{basis}；填写的占比与之不同时，请说明依据"
    brand_ids = {b.id for b in brand_service.brand_choices(session, enterprise=candidate.enterprise)}
    if data.brand_id is not None and data.brand_id not in brand_ids:
        errors["brand_id"] = "请选择本企业的品牌，或已获授权使用的公用品牌"
    allowed = {c.id for c in certificate_choices(session, candidate)}
    chosen = list(dict.fromkeys(data.certificate_ids))
    if set(chosen) - allowed:
        errors["certificate_ids"] = "请选择本企业或该产品的证书"
    if errors:
        raise FieldErrors(errors)
    before_ids = sorted(c.id for c in attached_certificates(session, candidate))
    with changes.tracked(session, candidate, actor=user, action="hit_candidate.update", bump_first=True) as change:
        change.before = {**(change.before or {}), "certificates": before_ids}
        candidate.pitch = (data.pitch or "").strip() or None
        candidate.target_markets = data.target_markets
        candidate.channels = data.channels
        candidate.sales_wan = data.sales_wan
        candidate.volume_t = data.volume_t
        candidate.capacity_t = data.capacity_t
        candidate.local_share_computed = computed
        candidate.local_share_pct = data.local_share_pct
        candidate.local_share_note = note
        candidate.brand_id = data.brand_id
        session.execute(delete(CandidateCertificate).where(CandidateCertificate.candidate_id == candidate.id))
        session.add_all(CandidateCertificate(candidate_id=candidate.id, certificate_id=i) for i in chosen)
        change.after = {**changes.snapshot(candidate), "certificates": sorted(chosen)}
    return candidate


def submit(session: Session, *, user: User, candidate: Candidate, version: int | None) -> Candidate:
    """Submit before the window closes: every eligibility rule must pass (NotEligible lists the failures and
    nothing changes); then the workflow's "submit", with the submission time and the (passing) result."""
    check_version(candidate, version)
    CANDIDATE_WORKFLOW.check(candidate, "submit", actor=user)
    if not access.is_producer_of(user, candidate):
        raise NotAllowed("这不是您企业的申报。")
    _require_editable(candidate)
    failures = eligibility.check(session, candidate)
    if failures:
        raise NotEligible(failures)
    now = utcnow()
    candidate.submitted_at = now
    if candidate.first_submitted_at is None:
        candidate.first_submitted_at = now
    candidate.eligibility = []
    CANDIDATE_WORKFLOW.apply(session, candidate, "submit", actor=user, version=version)
    return candidate


def withdraw(session: Session, *, user: User, candidate: Candidate, version: int | None) -> Candidate:
    if not access.is_producer_of(user, candidate):
        raise NotAllowed("这不是您企业的申报。")
    return CANDIDATE_WORKFLOW.apply(session, candidate, "withdraw", actor=user, version=version)


def add_file(
    session: Session, *, user: User, candidate: Candidate, data: FileIn, upload: tuple[bytes, str] | None, version: int
) -> CandidateFile:
    """Attach a supporting file (PDF or image, checked by content and size) with its label."""
    check_version(candidate, version)
    if not access.is_producer_of(user, candidate):
        raise NotAllowed("这不是您企业的申报。")
    _require_editable(candidate)
    if len(candidate.files) >= MAX_FILES:
        raise FieldErrors({"file": f"每份申报最多上传 {MAX_FILES} 个附件，请先删除不需要的附件"})
    if upload is None:
        raise FieldErrors({"file": "请选择要上传的文件（PDF、JPG、PNG 或 WebP）"})
    data_bytes, filename = upload
    stored = files.store(session, data=data_bytes, filename=filename, uploaded_by=user, field="file")
    before = [f.label for f in candidate.files]
    with changes.tracked(session, candidate, actor=user, action="hit_candidate.file_add", bump_first=True) as change:
        row = CandidateFile(candidate_id=candidate.id, file_id=stored.id, label=data.label)
        session.add(row)
        change.before = {"files": before}
        change.after = {"files": [*before, data.label]}
    session.refresh(candidate)
    return row


def remove_file(session: Session, *, user: User, candidate: Candidate, file_id: int, version: int | None) -> None:
    check_version(candidate, version)
    if not access.is_producer_of(user, candidate):
        raise NotAllowed("这不是您企业的申报。")
    row = session.get(CandidateFile, file_id)
    if row is None or row.candidate_id != candidate.id:
        raise NotFound(NOT_FOUND)
    _require_editable(candidate)
    before = [f.label for f in candidate.files]
    with changes.tracked(session, candidate, actor=user, action="hit_candidate.file_remove", bump_first=True) as change:
        stored_id = row.file_id
        session.delete(row)
        session.flush()
        session.execute(delete(StoredFile).where(StoredFile.id == stored_id))
        change.before = {"files": before}
        change.after = {"files": [f.label for f in candidate.files if f.id != file_id]}
    session.refresh(candidate)


# --- screening (staff) --------------------------------------------------------------------------------------------


@dataclass
class ScreeningItem:
    candidate: Candidate
    failures: list  # the eligibility rules it fails now (re-checked live)
    summary: dict[str, Any]
    actions: list


@dataclass
class ScreeningPage:
    batch: Batch
    status: str
    tabs: list  # (status, label, count)
    page: Page
    items: list[ScreeningItem]
    open_for_screening: bool

    def context(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def screening_page(session: Session, *, user: User, batch: Batch, status: str, page: int) -> ScreeningPage:
    """The screening queue of a batch, one tab per state with counts; conflicted applications are left out."""
    status = status if status in {s.value for s in SCREENING_TABS} else CandidateStatus.submitted.value
    counted = access.visible_candidates(
        session,
        user,
        select(Candidate.status, func.count()).where(Candidate.batch_id == batch.id).group_by(Candidate.status),
    )
    counts = {s: n for s, n in session.execute(counted)}  # noqa: C416 - rows are Row objects
    stmt = access.visible_candidates(
        session,
        user,
        select(Candidate)
        .where(Candidate.batch_id == batch.id, Candidate.status == status)
        .order_by(Candidate.submitted_at.asc().nulls_last(), Candidate.id),
    )
    result = paginate(session, stmt, page=page, page_size=20)
    open_for_screening = batch.status in SCREENING_BATCH
    items = [
        ScreeningItem(
            candidate=c,
            failures=eligibility.check(session, c) if c.status == CandidateStatus.submitted else [],
            summary=summary(session, c),
            actions=[t for t in CANDIDATE_WORKFLOW.allowed(c, user) if open_for_screening],
        )
        for c in result.items
    ]
    return ScreeningPage(
        batch=batch,
        status=status,
        tabs=[(s.value, s.label, counts.get(s.value, 0)) for s in SCREENING_TABS],
        page=result,
        items=items,
        open_for_screening=open_for_screening,
    )


def screen(session: Session, *, user: User, candidate: Candidate, data: ScreeningIn, version: int | None) -> Candidate:
    """Pass, return (with what to fix) or reject (with the rule not met) a submitted application, while the batch
    is open or in screening."""
    check_version(candidate, version)
    if candidate.batch.status not in SCREENING_BATCH:
        raise InvalidState(f"批次当前为“{candidate.batch.status_label}”，形式审查已结束。")
    return CANDIDATE_WORKFLOW.apply(session, candidate, data.action, actor=user, reason=data.reason, version=version)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def bulk_pass(session: Session, *, user: User, batch: Batch, picks: dict[int, int]) -> BulkResult:
    """Pass many submitted applications (candidate id -> the version the list showed); a changed or conflicted
    one is left alone and named."""
    if batch.status not in SCREENING_BATCH:
        raise InvalidState(f"批次当前为“{batch.status_label}”，形式审查已结束。")
    result = BulkResult()
    for candidate_id, version in picks.items():
        candidate = session.get(Candidate, candidate_id)
        if candidate is None or candidate.batch_id != batch.id or access.is_conflicted(session, user, candidate):
            continue
        name = candidate.product.name
        if candidate.version != version:
            result.stale.append(name)
            continue
        if candidate.status != CandidateStatus.submitted:
            result.refused.append((name, f"当前为“{candidate.status_label}”"))
            continue
        CANDIDATE_WORKFLOW.apply(session, candidate, "pass", actor=user, version=version)
        result.done.append(name)
    return result
