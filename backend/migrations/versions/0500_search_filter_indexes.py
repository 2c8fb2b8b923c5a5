"""search: indexes that serve the filters, and a GIN index without a pending list

Revision ID: 0500
Revises: 0420

Measured at 100,000 jobs (bench/api's corpus), what each part answers:

- `lower(token)` (both engines): the token filter compares lowercased addresses; the index gives PostgreSQL
  statistics for that expression (without them it guessed 0.5% of rows for a token on half the jobs, and walked
  the `posted_at` index through every recent document: 25 ms) and serves a token-only search on either engine.
- partial indexes on `id` for the listed (not hidden) documents of each kind (PostgreSQL): a search reads the
  newest matches first, and walking the primary key backwards also walks every profile and hidden document;
  this walk holds only what a search can return (a common word: 12 → 4.5 ms).
- the tsvector's GIN index without `fastupdate` (PostgreSQL): with it, new rows wait in a pending list that
  every search reads in full until a vacuum merges it; after a bulk load of 100,000 jobs it held 287 pages.
  Writes now update the index directly (a listing is written a few times; it is searched far more often), and
  the pending list left by earlier writes is merged here.
- no index on `status` (PostgreSQL): 80% of jobs are published, so it never narrows a search, yet the planner
  ANDed its 80,000 entries into every bitmap scan of the words (2-3 ms each). The partial indexes above serve a
  search without words (listed jobs in id order, their status read from the row).

SQLite needs nothing else: FTS5 drives its searches (newest rowid first) and the filters read the row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0500"
down_revision: str | None = "0420"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTED = {"job": "ix_search_documents_listed_jobs", "profile": "ix_search_documents_listed_profiles"}


def upgrade() -> None:
    op.create_index("ix_search_documents_token_lower", "search_documents", [sa.text("lower(token)")])
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind, name in LISTED.items():
        where = sa.text(f"kind = '{kind}' AND hidden IS false")
        op.create_index(name, "search_documents", ["id"], postgresql_where=where)
    op.drop_index("ix_search_documents_status", table_name="search_documents")
    op.execute("ALTER INDEX ix_search_documents_tsv SET (fastupdate = off)")
    op.execute("SELECT gin_clean_pending_list('ix_search_documents_tsv')")
    op.execute("ANALYZE search_documents")  # statistics for lower(token), which only ANALYZE gathers


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_search_documents_tsv RESET (fastupdate)")
        op.create_index("ix_search_documents_status", "search_documents", ["status"])
        for name in LISTED.values():
            op.drop_index(name, table_name="search_documents")
    op.drop_index("ix_search_documents_token_lower", table_name="search_documents")
