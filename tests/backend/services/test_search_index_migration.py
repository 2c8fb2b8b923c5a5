"""Migration 0500 indexes the search documents written before it, on SQLite and PostgreSQL, and goes back."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from backend.app.core.migrate import alembic_config
from tests.support.databases import postgres_database

NOW = "2026-11-01 00:00:00+00:00"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TOKEN_QUERY = "SELECT ref FROM search_documents WHERE lower(token) = :token ORDER BY ref"


def _documents_before_0500(url: str) -> Engine:
    command.upgrade(alembic_config(url), "0420")
    engine = create_engine(url)
    with engine.begin() as connection:
        for ref, kind, token, hidden in [
            ("1", "job", TOKEN, False),
            ("2", "job", TOKEN.lower(), True),
            ("3", "job", "0x" + "11" * 20, False),
            ("0xA", "profile", None, False),
        ]:
            connection.execute(
                text(
                    "INSERT INTO search_documents (kind, ref, title, body, tags, token, status, posted_at, hidden)"
                    f" VALUES (:kind, :ref, 'Logo', 'A round logo.', ' logo-design ', :token, 'published', '{NOW}',"
                    " :hidden)"
                ),
                {"kind": kind, "ref": ref, "token": token, "hidden": hidden},
            )
    return engine


def _index_names(engine: Engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("search_documents")}


def _plan(engine: Engine, sql: str, params: dict[str, str]) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params)
            return "\n".join(str(row[-1]) for row in rows)
        connection.execute(text("SET enable_seqscan = off"))  # four rows: show what the index can serve
        return "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {sql}"), params))


def test_upgrade_to_0500__indexes_existing_documents_for_the_token_filter(empty_url):
    engine = _documents_before_0500(empty_url)
    command.upgrade(alembic_config(empty_url), "0500")
    with engine.connect() as connection:
        refs = connection.execute(text(TOKEN_QUERY), {"token": TOKEN.lower()}).scalars().all()
    assert refs == ["1", "2"]
    assert "ix_search_documents_token_lower" in _plan(engine, TOKEN_QUERY, {"token": TOKEN.lower()})
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_to_0500__postgres_walks_listed_documents_of_a_kind_and_gin_without_pending_list():
    with postgres_database() as url:
        engine = _documents_before_0500(url)
        command.upgrade(alembic_config(url), "0500")
        newest_jobs = "SELECT id FROM search_documents WHERE kind = 'job' AND hidden IS false ORDER BY id DESC"
        assert "ix_search_documents_listed_jobs" in _plan(engine, newest_jobs, {})
        with engine.connect() as connection:
            listed = connection.execute(text(newest_jobs.replace("id FROM", "ref FROM"))).scalars().all()
            options = connection.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'ix_search_documents_tsv'")
            ).scalar_one()
        assert listed == ["3", "1"]
        assert options == ["fastupdate=off"]
        assert "ix_search_documents_status" not in _index_names(engine)
        engine.dispose()


def test_downgrade_from_0500__back_to_the_indexes_before_it(empty_url):
    engine = _documents_before_0500(empty_url)
    before = _index_names(engine)
    command.upgrade(alembic_config(empty_url), "0500")
    command.downgrade(alembic_config(empty_url), "0420")
    assert _index_names(engine) == before
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            options = connection.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'ix_search_documents_tsv'")
            ).scalar_one()
        assert options is None
    command.upgrade(alembic_config(empty_url), "head")
    engine.dispose()
