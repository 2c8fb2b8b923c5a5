"""idempotency keys: a signed-in caller's POST or PUT with an Idempotency-Key, and its stored answer

Revision ID: 0520
Revises: 0510

One row per (owner, key): in progress while `status` is NULL, completed with the response's status,
content type and body (core/idempotency.py). Rows past `expires_at` are deleted lazily.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.app.models.types import UTCDateTime

revision: str = "0520"
down_revision: str | None = "0510"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(42), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(255), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
