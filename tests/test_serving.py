"""Several workers, a socket each (hotpot/serving.py): connections opened together spread over the workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.common import free_port
from hotpot import serving


async def pid_app(scope, receive, send):
    """Answers with the pid of the worker that serves the connection."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})


def test_two_sockets_bind_one_port():
    port = free_port()
    first = serving.reuseport_socket("127.0.0.1", port)
    second = serving.reuseport_socket("127.0.0.1", port)
    first.close()
    second.close()


def test_connections_opened_at_once_reach_every_worker():
    port = free_port()
    code = (
        "from hotpot import serving; serving.run_workers('tests.test_serving:pid_app', 2,"
        f" {{'host': '127.0.0.1', 'port': {port}, 'log_level': 'warning'}})"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=os.getcwd(), env={**os.environ})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(3)  # both workers listening

        def one(_: int) -> str:
            with httpx.Client(base_url=base, timeout=10) as client:  # a fresh connection each
                return client.get("/").text

        with ThreadPoolExecutor(16) as pool:
            pids = set(pool.map(one, range(64)))
        assert len(pids) == 2, pids
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0  # SIGTERM stops the workers and the supervisor cleanly
