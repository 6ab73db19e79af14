"""The queue's schema comes through Alembic and matches the procrastinate that is installed."""

from __future__ import annotations

import re

from procrastinate.schema import SchemaManager
from sqlalchemy import text

from hotpot.jobs.queue import queue


def _created(kind: str) -> set[str]:
    return set(re.findall(rf"^CREATE {kind} (\w+)", SchemaManager.get_schema(), flags=re.MULTILINE))


def test_the_migrated_database_has_every_object_the_installed_procrastinate_needs(jobs_engine):
    """Fails when procrastinate is upgraded without a migration that brings its schema along."""
    with jobs_engine.connect() as conn:
        functions = set(conn.scalars(text("SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%'")))
        tables = set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")))
        types = set(conn.scalars(text("SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%'")))
    assert functions == _created("FUNCTION")
    assert tables == _created("TABLE")
    assert _created("TYPE") <= types


def test_procrastinate_finds_its_schema(jobs_url, factory):
    import asyncio

    from procrastinate import PsycopgConnector

    from hotpot.jobs.queue import conninfo

    async def check() -> bool:
        async with queue.open_async():
            return await queue.check_connection_async()

    with queue.replace_connector(PsycopgConnector(conninfo=conninfo(jobs_url))):
        assert asyncio.run(check()) is True
