"""rate-limit hits: the requests a shared rate limit has counted, for API processes that count together

Revision ID: 0630
Revises: 0620

With JIEDAN_RATE_LIMIT_STORE=database every API process counts a client's requests in this table
(core/rate_limit.py: one row per counted request, deleted once older than the window), so that N
processes behind one proxy allow a client the limit once, not N times.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0630"
down_revision: str | None = "0620"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("client", sa.String(80), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    op.create_index("ix_rate_limit_hits_bucket_client_at", "rate_limit_hits", ["bucket", "client", "at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_hits_bucket_client_at", table_name="rate_limit_hits")
    op.drop_table("rate_limit_hits")
