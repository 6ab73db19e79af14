"""The procrastinate App, the connection it works on, and enqueueing a job inside a SQLAlchemy transaction."""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.jobs import JobDeferrer
from procrastinate.manager import JobManager
from procrastinate.tasks import Task, configure_task
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

# The worker opens the connector with its own pool (hotpot.jobs.worker); the web process never opens it: it defers
# on the request's connection (`raw_connection`), so a job is enqueued only if the request commits.
queue = App(connector=PsycopgConnector(), import_paths=["hotpot.jobs.tasks"])
# Deferring goes through a sync connector that is never opened either: it only runs on the connection it is given.
# (The App's own connector, once a worker opened it in this process, answers sync calls asynchronously.)
_deferrer = JobManager(SyncPsycopgConnector())


def conninfo(url: str) -> str:
    """A libpq connection string for psycopg from the app's SQLAlchemy URL (postgresql+psycopg://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def raw_connection(session: Session) -> Any:
    """The psycopg connection under the session's current transaction (a job deferred on it commits with it)."""
    return session.connection().connection.driver_connection


def deferrer(task: Task, session: Session) -> JobDeferrer:
    """`task.configure(...)` on the session's connection: its `.defer()` inserts the job in that transaction."""
    return configure_task(
        name=task.name,
        job_manager=_deferrer,
        lock=task.lock,
        queueing_lock=task.queueing_lock,
        queue=task.queue,
        priority=task.priority,
        connection=raw_connection(session),
    )
