"""Many rows into one table with one driver-level `executemany`, on SQLite and PostgreSQL.

The indexer writes thousands of rows per batch. Passing them through SQLAlchemy's statement
execution costs more than the database itself (every value of every row goes through its
generic parameter processing), so the INSERT (or upsert) is compiled once per table and dialect,
each column's value is converted by that column type's own bind processor (the same conversion
SQLAlchemy would apply: `UInt256` padding on SQLite, UTC datetimes, …), and the driver gets
plain tuples (SQLite) or dicts (PostgreSQL) on the session's connection, inside its transaction.
A connection with a `schema_translate_map` (verify's scratch schema) goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class _Statement:
    statement: Any  # the SQLAlchemy statement, for connections that rewrite SQL (schema_translate_map)
    sql: str
    columns: list[str]  # the row keys, in the order of the statement's parameters
    names: list[str] | None  # parameter names for a driver with named parameters, else None
    converters: list[Converter | None]


_STATEMENTS: dict[tuple[str, str, bool, tuple[str, ...]], _Statement] = {}


def _memoized(convert: Converter) -> Converter:
    """Rows of a batch repeat values (block times, amounts): convert each distinct one once."""
    seen: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = convert(value)
            if len(seen) > 50_000:
                seen.clear()
            return result

    return converted


def _statement(dialect: Dialect, table: Table, upsert: bool, given: tuple[str, ...]) -> _Statement:
    key = (dialect.name, table.name, upsert, given)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    columns = [column.name for column in table.columns if column.name in given]
    if len(columns) != len(given):
        raise KeyError(f"{table.name} has no column {sorted(set(given) - set(columns))}")
    if upsert:
        insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
        statement = insert(table)
        keys = [column.name for column in table.primary_key.columns]
        others = {name: statement.excluded[name] for name in columns if name not in keys}
        statement = (
            statement.on_conflict_do_update(index_elements=keys, set_=others)
            if others
            else statement.on_conflict_do_nothing(index_elements=keys)
        )
    else:
        statement = table.insert()
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup) if compiled.positional and compiled.positiontup else columns
    if sorted(order) != sorted(columns):
        raise AssertionError(f"{table.name}: unexpected parameters {order}")
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns}
    found = _Statement(
        statement=statement,
        sql=str(compiled),
        columns=order,
        names=None if compiled.positional else order,
        converters=[processors[name] for name in order],
    )
    _STATEMENTS[key] = found
    return found


def write_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, upsert: bool = False) -> None:
    """INSERT `rows` into `table`; `upsert` replaces the rows with the same primary key.

    Every row has the same keys (the columns written; others get their defaults, e.g. an id).
    """
    if not rows:
        return
    connection = session.connection()
    statement = _statement(connection.dialect, table, upsert, tuple(rows[0]))
    if connection.get_execution_options().get("schema_translate_map"):  # verify's scratch schema: let SQLAlchemy
        session.execute(statement.statement, list(rows))  # render the schema (the driver SQL names none)
        return
    columns = [
        [row[name] for row in rows] if convert is None else list(map(_memoized(convert), (row[name] for row in rows)))
        for name, convert in zip(statement.columns, statement.converters, strict=True)
    ]
    values = list(zip(*columns, strict=True))
    names = statement.names
    parameters: list[Any] = values if names is None else [dict(zip(names, v, strict=True)) for v in values]
    connection.exec_driver_sql(statement.sql, parameters)
