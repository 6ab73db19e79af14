"""accounts: e-mail verification, forced password change, one-time tokens, known devices, login counters, outbox

Revision ID: a7c3e1d2b4f6
Revises: 9625af74a5f7
Create Date: 2026-12-01 09:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e1d2b4f6"
down_revision: str | None = "9625af74a5f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "user_account",
        sa.Column("must_change_password", sa.Boolean(), server_default="false", nullable=False),
    )
    # Accounts made before verification existed keep working: they count as verified from their creation.
    op.execute("UPDATE user_account SET email_verified_at = created_at")

    op.create_table(
        "login_counter",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_counter")),
    )
    op.create_table(
        "known_device",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_known_device_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_known_device_token_hash")),
    )
    op.create_index(op.f("ix_known_device_user_id"), "known_device", ["user_id"], unique=False)
    op.create_table(
        "one_time_token",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'reset_password', 'login_code')",
            name=op.f("ck_one_time_token_purpose_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_one_time_token_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_token")),
    )
    op.create_index(op.f("ix_one_time_token_token_hash"), "one_time_token", ["token_hash"], unique=False)
    op.create_index(op.f("ix_one_time_token_user_id"), "one_time_token", ["user_id", "purpose"], unique=False)
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index(op.f("ix_mail_outbox_created_at"), "mail_outbox", ["created_at"], unique=False)
    op.create_index(op.f("ix_mail_outbox_to_address"), "mail_outbox", ["to_address"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_outbox_to_address"), table_name="mail_outbox")
    op.drop_index(op.f("ix_mail_outbox_created_at"), table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index(op.f("ix_one_time_token_user_id"), table_name="one_time_token")
    op.drop_index(op.f("ix_one_time_token_token_hash"), table_name="one_time_token")
    op.drop_table("one_time_token")
    op.drop_index(op.f("ix_known_device_user_id"), table_name="known_device")
    op.drop_table("known_device")
    op.drop_table("login_counter")
    op.drop_column("user_account", "must_change_password")
    op.drop_column("user_account", "email_verified_at")
