"""Test fixtures: a real PostgreSQL (throwaway embedded, or HOTPOT_TEST_DATABASE_URL), schema by Alembic,
each test inside a transaction that is rolled back (SQLAlchemy's join-into-external-transaction recipe)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Cheap password hashing and no .env surprises in tests; set before any settings are read.
os.environ.update(
    HOTPOT_ARGON2_TIME_COST="1",
    HOTPOT_ARGON2_MEMORY_COST="8192",
    HOTPOT_ARGON2_PARALLELISM="1",
)
os.environ.pop("HOTPOT_DATABASE_URL", None)

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from hotpot import migrate, pg
from hotpot.config import get_settings
from hotpot.db import AppSession
from hotpot.main import create_app
from hotpot.search import indexer

get_settings.cache_clear()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server URL (any database on it); embedded and deleted afterwards unless configured."""
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    if configured:
        yield pg.normalize_url(configured)
        return
    with tempfile.TemporaryDirectory(prefix="hotpot-test-") as tmp:
        server = pg.start_embedded(Path(tmp), throwaway=True)
        yield server.url
        server.stop()


def _database_name(name: str) -> str:
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    if configured:
        # Reuse the configured server; databases get a suffix so they never clash with the main one.
        name = f"{pg.make_url(pg.normalize_url(configured)).database}_{name}"
        # Parallel test processes (pytest -n) share that server: each gets databases of its own.
        name += f"_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
    return name


def fresh_database(server_url: str, name: str, *, template: str = "template0") -> str:
    """A new database on the test server (dropped first if left over): empty, or a copy of `template`."""
    return pg.ensure_database(server_url, _database_name(name), fresh=True, template=template)


@pytest.fixture(scope="session")
def demo_template(server_url: str) -> str:
    """The name of a database holding what `hotpot demo` loads (reference data, the seed synonyms, the demo data
    set and its search index), built once per test process; nobody connects to it.

    The browser server, the search tests and the pool's demo tests each start on a copy of it
    (`demo_database`): PostgreSQL copies the files in about a second, where loading the demo again takes 30-80 s.
    """
    from hotpot import demo
    from hotpot.reference import service as reference
    from hotpot.search import service as search

    url = fresh_database(server_url, "hotpot_demo_template")
    migrate.upgrade(url)
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        reference.load_reference(session)
        search.load_seed_synonyms(session)
        demo.load_demo(session)
        session.commit()
    with Session(engine) as session:
        search.rebuild(session)
        session.commit()
    engine.dispose()
    return pg.make_url(url).database


def demo_database(server_url: str, demo_template: str, name: str) -> str:
    """A new database `name` holding the demo data set and its index (a copy of the demo_template fixture's)."""
    return fresh_database(server_url, name, template=demo_template)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    """The main test database: HOTPOT_TEST_DATABASE_URL itself when set (migrated to head), else a fresh one.

    Tests never leave rows behind there (each runs in a transaction that is rolled back); migration, CLI and
    browser tests use databases of their own next to it, so the account needs CREATEDB.
    """
    configured = os.environ.get("HOTPOT_TEST_DATABASE_URL")
    url = pg.normalize_url(configured) if configured else fresh_database(server_url, "hotpot_test")
    migrate.upgrade(url)
    from hotpot.reference import service as reference
    from hotpot.search import service as search

    engine = create_engine(url)
    with Session(engine) as session:
        reference.load_reference(session)
        search.load_seed_synonyms(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    """Search results and synonyms are cached per process by the index's version numbers; the test databases
    each number their own versions, so a test starts with empty caches."""
    from hotpot.search import engine as search_engine
    from hotpot.search import text as search_text

    search_engine.clear_cache()
    search_text.vocabulary.version = None


@pytest.fixture(scope="session")
def engine(database_url: str):
    eng = create_engine(database_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine):
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def db(connection) -> Iterator[Session]:
    """The test's own session, indexed like the app's; everything it and the app write is rolled back after the test."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    indexer.install(session)
    yield session
    session.close()


@pytest.fixture
def app(engine, connection):
    factory = sessionmaker(
        bind=connection,
        class_=AppSession,  # the app's own session class: a lost race for a versioned row is a StaleVersion
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=True,
    )
    return create_app(engine=engine, session_factory=factory)


class Browserless(TestClient):
    """A TestClient that sends the CSRF token (from its cookie) with every unsafe request, like our pages do."""

    def request(self, method, url, *args, **kwargs):
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE") and not str(url).startswith("/api/"):
            token = self.cookies.get("hotpot_csrf")
            if token is None:
                super().request("GET", "/login")
                token = self.cookies.get("hotpot_csrf")
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", token)
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with Browserless(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def raw_client(app) -> Iterator[TestClient]:
    """A client that adds nothing: for CSRF tests."""
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def make_client(app):
    """Make more clients (one per user) for the same app."""
    clients: list[TestClient] = []

    def factory() -> TestClient:
        c = Browserless(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        return c

    yield factory
    for c in clients:
        c.__exit__(None, None, None)
