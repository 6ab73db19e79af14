"""`hotpot serve` starts a job worker beside the web server: it picks up a queued job, and it stops when the server
stops, also when the server is killed. Real processes on the jobs database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hotpot.db import transaction
from hotpot.jobs import service as jobs
from tests.live import ROOT, free_port


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _serve(jobs_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "HOTPOT_DATABASE_URL": jobs_url, "PYTHONPATH": str(ROOT), "HOTPOT_JOB_WORKER": "true"}
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotpot.cli", "serve", "--no-migrate", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return proc.poll() is not None

    assert _wait(up, 90), log.read_text()
    assert proc.poll() is None, log.read_text()
    return proc, base


def _worker_of(server: subprocess.Popen, log: Path) -> int:
    workers: list[int] = []

    def found() -> bool:
        workers[:] = [p for p in _children(server.pid) if b"worker" in Path(f"/proc/{p}/cmdline").read_bytes()]
        return bool(workers)

    assert _wait(found, 30), log.read_text()
    return workers[0]


@pytest.mark.parametrize("stop", ["ctrl_c", "kill"])
def test_the_servers_worker_runs_a_queued_job_and_stops_with_the_server(jobs_url, factory, tmp_path, stop):
    log = tmp_path / "serve.log"
    server, _ = _serve(jobs_url, log)
    try:
        worker = _worker_of(server, log)
        with transaction(factory) as session:
            job_id = jobs.enqueue(session, name="daily_cleanup", actor=None)

        def finished() -> bool:
            with factory() as session:
                return jobs.get_job(session, job_id).status in ("succeeded", "failed")

        assert _wait(finished, 60), log.read_text()
        with factory() as session:
            view = jobs.get_job(session, job_id)
            assert view.status == "succeeded", view.error
            assert jobs.worker_alive(session)

        if stop == "ctrl_c":
            server.send_signal(signal.SIGINT)
            server.wait(30)
        else:  # the server cannot relay anything: the worker notices its parent is gone
            server.kill()
            server.wait(10)
        assert _wait(lambda: not _alive(worker), 20), f"worker {worker} still runs\n" + log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
