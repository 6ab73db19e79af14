"""suggestions read their keys from one covering index, in the index's own order

Revision ID: 5e2c8a41d7b9
Revises: b8b81797bcc7
Create Date: 2026-12-01 15:40:00+00:00

A suggestion ranks the first 3,000 keys that start with what was typed. The old index (key text_pattern_ops) could
find them but not give them in order, and every key's term and weight came from the table: a one-letter prefix
read some 2,000 pages and sorted 5,000 rows. With the term, source, ref_id and weight included, the first 3,000
come from an index-only scan in byte order (the order the query now asks for, USING ~<~).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5e2c8a41d7b9"
down_revision: str | None = "b8b81797bcc7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_search_term_key", table_name="search_term")
    op.create_index(
        "ix_search_term_key",
        "search_term",
        ["key"],
        postgresql_ops={"key": "text_pattern_ops"},
        postgresql_include=["term", "source", "ref_id", "weight"],
    )


def downgrade() -> None:
    op.drop_index("ix_search_term_key", table_name="search_term")
    op.create_index("ix_search_term_key", "search_term", ["key"], postgresql_ops={"key": "text_pattern_ops"})
