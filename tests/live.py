"""The real app as a server process on loopback (uvicorn), for tests that measure it from outside."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

import hotpot

ROOT = Path(hotpot.__file__).resolve().parent.parent
UVICORN = [
    sys.executable,
    "-m",
    "uvicorn",
    "hotpot.main:create_app",
    "--factory",
    "--host",
    "127.0.0.1",
    "--log-level",
    "warning",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_in_thread(app, *, name: str, lifespan: str = "off") -> Iterator[str]:
    """The app object under uvicorn in a thread of this process, on a free loopback port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def start_server(database_url: str, log: Path, *, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start uvicorn on a free port against database_url; return the process and its base URL once it answers."""
    port = free_port()
    env = {**os.environ, "HOTPOT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [*UVICORN, "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not start:\n" + log.read_text())


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def logged_in_client(base: str, email: str, password: str) -> httpx.Client:
    """An HTTP client logged in through the login form, sending the CSRF token like our pages do."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    client.get("/login")
    token = client.cookies.get("hotpot_csrf")
    client.headers["X-CSRF-Token"] = token
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = client.cookies.get("hotpot_csrf") or token
    return client
