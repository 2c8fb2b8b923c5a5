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

from sqlalchemy import Dialect, Table, and_, bindparam
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


_STATEMENTS: dict[tuple[str, str, str, tuple[str, ...]], _Statement] = {}


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


def _compiled(dialect: Dialect, table: Table, statement: Any, parameters: dict[str, str]) -> _Statement:
    """`statement` compiled for the driver; `parameters` maps each bind parameter to its row key (a column)."""
    # positional parameters (psycopg's `%s` rather than `%(name)s`): rows go to the driver as tuples
    positional = dialect if dialect.positional else type(dialect)(paramstyle="format")
    compiled = statement.compile(dialect=positional, column_keys=list(parameters))
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(parameters):
        raise AssertionError(f"{table.name}: unexpected parameters {order}")
    columns = [parameters[name] for name in order]
    processors = [table.c[column].type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    return _Statement(
        statement=statement,
        sql=str(compiled),
        row=_getter(columns),
        converted=[(position, processor) for position, processor in enumerate(processors) if processor],
    )


def _insert(dialect: Dialect, table: Table, upsert: bool, given: tuple[str, ...]) -> _Statement:
    key = (dialect.name, table.name, "upsert" if upsert else "insert", given)
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
    found = _STATEMENTS[key] = _compiled(dialect, table, statement, {name: name for name in columns})
    return found


def _update(dialect: Dialect, table: Table, changed: tuple[str, ...]) -> _Statement:
    key = (dialect.name, table.name, "update", changed)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    keys = [column.name for column in table.primary_key.columns]
    statement = (
        table.update()
        .where(and_(*(table.c[name] == bindparam(f"key_{name}") for name in keys)))
        .values({name: bindparam(f"new_{name}") for name in changed})
    )
    parameters = {f"key_{name}": name for name in keys} | {f"new_{name}": name for name in changed}
    found = _STATEMENTS[key] = _compiled(dialect, table, statement, parameters)
    return found


def _execute(session: Session, statement: _Statement, rows: Sequence[dict[str, Any]], parameters: Any) -> None:
    connection = session.connection()
    if connection.get_execution_options().get("schema_translate_map"):  # verify's scratch schema: let SQLAlchemy
        session.execute(statement.statement, [parameters(row) for row in rows])  # render it (the driver SQL names none)
        return
    values = list(map(statement.row, rows))  # tuples in parameter order
    if statement.converted:
        columns = list(zip(*values, strict=True))
        for position, convert in statement.converted:
            columns[position] = _converted(convert, columns[position])  # type: ignore[call-overload]
        values = list(zip(*columns, strict=True))
    connection.exec_driver_sql(statement.sql, values)


def write_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, upsert: bool = False) -> None:
    """INSERT `rows` into `table`; `upsert` replaces the rows with the same primary key.

    Every row has the same keys (the columns written; others get their defaults, e.g. an id).
    """
    if rows:
        statement = _insert(session.get_bind().dialect, table, upsert, tuple(rows[0]))
        _execute(session, statement, rows, dict)


def update_rows(session: Session, table: Table, changed: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE the `changed` columns of existing rows (found by primary key) to their values in `rows`.

    Cheaper than an upsert of whole rows: no insert attempt first, and only the indexes of the
    changed columns are touched (on PostgreSQL, often a HOT update).
    """
    if not rows:
        return
    keys = [column.name for column in table.primary_key.columns]

    def parameters(row: dict[str, Any]) -> dict[str, Any]:
        return {f"key_{name}": row[name] for name in keys} | {f"new_{name}": row[name] for name in changed}

    _execute(session, _update(session.get_bind().dialect, table, tuple(changed)), rows, parameters)
