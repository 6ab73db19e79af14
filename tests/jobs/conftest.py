"""Jobs run for real: a database of their own (the worker and its progress commit, which the rolled-back test
transaction cannot hold), emptied of jobs after each test, and a worker run until the queue is empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from hotpot import domains, migrate
from hotpot.db import make_session_factory, transaction
from hotpot.jobs import progress
from hotpot.jobs.queue import conninfo
from hotpot.jobs.worker import run_coroutine
from hotpot.main import create_app
from tests.conftest import Browserless, fresh_database


@pytest.fixture(scope="session")
def jobs_url(server_url) -> str:
    url = fresh_database(server_url, "hotpot_jobs")
    migrate.upgrade(url)
    from hotpot.reference import service as reference

    engine = create_engine(url)
    with Session(engine) as session:
        reference.load_reference(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def jobs_engine(jobs_url):
    engine = create_engine(jobs_url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(jobs_engine) -> Iterator[sessionmaker]:
    """The application's kind of session factory on the jobs database; the jobs of this process run on it."""
    made = domains.prepare_session_factory(make_session_factory(jobs_engine))  # as the worker makes it
    progress.configure(made)
    yield made
    with transaction(made) as session:
        session.execute(
            text(
                "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,"
                " procrastinate_workers, job_progress, audit_event, login_attempt, mail_outbox,"
                " user_session, user_account CASCADE"
            )
        )


@pytest.fixture
def run_queue(jobs_url, factory):
    """Run a real procrastinate worker on the jobs database until the queue is empty (wait=False)."""
    from hotpot.jobs.worker import run_async

    def run() -> None:
        run_coroutine(run_async(conninfo(jobs_url), wait=False, install_signal_handlers=False, polling_interval=0.1))

    return run


@pytest.fixture
def jobs_client(jobs_engine, factory) -> Iterator[Browserless]:
    app = create_app(engine=jobs_engine, session_factory=factory)
    with Browserless(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def sink(monkeypatch):
    """The real local SMTP sink of the mail tests."""
    import threading

    from hotpot.config import get_settings
    from tests.mail.test_delivery import _Sink

    server = _Sink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HOTPOT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HOTPOT_SMTP_PORT", str(server.server_address[1]))
    monkeypatch.setenv("HOTPOT_SMTP_STARTTLS", "false")
    get_settings.cache_clear()
    yield server
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()
