"""The request's session and access rule (hotpot/db.py `get_session`, hotpot/deps.py): an anonymous request costs
no thread-pool hand-off for either, only its route's; a session that touched the database is ended in one more, and
its connection always goes back to the pool, after an error too (issue 12: four hand-offs a request before)."""

from __future__ import annotations

import functools

import anyio.to_thread
import pytest
from fastapi.responses import Response
from fastapi.testclient import TestClient
from sqlalchemy import text

from hotpot.db import SessionDep
from hotpot.deps import PublicUser
from hotpot.main import create_app
from tests.auth.builders import log_in, make_user


@pytest.fixture
def handoffs(monkeypatch) -> list[str]:
    """The names of the functions run in the thread pool during the test (starlette and FastAPI go through
    anyio.to_thread.run_sync for sync routes and dependencies)."""
    calls: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):
        inner = func.func if isinstance(func, functools.partial) else func  # run_in_threadpool's wrapping
        calls.append(getattr(inner, "__name__", type(inner).__name__))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return calls


def _routes(app) -> None:
    def nothing(user: PublicUser) -> Response:
        return Response("ok")

    def reads(session: SessionDep, user: PublicUser) -> Response:
        return Response(str(session.execute(text("SELECT 41 + 1")).scalar_one()))

    def fails(session: SessionDep, user: PublicUser) -> Response:
        session.execute(text("SELECT 1"))
        raise RuntimeError("after a read")

    app.add_api_route("/api/v1/test-nothing", nothing)
    app.add_api_route("/test-nothing", nothing)
    app.add_api_route("/api/v1/test-reads", reads)
    app.add_api_route("/api/v1/test-fails", fails)


def test_anonymous_request_hands_only_its_route_to_the_thread_pool(app, handoffs):
    _routes(app)
    with TestClient(app) as client:
        handoffs.clear()
        assert client.get("/api/v1/test-nothing").text == "ok"
        assert len(handoffs) == 1  # the route (FastAPI runs a sync endpoint through a wrapper of its own)
        handoffs.clear()
        assert client.get("/api/v1/test-reads").text == "42"
        assert handoffs[1:] == ["_end"]  # the route, then the commit and close


def test_a_caller_with_a_session_cookie_is_looked_up_in_the_thread_pool(app, db, make_client, handoffs):
    _routes(app)
    user = make_user(db, role="producer")
    client = make_client()
    log_in(client, user.email)
    handoffs.clear()
    assert client.get("/test-nothing").text == "ok"
    assert len(handoffs) == 3  # the lookup, the route, the end of the session
    assert (handoffs[0], handoffs[2]) == ("_load_user", "_end")


def test_connections_go_back_to_the_pool_after_reads_and_errors(engine):
    app = create_app(engine=engine)
    _routes(app)
    before = engine.pool.checkedout()
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(5):
            assert client.get("/api/v1/test-reads").text == "42"
            assert client.get("/api/v1/test-fails").status_code == 500
            assert client.get("/api/v1/test-nothing").status_code == 200
        assert engine.pool.checkedout() == before


def test_a_list_page_hands_only_its_route_and_the_session_end_to_the_thread_pool(client, handoffs):
    handoffs.clear()
    response = client.get("/products?page=1&q=毛肚")
    assert response.status_code == 200
    assert "list_params" not in handoffs  # the page and query parameters are read on the event loop
    assert len(handoffs) == 2  # the route, then the commit and close
    assert handoffs[-1] == "_end"


# FastAPI's own form class for the OAuth2 token endpoint (one login call, not a hot path).
_SYNC_WITHOUT_SESSION = {"OAuth2PasswordRequestForm"}


def test_a_dependency_runs_in_the_thread_pool_only_when_it_reads_the_database():
    """A sync dependency costs a thread-pool hand-off (and one of the worker's few route threads, HOTPOT_THREADS);
    only one that uses the request's session may be sync, the rest are async (hotpot.deps.list_params)."""
    import inspect

    from hotpot.deps import api_routes

    app = create_app(session_factory=lambda: None, engine=None)
    offenders: set[str] = set()

    def walk(dependant) -> None:
        call = dependant.call
        if call is not None and dependant is not route.dependant:
            is_async = inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
            if not (inspect.isroutine(call) or inspect.isclass(call)):  # an instance: its __call__ decides
                is_async = inspect.iscoroutinefunction(type(call).__call__)
            if not is_async:
                reads = "session" in inspect.signature(call).parameters
                name = getattr(call, "__name__", type(call).__name__)
                if not reads and name not in _SYNC_WITHOUT_SESSION:
                    offenders.add(f"{call.__module__}.{name}")
        for sub in dependant.dependencies:
            walk(sub)

    routes = api_routes(app)
    assert len(routes) > 100
    for _, _, route in routes:
        walk(route.dependant)
    assert offenders == set()
