"""`verify`: rebuild every projection from the raw events into scratch tables and compare row by row.

The scratch tables live in a throwaway schema on PostgreSQL (same server, same types) and in a
throwaway SQLite file next to a SQLite database; both are dropped afterwards. The live tables
are only read.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, select, text
from sqlalchemy.orm import Session

from backend.app.core.db import make_engine
from backend.app.models.chain import IndexerCheckpoint
from indexer.abi import EventDecoder
from indexer.handlers import PROJECTION_TABLES
from indexer.store import rebuild_projections


@dataclass
class Difference:
    table: str
    key: tuple
    live: tuple | None
    rebuilt: tuple | None


@dataclass
class VerifyReport:
    events: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    difference_count: int = 0

    @property
    def ok(self) -> bool:
        return self.difference_count == 0


@contextmanager
def _scratch(engine: Engine) -> Iterator[Engine]:
    """An engine whose projection tables are empty scratch copies of the live ones."""
    if engine.dialect.name == "postgresql":
        schema = f"indexer_verify_{secrets.token_hex(4)}"
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scratch = engine.execution_options(schema_translate_map={None: schema})
        try:
            _create(scratch)
            yield scratch
        finally:
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    else:
        with tempfile.TemporaryDirectory(prefix="indexer-verify-") as folder:
            scratch = make_engine(f"sqlite:///{Path(folder) / 'scratch.db'}")
            try:
                _create(scratch)
                yield scratch
            finally:
                scratch.dispose()


def _create(engine: Engine) -> None:
    metadata = MetaData()
    for table in PROJECTION_TABLES:
        table.to_metadata(metadata)
    with engine.begin() as connection:
        metadata.create_all(connection)


def _rows(connection_session: Session, table: Table, chain_id: int) -> dict[tuple, tuple]:
    key = list(table.primary_key.columns)
    result = connection_session.execute(select(table).where(table.c.chain_id == chain_id).order_by(*key))
    names = [column.name for column in table.primary_key.columns]
    rows = {}
    for row in result.mappings():
        rows[tuple(row[name] for name in names)] = tuple(row[column.name] for column in table.columns)
    return rows


def _checkpoint(engine: Engine, chain_id: int) -> tuple | None:
    with Session(engine) as session:
        row = session.execute(
            select(IndexerCheckpoint.block_number, IndexerCheckpoint.block_hash).where(
                IndexerCheckpoint.chain_id == chain_id
            )
        ).first()
        return None if row is None else tuple(row)


def verify(
    engine: Engine, chain_id: int, decoder: EventDecoder, max_reported: int = 20, attempts: int = 5
) -> VerifyReport:
    """Rebuild the projections of `chain_id` from `chain_events` and compare them with the live tables.

    A running indexer may commit a batch meanwhile: the comparison is repeated until the
    checkpoint was the same before and after it.
    """
    for _ in range(attempts):
        before = _checkpoint(engine, chain_id)
        report = _verify_once(engine, chain_id, decoder, max_reported)
        if _checkpoint(engine, chain_id) == before:
            return report
    return report


def _verify_once(engine: Engine, chain_id: int, decoder: EventDecoder, max_reported: int) -> VerifyReport:
    report = VerifyReport()
    with _scratch(engine) as scratch, Session(engine) as live, Session(scratch) as rebuilt, rebuilt.begin():
        report.events = rebuild_projections(live, rebuilt, chain_id, decoder)
        rebuilt.flush()
        for table in PROJECTION_TABLES:
            live_rows = _rows(live, table, chain_id)
            rebuilt_rows = _rows(rebuilt, table, chain_id)
            report.rows[table.name] = len(live_rows)
            for key in sorted(live_rows.keys() | rebuilt_rows.keys()):
                if live_rows.get(key) != rebuilt_rows.get(key):
                    report.difference_count += 1
                    if len(report.differences) < max_reported:
                        report.differences.append(
                            Difference(table.name, key, live_rows.get(key), rebuilt_rows.get(key))
                        )
        rebuilt.rollback()
    return report
