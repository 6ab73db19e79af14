"""The declarative Base, the engine, and the one-transaction-per-request session dependency."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, create_engine, func
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

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


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"application_name": "hotpot"},
    )


def make_session_factory(bind) -> sessionmaker[Session]:
    # Every session keeps the search index in step with its writes (hotpot/search/indexer.py).
    from hotpot.search import indexer

    indexer.install()
    # Objects stay readable after commit: templates render after the use case finished.
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: Callable[[], Session]) -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any exception (requests and CLI commands alike)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit when the route returned, roll back on any exception."""
    with transaction(request.app.state.session_factory) as session:
        yield session


# scope="function": the commit happens when the route returns, before the response leaves, so a client never
# sees a redirect for a write that later fails to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# SQLSTATEs that mean the server cannot serve right now: connection exceptions (class 08), shutting down, crashed,
# starting up, too many connections. Anything else (a constraint, a syntax error, a serialization failure) is ours.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


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
