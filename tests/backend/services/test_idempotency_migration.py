"""Migration 0520 adds the idempotency keys table and takes it away again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.core.migrate import alembic_config
from backend.app.models.idempotency import IdempotencyKey
from tests.support.databases import postgres_database, sqlite_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path):
    manager = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    with manager as url:
        yield url


def test_upgrade_to_0520__one_row_per_owner_and_key__downgrade_drops_it(empty_url):
    command.upgrade(alembic_config(empty_url), "0520")
    engine = create_engine(empty_url)
    at = datetime.now(UTC)
    with Session(engine) as session:
        session.add(IdempotencyKey(owner="0xA", key="k", created_at=at, expires_at=at + timedelta(days=1)))
        session.commit()
        assert session.get(IdempotencyKey, ("0xA", "k")).status is None
        session.add(IdempotencyKey(owner="0xA", key="k", created_at=at, expires_at=at))
        with pytest.raises(IntegrityError):
            session.commit()
    assert "ix_idempotency_keys_expires_at" in {i["name"] for i in inspect(engine).get_indexes("idempotency_keys")}
    engine.dispose()
    command.downgrade(alembic_config(empty_url), "0510")
    engine = create_engine(empty_url)
    assert "idempotency_keys" not in inspect(engine).get_table_names()
    engine.dispose()
