"""The 爆品 pool's tables: batches and their rubric, experts and their ties, candidates (applications), the draw and
the assignments, reviews (never overwritten), discussion, decisions, public-notice objections, incubation plans with
milestones, support and progress, and graduation.

Every table is prefixed hit_ (DESIGN.md §4), except `expert`. Records people edit concurrently are `Versioned`
(the UPDATE is conditioned on the loaded version: of two writers exactly one wins).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotpot.auth.models import User
from hotpot.db import Base, TimestampMixin, Versioned
from hotpot.enterprises.models import Enterprise
from hotpot.hitpool.enums import (
    BATCH_WORKFLOW,
    CANDIDATE_WORKFLOW,
    AssignmentSource,
    BatchStatus,
    CandidateStatus,
    GraduationTitle,
    KpiKind,
    MilestoneStatus,
    ObjectionStatus,
    Outcome,
    PlanStatus,
    Recommendation,
    ReviewStatus,
    SupportKind,
    TieBreak,
)
from hotpot.products.models import Product
from hotpot.workflow import state_type

FK_USER = "user_account.id"


class Batch(Versioned, TimestampMixin, Base):
    """One round of the pool (e.g. 2026年第一批): windows, quota, eligibility, rubric, state."""

    __tablename__ = "hit_batch"
    workflow = BATCH_WORKFLOW
    audit_entity = "hit_batch"
    audit_fields = (
        "name",
        "description",
        "apply_opens_on",
        "apply_closes_on",
        "review_opens_on",
        "review_closes_on",
        "quota",
        "experts_per_candidate",
        "disagreement_threshold",
        "tie_break",
        "tie_criterion_code",
        "require_published_product",
        "require_sc_licence",
        "min_months_on_platform",
        "notice_days",
        "notice_starts_on",
        "notice_ends_on",
        "manager_id",
        "status",
    )
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("quota > 0", name="quota_positive"),
        CheckConstraint("experts_per_candidate BETWEEN 1 AND 15", name="experts_range"),
        CheckConstraint("apply_closes_on >= apply_opens_on", name="apply_window"),
        CheckConstraint("review_closes_on >= review_opens_on", name="review_window"),
        CheckConstraint("review_opens_on >= apply_closes_on", name="review_after_apply"),
        CheckConstraint("notice_days BETWEEN 1 AND 30", name="notice_days_range"),
        CheckConstraint("disagreement_threshold >= 0", name="threshold_non_negative"),
        CheckConstraint("min_months_on_platform IS NULL OR min_months_on_platform BETWEEN 0 AND 120", name="months"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int]
    apply_opens_on: Mapped[date]
    apply_closes_on: Mapped[date]
    review_opens_on: Mapped[date]
    review_closes_on: Mapped[date]
    quota: Mapped[int]
    experts_per_candidate: Mapped[int] = mapped_column(default=3, server_default="3")
    # Spread (max - min) of a candidate's weighted totals, in points of 100, above which it is flagged.
    disagreement_threshold: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=20, server_default="20")
    tie_break: Mapped[TieBreak] = mapped_column(
        state_type(TieBreak, 10, column="tie_break"), default=TieBreak.criterion, server_default="criterion"
    )
    tie_criterion_code: Mapped[str | None] = mapped_column(String(30))
    # Eligibility: a verified enterprise always; these are the batch's own choices.
    require_published_product: Mapped[bool] = mapped_column(default=True, server_default="true")
    require_sc_licence: Mapped[bool] = mapped_column(default=True, server_default="true")
    min_months_on_platform: Mapped[int | None]
    notice_days: Mapped[int] = mapped_column(default=5, server_default="5")  # working days
    notice_starts_on: Mapped[date | None]
    notice_ends_on: Mapped[date | None]
    # The batch manager (chair): a staff member who runs the assignment.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    status: Mapped[BatchStatus] = mapped_column(
        state_type(BatchStatus, 12), default=BatchStatus.draft, server_default="draft"
    )
    status_reason: Mapped[str | None] = mapped_column(String(300))
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    rubric_frozen_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="batch", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    steps: Mapped[list[BatchStep]] = relationship(order_by="BatchStep.at", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return BatchStatus.label_of(self.status)


class Criterion(Base):
    """One line of a batch's rubric: weight (the weights of a batch sum to 100), maximum score, guidance by band."""

    __tablename__ = "hit_criterion"
    __table_args__ = (
        UniqueConstraint("batch_id", "code"),
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        CheckConstraint("max_score > 0 AND max_score <= 100", name="max_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(String(300))
    weight: Mapped[int]
    max_score: Mapped[int] = mapped_column(default=10, server_default="10")
    # [{"min": 8, "max": 10, "text": "..."}, ...]: what a score in each band means.
    guidance: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")

    batch: Mapped[Batch] = relationship(back_populates="criteria")


class BatchStep(Base):
    """When a batch entered a state and who moved it (the batch page's timeline)."""

    __tablename__ = "hit_batch_step"
    __table_args__ = (Index(None, "batch_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    status: Mapped[BatchStatus] = mapped_column(state_type(BatchStatus, 12))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(300))

    by: Mapped[User | None] = relationship()


class Expert(Versioned, TimestampMixin, Base):
    """A member of the expert pool (专家库): an account with role expert, its fields and organisation."""

    __tablename__ = "expert"
    audit_entity = "expert"
    audit_fields = ("name", "organization", "title", "fields", "is_active")
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(FK_USER, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(30))
    organization: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(40))  # 职称: 研究员, 高级工程师 ...
    # Expertise values (hotpot.hitpool.enums.Expertise).
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list, server_default="{}")
    bio: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)


class Tie(Base):
    """An enterprise a person declared a tie to (employment, shareholding, family, consulting ...): an expert or a
    staff member; a tie excludes them from that enterprise's candidates (hotpot.hitpool.conflicts)."""

    __tablename__ = "hit_tie"
    audit_entity = "hit_tie"
    audit_fields = ("user_id", "enterprise_id", "reason")
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(FK_USER, ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(server_default=func.now())

    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)


class Candidate(Versioned, TimestampMixin, Base):
    """A product's application to a batch (申报), its screening and, once reviewed, its place in the ranking."""

    __tablename__ = "hit_candidate"
    workflow = CANDIDATE_WORKFLOW
    audit_entity = "hit_candidate"
    audit_fields = (
        "pitch",
        "target_markets",
        "channels",
        "sales_wan",
        "volume_t",
        "capacity_t",
        "local_share_pct",
        "local_share_note",
        "brand_id",
        "status",
        "screening_reason",
    )
    __table_args__ = (
        UniqueConstraint("batch_id", "product_id"),
        CheckConstraint("sales_wan IS NULL OR sales_wan >= 0", name="sales_non_negative"),
        CheckConstraint("volume_t IS NULL OR volume_t >= 0", name="volume_non_negative"),
        CheckConstraint("capacity_t IS NULL OR capacity_t >= 0", name="capacity_non_negative"),
        CheckConstraint("local_share_pct IS NULL OR local_share_pct BETWEEN 0 AND 100", name="local_share_range"),
        Index(None, "batch_id", "status"),
        Index(None, "enterprise_id"),
        Index(None, "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    pitch: Mapped[str | None] = mapped_column(Text)
    target_markets: Mapped[str | None] = mapped_column(String(300))
    channels: Mapped[str | None] = mapped_column(String(300))
    sales_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # last year's sales, 万元
    volume_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # last year's volume, 吨
    capacity_t: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # annual capacity, 吨
    # Computed from the product's raw-material sources in Hechuan where known; the producer may correct it with a note.
    local_share_computed: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    local_share_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    local_share_note: Mapped[str | None] = mapped_column(String(300))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    status: Mapped[CandidateStatus] = mapped_column(
        state_type(CandidateStatus, 12), default=CandidateStatus.draft, server_default="draft"
    )
    screening_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]  # the latest submission (the "earlier" tie break uses the first)
    first_submitted_at: Mapped[datetime | None]
    # The failed eligibility rules at the last check: [{"rule": ..., "message": ..., "fix": ...}].
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    batch: Mapped[Batch] = relationship(lazy="joined", innerjoin=True)
    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)
    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)
    certificates: Mapped[list[CandidateCertificate]] = relationship(cascade="all, delete-orphan")
    files: Mapped[list[CandidateFile]] = relationship(cascade="all, delete-orphan", order_by="CandidateFile.id")

    @property
    def status_label(self) -> str:
        return CandidateStatus.label_of(self.status)


class CandidateCertificate(Base):
    """A certificate from the registry attached to an application (never retyped)."""

    __tablename__ = "hit_candidate_certificate"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"), primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True)


class CandidateFile(Base):
    """A supporting file of an application (PDF or image, checked by hotpot.files.service.store)."""

    __tablename__ = "hit_candidate_file"
    __table_args__ = (Index(None, "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Draw(Base):
    """One automatic assignment (随机抽取): its seed, its inputs and its result, so anyone can re-run it."""

    __tablename__ = "hit_draw"
    audit_entity = "hit_draw"
    audit_fields = ("batch_id", "seed", "algorithm", "result")
    __table_args__ = (Index(None, "batch_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(20))  # version of the drawing rule, e.g. "draw-v1"
    # The inputs (candidate ids, expert ids and fields, excluded pairs, per-candidate count) and the output pairs.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB)
    result: Mapped[list[list[int]]] = mapped_column(JSONB)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Assignment(Base):
    """An expert assigned to a candidate. A move ends one (ended_at, end_reason) and starts another: history stays."""

    __tablename__ = "hit_assignment"
    audit_entity = "hit_assignment"
    audit_fields = ("candidate_id", "expert_id", "source", "draw_id", "reason", "ended_at", "end_reason")
    __table_args__ = (
        Index(
            "uq_hit_assignment_active",
            "candidate_id",
            "expert_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(None, "expert_id", "batch_id"),
        Index(None, "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"))
    source: Mapped[AssignmentSource] = mapped_column(state_type(AssignmentSource, 10, column="source"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("hit_draw.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(String(300))

    expert: Mapped[Expert] = relationship(lazy="joined", innerjoin=True)


class Review(Base):
    """An expert's review of a candidate. Submitted reviews are never changed: a revision is a new row
    (revision + 1, supersedes_id) and the old one becomes superseded; at most one is current (submitted) and at most
    one draft per expert and candidate, both enforced by partial unique indexes."""

    __tablename__ = "hit_review"
    audit_entity = "hit_review"
    audit_fields = ("status", "recommendation", "confidence", "comment", "weighted_total", "revision")
    __table_args__ = (
        UniqueConstraint("candidate_id", "expert_id", "revision"),
        Index(
            "uq_hit_review_current",
            "candidate_id",
            "expert_id",
            unique=True,
            postgresql_where=text("status = 'submitted'"),
        ),
        Index(
            "uq_hit_review_draft",
            "candidate_id",
            "expert_id",
            unique=True,
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 5", name="confidence_range"),
        Index(None, "expert_id", "status"),
        Index(None, "candidate_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("hit_review.id", ondelete="SET NULL"))
    status: Mapped[ReviewStatus] = mapped_column(
        state_type(ReviewStatus, 12), default=ReviewStatus.draft, server_default="draft"
    )
    recommendation: Mapped[Recommendation | None] = mapped_column(
        state_type(Recommendation, 15, column="recommendation")
    )
    confidence: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    revision_reason: Mapped[str | None] = mapped_column(String(300))
    # Sum over criteria of score / max_score * weight (0-100), fixed when submitted.
    weighted_total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    submitted_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    expert: Mapped[Expert] = relationship(lazy="joined", innerjoin=True)
    scores: Mapped[list[ReviewScore]] = relationship(cascade="all, delete-orphan")


class ReviewScore(Base):
    __tablename__ = "hit_review_score"
    __table_args__ = (CheckConstraint("score >= 0", name="score_non_negative"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("hit_review.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("hit_criterion.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    comment: Mapped[str | None] = mapped_column(String(1000))


class FiguresStamp(Base):
    """A random stamp per batch that the database renews (triggers, migration 7c1d9e4b2a60) in the same transaction
    as every change the ranking's review figures read: a current review submitted, superseded, edited or deleted,
    its scores, a candidate's status, a decision made or removed. hotpot.hitpool.ranking keeps the figures it
    worked out under the stamp it read first, so a stamp seen again means the same figures; a batch without a row
    has never had one of those changes."""

    __tablename__ = "hit_batch_figures_stamp"

    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"), primary_key=True)
    stamp: Mapped[uuid.UUID] = mapped_column(server_default=func.gen_random_uuid())


class Post(Base):
    """One message of a candidate's discussion thread (assigned experts and staff who are not conflicted)."""

    __tablename__ = "hit_post"
    __table_args__ = (Index(None, "candidate_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    author: Mapped[User | None] = relationship()


class Decision(Versioned, TimestampMixin, Base):
    """The committee's decision on a candidate: proposed while deciding, changed only by an upheld objection during
    the notice, immutable once the batch is published (final_at)."""

    __tablename__ = "hit_decision"
    audit_entity = "hit_decision"
    audit_fields = ("outcome", "note", "final_at")
    __table_args__ = (UniqueConstraint("candidate_id"), Index(None, "batch_id", "outcome"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    outcome: Mapped[Outcome] = mapped_column(state_type(Outcome, 15, column="outcome"))
    note: Mapped[str | None] = mapped_column(Text)  # to the producer
    rank: Mapped[int | None]  # the place in the ranking when proposed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    final_at: Mapped[datetime | None]
    producer_read_at: Mapped[datetime | None]  # the producer's bell counts final decisions not read yet
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    candidate: Mapped[Candidate] = relationship(lazy="joined", innerjoin=True)


class Objection(Versioned, Base):
    """An objection (异议) raised during the public notice, and how the committee handled it."""

    __tablename__ = "hit_objection"
    audit_entity = "hit_objection"
    audit_fields = ("status", "handling_reason")
    __table_args__ = (Index(None, "batch_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    reasons: Mapped[str] = mapped_column(Text)
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    status: Mapped[ObjectionStatus] = mapped_column(
        state_type(ObjectionStatus, 10), default=ObjectionStatus.pending, server_default="pending"
    )
    handling_reason: Mapped[str | None] = mapped_column(Text)
    new_outcome: Mapped[Outcome | None] = mapped_column(state_type(Outcome, 15, column="new_outcome"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    candidate: Mapped[Candidate] = relationship(lazy="joined", innerjoin=True)


class Plan(Versioned, TimestampMixin, Base):
    """The incubation plan of an accepted product, and its graduation (爆品 / 拳头产品)."""

    __tablename__ = "hit_plan"
    audit_entity = "hit_plan"
    audit_fields = ("status", "title", "graduated_on", "graduation_reason", "story")
    __table_args__ = (
        UniqueConstraint("candidate_id"),
        Index(None, "product_id"),
        Index("ix_hit_plan_graduated", "graduated_on", postgresql_where=text("status = 'graduated'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("hit_batch.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("hit_candidate.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    status: Mapped[PlanStatus] = mapped_column(
        state_type(PlanStatus, 12), default=PlanStatus.incubating, server_default="incubating"
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    title: Mapped[GraduationTitle | None] = mapped_column(state_type(GraduationTitle, 10, column="title"))
    graduated_on: Mapped[date | None]
    graduation_reason: Mapped[str | None] = mapped_column(String(500))
    graduated_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    story: Mapped[str | None] = mapped_column(Text)  # the showcase's text about the product
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    candidate: Mapped[Candidate] = relationship(lazy="joined", innerjoin=True)
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.due_on", cascade="all, delete-orphan")
    supports: Mapped[list[Support]] = relationship(order_by="Support.given_on", cascade="all, delete-orphan")


class Milestone(Versioned, Base):
    __tablename__ = "hit_milestone"
    audit_entity = "hit_milestone"
    audit_fields = ("title", "due_on", "kpi", "target_value", "target_unit", "status", "check_note")
    __table_args__ = (
        Index(None, "plan_id", "due_on"),
        Index("ix_hit_milestone_due_open", "due_on", postgresql_where=text("status IN ('open', 'reported')")),
        CheckConstraint("target_value IS NULL OR target_value >= 0", name="target_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hit_plan.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date]
    kpi: Mapped[KpiKind] = mapped_column(state_type(KpiKind, 15, column="kpi"))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target_unit: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[MilestoneStatus] = mapped_column(
        state_type(MilestoneStatus, 10), default=MilestoneStatus.open, server_default="open"
    )
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    checked_at: Mapped[datetime | None]
    check_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    updates: Mapped[list[ProgressUpdate]] = relationship(
        order_by="ProgressUpdate.created_at", cascade="all, delete-orphan"
    )


class ProgressUpdate(Base):
    """A producer's report on a milestone, with its evidence."""

    __tablename__ = "hit_progress"
    __table_args__ = (Index(None, "milestone_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("hit_milestone.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # the KPI's value reached so far
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Support(Base):
    """Support the committee gave an incubated product (funding, exhibitions, testing, training) with its amount."""

    __tablename__ = "hit_support"
    __table_args__ = (CheckConstraint("amount_wan IS NULL OR amount_wan >= 0", name="amount_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("hit_plan.id", ondelete="CASCADE"))
    kind: Mapped[SupportKind] = mapped_column(state_type(SupportKind, 12, column="kind"))
    description: Mapped[str] = mapped_column(String(300))
    amount_wan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    given_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey(FK_USER, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
