"""The search API's kept answers, found with one read of the index's state on the event loop (issue 12).

The app that makes its own sessions (hotpot serve, hotpot demo) reads `search_state` on an async pool of its own
(hotpot.search.versions) and answers a kept query without the thread pool or a session; the tests' usual app is
given a session factory (each test's uncommitted transaction) and reads the state through it instead. Here the app
is the real kind, on a database of its own whose writes are committed."""

from __future__ import annotations

import functools

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from hotpot import domains, migrate
from hotpot.db import make_engine, make_session_factory, transaction
from hotpot.main import create_app
from hotpot.reference.service import load_reference
from tests.conftest import fresh_database
from tests.enterprises.builders import make_product


@pytest.fixture(scope="module")
def own_engine(server_url):
    url = fresh_database(server_url, "hotpot_search_state")
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=2, max_overflow=2)
    with transaction(make_session_factory(engine)) as session:
        load_reference(session)
    yield engine
    engine.dispose()


@pytest.fixture
def handoffs(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):
        inner = func.func if isinstance(func, functools.partial) else func
        calls.append(getattr(inner, "__name__", type(inner).__name__))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return calls


def _write(engine, name: str) -> None:
    factory = make_session_factory(engine)
    domains.prepare_session_factory(factory)  # indexed like the app's own sessions
    with transaction(factory) as session:
        make_product(session, name=name)


def test_a_kept_answer_needs_no_thread_and_a_committed_write_shows_on_the_next_request(own_engine, handoffs):
    app = create_app(engine=own_engine)
    assert app.state.state_reader is not None
    with TestClient(app) as client:
        first = client.get("/api/v1/search", params={"q": "事件循环毛肚"})
        assert first.status_code == 200
        assert first.json()["total"] == 0
        assert "_answer" in handoffs  # computed in the thread pool, on the request's session
        handoffs.clear()
        again = client.get("/api/v1/search", params={"q": "事件循环毛肚"})
        assert again.content == first.content
        assert handoffs == []  # kept: the state read on the event loop, no thread, no session

        _write(own_engine, "事件循环毛肚")  # another process's committed write
        handoffs.clear()
        fresh = client.get("/api/v1/search", params={"q": "事件循环毛肚"}).json()
        assert fresh["total"] == 1
        assert fresh["items"][0]["name"] == "事件循环毛肚"
        assert "_answer" in handoffs  # the state moved: computed again

        # Invalid input is still refused field by field, kept answers or not.
        bad = client.get("/api/v1/search", params={"q": "毛肚", "sort": "cheapest", "town": "nowhere"})
        assert bad.status_code == 422
        fields = {e["loc"][-1] for e in bad.json()["detail"]}
        assert {"sort", "town"} <= fields


def test_the_apps_given_a_session_factory_read_the_state_through_it(app):
    assert app.state.state_reader is None
