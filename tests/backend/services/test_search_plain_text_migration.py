"""Migration 0510 rewrites the search documents written before it, on SQLite and PostgreSQL: Markdown bodies
become the words a reader sees, and profiles that offer no work (no skill, no rate) leave search."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, create_engine, text

from backend.app.core.migrate import alembic_config

NOW = "2026-11-01 00:00:00+00:00"
DESCRIPTION = "A **round** logo; the [brief](https://example.com/brief) has the colours."
BIO = "Brand _designer_ since 2015."


def _before_0510(url: str) -> Engine:
    command.upgrade(alembic_config(url), "0500")
    engine = create_engine(url)
    budget = "1".zfill(78) if engine.dialect.name == "sqlite" else 1
    with engine.begin() as connection:
        for address in ("0xC", "0xF"):
            connection.execute(text(f"INSERT INTO users VALUES ('{address}', '{NOW}', '{NOW}')"))
            connection.execute(
                text(
                    "INSERT INTO profiles (address, display_name, bio, links, availability, hidden, created_at,"
                    f" updated_at) VALUES ('{address}', 'Someone', :bio, '[]', 'available', false, '{NOW}', '{NOW}')"
                ),
                {"bio": BIO},
            )
        connection.execute(text("INSERT INTO profile_skills (address, tag) VALUES ('0xF', 'logo-design')"))
        connection.execute(
            text(
                "INSERT INTO job_posts (id, client, status, title, description, category, budget, token, milestones,"
                " canonical_json, metadata_hash, hidden, created_at, updated_at)"
                f" VALUES (7, '0xC', 'published', 'Logo', :description, 'design', :budget, '0xT', '[]', '{{}}',"
                f" '0x00', false, '{NOW}', '{NOW}')"
            ),
            {"description": DESCRIPTION, "budget": budget},
        )
        for kind, ref, body in [("job", "7", DESCRIPTION), ("profile", "0xC", BIO), ("profile", "0xF", BIO)]:
            connection.execute(
                text(
                    "INSERT INTO search_documents (kind, ref, title, body, tags, status, posted_at, hidden)"
                    f" VALUES (:kind, :ref, 'Logo', :body, ' ', 'published', '{NOW}', false)"
                ),
                {"kind": kind, "ref": ref, "body": body},
            )
    return engine


def _matching(engine: Engine, word: str) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sql = (
                "SELECT d.ref FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid"
                " WHERE search_fts MATCH :w"
            )
        else:
            sql = "SELECT ref FROM search_documents WHERE tsv @@ to_tsquery('simple', :w)"
        return sorted(connection.execute(text(sql), {"w": word}).scalars())


def test_upgrade_to_0510__plain_text_bodies__client_profiles_leave_search(empty_url):
    engine = _before_0510(empty_url)
    address = "example" if engine.dialect.name == "sqlite" else "example.com"  # how each engine splits a URL
    assert _matching(engine, address) == ["7"]  # the link's address was searchable
    command.upgrade(alembic_config(empty_url), "head")
    with engine.connect() as connection:
        bodies = dict(connection.execute(text("SELECT ref, body FROM search_documents")).all())
    assert bodies == {
        "7": "A round logo; the brief has the colours.",
        "0xF": "Brand designer since 2015.",
    }
    assert _matching(engine, address) == []
    assert _matching(engine, "brief") == ["7"]
    command.downgrade(alembic_config(empty_url), "0500")  # leaves the data as it is
    command.upgrade(alembic_config(empty_url), "head")
    engine.dispose()
