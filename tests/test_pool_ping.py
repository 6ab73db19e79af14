"""The pool asks a connection whether it is alive only after it sat idle (issue 12: a round trip less a request),
and still replaces one the server dropped, so that no request gets the dead connection. Real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hotpot import db
from hotpot.db import make_engine


@pytest.fixture
def pool(database_url, monkeypatch):
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    yield engine, pings
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_just_given_back_is_used_without_a_ping(pool):
    engine, pings = pool
    first = _backend(engine)  # a new connection: not pinged either
    assert [_backend(engine) for _ in range(5)] == [first] * 5
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dropped_one_replaced(pool, database_url, monkeypatch):
    engine, pings = pool
    first = _backend(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection in the pool counts as idle now
    assert _backend(engine) == first
    assert pings == [1]
    # The server drops the pooled connection (a restart, an administrator): the next checkout must not hand it out.
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (first,)).fetchone() == (True,)
    replaced = _backend(engine)
    assert replaced != first
    assert len(pings) == 2
