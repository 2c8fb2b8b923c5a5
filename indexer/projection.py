"""The rows handlers read and write during one batch, flushed to SQL in bulk at its end.

Handlers never issue SQL themselves: `get` loads a row by primary key once per batch (or finds
it among this batch's writes), `insert`/`update`/`delete` change the in-memory copy, and `flush`
writes the batch's new rows with one bulk upsert per table, the changed columns of stored rows
with one bulk UPDATE per table and set of columns (parents first, `indexer.bulk`), and one
delete per table (children first). That keeps the ORM's per-object round trips out of the hot path and
works the same on SQLite and PostgreSQL. Every projection table's primary key starts with
`chain_id`; handlers give the rest of the key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, delete, select, tuple_
from sqlalchemy.orm import Session

from indexer.bulk import update_rows, write_rows

Row = dict[str, Any]
_MISSING = object()


class ProjectionError(RuntimeError):
    """A handler asked for a row that does not exist (events out of order, or a handler bug)."""


RowCache = dict[str, dict[tuple, "Row | None"]]
MAX_CACHED_ROWS = 200_000


class Projection:
    """Handlers' view of the projection tables for one batch.

    `cache` may outlive the batch (the indexer keeps it between batches, so a release finds its
    job without a query); whoever passes it must clear it when a transaction rolls back.
    """

    def __init__(self, session: Session, chain_id: int, tables: list[Table], cache: RowCache | None = None) -> None:
        self.session = session
        self.chain_id = chain_id
        self.tables = tables
        self._rows: RowCache = {} if cache is None else cache
        if sum(len(rows) for rows in self._rows.values()) > MAX_CACHED_ROWS:
            self._rows.clear()
        for table in tables:
            self._rows.setdefault(table.name, {})
        self._dirty: dict[str, set[tuple]] = {table.name: set() for table in tables}
        self._inserted: dict[str, set[tuple]] = {table.name: set() for table in tables}  # this batch: upserted whole
        self._changed: dict[str, dict[tuple, set[str]]] = {table.name: {} for table in tables}  # else: these columns
        self._keys = {table.name: [column.name for column in table.primary_key.columns] for table in tables}
        self._blank: dict[str, Row] = {table.name: dict.fromkeys(c.name for c in table.columns) for table in tables}

    def _key(self, table: Table, key: tuple) -> tuple:
        names = self._keys[table.name]
        if len(key) != len(names) - 1:
            raise TypeError(f"{table.name} is keyed by {names[1:]} (after chain_id), got {key!r}")
        return (self.chain_id, *key)

    def get(self, table: Table, *key: Any) -> Row | None:
        """The row with this key (after chain_id), or None."""
        full = (self.chain_id, *key)
        cached = self._rows[table.name].get(full, _MISSING)
        if cached is _MISSING:
            cached = self._load(table, self._key(table, key))
        return cached  # type: ignore[return-value]

    def _load(self, table: Table, full: tuple) -> Row | None:
        names = self._keys[table.name]
        found = (
            self.session.execute(
                select(table).where(and_(*(table.c[name] == value for name, value in zip(names, full, strict=True))))
            )
            .mappings()
            .first()
        )
        row = None if found is None else dict(found)
        self._rows[table.name][full] = row
        return row

    def get_one(self, table: Table, *key: Any) -> Row:
        row = self.get(table, *key)
        if row is None:
            raise ProjectionError(f"no {table.name} row {key!r} on chain {self.chain_id}")
        return row

    def insert(self, table: Table, **values: Any) -> Row:
        """Add (or replace) a row; columns left out are NULL."""
        name = table.name
        row: Row = self._blank[name].copy()
        row.update(values, chain_id=self.chain_id)
        full = tuple(row[key] for key in self._keys[name])
        self._rows[name][full] = row
        self._dirty[name].add(full)
        self._inserted[name].add(full)
        return row

    def update(self, table: Table, *key: Any, **changes: Any) -> Row:
        """Change columns of an existing row; returns the row."""
        full = (self.chain_id, *key)
        name = table.name
        row = self._rows[name].get(full)
        if row is None:  # not loaded yet (or gone: get_one says so)
            row = self.get_one(table, *key)
        row.update(changes)
        self._dirty[name].add(full)
        changed = self._changed[name].get(full)
        if changed is None:
            self._changed[name][full] = set(changes)
        else:
            changed.update(changes)
        return row

    def delete(self, table: Table, *key: Any) -> None:
        full = self._key(table, key)
        self._rows[table.name][full] = None
        self._dirty[table.name].add(full)

    def flush(self) -> None:
        """Write every changed row, parents first: rows inserted in this batch whole (upsert), rows
        that were already stored only their changed columns (grouped by which); then the deletes,
        children first."""
        for table in self.tables:
            name = table.name
            rows, inserted = self._rows[name], self._inserted[name]
            write_rows(self.session, table, [row for key in inserted if (row := rows[key]) is not None], upsert=True)
            groups: dict[tuple[str, ...], list[Row]] = {}
            for key, columns in self._changed[name].items():
                row = rows[key]
                if row is not None and key not in inserted:
                    groups.setdefault(tuple(sorted(columns)), []).append(row)
            for columns, group in groups.items():
                update_rows(self.session, table, columns, group)
        for table in reversed(self.tables):
            gone = [key for key in self._dirty[table.name] if self._rows[table.name][key] is None]
            if gone:
                columns = [table.c[name] for name in self._keys[table.name]]
                self.session.execute(delete(table).where(tuple_(*columns).in_(gone)))
        for pending in (*self._dirty.values(), *self._inserted.values(), *self._changed.values()):
            pending.clear()

    def forget(self) -> None:
        """Drop the cached rows (after a flush, when the tables may change underneath)."""
        for rows in self._rows.values():
            rows.clear()
