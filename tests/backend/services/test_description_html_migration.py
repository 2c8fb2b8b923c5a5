"""Migration 0420 renders the Markdown of job posts written before it, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from backend.app.core.migrate import alembic_config
from backend.app.services import markdown

NOW = "2026-11-01 00:00:00+00:00"
DESCRIPTION = "A round logo for **Green Leaf Tea**.\n\n<script>alert(1)</script> [site](javascript:alert(1))"


def test_upgrade_to_0420__renders_the_description_of_every_existing_job_post(empty_url):
    command.upgrade(alembic_config(empty_url), "0410")
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO users VALUES ('0xA', '{NOW}', '{NOW}')"))
        for post_id, description in [(1, DESCRIPTION), (2, "")]:
            connection.execute(
                text(
                    "INSERT INTO job_posts (id, client, status, title, description, category, budget, token,"
                    " milestones, canonical_json, metadata_hash, hidden, created_at, updated_at)"
                    f" VALUES (:id, '0xA', 'published', 'Logo for a tea shop', :description, 'design', :budget,"
                    f" '0xT', '[]', '{{}}', '0x00', false, '{NOW}', '{NOW}')"
                ),
                {"id": post_id, "description": description, "budget": "1".zfill(78) if "sqlite" in empty_url else 1},
            )
    command.upgrade(alembic_config(empty_url), "head")
    with engine.connect() as connection:
        rendered = dict(connection.execute(text("SELECT id, description_html FROM job_posts")).all())
    engine.dispose()
    assert rendered == {1: markdown.render(DESCRIPTION), 2: ""}
    assert "<strong>Green Leaf Tea</strong>" in rendered[1]
    assert "<script>" not in rendered[1] and 'href="javascript' not in rendered[1]
