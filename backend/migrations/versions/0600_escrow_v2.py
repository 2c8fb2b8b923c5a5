"""escrow v2: a job's current terms and their hash, milestone durations, deductions, reputation
counterparties and announced writer changes, settlement expiries, the freelancer's consent on
proposals and offer orders

Revision ID: 0600
Revises: 0520

Escrow v2 is a new deployment whose events differ from v1's (JobCreated, JobEnded,
MilestonesCancelled): rows projected from a v1 escrow cannot be rebuilt by the v2 indexer, and v1
settlement signatures name another EIP-712 domain. So every chain_* row, the indexer's checkpoints
and blocks, and the settlement signatures are deleted; the indexer projects the v2 deployment from
its deploy block. Off-chain rows stay: a proposal's milestones get a duration (14 days apart, the
default `JIEDAN_DEFAULT_MILESTONE_DAYS`) and no consent yet (its freelancer signs again), and an
existing offer order is `ordered` (its freelancer accepts it by signing).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.app.models.types import UTCDateTime

revision: str = "0600"
down_revision: str | None = "0520"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAIN_TABLES = (
    "chain_milestones",
    "chain_jobs",
    "chain_fundings",
    "chain_credits",
    "chain_withdrawals",
    "chain_credit_balances",
    "chain_disputes",
    "chain_settlements",
    "chain_ratings",
    "chain_reputation_jobs",
    "chain_reputation",
    "chain_reputation_volumes",
    "chain_reputation_escrows",
    "chain_contract_owners",
    "chain_escrow_settings",
    "chain_escrow_fees",
    "chain_events",
    "chain_blocks",
    "indexer_checkpoints",
    "settlement_signatures",
)
DAY = 86_400
MILESTONE_DAYS = 14


def upgrade() -> None:
    for table in CHAIN_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    with op.batch_alter_table("chain_jobs") as batch:
        batch.add_column(sa.Column("terms_hash", sa.String(66), nullable=False))
        batch.create_index("ix_chain_jobs_terms_hash", ["terms_hash"])
    with op.batch_alter_table("chain_milestones") as batch:
        batch.add_column(sa.Column("duration", sa.BigInteger(), nullable=False))
    with op.batch_alter_table("chain_reputation") as batch:
        batch.add_column(sa.Column("counterparties", sa.BigInteger(), nullable=False))
    with op.batch_alter_table("chain_reputation_escrows") as batch:
        batch.add_column(sa.Column("pending_allowed", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("pending_effective_at", UTCDateTime(), nullable=True))
    op.create_table(
        "chain_reputation_pairs",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("account_a", sa.String(42), nullable=False),
        sa.Column("account_b", sa.String(42), nullable=False),
        sa.Column("jobs", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "account_a", "account_b", name=op.f("pk_chain_reputation_pairs")),
    )
    op.create_index("ix_chain_reputation_pairs_account_b", "chain_reputation_pairs", ["account_b"])
    with op.batch_alter_table("settlement_signatures") as batch:
        batch.add_column(sa.Column("expiry", sa.BigInteger(), nullable=False))

    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("consent_terms", sa.Text(), nullable=True))
        batch.add_column(sa.Column("consent_signature", sa.Text(), nullable=True))
    connection = op.get_bind()
    proposals = sa.table("proposals", sa.column("id", sa.Integer()), sa.column("milestones", sa.JSON()))
    for row in connection.execute(sa.select(proposals.c.id, proposals.c.milestones)).all():
        plan = row.milestones if isinstance(row.milestones, list) else json.loads(row.milestones)
        timed = [{**m, "duration": m.get("duration", MILESTONE_DAYS * DAY * (i + 1))} for i, m in enumerate(plan)]
        connection.execute(proposals.update().where(proposals.c.id == row.id).values(milestones=timed))
    with op.batch_alter_table("offer_orders") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="ordered"))
        batch.add_column(sa.Column("consent_terms", sa.Text(), nullable=True))
        batch.add_column(sa.Column("consent_signature", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in CHAIN_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    with op.batch_alter_table("offer_orders") as batch:
        batch.drop_column("consent_signature")
        batch.drop_column("consent_terms")
        batch.drop_column("status")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("consent_signature")
        batch.drop_column("consent_terms")
    connection = op.get_bind()
    proposals = sa.table("proposals", sa.column("id", sa.Integer()), sa.column("milestones", sa.JSON()))
    for row in connection.execute(sa.select(proposals.c.id, proposals.c.milestones)).all():
        plan = row.milestones if isinstance(row.milestones, list) else json.loads(row.milestones)
        untimed = [{key: value for key, value in m.items() if key != "duration"} for m in plan]
        connection.execute(proposals.update().where(proposals.c.id == row.id).values(milestones=untimed))
    with op.batch_alter_table("settlement_signatures") as batch:
        batch.drop_column("expiry")
    op.drop_index("ix_chain_reputation_pairs_account_b", table_name="chain_reputation_pairs")
    op.drop_table("chain_reputation_pairs")
    with op.batch_alter_table("chain_reputation_escrows") as batch:
        batch.drop_column("pending_effective_at")
        batch.drop_column("pending_allowed")
    with op.batch_alter_table("chain_reputation") as batch:
        batch.drop_column("counterparties")
    with op.batch_alter_table("chain_milestones") as batch:
        batch.drop_column("duration")
    with op.batch_alter_table("chain_jobs") as batch:
        batch.drop_index("ix_chain_jobs_terms_hash")
        batch.drop_column("terms_hash")
