"""The worker's thread pool (issue 12): routes get HOTPOT_THREADS threads, and ending a session never waits for one.

With anyio's 40 threads, requests waited 0.3-5 s in about half the benchmark runs, with 4 in a fifth (bench/README.md,
"the stall"); the platform runs routes on a few threads. A request that holds a row
lock commits on a pool of its own, so even one route thread, taken by a request waiting on that lock, cannot keep
the lock's holder from committing (the live test below runs that on uvicorn, real connections, one thread).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import httpx
import pytest
from fastapi import Depends
from fastapi.responses import Response
from sqlalchemy import text

from hotpot import migrate
from hotpot.config import get_settings
from hotpot.db import SessionDep, make_engine, make_session_factory, transaction
from hotpot.deps import PublicUser
from hotpot.main import create_app
from tests.conftest import fresh_database
from tests.live import served_in_thread


def _report_threads(app) -> None:
    async def threads(user: PublicUser) -> Response:
        return Response(str(anyio.to_thread.current_default_thread_limiter().total_tokens))

    app.add_api_route("/_test/threads", threads, methods=["GET"])


def test_routes_run_on_the_configured_number_of_threads(app):
    assert app.state.threads == get_settings().threads == 4  # the default: HOTPOT_THREADS
    app.state.threads = 3
    _report_threads(app)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.get("/_test/threads").text == "3"


@pytest.fixture
def one_thread_server(server_url):
    """The app under uvicorn with its lifespan (which sets the thread pool) and ONE route thread, on a committed
    database of its own, with two routes that race for one row."""
    url = fresh_database(server_url, "hotpot_thread_pool")
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=4, max_overflow=0)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        s.execute(text("CREATE TABLE thread_probe (id int PRIMARY KEY, n int NOT NULL)"))
        s.execute(text("INSERT INTO thread_probe VALUES (1, 0)"))
    app = create_app(engine=engine, session_factory=factory)
    app.state.threads = 1
    a_locked, b_arrived = threading.Event(), threading.Event()

    def holds_the_lock(session: SessionDep, user: PublicUser) -> Response:
        session.execute(text("UPDATE thread_probe SET n = n + 1 WHERE id = 1"))
        a_locked.set()
        assert b_arrived.wait(10)
        time.sleep(0.3)  # B now waits for the one route thread, which A's return hands to it
        return Response("a")

    async def arrives() -> None:
        b_arrived.set()

    def waits_for_the_lock(session: SessionDep, user: PublicUser, _: None = Depends(arrives)) -> Response:
        # In the route thread, blocked on A's row lock until A commits: the lock's holder must commit without it.
        session.execute(text("SET LOCAL lock_timeout = '8s'"))
        return Response(
            str(session.execute(text("UPDATE thread_probe SET n = n + 1 WHERE id = 1 RETURNING n")).scalar())
        )

    app.add_api_route("/_test/a", holds_the_lock, methods=["GET"])
    app.add_api_route("/_test/b", waits_for_the_lock, methods=["GET"])
    with served_in_thread(app, name="uvicorn-thread-pool", lifespan="on") as base_url:
        yield base_url, a_locked
    engine.dispose()


def test_a_lock_holder_commits_while_the_only_route_thread_waits_on_its_lock(one_thread_server):
    base, a_locked = one_thread_server
    with httpx.Client(base_url=base, timeout=30) as ca, httpx.Client(base_url=base, timeout=30) as cb:
        assert ca.get("/_test/threads").status_code == 404  # only the two routes of this test
        with ThreadPoolExecutor(2) as pool:
            started = time.monotonic()
            a = pool.submit(ca.get, "/_test/a")
            assert a_locked.wait(10), "A never took the lock"
            b = pool.submit(cb.get, "/_test/b")
            ra, rb = a.result(timeout=30), b.result(timeout=30)
            elapsed = time.monotonic() - started
    assert (ra.status_code, ra.text) == (200, "a")
    # B waited for A's commit, not for its lock timeout: it saw A's increment.
    assert (rb.status_code, rb.text) == (200, "2")
    assert elapsed < 5, f"B was answered after {elapsed:.1f} s"
