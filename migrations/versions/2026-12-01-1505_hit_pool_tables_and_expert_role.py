"""the 爆品 pool: batches and rubric, experts and ties, candidates, draws, assignments, reviews, decisions,
objections, incubation plans; accounts gain the expert role

Revision ID: b8b81797bcc7
Revises: 6a3f0c2e9b17
Create Date: 2026-12-01 15:05:22.971956+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b8b81797bcc7"
down_revision: str | None = "6a3f0c2e9b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_user_account_role_known"), "user_account", type_="check")
    op.create_check_constraint(
        op.f("ck_user_account_role_known"),
        "user_account",
        "role IN ('admin', 'reviewer', 'producer', 'buyer', 'expert')",
    )
    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=40), nullable=True),
        sa.Column("fields", postgresql.ARRAY(sa.String(length=20)), server_default="{}", nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_expert_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_expert_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_user_id")),
    )
    op.create_table(
        "hit_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("apply_opens_on", sa.Date(), nullable=False),
        sa.Column("apply_closes_on", sa.Date(), nullable=False),
        sa.Column("review_opens_on", sa.Date(), nullable=False),
        sa.Column("review_closes_on", sa.Date(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("experts_per_candidate", sa.Integer(), server_default="3", nullable=False),
        sa.Column("disagreement_threshold", sa.Numeric(precision=5, scale=1), server_default="20", nullable=False),
        sa.Column(
            "tie_break",
            sa.Enum(
                "criterion", "earlier", name="tie_break_known", native_enum=False, create_constraint=True, length=10
            ),
            server_default="criterion",
            nullable=False,
        ),
        sa.Column("tie_criterion_code", sa.String(length=30), nullable=True),
        sa.Column("require_published_product", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("require_sc_licence", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("min_months_on_platform", sa.Integer(), nullable=True),
        sa.Column("notice_days", sa.Integer(), server_default="5", nullable=False),
        sa.Column("notice_starts_on", sa.Date(), nullable=True),
        sa.Column("notice_ends_on", sa.Date(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "screening",
                "reviewing",
                "deciding",
                "notice",
                "published",
                "archived",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("status_reason", sa.String(length=300), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.Column("rubric_frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("apply_closes_on >= apply_opens_on", name=op.f("ck_hit_batch_apply_window")),
        sa.CheckConstraint("disagreement_threshold >= 0", name=op.f("ck_hit_batch_threshold_non_negative")),
        sa.CheckConstraint("experts_per_candidate BETWEEN 1 AND 15", name=op.f("ck_hit_batch_experts_range")),
        sa.CheckConstraint(
            "min_months_on_platform IS NULL OR min_months_on_platform BETWEEN 0 AND 120",
            name=op.f("ck_hit_batch_months"),
        ),
        sa.CheckConstraint("notice_days BETWEEN 1 AND 30", name=op.f("ck_hit_batch_notice_days_range")),
        sa.CheckConstraint("quota > 0", name=op.f("ck_hit_batch_quota_positive")),
        sa.CheckConstraint("review_closes_on >= review_opens_on", name=op.f("ck_hit_batch_review_window")),
        sa.CheckConstraint("review_opens_on >= apply_closes_on", name=op.f("ck_hit_batch_review_after_apply")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_batch_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["user_account.id"], name=op.f("fk_hit_batch_manager_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_batch_status_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_batch")),
        sa.UniqueConstraint("name", name=op.f("uq_hit_batch_name")),
    )
    op.create_index(op.f("ix_hit_batch_status"), "hit_batch", ["status"], unique=False)
    op.create_table(
        "hit_batch_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "screening",
                "reviewing",
                "deciding",
                "notice",
                "published",
                "archived",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_batch_step_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user_account.id"], name=op.f("fk_hit_batch_step_by_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_batch_step")),
    )
    op.create_index(op.f("ix_hit_batch_step_batch_id"), "hit_batch_step", ["batch_id", "at"], unique=False)
    op.create_table(
        "hit_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), server_default="10", nullable=False),
        sa.Column("guidance", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.CheckConstraint("max_score > 0 AND max_score <= 100", name=op.f("ck_hit_criterion_max_score_range")),
        sa.CheckConstraint("weight > 0 AND weight <= 100", name=op.f("ck_hit_criterion_weight_range")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_criterion_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_criterion")),
        sa.UniqueConstraint("batch_id", "code", name=op.f("uq_hit_criterion_batch_id_code")),
    )
    op.create_table(
        "hit_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_draw_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_draw_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_draw")),
    )
    op.create_index(op.f("ix_hit_draw_batch_id"), "hit_draw", ["batch_id", "created_at"], unique=False)
    op.create_table(
        "hit_tie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_hit_tie_enterprise_id_enterprise"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_hit_tie_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_tie")),
        sa.UniqueConstraint("user_id", "enterprise_id", name=op.f("uq_hit_tie_user_id_enterprise_id")),
    )
    op.create_table(
        "hit_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("pitch", sa.Text(), nullable=True),
        sa.Column("target_markets", sa.String(length=300), nullable=True),
        sa.Column("channels", sa.String(length=300), nullable=True),
        sa.Column("sales_wan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("volume_t", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("capacity_t", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("local_share_computed", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("local_share_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("local_share_note", sa.String(length=300), nullable=True),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "returned",
                "passed",
                "ineligible",
                "withdrawn",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("screening_reason", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eligibility", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "capacity_t IS NULL OR capacity_t >= 0", name=op.f("ck_hit_candidate_capacity_non_negative")
        ),
        sa.CheckConstraint(
            "local_share_pct IS NULL OR local_share_pct BETWEEN 0 AND 100",
            name=op.f("ck_hit_candidate_local_share_range"),
        ),
        sa.CheckConstraint("sales_wan IS NULL OR sales_wan >= 0", name=op.f("ck_hit_candidate_sales_non_negative")),
        sa.CheckConstraint("volume_t IS NULL OR volume_t >= 0", name=op.f("ck_hit_candidate_volume_non_negative")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_candidate_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_hit_candidate_brand_id_brand"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_candidate_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_hit_candidate_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_hit_candidate_product_id_product"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_candidate_status_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_candidate")),
        sa.UniqueConstraint("batch_id", "product_id", name=op.f("uq_hit_candidate_batch_id_product_id")),
    )
    op.create_index(op.f("ix_hit_candidate_batch_id"), "hit_candidate", ["batch_id", "status"], unique=False)
    op.create_index(op.f("ix_hit_candidate_enterprise_id"), "hit_candidate", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_hit_candidate_product_id"), "hit_candidate", ["product_id"], unique=False)
    op.create_table(
        "hit_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("draw", "manual", name="source_known", native_enum=False, create_constraint=True, length=10),
            nullable=False,
        ),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_assignment_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_assignment_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_assignment_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["hit_draw.id"], name=op.f("fk_hit_assignment_draw_id_hit_draw"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_assignment_ended_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_hit_assignment_expert_id_expert"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_assignment")),
    )
    op.create_index(op.f("ix_hit_assignment_batch_id"), "hit_assignment", ["batch_id"], unique=False)
    op.create_index(op.f("ix_hit_assignment_expert_id"), "hit_assignment", ["expert_id", "batch_id"], unique=False)
    op.create_index(
        "uq_hit_assignment_active",
        "hit_assignment",
        ["candidate_id", "expert_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "hit_candidate_certificate",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_candidate_certificate_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_hit_candidate_certificate_certificate_id_certificate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", "certificate_id", name=op.f("pk_hit_candidate_certificate")),
    )
    op.create_table(
        "hit_candidate_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_candidate_file_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_hit_candidate_file_file_id_stored_file"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_candidate_file")),
    )
    op.create_index(op.f("ix_hit_candidate_file_candidate_id"), "hit_candidate_file", ["candidate_id"], unique=False)
    op.create_table(
        "hit_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "accepted",
                "not_accepted",
                "revise",
                name="outcome_known",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("final_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("producer_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_decision_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_decision_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_decision_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_decision")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_hit_decision_candidate_id")),
    )
    op.create_index(op.f("ix_hit_decision_batch_id"), "hit_decision", ["batch_id", "outcome"], unique=False)
    op.create_table(
        "hit_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("evidence_file_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "upheld",
                "dismissed",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("handling_reason", sa.Text(), nullable=True),
        sa.Column(
            "new_outcome",
            sa.Enum(
                "accepted",
                "not_accepted",
                "revise",
                name="new_outcome_known",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=True,
        ),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_objection_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_objection_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_file_id"],
            ["stored_file.id"],
            name=op.f("fk_hit_objection_evidence_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_objection_handled_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_objection_raised_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_objection")),
    )
    op.create_index(op.f("ix_hit_objection_batch_id"), "hit_objection", ["batch_id", "status"], unique=False)
    op.create_table(
        "hit_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "incubating",
                "graduated",
                "ended",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="incubating",
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "title",
            sa.Enum("hit", "flagship", name="title_known", native_enum=False, create_constraint=True, length=10),
            nullable=True,
        ),
        sa.Column("graduated_on", sa.Date(), nullable=True),
        sa.Column("graduation_reason", sa.String(length=500), nullable=True),
        sa.Column("graduated_by_id", sa.Integer(), nullable=True),
        sa.Column("story", sa.Text(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_plan_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_plan_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_hit_plan_enterprise_id_enterprise"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["graduated_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_plan_graduated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_hit_plan_product_id_product"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_plan")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_hit_plan_candidate_id")),
    )
    op.create_index(
        "ix_hit_plan_graduated",
        "hit_plan",
        ["graduated_on"],
        unique=False,
        postgresql_where=sa.text("status = 'graduated'"),
    )
    op.create_index(op.f("ix_hit_plan_product_id"), "hit_plan", ["product_id"], unique=False)
    op.create_table(
        "hit_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_hit_post_author_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_post_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_post")),
    )
    op.create_index(op.f("ix_hit_post_candidate_id"), "hit_post", ["candidate_id", "created_at"], unique=False)
    op.create_table(
        "hit_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "superseded",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column(
            "recommendation",
            sa.Enum(
                "strong_accept",
                "accept",
                "borderline",
                "reject",
                name="recommendation_known",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=True,
        ),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("revision_reason", sa.String(length=300), nullable=True),
        sa.Column("weighted_total", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "confidence IS NULL OR confidence BETWEEN 1 AND 5", name=op.f("ck_hit_review_confidence_range")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["hit_batch.id"], name=op.f("fk_hit_review_batch_id_hit_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["hit_candidate.id"],
            name=op.f("fk_hit_review_candidate_id_hit_candidate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_hit_review_expert_id_expert"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["hit_review.id"],
            name=op.f("fk_hit_review_supersedes_id_hit_review"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_review")),
        sa.UniqueConstraint(
            "candidate_id", "expert_id", "revision", name=op.f("uq_hit_review_candidate_id_expert_id_revision")
        ),
    )
    op.create_index(op.f("ix_hit_review_candidate_id"), "hit_review", ["candidate_id", "status"], unique=False)
    op.create_index(op.f("ix_hit_review_expert_id"), "hit_review", ["expert_id", "status"], unique=False)
    op.create_index(
        "uq_hit_review_current",
        "hit_review",
        ["candidate_id", "expert_id"],
        unique=True,
        postgresql_where=sa.text("status = 'submitted'"),
    )
    op.create_index(
        "uq_hit_review_draft",
        "hit_review",
        ["candidate_id", "expert_id"],
        unique=True,
        postgresql_where=sa.text("status = 'draft'"),
    )
    op.create_table(
        "hit_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "kpi",
            sa.Enum(
                "sales",
                "outlets",
                "certification",
                "brand",
                "export",
                "other",
                name="kpi_known",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("target_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("target_unit", sa.String(length=10), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "reported",
                "achieved",
                "missed",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "target_value IS NULL OR target_value >= 0", name=op.f("ck_hit_milestone_target_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_milestone_checked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["hit_plan.id"], name=op.f("fk_hit_milestone_plan_id_hit_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_milestone")),
    )
    op.create_index(
        "ix_hit_milestone_due_open",
        "hit_milestone",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'reported')"),
    )
    op.create_index(op.f("ix_hit_milestone_plan_id"), "hit_milestone", ["plan_id", "due_on"], unique=False)
    op.create_table(
        "hit_review_score",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.CheckConstraint("score >= 0", name=op.f("ck_hit_review_score_score_non_negative")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["hit_criterion.id"],
            name=op.f("fk_hit_review_score_criterion_id_hit_criterion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["hit_review.id"], name=op.f("fk_hit_review_score_review_id_hit_review"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", "criterion_id", name=op.f("pk_hit_review_score")),
    )
    op.create_table(
        "hit_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "funding",
                "exhibition",
                "testing",
                "training",
                "other",
                name="kind_known",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("amount_wan", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_wan IS NULL OR amount_wan >= 0", name=op.f("ck_hit_support_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["hit_plan.id"], name=op.f("fk_hit_support_plan_id_hit_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_hit_support_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_support")),
    )
    op.create_table(
        "hit_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("evidence_file_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_hit_progress_author_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["evidence_file_id"],
            ["stored_file.id"],
            name=op.f("fk_hit_progress_evidence_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["hit_milestone.id"],
            name=op.f("fk_hit_progress_milestone_id_hit_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_progress")),
    )
    op.create_index(op.f("ix_hit_progress_milestone_id"), "hit_progress", ["milestone_id", "created_at"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM user_account WHERE role = 'expert'")
    op.drop_constraint(op.f("ck_user_account_role_known"), "user_account", type_="check")
    op.create_check_constraint(
        op.f("ck_user_account_role_known"), "user_account", "role IN ('admin', 'reviewer', 'producer', 'buyer')"
    )
    op.drop_index(op.f("ix_hit_progress_milestone_id"), table_name="hit_progress")
    op.drop_table("hit_progress")
    op.drop_table("hit_support")
    op.drop_table("hit_review_score")
    op.drop_index(op.f("ix_hit_milestone_plan_id"), table_name="hit_milestone")
    op.drop_index(
        "ix_hit_milestone_due_open",
        table_name="hit_milestone",
        postgresql_where=sa.text("status IN ('open', 'reported')"),
    )
    op.drop_table("hit_milestone")
    op.drop_index("uq_hit_review_draft", table_name="hit_review", postgresql_where=sa.text("status = 'draft'"))
    op.drop_index("uq_hit_review_current", table_name="hit_review", postgresql_where=sa.text("status = 'submitted'"))
    op.drop_index(op.f("ix_hit_review_expert_id"), table_name="hit_review")
    op.drop_index(op.f("ix_hit_review_candidate_id"), table_name="hit_review")
    op.drop_table("hit_review")
    op.drop_index(op.f("ix_hit_post_candidate_id"), table_name="hit_post")
    op.drop_table("hit_post")
    op.drop_index(op.f("ix_hit_plan_product_id"), table_name="hit_plan")
    op.drop_index("ix_hit_plan_graduated", table_name="hit_plan", postgresql_where=sa.text("status = 'graduated'"))
    op.drop_table("hit_plan")
    op.drop_index(op.f("ix_hit_objection_batch_id"), table_name="hit_objection")
    op.drop_table("hit_objection")
    op.drop_index(op.f("ix_hit_decision_batch_id"), table_name="hit_decision")
    op.drop_table("hit_decision")
    op.drop_index(op.f("ix_hit_candidate_file_candidate_id"), table_name="hit_candidate_file")
    op.drop_table("hit_candidate_file")
    op.drop_table("hit_candidate_certificate")
    op.drop_index("uq_hit_assignment_active", table_name="hit_assignment", postgresql_where=sa.text("ended_at IS NULL"))
    op.drop_index(op.f("ix_hit_assignment_expert_id"), table_name="hit_assignment")
    op.drop_index(op.f("ix_hit_assignment_batch_id"), table_name="hit_assignment")
    op.drop_table("hit_assignment")
    op.drop_index(op.f("ix_hit_candidate_product_id"), table_name="hit_candidate")
    op.drop_index(op.f("ix_hit_candidate_enterprise_id"), table_name="hit_candidate")
    op.drop_index(op.f("ix_hit_candidate_batch_id"), table_name="hit_candidate")
    op.drop_table("hit_candidate")
    op.drop_table("hit_tie")
    op.drop_index(op.f("ix_hit_draw_batch_id"), table_name="hit_draw")
    op.drop_table("hit_draw")
    op.drop_table("hit_criterion")
    op.drop_index(op.f("ix_hit_batch_step_batch_id"), table_name="hit_batch_step")
    op.drop_table("hit_batch_step")
    op.drop_index(op.f("ix_hit_batch_status"), table_name="hit_batch")
    op.drop_table("hit_batch")
    op.drop_table("expert")
