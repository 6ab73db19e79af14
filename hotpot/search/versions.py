"""The search index's state read on the event loop, for answers kept per process (issue 12).

Every answer the search keeps is keyed by the index's state (`search_state`: two counters every write to the index
bumps in its own transaction, hotpot.search.engine), so a kept answer is never older than the last committed change,
on any host. Reading that state is the only I/O a kept answer needs. Through the request's session it costs a
thread-pool hand-off, a pooled connection's checkout, BEGIN and COMMIT: more than the rest of such a request. Here it
is one autocommit SELECT on a small async pool of the worker's own, with no thread involved.

The reader is the app's when the app made its own engine (hotpot serve, hotpot demo); an app given a session factory
(the tests: each test's uncommitted transaction) reads the state through that session instead, which is what the
API does whenever the reader cannot answer. A database that is down therefore answers as it does everywhere else:
the session's error, a 503.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.engine import Engine

from hotpot.search.engine import STATE_SQL, as_versions

log = logging.getLogger(__name__)

# Each read holds a connection for a fraction of a millisecond: a few serve a worker's every request.
POOL_MIN, POOL_MAX = 1, 4
# Longer than any wait for one of those few under load; short enough that a database that is down (the pool cannot
# connect) costs a request a quarter of a second before its session answers 503, not seconds.
WAIT_SECONDS = 0.25


class StateReader:
    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._pool: AsyncConnectionPool | None = None

    @classmethod
    def of(cls, engine: Engine) -> StateReader:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return cls(url)

    async def read(self) -> tuple[int, int] | None:
        """(data_version, vocab_version), or None when it could not be read (the caller asks its session)."""
        try:
            if self._pool is None:
                self._pool = AsyncConnectionPool(
                    self._conninfo,
                    min_size=POOL_MIN,
                    max_size=POOL_MAX,
                    kwargs={"autocommit": True, "application_name": "hotpot-state"},
                    open=False,
                )
                await self._pool.open(wait=False)
            async with self._pool.connection(timeout=WAIT_SECONDS) as conn:
                row = await (await conn.execute(STATE_SQL)).fetchone()
        except (psycopg.Error, PoolTimeout, OSError) as exc:
            log.debug("the index's state was not read on the event loop: %s", exc)
            return None
        return as_versions(row)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
