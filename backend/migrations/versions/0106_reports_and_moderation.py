"""reports and moderation actions

Revision ID: 0106
Revises: 0105
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.app.models.types

revision: str = "0106"
down_revision: str | None = "0105"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("reporter", sa.String(length=42), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_ref", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=42), nullable=True),
        sa.Column("resolved_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["reporter"], ["users.address"], name=op.f("fk_reports_reporter_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "reporter", "target_kind", "target_ref", name=op.f("uq_reports_reporter_target_kind_target_ref")
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_reporter"), ["reporter"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_status"), ["status"], unique=False)
    op.create_table(
        "moderation_actions",
        sa.Column("id", ID, nullable=False),
        sa.Column("moderator", sa.String(length=42), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_ref", sa.String(length=42), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )
    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_actions_owner"), ["owner"], unique=False)


def downgrade() -> None:
    op.drop_table("moderation_actions")
    op.drop_table("reports")
