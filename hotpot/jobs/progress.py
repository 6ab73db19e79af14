"""What a running job reports (job_progress), each report committed at once in a transaction of its own."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from hotpot.db import transaction, utcnow
from hotpot.jobs.models import JobProgress

_factory: Callable[[], Session] | None = None


def configure(factory: Callable[[], Session]) -> None:
    """The session factory jobs run on in this process (the worker sets it when it starts; tests set theirs)."""
    global _factory
    _factory = factory


def session_factory() -> Callable[[], Session]:
    if _factory is None:
        raise RuntimeError("no session factory for jobs: hotpot.jobs.progress.configure() was not called")
    return _factory


class Progress:
    """Reports of one job. Each write is its own committed transaction, apart from the job's work, so the admin
    page reads it while the job's own transaction is still open; frequent updates are thinned to one a second."""

    def __init__(self, factory: Callable[[], Session], job_id: int, *, min_interval: float = 1.0) -> None:
        self.factory = factory
        self.job_id = job_id
        self.min_interval = min_interval
        self._last = 0.0

    def _write(self, **values) -> None:
        values["updated_at"] = utcnow()
        stmt = insert(JobProgress).values(job_id=self.job_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[JobProgress.job_id], set_=values)
        with transaction(self.factory) as session:
            session.execute(stmt)

    def start(self, message: str) -> None:
        """A (re)started run: forget what an earlier attempt reported, its error included."""
        self._write(done=0, total=None, message=message[:200], error=None)
        self._last = time.monotonic()

    def update(self, done: int, total: int | None = None, message: str | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval and (total is None or done < total):
            return
        self._last = now
        values: dict = {"done": done, "total": total}
        if message is not None:
            values["message"] = message[:200]
        self._write(**values)

    def finish(self, message: str) -> None:
        self._write(message=message[:200])

    def fail(self, error: BaseException) -> None:
        self._write(error=f"{type(error).__name__}: {error}"[:2000])
