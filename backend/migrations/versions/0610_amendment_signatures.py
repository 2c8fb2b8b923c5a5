"""amendment signatures: one party's EIP-712 signature of an amendment (extend a deadline, add milestones,
accept with a deduction), keyed by the job's nonce, until the other party sends it

Revision ID: 0610
Revises: 0600
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.app.models.types import UTCDateTime

revision: str = "0610"
down_revision: str | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "amendment_signatures",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("message_json", sa.Text(), nullable=False),
        sa.Column("expiry", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "job_id", "nonce", "kind", "signer", name=op.f("pk_amendment_signatures")),
    )


def downgrade() -> None:
    op.drop_table("amendment_signatures")
