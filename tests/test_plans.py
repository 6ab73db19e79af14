"""Statements are planned for their own parameters on every run (hotpot/db.py PLAN_EACH_TIME).

psycopg prepares a statement once it ran five times on a connection, and PostgreSQL may then keep one generic plan
for it. The search statement's generic plan took 黄喉 from 35 ms to 300-470 ms from its eleventh run on a connection
(issue 12). PostgreSQL counts the plans of each prepared statement (pg_prepared_statements), so the test reads
them: the app's engine never uses a generic plan; an engine without the setting does, for the same statement."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from hotpot.db import make_engine

STATEMENT = text("SELECT count(*) FROM search_doc WHERE kind = :kind AND id > :floor")


def _plans(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        for n in range(15):
            conn.execute(STATEMENT, {"kind": "product", "floor": n})
        generic, custom = conn.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE '%FROM search_doc WHERE kind = $1 AND id > $2%'"
            )
        ).one()
    engine.dispose()
    return generic, custom


def test_the_apps_connections_plan_every_run_for_its_parameters(database_url):
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
    generic, custom = _plans(engine)
    assert generic == 0
    assert custom >= 10  # prepared after five runs, then planned on each of the ten others


def test_without_the_setting_postgresql_settles_on_a_generic_plan(database_url):
    generic, _ = _plans(create_engine(database_url, pool_size=1, max_overflow=0))
    assert generic > 0
