"""Many rows into one table with one driver-level `executemany`, on SQLite and PostgreSQL.

The indexer writes thousands of rows per batch. Passing them through SQLAlchemy's statement
execution costs more than the database itself (every value of every row goes through its
generic parameter processing), so the INSERT (or upsert) is compiled once per table and dialect,
each column's values are converted by that column type's own bind processor (the same conversion
SQLAlchemy would apply: `UInt256` padding on SQLite, UTC datetimes, …), once per distinct value,
and the driver gets plain tuples on the session's connection, inside its transaction.
A connection with a `schema_translate_map` (verify's scratch schema) goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
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
    row: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values in the order of the statement's parameters
    converted: list[tuple[int, Converter]]  # (position, bind processor) of the columns that need converting


_STATEMENTS: dict[tuple[str, str, bool, tuple[str, ...]], _Statement] = {}


def _converted(convert: Converter, values: tuple[Any, ...]) -> list[Any]:
    """`convert` applied to each value; rows of a batch repeat values (block times, amounts), so each distinct one
    is converted once and the rest is a C-level dictionary lookup."""
    try:
        distinct = {value: convert(value) for value in set(values)}
    except TypeError:  # an unhashable value
        return [convert(value) for value in values]
    return list(map(distinct.__getitem__, values))


def _getter(names: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    get = itemgetter(*names)
    return get if len(names) > 1 else lambda row: (get(row),)


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
    # positional parameters (psycopg's `%s` rather than `%(name)s`): rows go to the driver as tuples
    positional = dialect if dialect.positional else type(dialect)(paramstyle="format")
    compiled = statement.compile(dialect=positional, column_keys=columns)
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(columns):
        raise AssertionError(f"{table.name}: unexpected parameters {order}")
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns}
    found = _Statement(
        statement=statement,
        sql=str(compiled),
        row=_getter(order),
        converted=[(position, processors[name]) for position, name in enumerate(order) if processors[name]],
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
    values = list(map(statement.row, rows))  # tuples in parameter order
    if statement.converted:
        columns = list(zip(*values, strict=True))
        for position, convert in statement.converted:
            columns[position] = _converted(convert, columns[position])  # type: ignore[call-overload]
        values = list(zip(*columns, strict=True))
    connection.exec_driver_sql(statement.sql, values)
