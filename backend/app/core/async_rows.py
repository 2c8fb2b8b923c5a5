"""PostgreSQL point reads on the event loop itself: psycopg's asyncio connections, no worker thread.

A sync read hands the request to a worker thread and back; with PostgreSQL the two threads then take turns
on the GIL around every network wait, and that costs more than the read itself (`python bench/api` measures
`GET /api/job-posts/{id}`). On the loop, a read's wait for the server lets the other requests run.

A statement is a SQLAlchemy Core statement, compiled once for the psycopg dialect; its rows go through the
result processors SQLAlchemy would apply (UInt256 → int, UTCDateTime → aware UTC), so a row reads as
`Connection.execute(statement, params).one()` would. Parameters must be plain ints and strings: no bind
processing is applied to them.

Connections come from psycopg_pool, one pool per event loop: opened by the app's start-up on its loop and
closed by its shut-down (a test client that never starts the app up has no pool, and its reads take the
sync path). Connections are in autocommit, so a read is one round trip. A connection the server dropped
(restart, pg_terminate_backend) fails its read; the pool then checks its idle connections and the read is
tried once more, as the sync pool's checkout check does before a read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine
from sqlalchemy.sql import Select

POOL_MAX_SIZE = 4  # one loop, a read at a time per connection; a few overlap their waits
POOL_TIMEOUT_SECONDS = 2.0  # waiting for a connection; then psycopg_pool.PoolTimeout: a 503 problem (api/problems.py)
CLOSE_TIMEOUT_SECONDS = 1.0  # at shut-down, for a connection attempt still under way

ResultProcessor = Callable[[Any], Any] | None


@dataclass
class _Compiled:
    statement: Select[Any]  # held, so that its id (the cache key) is never reused by another statement
    sql: str
    keys: list[str]
    processors: list[ResultProcessor] | None = field(default=None)  # known once a cursor has described the rows


class AsyncRows:
    """Rows of compiled-once Core statements over per-loop psycopg connection pools (PostgreSQL engines only)."""

    def __init__(self, engine: Engine, *, max_size: int = POOL_MAX_SIZE) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("AsyncRows reads PostgreSQL only")
        self.dialect = engine.dialect
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.max_size = max_size
        self._pools: dict[asyncio.AbstractEventLoop, AsyncConnectionPool] = {}
        self._compiled: dict[int, _Compiled] = {}
        self.statements_executed = 0  # by this process, on every loop: what a test or a metric can count

    async def open(self) -> None:
        """Open this loop's pool (the app's start-up); its first connection is made in the background."""
        loop = asyncio.get_running_loop()
        if loop not in self._pools:
            pool = AsyncConnectionPool(
                self.conninfo,
                kwargs={"autocommit": True},
                min_size=1,
                max_size=self.max_size,
                timeout=POOL_TIMEOUT_SECONDS,
                open=False,
                name="point-reads",
            )
            await pool.open(wait=False)
            self._pools[loop] = pool

    async def close(self) -> None:
        """Close this loop's pool (the app's shut-down)."""
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close(timeout=CLOSE_TIMEOUT_SECONDS)

    def ready(self) -> bool:
        """Whether this loop has a pool (the app was started up on it)."""
        return asyncio.get_running_loop() in self._pools

    async def fetch_one(self, statement: Select[Any], params: dict[str, int | str]) -> SimpleNamespace | None:
        """The statement's first row, or None; attributes named as the statement's selected columns."""
        compiled = self._compile(statement)
        pool = self._pools[asyncio.get_running_loop()]
        try:
            return await self._fetch_one(pool, compiled, params)
        except psycopg.OperationalError:
            await pool.check()  # drop the idle connections the server closed too, then once more
            return await self._fetch_one(pool, compiled, params)

    async def _fetch_one(
        self, pool: AsyncConnectionPool, compiled: _Compiled, params: dict[str, int | str]
    ) -> SimpleNamespace | None:
        async with pool.connection() as connection:
            self.statements_executed += 1
            cursor = await connection.execute(compiled.sql, params)
            values = await cursor.fetchone()
            if values is None:
                return None
            if compiled.processors is None:
                compiled.processors = self._processors(compiled, cursor.description or [])
        pairs = zip(values, compiled.processors, strict=True)
        processed = [value if process is None else process(value) for value, process in pairs]
        return SimpleNamespace(**dict(zip(compiled.keys, processed, strict=True)))

    def _compile(self, statement: Select[Any]) -> _Compiled:
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = _Compiled(
                statement=statement,
                sql=str(statement.compile(dialect=self.dialect)),
                keys=list(statement.selected_columns.keys()),
            )
            self._compiled[id(statement)] = compiled
        return compiled

    def _processors(self, compiled: _Compiled, description: Sequence[Any]) -> list[ResultProcessor]:
        return [
            column.type.dialect_impl(self.dialect).result_processor(self.dialect, described.type_code)
            for column, described in zip(compiled.statement.selected_columns, description, strict=True)
        ]
