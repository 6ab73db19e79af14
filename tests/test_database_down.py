"""PostgreSQL down: pages and the API answer 503 with Retry-After and recover by themselves; the embedded server is
restarted when it died, and a stale postmaster.pid does not stop the next start. Against real throwaway servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hotpot import migrate, pg
from hotpot.db import make_engine
from hotpot.main import create_app
from tests.auth.builders import PASSWORD, make_user
from tests.conftest import Browserless

EMAIL = "down-producer@hotpot.example"
DOWN = "数据库暂时不可用，请稍后再试"


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", *args], pgdata=pgdata, user=user)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(_dsn(url), connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def _wait(predicate, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _scratch(prefix: str):
    """A directory outside pytest's tmp_path: other pytest runs reset /tmp/pytest-of-<user> to mode 0700, which
    would lock the server's own account (under root) out of a data directory inside it."""
    return tempfile.TemporaryDirectory(prefix=f"hotpot-{prefix}-")


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """One stopped data directory with the schema, reference data and a producer (initdb is slow: once)."""
    pytest.importorskip("pgserver")
    with _scratch("pg-template") as tmp:
        yield _make_template(Path(tmp))


def _make_template(root: Path) -> Path:
    server = pg.start_embedded(root)
    url = pg.ensure_database(server.url, "hotpot")
    migrate.upgrade(url)
    from hotpot.reference import service as reference

    engine = create_engine(url)
    with Session(engine) as session:
        reference.load_reference(session)
        make_user(session, role="producer", email=EMAIL)
        session.commit()
    engine.dispose()
    server.stop()  # through pgserver, so its exit handler has nothing left to do
    return server.pgdata


@pytest.fixture
def data_dir(template) -> Iterator[Path]:
    """A copy of the template (owner and modes kept: the server runs as its own account under root)."""
    with _scratch("pg-copy") as tmp:
        target = Path(tmp) / "pgdata"
        subprocess.run(["cp", "-a", str(template), str(target)], check=True)
        (target / ".handle_pids.json").unlink(missing_ok=True)
        (target / "postmaster.pid").unlink(missing_ok=True)
        yield Path(tmp)


@pytest.fixture
def server(data_dir):
    started = pg.start_embedded(data_dir)
    yield started
    _stop(started)


def _stop(server) -> None:
    """Stop through pgserver's own handle (so its exit handler has nothing left to do)."""
    if pg.running_postmaster(server.pgdata):
        server.stop()


@pytest.fixture
def client(server):
    url = pg.with_database(server.url, "hotpot")
    engine = make_engine(url, pool_size=2, max_overflow=0)
    with Browserless(create_app(engine=engine), base_url="http://testserver", follow_redirects=False) as c:
        yield c
    engine.dispose()


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503, (response.request.url, response.status_code, response.text[-500:])
    assert response.headers["Retry-After"].isdigit()
    assert DOWN in response.text
    assert response.headers["X-Request-ID"] in response.text
    assert "text/html" in response.headers["content-type"]


def test_pages_and_api_answer_503_while_the_database_is_down_and_recover(server, client):
    client.get("/login")
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 303
    assert client.get("/my/enterprise").status_code in (200, 303)
    assert client.get("/products").status_code == 200

    _pg_ctl(server.pgdata, "-m", "immediate", "stop")
    assert not _answers(server.url)

    for path in ("/my/enterprise", "/products", "/enterprises", "/search?q=毛肚", "/"):
        _assert_unavailable_page(client.get(path))
    # The login page of a visitor, and the login itself: the user is loaded first.
    anonymous = Browserless(client.app, base_url="http://testserver", follow_redirects=False)
    _assert_unavailable_page(anonymous.get("/login", headers={"Cookie": "hotpot_session=whatever"}))
    _assert_unavailable_page(client.post("/login", data={"email": EMAIL, "password": PASSWORD}))
    # The search API reads the index's state on the event loop first (hotpot.search.versions): down, it falls back
    # to the request's session, whose error is the same 503 as everywhere.
    for path in ("/api/v1/products", "/api/v1/search?q=毛肚"):
        api = client.get(path)
        assert api.status_code == 503, path
        assert api.headers["Retry-After"].isdigit()
        assert api.json()["detail"] == DOWN
        assert api.json()["request_id"] == api.headers["X-Request-ID"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.headers["Retry-After"].isdigit()
    assert client.get("/static/css/app.css").status_code == 200

    server.restart()
    assert client.get("/products").status_code == 200
    assert client.get("/my/enterprise").status_code in (200, 303)
    assert client.get("/api/v1/products").status_code == 200
    assert client.get("/api/v1/search", params={"q": "毛肚"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_only_an_unreachable_database_is_a_503(client):
    """Only 'cannot reach the database' is a 503: a broken query stays a 500 (it is our bug)."""
    from sqlalchemy import exc as sa_exc

    from hotpot.db import database_unavailable

    with pytest.raises(sa_exc.ProgrammingError) as bug, client.app.state.engine.connect() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not database_unavailable(bug.value)
    assert not database_unavailable(ValueError("x"))
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect("host=/nonexistent-socket-dir dbname=x", connect_timeout=1)
    assert database_unavailable(refused.value)


def test_supervisor_restarts_a_killed_server_and_pages_recover(server, client):
    assert client.get("/products").status_code == 200
    old = pg.running_postmaster(server.pgdata)
    supervisor = pg.supervise(server, interval=0.5)
    try:
        os.kill(old, signal.SIGKILL)
        _assert_unavailable_page(client.get("/products"))
        assert _wait(lambda: pg.running_postmaster(server.pgdata) not in (None, old))
        assert _wait(lambda: _answers(server.url))
        assert _wait(lambda: client.get("/products").status_code == 200)
        # A start that outlived pg_ctl's wait on a busy machine is counted on the round that sees it up.
        assert _wait(lambda: supervisor.restarts == 1)
    finally:
        supervisor.stop()
    assert not supervisor.is_alive()
    assert supervisor.restarts == 1


class _SlowToStart:
    """A server handle whose start reports failure (pg_ctl gave up waiting) although the server comes up after."""

    pgdata = "/nonexistent"

    def __init__(self):
        self.alive = False
        self.starts = 0

    def is_alive(self) -> bool:
        return self.alive

    def restart(self) -> None:
        self.starts += 1
        self.alive = True  # up a moment later ...
        raise RuntimeError("pg_ctl: server did not start in time")  # ... but pg_ctl stopped waiting


def test_a_start_that_outlives_pg_ctls_wait_counts_once():
    slow = _SlowToStart()
    supervisor = pg.supervise(slow, interval=0.05)
    try:
        assert _wait(lambda: supervisor.restarts == 1)
        time.sleep(0.3)  # more rounds: the server stays up, nothing more to count or start
    finally:
        supervisor.stop()
    assert supervisor.restarts == 1
    assert slow.starts == 1


def _write_pidfile(pgdata: Path, pid: int, *, lines: int = 8) -> None:
    content = [str(pid), str(pgdata), "1796117212", "5432", str(pgdata), "", "  2179092    196617", "ready   "]
    (pgdata / "postmaster.pid").write_text("\n".join(content[:lines]) + "\n")


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("case", ["dead pid", "pid of another program", "cut short"])
def test_stale_postmaster_pid_does_not_prevent_start(data_dir, case):
    pgdata = data_dir / "pgdata"
    other = None
    if case == "dead pid":
        _write_pidfile(pgdata, _dead_pid())
    elif case == "pid of another program":
        other = subprocess.Popen(["sleep", "120"])
        _write_pidfile(pgdata, other.pid)
    else:
        _write_pidfile(pgdata, _dead_pid(), lines=2)
    started = None
    try:
        started = pg.start_embedded(data_dir)
        assert _answers(started.url)
        assert pg.running_postmaster(pgdata) is not None
    finally:
        if other is not None:
            other.kill()
            other.wait()
        if started is not None:
            _stop(started)


def test_a_live_server_is_not_started_twice(server):
    pid = pg.running_postmaster(server.pgdata)
    assert not pg.clear_stale_pidfile(server.pgdata)
    # Another process (as a second `make demo` would) finds the running server instead of starting one.
    code = (
        "import sys; from pathlib import Path; from hotpot import pg; "
        "s = pg.start_embedded(Path(sys.argv[1])); print(pg.running_postmaster(s.pgdata))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(server.pgdata.parent)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(pg.__file__).resolve().parent.parent)},
    )
    assert out.stdout.strip().splitlines()[-1] == str(pid)
    assert pg.running_postmaster(server.pgdata) == pid


def test_hotpot_serve_restarts_its_killed_embedded_server(data_dir, tmp_path):
    """The real command: `hotpot serve` on the embedded server; kill -9 its postmaster; /healthz answers 503, then
    200 again without a restart; after Ctrl+C the server is stopped too (the supervisor does not revive it)."""
    import httpx

    from tests.live import ROOT, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HOTPOT_DATABASE_URL"}
    env.update(HOTPOT_DATA_DIR=str(data_dir), HOTPOT_PORT=str(port), PYTHONPATH=str(ROOT), HOTPOT_LOG_LEVEL="warning")
    log = tmp_path / "serve.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from hotpot.cli import app; app()", "serve"],
            env=env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    health = f"http://127.0.0.1:{port}/healthz"

    def status() -> int | None:
        try:
            return httpx.get(health, timeout=2).status_code
        except httpx.HTTPError:
            return None

    pgdata = data_dir / "pgdata"
    try:
        assert _wait(lambda: status() == 200, timeout=120), log.read_text()
        old = pg.running_postmaster(pgdata)
        os.kill(old, signal.SIGKILL)
        assert status() == 503
        assert _wait(lambda: status() == 200, timeout=120), log.read_text()
        assert pg.running_postmaster(pgdata) not in (None, old)
        assert "starting it again" in log.read_text()
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C (uvicorn re-raises SIGTERM after shutdown: no exit handlers then)
        proc.wait(60)
    assert _wait(lambda: pg.running_postmaster(pgdata) is None, timeout=30)
