"""English trade names: on the product taxonomy (with alternatives) and, optionally, on products

Revision ID: 8b3f1d6e2a57
Revises: 7b3d9e1f4c20
Create Date: 2026-12-01 12:15:00+00:00

The taxonomy's English names come from seed_data/product_categories.csv, written by the reference loader
(`hotpot seed`, run on every start) like the rest of the taxonomy. The tokenizer's algorithm version was bumped
with them, so `hotpot demo` rebuilds the search index on its next start and `hotpot search status` asks for
`hotpot search reindex` elsewhere; until then English queries find nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b3f1d6e2a57"
down_revision: str | None = "7b3d9e1f4c20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("product_category", sa.Column("name_en", sa.String(length=60), nullable=True))
    op.add_column("product_category", sa.Column("name_en_variants", sa.String(length=300), nullable=True))
    op.add_column("product", sa.Column("name_en", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column("product", "name_en")
    op.drop_column("product_category", "name_en_variants")
    op.drop_column("product_category", "name_en")
