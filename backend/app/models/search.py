"""One search document per listed job post or profile, kept in step by the services that write them.

The full-text index itself is engine-specific and lives in the migration: an FTS5 table
(`search_fts`, external content over this table) on SQLite, a weighted `tsv` tsvector column
with a GIN index on PostgreSQL. `services/search.py` hides the difference.

So do the indexes that serve the filters (migration 0500): `lower(token)` on both engines, and on
PostgreSQL a partial index on `id` per kind over the documents a search can return.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.types import UInt256, UTCDateTime


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the FTS5 rowid on SQLite
    kind: Mapped[str] = mapped_column(String(16))  # "job" | "profile"
    ref: Mapped[str] = mapped_column(String(42))  # job post id or profile address
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)  # " tag1 tag2 " (spaces around every tag, for exact filtering)
    budget: Mapped[int | None] = mapped_column(UInt256)
    token: Mapped[str | None] = mapped_column(String(42))
    status: Mapped[str] = mapped_column(String(16))  # indexed on SQLite only (migration 0500 says why)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
