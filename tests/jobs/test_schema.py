"""The queue's schema comes through Alembic and matches the procrastinate that is installed."""

from __future__ import annotations

import re

from procrastinate.schema import SchemaManager
from sqlalchemy import text

from hotpot.jobs.queue import queue
from hotpot.jobs.worker import run_coroutine


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

    from procrastinate import PsycopgConnector

    from hotpot.jobs.queue import conninfo

    async def check() -> bool:
        async with queue.open_async():
            return await queue.check_connection_async()

    with queue.replace_connector(PsycopgConnector(conninfo=conninfo(jobs_url))):
        assert run_coroutine(check()) is True


def test_a_worker_started_where_an_event_loop_already_runs_gets_one_of_its_own():
    """The browser driver of the test process (and any async caller) keeps a loop running in the main thread; a
    worker started there must not die with "asyncio.run() cannot be called from a running event loop"."""

    async def answer() -> int:
        return 42

    async def caller() -> int:
        return run_coroutine(answer())

    assert run_coroutine(caller()) == 42  # caller runs in a loop, and starts another one from inside it
    assert run_coroutine(answer()) == 42
