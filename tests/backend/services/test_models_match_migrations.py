"""The typed models and the migrations describe one schema: after `upgrade`, alembic's comparison of the database
with the models finds nothing but the search index each engine builds its own way (models/search.py says why)."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from backend.app.core.migrate import upgrade
from backend.app.models import Base

# what only the migrations hold, by engine: the full-text index (FTS5 tables on SQLite; a tsvector column and
# its GIN index on PostgreSQL) and the filter indexes migration 0500 made engine-specific
ENGINE_SPECIFIC = {
    "sqlite": {
        ("remove_table", "search_fts"),
        ("remove_table", "search_fts_config"),
        ("remove_table", "search_fts_data"),
        ("remove_table", "search_fts_docsize"),
        ("remove_table", "search_fts_idx"),
        ("remove_index", "ix_search_documents_status"),
    },
    "postgresql": {
        ("remove_index", "ix_search_documents_listed_jobs"),
        ("remove_index", "ix_search_documents_listed_profiles"),
        ("remove_index", "ix_search_documents_token_lower"),
        ("remove_index", "ix_search_documents_tsv"),
        ("remove_column", "tsv"),
    },
}


def _named(diff) -> tuple[str, str]:
    kind = diff[0]
    if kind == "remove_column":
        return kind, diff[3].name
    return kind, diff[1].name


def test_models_and_migrations__describe_the_same_schema(database_url: str):
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLite cannot reflect the expression index on lower(token)
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            dialect = connection.dialect.name
    finally:
        engine.dispose()
    found = set()
    for diff in diffs:
        assert isinstance(diff, tuple), f"the models and the migrations differ: {diff}"
        found.add(_named(diff))
    assert found == ENGINE_SPECIFIC[dialect], diffs
