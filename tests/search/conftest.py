"""A database with the demo data set and its search index, built once for the relevance and API tests."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from hotpot import migrate
from hotpot.main import create_app
from hotpot.search import indexer
from tests.conftest import Browserless, fresh_database


@pytest.fixture(scope="session")
def demo_engine(server_url):
    from hotpot import demo
    from hotpot.reference import service as reference
    from hotpot.search import service as search

    url = fresh_database(server_url, "hotpot_search_demo")
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=5)
    with Session(engine) as session:
        reference.load_reference(session)
        search.load_seed_synonyms(session)
        demo.load_demo(session)
        session.commit()
    with Session(engine) as session:
        search.rebuild(session)
        session.commit()
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
