"""Engine and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

# Connections per process: as many as the API's worker threads (AnyIO's default limiter, 40), so a request
# never queues for a connection behind slow ones (a pool timeout is a 503). 20 stay open; the rest are opened
# under load and closed when returned. Two API processes stay well under PostgreSQL's 100.
POOL_SIZE = 20
MAX_OVERFLOW = 20


def make_engine(database_url: str, *, single_connection: bool = False) -> Engine:
    """An engine tuned for its backend.

    SQLite: WAL (readers never block the writer) and a 30 s busy timeout, so concurrent writers from several
    processes queue instead of failing with "database is locked". PostgreSQL: a pool sized to the worker
    threads, and a liveness check on checkout so that a connection the server dropped (restart,
    pg_terminate_backend, an idle timeout) is replaced instead of failing the next request.

    `single_connection`: one connection, shared by whoever uses the engine (the event loop's own, see
    `api/point_reads.py`); SQLite files only.
    """
    if database_url.startswith("sqlite"):
        sizing: dict[str, Any] = {}  # an in-memory database keeps SQLAlchemy's own pooling (one per thread)
        if single_connection:
            if in_memory_sqlite(database_url):
                raise ValueError("an in-memory database cannot be shared through a second engine")
            sizing = {"poolclass": StaticPool}
        elif not in_memory_sqlite(database_url):
            sizing = {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
        engine = create_engine(database_url, connect_args={"timeout": 30, "check_same_thread": False}, **sizing)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if single_connection:
        raise ValueError("a single shared connection is for SQLite only")
    engine = create_engine(database_url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
    event.listen(engine, "checkout", _refuse_dropped_connection)
    return engine


def in_memory_sqlite(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _refuse_dropped_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Checkout hook (PostgreSQL): a pooled connection the server has closed is replaced before it is used.

    An idle connection has nothing to read, unless the server has since sent its goodbye (the FATAL notice of
    pg_terminate_backend or a shutdown) and closed the socket. Polling the socket without waiting finds that in a
    few microseconds, where SQLAlchemy's `pool_pre_ping` pays a round trip to the server on every checkout
    (a fifth of a point read's time). Raising `DisconnectionError` makes the pool discard the connection and
    check out another one (a fresh one if need be). A request that loses its connection mid-transaction still
    gets a 503 problem (api/problems.py).
    """
    if dbapi_connection.closed:
        raise exc.DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise exc.DisconnectionError("the server closed this idle connection")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
