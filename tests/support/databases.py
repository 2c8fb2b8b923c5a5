"""Throwaway databases: a SQLite file, or a fresh PostgreSQL database on the local server.

Migrating a database takes most of a short test's time (Alembic runs every migration), so a test
session migrates one template per engine and gives each test a copy: a copied SQLite file, or a
PostgreSQL database created from the template (`CREATE DATABASE … TEMPLATE …`). Each copy is a fresh,
fully migrated database of its own; the migrations themselves are exercised by the template and by the
migration tests, which start from empty databases.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get("JIEDAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip locally; in CI (CI=true) a missing service is a failure, never a skip."""
    if in_ci():
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_database(prefix: str = "jiedan_test", template: str | None = None) -> Iterator[str]:
    """A new database on the PostgreSQL server (`<prefix>_<random>`), dropped afterwards: empty, or a copy of
    the database named `template` (which nobody may be connected to)."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy_of}')
        try:
            base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(folder: Path, template: Path | None = None) -> Iterator[str]:
    """A SQLite file in `folder`: empty, or a copy of the database file `template`."""
    path = folder / "jiedan.db"
    if template is not None:
        shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]
