"""Point reads (a row by its key, a few milliseconds at most) without the worker-thread round trip where that
is safe.

A sync route runs in AnyIO's worker threads. Handing a request to a thread and back costs more CPU than a
primary-key read itself: in `GET /api/job-posts/{id}` the hop was ~340 µs of a ~760 µs request on SQLite
(bench/api, one worker), and on PostgreSQL, where the threads also take turns on the GIL around each network
wait, the request cost twice what it costs on the loop.

- SQLite is a file in this process, with no network to wait on and, in WAL mode, no writer to wait behind:
  its point reads run on the event loop itself, through the loop's own connection (one connection, only ever
  used by the loop's thread, one read at a time, so it never waits for the pool and a sync route holding pool
  connections cannot starve it).
- PostgreSQL: `fetch_one` reads on the loop through psycopg's asyncio connections (core/async_rows.py), so
  the loop serves other requests while the server answers. Work that needs the ORM (`run`) goes to a worker
  thread and the ordinary pool, as a sync route would.

Reads run in autocommit: one statement, no BEGIN and ROLLBACK around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.sql import Select
from starlette.concurrency import run_in_threadpool

from backend.app.core.async_rows import AsyncRows
from backend.app.core.db import in_memory_sqlite, make_engine

T = TypeVar("T")


class PointReads:
    """Short read-only work on the event loop where the database allows it, else on a worker thread."""

    def __init__(self, database_url: str, engine: Engine) -> None:
        self.engine = engine
        on_file = engine.dialect.name == "sqlite" and not in_memory_sqlite(database_url)
        self.loop_engine = make_engine(database_url, single_connection=True) if on_file else None
        self.async_rows = AsyncRows(engine) if engine.dialect.name == "postgresql" else None

    @property
    def reading_engine(self) -> Engine:
        """The engine the sync reads go through: the loop's own connection on SQLite, else the shared pool."""
        return self.engine if self.loop_engine is None else self.loop_engine

    async def startup(self) -> None:
        """On the app's start-up: PostgreSQL's asyncio pool for this loop."""
        if self.async_rows is not None:
            await self.async_rows.open()

    async def shutdown(self) -> None:
        if self.async_rows is not None:
            await self.async_rows.close()

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)`, sync: on the loop's own connection (SQLite) or a worker thread (PostgreSQL)."""
        if self.loop_engine is not None:
            return _autocommit(self.loop_engine, work)
        return await run_in_threadpool(_autocommit, self.engine, work)

    async def fetch_one(self, statement: Select[Any], params: dict[str, int | str]) -> Any | None:
        """The first row of a module-level Core statement (compiled once), or None; plain int and str params."""
        if self.async_rows is not None and self.async_rows.ready():
            return await self.async_rows.fetch_one(statement, params)
        return await self.run(lambda connection: connection.execute(statement, params).first())

    def dispose(self) -> None:
        if self.loop_engine is not None:
            self.loop_engine.dispose()


def _autocommit(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return work(connection)
