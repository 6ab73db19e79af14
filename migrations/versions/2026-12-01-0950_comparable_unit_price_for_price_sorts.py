"""comparable unit price (元/kg) for the price sorts of the search and the catalogue

Revision ID: 5e1c7a9d2b40
Revises: 5d2e8b1c7a40
Create Date: 2026-12-01 09:50:00+00:00

The columns are filled by the search indexer (hotpot.search.unitprice); the tokenizer's algorithm version was
bumped with them, so `hotpot demo` rebuilds the index on its next start and `hotpot search status` asks for
`hotpot search reindex` elsewhere. Until then the price sorts put every product in the "no unit price" group.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1c7a9d2b40"
down_revision: str | None = "5d2e8b1c7a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("search_doc", "product"):
        op.add_column(table, sa.Column("unit_price_min", sa.Numeric(precision=12, scale=2), nullable=True))
        op.add_column(table, sa.Column("unit_price_max", sa.Numeric(precision=12, scale=2), nullable=True))
    op.create_index(
        "ix_product_public_unit_price",
        "product",
        ["unit_price_min", "id"],
        unique=False,
        postgresql_where=sa.text("is_public"),
    )
    op.create_index(
        "ix_product_public_unit_price_desc",
        "product",
        [sa.literal_column("unit_price_max DESC NULLS LAST"), "id"],
        unique=False,
        postgresql_where=sa.text("is_public"),
    )


def downgrade() -> None:
    op.drop_index("ix_product_public_unit_price_desc", table_name="product", postgresql_where=sa.text("is_public"))
    op.drop_index("ix_product_public_unit_price", table_name="product", postgresql_where=sa.text("is_public"))
    for table in ("product", "search_doc"):
        op.drop_column(table, "unit_price_max")
        op.drop_column(table, "unit_price_min")
