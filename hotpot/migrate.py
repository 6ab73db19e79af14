"""Run Alembic from code, so `hotpot db ...`, the demo and the tests migrate the same way."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

from hotpot.resources import resource_dir

# Indexes on expressions the models cannot declare (created by hand in their migrations): autogenerate and
# the models-match-migrations test must neither drop nor recreate them.
MANUAL_INDEXES = frozenset({"ix_product_public_bigrams"})


# The job queue's tables are procrastinate's schema, created from its own SQL by their migration (see
# hotpot/jobs/models.py): no model declares them, so the models-match-migrations check must leave them out.
QUEUE_TABLE_PREFIX = "procrastinate_"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and reflected and compare_to is None and name.startswith(QUEUE_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in MANUAL_INDEXES)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return rev
