"""Point reads (a row by its key, a few milliseconds at most) without the worker-thread round trip where that
is safe.

A sync route runs in AnyIO's worker threads. Handing a request to a thread and back costs more CPU than a
primary-key read on SQLite itself: in `GET /api/job-posts/{id}` the hop was ~340 µs of a ~760 µs request
(bench/api, one worker). SQLite is a file in this process, with no network to wait on and, in WAL mode, no
writer to wait behind, so on SQLite such a read runs on the event loop itself, through the loop's own
connection: one connection, only ever used by the loop's thread, one read at a time, so it never waits for
the pool (a sync route holding pool connections cannot starve it). On PostgreSQL the read waits on the
network, so it goes to a worker thread and the ordinary pool, where the waits of concurrent requests overlap.
Reads run in autocommit: one statement, no BEGIN and ROLLBACK around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from backend.app.core.db import in_memory_sqlite, make_engine

T = TypeVar("T")


class PointReads:
    """Runs a short read-only unit of work, `work(connection)`, on the event loop (SQLite) or a worker thread."""

    def __init__(self, database_url: str, engine: Engine) -> None:
        self.engine = engine
        on_file = engine.dialect.name == "sqlite" and not in_memory_sqlite(database_url)
        self.loop_engine = make_engine(database_url, single_connection=True) if on_file else None

    @property
    def reading_engine(self) -> Engine:
        """The engine the reads go through: the loop's own connection on SQLite, else the shared pool."""
        return self.engine if self.loop_engine is None else self.loop_engine

    async def run(self, work: Callable[[Connection], T]) -> T:
        if self.loop_engine is not None:
            return _autocommit(self.loop_engine, work)
        return await run_in_threadpool(_autocommit, self.engine, work)

    def dispose(self) -> None:
        if self.loop_engine is not None:
            self.loop_engine.dispose()


def _autocommit(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return work(connection)
