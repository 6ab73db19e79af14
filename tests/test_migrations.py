"""Migrations: one head, upgrade from empty, models match migrations, downgrade round trip."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool

from hotpot import migrate
from hotpot.models import Base
from tests.conftest import fresh_database


@pytest.fixture(scope="module")
def empty_url(server_url):
    return fresh_database(server_url, "hotpot_migrations")


def test_single_head():
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql+psycopg://unused/unused"))
    assert len(script.get_heads()) == 1


def test_migration_file_names_say_when_and_what():
    import re

    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql+psycopg://unused/unused"))
    for rev in script.walk_revisions():
        name = rev.path.rsplit("/", 1)[-1]
        assert re.match(r"^\d{4}-\d{2}-\d{2}-\d{4}_[a-z0-9_]+\.py$", name), name


def test_upgrade_from_empty_then_models_match_then_round_trip(empty_url):
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    migrate.upgrade(empty_url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": migrate.include_object}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    tables = set(inspect(engine).get_table_names())
    assert {"user_account", "user_session", "api_token", "audit_event", "stored_file", "town"} <= tables

    migrate.downgrade(empty_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_url)
    assert (
        migrate.current(empty_url) == ScriptDirectory.from_config(migrate.alembic_config(empty_url)).get_current_head()
    )
    engine.dispose()
