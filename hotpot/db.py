"""The declarative Base, the engine, and the one-transaction-per-request session dependency."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, create_engine, event, func, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from hotpot.validation import StaleVersion

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012 - SQLAlchemy API


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Versioned:
    """A record edited under optimistic locking, checked by the database itself.

    Every UPDATE and DELETE the ORM writes for the row says `WHERE id = :id AND version = :loaded`, so of two
    writers that loaded the same version exactly one changes the row; the other's statement matches nothing, and
    the session turns that into `StaleVersion` (see `AppSession.flush`). The services still bump the number
    themselves (`record.version += 1`, `version_id_generator` off), so only real edits make an open form stale:
    an UPDATE that does not bump it (a login's `last_login_at`) is still conditioned but leaves the version alone.
    The model declares the `version` column; this mixin only tells the mapper to use it.
    """

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a declared_attr receives the class
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class AppSession(Session):
    """The application's session: a write that lost the race for a versioned row raises `StaleVersion`.

    SQLAlchemy raises `StaleDataError` from a flush whose conditioned UPDATE/DELETE matched no row (another
    transaction changed the record since it was loaded). Here, in the one place every flush passes (a service's
    explicit flush, autoflush, and the flush inside commit after the route returned), it becomes the project's
    stale-version conflict. Nothing of the unit of work is kept: during a use case the session is rolled back at
    once (so it is usable again for the conflict page) and the record reloaded as it is now, so
    `StaleVersion.current` shows what the other writer saved; at commit, the caller's rollback follows
    (`transaction` below) and the app's handler answers 409 / 412.
    """

    _committing = False

    def commit(self) -> None:
        self._committing = True
        try:
            super().commit()
        finally:
            self._committing = False

    def flush(self, objects=None) -> None:
        # Read before the flush: a failed flush expires what it touched.
        watched = [(obj, *_loaded(obj)) for obj in (*self.dirty, *self.deleted) if isinstance(obj, Versioned)]
        try:
            super().flush(objects)
        except StaleDataError as exc:
            title = watched[0][2] if watched else None
            if self._committing:
                # Inside commit the session cannot roll back yet (the caller does), so nothing is reloaded.
                raise StaleVersion(watched[0][0] if watched else None, title=title) from exc
            self.rollback()
            raise StaleVersion(_moved(watched), title=title) from exc


def _loaded(obj: Any) -> tuple[int | None, str | None]:
    """The version a versioned object was loaded at, and what a conflict page calls it (no query)."""
    state = inspect(obj)
    loaded = state.dict
    title = next((str(loaded[k]) for k in ("name", "display_name", "number") if loaded.get(k)), None)
    return state.committed_state.get("version", loaded.get("version")), title


def _moved(watched: list[tuple[Any, int | None, str | None]]) -> Any:
    """The record (reloaded) whose version moved underneath the flush; None when it is gone or unknown."""
    for obj, loaded, _ in watched:
        try:
            if obj.version != loaded:
                return obj
        except ObjectDeletedError:
            return None
    return watched[0][0] if watched else None


# psycopg prepares a statement on the server once it has run five times on a connection; PostgreSQL then plans it
# for its actual parameters five times more and afterwards may keep one generic plan for any parameters. For the
# search statement that generic plan cannot see the query's words (how many rows a tsquery matches, which tier
# comes first): 黄喉 went from 35 ms to 300-470 ms from its eleventh run on a connection on (issue 12's "stalls"
# of the relevance queries alone). Plans are made for each statement's own parameters; psycopg's prepared
# statements still save the parsing.
PLAN_EACH_TIME = "SET plan_cache_mode TO force_custom_plan"


def _plan_each_time(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(PLAN_EACH_TIME)
    dbapi_connection.commit()


# A connection a request gave back a moment ago is alive; one that sat in the pool longer is asked first (SELECT 1),
# so that a restarted or crashed server costs no request an error: the pool replaces a connection that does not
# answer. (pool_pre_ping asked before every checkout: a round trip more on every request, issue 12.)
PING_AFTER_IDLE_SECONDS = 2.0


def _note_idle(_dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _pinger(engine: Engine) -> Callable[..., None]:
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")  # none yet: a connection made for this checkout
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards this connection and checks out another (up to three tries)
            raise sa_exc.DisconnectionError("the pooled connection did not answer") from exc

    return ping_if_idle


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> Engine:
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args={"application_name": "hotpot"},
    )
    event.listen(engine, "connect", _plan_each_time)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _pinger(engine))
    return engine


def make_session_factory(bind) -> sessionmaker[Session]:
    """The application's session factory; whoever builds one installs what listens on it (the search indexer)."""
    # Objects stay readable after commit: templates render after the use case finished.
    return sessionmaker(bind=bind, class_=AppSession, expire_on_commit=False, autoflush=True)


@contextmanager
def savepoint(session: Session) -> Iterator[Any]:
    """A savepoint inside the request's transaction: what the block wrote is undone if it raises, the rest stays.

    Not `with session.begin_nested()`: a stale version rolls the whole transaction back (AppSession.flush), which
    that context manager refuses to leave; here the savepoint is rolled back only while it is still alive."""
    nested = session.begin_nested()
    try:
        yield nested
    except BaseException:
        if nested.is_active:
            nested.rollback()
        raise
    nested.commit()


def _end(session: Session, *, commit: bool) -> None:
    """Commit (rolled back if the commit fails: a stale version, a lost connection) or roll back; then close."""
    try:
        if commit:
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
        else:
            session.rollback()
    finally:
        session.close()


def _holds_work(session: Session) -> bool:
    """Whether ending the session talks to the database: a transaction begun (a connection held) or objects that
    commit would flush."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


@contextmanager
def transaction(factory: Callable[[], Session]) -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any exception (requests and CLI commands alike)."""
    session = factory()
    try:
        yield session
    except BaseException:
        _end(session, commit=False)
        raise
    _end(session, commit=True)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: commit when the route returned, roll back on any exception.

    Async, so that opening a session (no I/O: it connects on first use) and ending one that never touched the
    database cost no thread-pool hand-off; a session that did is committed or rolled back and closed in the thread
    pool, in one hand-off, shielded from cancellation so that its connection always goes back to the pool. (A sync
    generator dependency costs two hand-offs on every request, issue 12.)"""
    session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:  # re-raised: the request's error stays the request's, after the rollback
        await _finish(session, commit=False)
        raise
    await _finish(session, commit=True)


# Ending sessions has threads of its own, apart from the routes' (HOTPOT_THREADS a worker, a few): a request that
# holds a row lock must always be able to commit, even while every route thread waits on that very lock.
_ENDING_THREADS = 40
_ending_limiter: RunVar[anyio.CapacityLimiter] = RunVar("hotpot_session_ending")


def _ending_threads() -> anyio.CapacityLimiter:
    """The event loop's limiter for ending sessions (one per loop, as anyio keeps its default one)."""
    try:
        return _ending_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(_ENDING_THREADS)
        _ending_limiter.set(limiter)
        return limiter


async def _finish(session: Session, *, commit: bool) -> None:
    if not _holds_work(session):
        _end(session, commit=commit)  # nothing begun, nothing to flush: no I/O
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(functools.partial(_end, session, commit=commit), limiter=_ending_threads())


# scope="function": the commit happens when the route returns, before the response leaves, so a client never
# sees a redirect for a write that later fails to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# SQLSTATEs that mean the server cannot serve right now: connection exceptions (class 08), shutting down, crashed,
# starting up, too many connections. Anything else (a constraint, a syntax error, a serialization failure) is ours.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def ping(engine) -> None:
    """Run SELECT 1 on a short connection of its own (not a request's session); raises SQLAlchemyError if down."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether exc, or what caused it, says PostgreSQL cannot be reached right now (503), not a bug of ours (500)."""
    import psycopg

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sa_exc.TimeoutError):  # the pool waited in vain for a connection
            return True
        if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(exc, psycopg.InterfaceError):  # "the connection is closed"
            return True
        if isinstance(exc, psycopg.OperationalError):
            state = exc.sqlstate
            if state is None or state.startswith(_UNAVAILABLE_STATES):  # None: refused, reset, no socket
                return True
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return False
