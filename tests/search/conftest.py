"""A database with the demo data set and its search index, built once for the relevance and API tests."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from hotpot.main import create_app
from hotpot.search import indexer
from tests.conftest import Browserless, demo_database


@pytest.fixture(scope="session")
def demo_engine(server_url, demo_template):
    url = demo_database(server_url, demo_template, "hotpot_search_demo")
    engine = create_engine(url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_db(demo_engine):
    """A session on the demo database; whatever a test writes is rolled back."""
    conn = demo_engine.connect()
    outer = conn.begin()
    session = indexer.install(Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False))
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def demo_client(demo_engine, demo_db):
    factory = sessionmaker(
        bind=demo_db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=True
    )
    app = create_app(engine=demo_engine, session_factory=factory)
    with Browserless(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c
