"""statuses are enums: the database refuses a status its domain does not know

Revision ID: 7b3f9e2a6c15
Revises: 5e1c7a9d2b40
Create Date: 2026-12-01 12:35:00+00:00

The values are the strings stored so far (hotpot/workflow.py `state_type`); no row changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7b3f9e2a6c15"
down_revision: str | None = "5e1c7a9d2b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN = {
    ("enterprise", "status"): ("pending", "verified", "rejected", "suspended"),
    ("base", "status"): ("pending", "verified", "rejected"),
    ("certificate", "verification"): ("unverified", "verified", "rejected"),
    ("product", "status"): ("draft", "published", "withdrawn"),
}


def upgrade() -> None:
    for (table, column), values in KNOWN.items():
        listed = ", ".join(f"'{v}'" for v in values)
        op.create_check_constraint(op.f(f"ck_{table}_{column}_known"), table, f"{column} IN ({listed})")


def downgrade() -> None:
    for table, column in KNOWN:
        op.drop_constraint(op.f(f"ck_{table}_{column}_known"), table, type_="check")
