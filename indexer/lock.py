"""One writer per chain: a second indexer waits instead of double-writing.

PostgreSQL: a session-level advisory lock keyed by (LOCK_CLASS, chain id), held on a dedicated
connection for as long as the indexer writes; it is released when that connection closes, also
when the process is killed. SQLite: an exclusive `flock` on a file next to the database file.
The unique key of `chain_events` is the backstop either way: a second writer's batch would fail
and roll back, never add a row twice.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

LOCK_CLASS = 0x4A44  # "JD": the advisory-lock namespace of the Jiedan indexer


@contextmanager
def writer_lock(engine: Engine, chain_id: int, on_wait: Callable[[], None], poll: float = 0.5) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, chain_id, on_wait, poll):
            yield
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _file_lock(Path(f"{engine.url.database}.indexer-{chain_id}.lock"), on_wait, poll):
            yield
    else:
        yield


@contextmanager
def _pg_lock(engine: Engine, chain_id: int, on_wait: Callable[[], None], poll: float) -> Iterator[None]:
    key = {"cls": LOCK_CLASS, "obj": chain_id % 2**31}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        waited = False
        while not connection.execute(text("SELECT pg_try_advisory_lock(:cls, :obj)"), key).scalar():
            if not waited:
                on_wait()
                waited = True
            time.sleep(poll)
        try:
            yield
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:cls, :obj)"), key)
            except Exception:  # noqa: BLE001 - the connection is gone, and with it the lock
                pass


@contextmanager
def _file_lock(path: Path, on_wait: Callable[[], None], poll: float) -> Iterator[None]:
    with path.open("a") as handle:
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    on_wait()
                    waited = True
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
