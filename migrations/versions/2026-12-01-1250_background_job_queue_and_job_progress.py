"""background jobs: procrastinate's queue schema (3.10.0) and job_progress

Revision ID: 6a3f0c2e9b17
Revises: 8b3f1d6e2a57
Create Date: 2026-12-01 12:15:00+00:00

The queue's schema is procrastinate's own SQL, frozen here as migrations/sql/procrastinate-3.10.0-schema.sql (a
verbatim copy of `procrastinate.schema.SchemaManager.get_schema()` of 3.10.0) so this migration creates the same
objects whatever procrastinate is installed later. Upgrading procrastinate past 3.10 needs a new migration that runs
the library's `sql/migrations/*.sql` files between the two versions; tests/jobs/test_schema.py fails until then.
"""

import re
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "6a3f0c2e9b17"
down_revision: str | None = "8b3f1d6e2a57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).resolve().parent.parent / "sql" / "procrastinate-3.10.0-schema.sql"


def upgrade() -> None:
    # Through the driver without parameters: one simple-protocol round trip, so the file's many statements and
    # its `%` characters pass untouched, inside Alembic's transaction.
    op.get_bind().connection.driver_connection.execute(SCHEMA.read_text(encoding="utf-8"))
    op.create_table(
        "job_progress",
        sa.Column("job_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_progress")),
    )


def downgrade() -> None:
    op.drop_table("job_progress")
    sql = SCHEMA.read_text(encoding="utf-8")
    tables = re.findall(r"^CREATE TABLE (\w+)", sql, flags=re.MULTILINE)
    functions = re.findall(r"^CREATE FUNCTION (\w+)\(", sql, flags=re.MULTILINE)
    types = re.findall(r"^CREATE TYPE (\w+)", sql, flags=re.MULTILINE)
    # Tables first (their triggers and indexes go with them), then what they used.
    op.execute("DROP TABLE " + ", ".join(reversed(tables)) + " CASCADE")
    for name in functions:
        op.execute(f"DROP FUNCTION IF EXISTS {name}")  # those returning table rows went with their table
    op.execute("DROP TYPE " + ", ".join(reversed(types)))
