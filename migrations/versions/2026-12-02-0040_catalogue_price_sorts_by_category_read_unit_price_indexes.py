"""the catalogue's price sorts by category read indexes on the price in 元/kg; the list-price indexes go

Revision ID: 3f6a2d8c1e57
Revises: 7c1d9e4b2a60
Create Date: 2026-12-02 00:40:00+00:00

The catalogue sorts by the price in 元/kg (unit_price_min / unit_price_max), then the list price, since the unit
price landed; the indexes on the list price alone (price_min, price_max, and the same by category) were read by no
statement any more, and a category sorted by price walked the whole table's unit-price index until it met 20 rows
of that category (虾滑 by price, high to low: 23 ms on bench data, 0.1 ms with the category's own index).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6a2d8c1e57"
down_revision: str | None = "7c1d9e4b2a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLIC = sa.text("is_public")


def upgrade() -> None:
    for name in (
        "ix_product_public_price",
        "ix_product_public_price_desc",
        "ix_product_public_category_price",
        "ix_product_public_category_price_desc",
    ):
        op.drop_index(name, table_name="product")
    op.create_index(
        "ix_product_public_category_unit_price",
        "product",
        ["category_code", "unit_price_min", "price_min", "id"],
        postgresql_where=PUBLIC,
    )
    op.create_index(
        "ix_product_public_category_unit_price_desc",
        "product",
        ["category_code", sa.text("unit_price_max DESC NULLS LAST"), sa.text("price_max DESC NULLS LAST"), "id"],
        postgresql_where=PUBLIC,
    )


def downgrade() -> None:
    op.drop_index("ix_product_public_category_unit_price_desc", table_name="product")
    op.drop_index("ix_product_public_category_unit_price", table_name="product")
    op.create_index("ix_product_public_price", "product", ["price_min", "id"], postgresql_where=PUBLIC)
    op.create_index(
        "ix_product_public_price_desc", "product", [sa.text("price_max DESC NULLS LAST"), "id"], postgresql_where=PUBLIC
    )
    op.create_index(
        "ix_product_public_category_price", "product", ["category_code", "price_min", "id"], postgresql_where=PUBLIC
    )
    op.create_index(
        "ix_product_public_category_price_desc",
        "product",
        ["category_code", sa.text("price_max DESC NULLS LAST"), "id"],
        postgresql_where=PUBLIC,
    )
