"""Engine and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# PostgreSQL connections per process: as many as the API's worker threads (AnyIO's default limiter, 40), so a
# request never queues for a connection behind slow ones (a pool timeout is a 503). 20 stay open; the rest
# are opened under load and closed when returned. Two API processes stay well under the server's 100.
PG_POOL_SIZE = 20
PG_MAX_OVERFLOW = 20


def make_engine(database_url: str) -> Engine:
    """An engine tuned for its backend.

    SQLite: WAL (readers never block the writer) and a 30 s busy timeout, so concurrent writers from several
    processes queue instead of failing with "database is locked". PostgreSQL: a pool sized to the worker
    threads, and a pre-ping on checkout so a connection the server dropped (restart, pg_terminate_backend) is
    replaced instead of failing the next request.
    """
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
