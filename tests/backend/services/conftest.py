from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import postgres_database, sqlite_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, on each engine: a migration test upgrades it step by step."""
    manager = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    with manager as url:
        yield url
