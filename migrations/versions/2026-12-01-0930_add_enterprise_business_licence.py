"""add enterprise business licence (营业执照) scan, for staff to compare with the registered facts

Revision ID: 5d2e8b1c7a40
Revises: a7c3e1d2b4f6
Create Date: 2026-12-01 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2e8b1c7a40"
down_revision: str | None = "a7c3e1d2b4f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("licence_file_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_enterprise_licence_file_id_stored_file"),
        "enterprise",
        "stored_file",
        ["licence_file_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_enterprise_licence_file_id_stored_file"), "enterprise", type_="foreignkey")
    op.drop_column("enterprise", "licence_file_id")
