"""the ranking's review figures get a stamp per batch that triggers renew on every change they read

Revision ID: 7c1d9e4b2a60
Revises: 5e2c8a41d7b9
Create Date: 2026-12-01 18:20:00+00:00

The ranking of a batch works out, from every current review, each expert's mean and spread and each candidate's
normalised score: some 5,000 rows of arithmetic for a batch of 1,000 candidates, on every view of the ranking page,
the API and the decision pages. The figures change only when a review is submitted or superseded, a candidate's
status changes or a decision is made, so the application keeps them per batch under a stamp (a random UUID) that
these statement-level triggers renew in the same transaction as the change. Triggers, not service code: every
writer (the services, the demo, the benches' bulk INSERTs, a hand-run UPDATE) renews the stamp, so a cached figure
can never outlive the data it came from. A separate row per batch (not a column of hit_batch) keeps the batch row,
which edits and state moves lock, out of every expert's submission.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1d9e4b2a60"
down_revision: str | None = "5e2c8a41d7b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCH = """
CREATE FUNCTION hit_figures_touch(batch_ids integer[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hit_batch_figures_stamp (batch_id, stamp)
    SELECT b, gen_random_uuid()
    FROM (SELECT DISTINCT b FROM unnest(batch_ids) AS b WHERE b IS NOT NULL) AS changed
    WHERE EXISTS (SELECT 1 FROM hit_batch WHERE hit_batch.id = changed.b)
    ON CONFLICT (batch_id) DO UPDATE SET stamp = excluded.stamp
$$
"""

# Per table: the batches whose figures the statement's rows change (TG_OP picks the transition tables it has).
FUNCTIONS = {
    "hit_review": """
        IF TG_OP = 'INSERT' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM new_rows WHERE status = 'submitted'));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM old_rows WHERE status = 'submitted'));
        ELSE
            PERFORM hit_figures_touch(ARRAY(
                SELECT batch_id FROM new_rows WHERE status = 'submitted'
                UNION SELECT batch_id FROM old_rows WHERE status = 'submitted'));
        END IF;""",
    "hit_review_score": """
        IF TG_OP = 'DELETE' THEN
            PERFORM hit_figures_touch(ARRAY(
                SELECT r.batch_id FROM hit_review r JOIN old_rows o ON o.review_id = r.id WHERE r.status = 'submitted'));
        ELSE
            PERFORM hit_figures_touch(ARRAY(
                SELECT r.batch_id FROM hit_review r JOIN new_rows n ON n.review_id = r.id WHERE r.status = 'submitted'));
        END IF;""",
    "hit_candidate": """
        IF TG_OP = 'INSERT' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM new_rows WHERE status = 'passed'));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM old_rows));
        ELSE
            PERFORM hit_figures_touch(ARRAY(
                SELECT n.batch_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.status IS DISTINCT FROM o.status OR n.batch_id IS DISTINCT FROM o.batch_id
                UNION
                SELECT o.batch_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.status IS DISTINCT FROM o.status OR n.batch_id IS DISTINCT FROM o.batch_id));
        END IF;""",
    "hit_decision": """
        IF TG_OP = 'INSERT' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM hit_figures_touch(ARRAY(SELECT batch_id FROM old_rows));
        ELSE
            PERFORM hit_figures_touch(ARRAY(
                SELECT n.batch_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.candidate_id IS DISTINCT FROM o.candidate_id OR n.batch_id IS DISTINCT FROM o.batch_id
                UNION
                SELECT o.batch_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.candidate_id IS DISTINCT FROM o.candidate_id OR n.batch_id IS DISTINCT FROM o.batch_id));
        END IF;""",
}
EVENTS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
}


def upgrade() -> None:
    op.create_table(
        "hit_batch_figures_stamp",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["hit_batch.id"],
            name=op.f("fk_hit_batch_figures_stamp_batch_id_hit_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_hit_batch_figures_stamp")),
    )
    op.execute(TOUCH)
    for table, body in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {table}_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN{body}\n    RETURN NULL;\nEND\n$$"
        )
        for suffix, (event, referencing) in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {table}_figures_{suffix} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_figures_changed()"
            )
    # Batches that already have reviews start with a stamp.
    op.execute(
        "INSERT INTO hit_batch_figures_stamp (batch_id) SELECT DISTINCT batch_id FROM hit_review "
        "WHERE status = 'submitted'"
    )


def downgrade() -> None:
    for table in FUNCTIONS:
        for suffix in EVENTS:
            op.execute(f"DROP TRIGGER {table}_figures_{suffix} ON {table}")
        op.execute(f"DROP FUNCTION {table}_figures_changed()")
    op.execute("DROP FUNCTION hit_figures_touch(integer[])")
    op.drop_table("hit_batch_figures_stamp")
