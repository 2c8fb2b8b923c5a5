"""Migration 0520 adds the idempotency keys table and takes it away again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.core.migrate import alembic_config
from backend.app.models.idempotency import IdempotencyKey


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
