"""Alembic environment: the URL comes from the settings (or from the caller's config)."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from backend.app.core.config import get_settings
from backend.app.core.db import make_engine
from backend.app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves alone the engine-specific full-text index created by hand in 0105:
    the FTS5 tables on SQLite, the `tsv` column and its GIN index on PostgreSQL."""
    del parent_names
    if type_ == "table" and name is not None and name.startswith("search_fts"):
        return False
    return not (type_ == "column" and name == "tsv") and not (type_ == "index" and name == "ix_search_documents_tsv")


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=_include_name
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
