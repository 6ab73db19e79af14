"""The job worker: procrastinate's worker on a pool of its own, run alone (`hotpot worker`) or as a child process
that `hotpot serve` / `hotpot demo` start beside the web server, restart when it dies and stop with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping

from procrastinate import PsycopgConnector
from procrastinate.jobs import Status

from hotpot.jobs import progress
from hotpot.jobs.queue import conninfo, queue

log = logging.getLogger("hotpot.jobs")

# A worker that has not beaten its heart for this long is taken for dead (procrastinate beats every 10 s): its
# unfinished jobs are marked failed, with the reason, so an admin can retry them.
STALLED_SECONDS = 30
INTERRUPTED = "后台任务进程中断（进程退出或被终止），任务没有完成；可以重试。"


def run(url: str, *, wait: bool = True, parent_pid: int | None = None, polling_interval: float = 5.0) -> None:
    """Run a worker on the database at url until stopped (SIGINT/SIGTERM, or the parent gone); with wait=False
    only until the queue is empty."""
    from hotpot import domains
    from hotpot.db import make_engine, make_session_factory

    engine = make_engine(url, pool_size=2, max_overflow=2)
    # The worker's sessions are the app's kind: a job that writes records keeps search in step (the indexer).
    progress.configure(domains.prepare_session_factory(make_session_factory(engine)))
    try:
        in_loop = loop_running()
        run_coroutine(
            run_async(
                conninfo(url),
                wait=wait,
                parent_pid=parent_pid,
                polling_interval=polling_interval,
                # Signals reach only the main thread: a worker run from inside a running loop runs in a thread.
                install_signal_handlers=not in_loop,
            )
        )
    finally:
        engine.dispose()


def loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_coroutine(coro):
    """asyncio.run(coro), also when this thread already runs an event loop (a caller inside an async framework, or
    a test process whose browser driver keeps one running): then in a thread of its own, with its result or error."""
    if not loop_running():
        return asyncio.run(coro)
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = asyncio.run(coro)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="hotpot-worker-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


async def run_async(
    dsn: str,
    *,
    wait: bool = True,
    parent_pid: int | None = None,
    polling_interval: float = 5.0,
    install_signal_handlers: bool = True,
) -> None:
    """The worker itself (the caller has configured hotpot.jobs.progress with a session factory)."""
    # A connector of this run's own (procrastinate opens and closes its pool): a process may run several workers
    # one after the other (tests do), and the App's default connector only ever defers on given connections.
    connector = PsycopgConnector(conninfo=dsn, min_size=1, max_size=4, kwargs={"application_name": "hotpot-worker"})
    with queue.replace_connector(connector):
        async with queue.open_async():
            await _fail_stalled_jobs()
            worker = asyncio.create_task(
                queue.run_worker_async(
                    name="hotpot",
                    wait=wait,
                    concurrency=1,
                    install_signal_handlers=install_signal_handlers,
                    fetch_job_polling_interval=polling_interval,
                    stalled_worker_timeout=STALLED_SECONDS,
                )
            )
            watch = asyncio.create_task(_watch_parent(parent_pid, worker)) if parent_pid else None
            try:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            finally:
                if watch is not None:
                    watch.cancel()


async def _fail_stalled_jobs() -> None:
    """Jobs left `doing` by a worker that died (killed, crashed, its machine gone) would wait for ever: mark them
    failed with the reason, which the admin page shows next to a retry button."""
    from hotpot.db import transaction
    from hotpot.jobs.models import JobProgress

    stalled = await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS)
    for job in stalled:
        assert job.id is not None
        log.warning("job %s (%s) was left running by a dead worker: marked failed", job.id, job.task_name)

        def record(job_id: int = job.id) -> None:
            with transaction(progress.session_factory()) as session:
                row = session.get(JobProgress, job_id) or JobProgress(job_id=job_id)
                row.error = INTERRUPTED
                session.add(row)

        await asyncio.to_thread(record)
        await queue.job_manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)


async def _watch_parent(parent_pid: int, worker: asyncio.Task) -> None:
    """Stop when the server that started this worker is gone (even killed with SIGKILL, which it cannot relay)."""
    while os.getppid() == parent_pid:
        await asyncio.sleep(1)
    log.warning("the server process %s is gone: stopping the job worker", parent_pid)
    worker.cancel()


class WorkerProcess(threading.Thread):
    """`hotpot worker` as a child of the web server: started now, started again when it dies, stopped by stop().

    Its own session (start_new_session): Ctrl+C reaches the server only, which then stops the worker itself, once
    and in order; the worker also stops by itself when the server vanishes."""

    def __init__(self, env: Mapping[str, str] | None = None, *, restart_delay: float = 5.0) -> None:
        super().__init__(name="hotpot-job-worker", daemon=True)
        self.env = dict(env if env is not None else os.environ)
        self.restart_delay = restart_delay
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        return [sys.executable, "-m", "hotpot.cli", "worker", "--parent", str(os.getpid())]

    def run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                self.proc = subprocess.Popen(self.command(), env=self.env, start_new_session=True)
                self.starts += 1
            code = self.proc.wait()
            if self._stopping.is_set():
                return
            log.warning("the job worker exited (code %s): starting it again in %ss", code, self.restart_delay)
            self._stopping.wait(self.restart_delay)

    def stop(self, timeout: float = 15.0) -> None:
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("the job worker did not stop within %ss: killed", timeout)
                proc.kill()
                proc.wait(5)
        self.join(5)


def start_beside_server(env: Mapping[str, str] | None = None) -> WorkerProcess:
    worker = WorkerProcess(env)
    worker.start()
    return worker
