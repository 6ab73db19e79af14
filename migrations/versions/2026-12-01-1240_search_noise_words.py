"""the admins' own noise words for the search's query reader

Revision ID: 7b3d9e1f4c20
Revises: 7b3f9e2a6c15
Create Date: 2026-12-01 12:40:00+00:00

The seed list lives in seed_data/search_noise_words.txt; this table holds the words admins add on /admin/search.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3d9e1f4c20"
down_revision: str | None = "7b3f9e2a6c15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_noise_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_noise_word")),
        sa.UniqueConstraint("word", name=op.f("uq_search_noise_word_word")),
    )


def downgrade() -> None:
    op.drop_table("search_noise_word")
