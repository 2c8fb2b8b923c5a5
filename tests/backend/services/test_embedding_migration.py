"""Migration 0400 gives rows written before it their embeddings, on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
from alembic import command
from sqlalchemy import create_engine, text

from backend.app.core.migrate import alembic_config
from backend.app.services import embeddings

NOW = "2026-11-01 00:00:00+00:00"


def test_upgrade_to_0400__backfills_job_post_and_profile_embeddings(empty_url):
    command.upgrade(alembic_config(empty_url), "0300")
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO users VALUES ('0xA', '{NOW}', '{NOW}')"))
        connection.execute(
            text(
                "INSERT INTO job_posts (id, client, status, title, description, category, budget, token, milestones,"
                " canonical_json, metadata_hash, hidden, created_at, updated_at)"
                f" VALUES (1, '0xA', 'published', 'Logo for a tea shop', 'Round, two colours.', 'design', :budget,"
                f" '0xT', '[]', '{{}}', '0x00', false, '{NOW}', '{NOW}')"
            ),
            {"budget": "1".zfill(78) if engine.dialect.name == "sqlite" else 1},
        )
        connection.execute(
            text(
                "INSERT INTO profiles (address, display_name, bio, links, availability, hidden, created_at, updated_at)"
                f" VALUES ('0xA', 'Li', 'Graphic designer.', '[]', 'available', false, '{NOW}', '{NOW}')"
            )
        )
    command.upgrade(alembic_config(empty_url), "head")
    with engine.connect() as connection:
        job = connection.execute(text("SELECT embedding FROM job_posts WHERE id = 1")).scalar_one()
        bio = connection.execute(text("SELECT embedding FROM profiles WHERE address = '0xA'")).scalar_one()
    engine.dispose()
    expected = embeddings.embed_many(
        [embeddings.job_text("Logo for a tea shop", "Round, two colours."), "Graphic designer."]
    )
    assert np.allclose(embeddings.from_bytes(bytes(job)), expected[0], atol=1e-6)
    assert np.allclose(embeddings.from_bytes(bytes(bio)), expected[1], atol=1e-6)
