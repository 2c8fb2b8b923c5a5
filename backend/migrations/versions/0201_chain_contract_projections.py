"""chain projections of the escrow and reputation contracts (the new ABI)

Every projection of the complete contracts: jobs with their terms and money figures, milestones
with their states and timestamps, fundings, credits and withdrawals, disputes and rulings,
settlements, ratings, the reputation record, escrow settings and fees. The raw events of the
previous ABI cannot be decoded with the new one, so this revision forgets them (and the
checkpoint): the indexer reads the new deployment from its start block.

Revision ID: 0201
Revises: 0200
Create Date: 2026-11-25 09:50:56.624175
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.app.models.types

revision: str = "0201"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FORGET = ("chain_milestones", "chain_jobs", "chain_events", "chain_blocks", "indexer_checkpoints")


def upgrade() -> None:
    for table in FORGET:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.create_table(
        "chain_contract_owners",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("pending_owner", sa.String(length=42), nullable=True),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", name=op.f("pk_chain_contract_owners")),
    )
    op.create_table(
        "chain_credit_balances",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("credited", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("withdrawn", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "account", "token", name=op.f("pk_chain_credit_balances")),
    )
    op.create_table(
        "chain_credits",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("credited_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index", name=op.f("pk_chain_credits")),
    )
    with op.batch_alter_table("chain_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_credits_account"), ["account"], unique=False)

    op.create_table(
        "chain_disputes",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("milestone", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=42), nullable=False),
        sa.Column("opened_by_role", sa.String(length=16), nullable=False),
        sa.Column("opened_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_tx", sa.String(length=66), nullable=False),
        sa.Column("ruling_end", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("ruled_by", sa.String(length=42), nullable=True),
        sa.Column("freelancer_bps", sa.Integer(), nullable=True),
        sa.Column("to_freelancer", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True),
        sa.Column("to_client", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True),
        sa.Column("arbiter_fee", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True),
        sa.Column("platform_fee", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True),
        sa.Column("winner", sa.String(length=16), nullable=True),
        sa.Column("closed_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_tx", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("chain_id", "job_id", "milestone", name=op.f("pk_chain_disputes")),
    )
    with op.batch_alter_table("chain_disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_disputes_opened_by"), ["opened_by"], unique=False)

    op.create_table(
        "chain_escrow_fees",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("escrow", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("accrued", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("collected", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "escrow", "token", name=op.f("pk_chain_escrow_fees")),
    )
    op.create_table(
        "chain_escrow_settings",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("escrow", sa.String(length=42), nullable=False),
        sa.Column("platform_fee_bps", sa.Integer(), nullable=False),
        sa.Column("fee_recipient", sa.String(length=42), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "escrow", name=op.f("pk_chain_escrow_settings")),
    )
    op.create_table(
        "chain_fundings",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("funder", sa.String(length=42), nullable=False),
        sa.Column("amount", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("first_milestone", sa.Integer(), nullable=False),
        sa.Column("funded_count", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("funded_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index", name=op.f("pk_chain_fundings")),
    )
    with op.batch_alter_table("chain_fundings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_fundings_job_id"), ["job_id"], unique=False)

    op.create_table(
        "chain_ratings",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("rater", sa.String(length=42), nullable=False),
        sa.Column("subject", sa.String(length=42), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment_hash", sa.String(length=66), nullable=False),
        sa.Column("escrow", sa.String(length=42), nullable=False),
        sa.Column("rated_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rated_tx", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "job_id", "rater", name=op.f("pk_chain_ratings")),
    )
    with op.batch_alter_table("chain_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_ratings_subject"), ["subject"], unique=False)

    op.create_table(
        "chain_reputation",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("jobs_as_client", sa.BigInteger(), nullable=False),
        sa.Column("jobs_as_freelancer", sa.BigInteger(), nullable=False),
        sa.Column("disputes_opened", sa.BigInteger(), nullable=False),
        sa.Column("disputes_won", sa.BigInteger(), nullable=False),
        sa.Column("disputes_lost", sa.BigInteger(), nullable=False),
        sa.Column("rating_count", sa.BigInteger(), nullable=False),
        sa.Column("rating_sum", sa.BigInteger(), nullable=False),
        sa.Column("last_escrow", sa.String(length=42), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "account", name=op.f("pk_chain_reputation")),
    )
    op.create_table(
        "chain_reputation_escrows",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("reputation", sa.String(length=42), nullable=False),
        sa.Column("escrow", sa.String(length=42), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "reputation", "escrow", name=op.f("pk_chain_reputation_escrows")),
    )
    op.create_table(
        "chain_reputation_jobs",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("escrow", sa.String(length=42), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("client", sa.String(length=42), nullable=False),
        sa.Column("freelancer", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("volume", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("client_disputes_opened", sa.Integer(), nullable=False),
        sa.Column("freelancer_disputes_opened", sa.Integer(), nullable=False),
        sa.Column("client_disputes_won", sa.Integer(), nullable=False),
        sa.Column("freelancer_disputes_won", sa.Integer(), nullable=False),
        sa.Column("recorded_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_tx", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "escrow", "job_id", name=op.f("pk_chain_reputation_jobs")),
    )
    with op.batch_alter_table("chain_reputation_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_reputation_jobs_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_reputation_jobs_freelancer"), ["freelancer"], unique=False)

    op.create_table(
        "chain_reputation_volumes",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("as_client", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("as_freelancer", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "account", "token", name=op.f("pk_chain_reputation_volumes")),
    )
    op.create_table(
        "chain_settlements",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("freelancer_bps", sa.Integer(), nullable=False),
        sa.Column("to_freelancer", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("to_client", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("platform_fee", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("settled_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_tx", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "job_id", name=op.f("pk_chain_settlements")),
    )
    op.create_table(
        "chain_withdrawals",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("to", sa.String(length=42), nullable=False),
        sa.Column("amount", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("withdrawn_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index", name=op.f("pk_chain_withdrawals")),
    )
    with op.batch_alter_table("chain_withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_withdrawals_account"), ["account"], unique=False)

    with op.batch_alter_table("chain_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arbiter", sa.String(length=42), nullable=False))
        batch_op.add_column(sa.Column("arbiter_fee_bps", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("platform_fee_bps", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("review_period", sa.BigInteger(), nullable=False))
        batch_op.add_column(sa.Column("ruling_window", sa.BigInteger(), nullable=False))
        batch_op.add_column(sa.Column("terms_json", sa.Text(), nullable=False))
        batch_op.add_column(sa.Column("milestone_count", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("funded_count", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("open_count", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("total", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False))
        batch_op.add_column(
            sa.Column("paid_to_freelancer", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False)
        )
        batch_op.add_column(
            sa.Column("refunded_to_client", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False)
        )
        batch_op.add_column(
            sa.Column("arbiter_fees", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False)
        )
        batch_op.add_column(
            sa.Column("platform_fees", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False)
        )
        batch_op.add_column(sa.Column("nonce", sa.BigInteger(), nullable=False))
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column("settled", sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column("cancelled", sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column("client_rated", sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column("freelancer_rated", sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column("volume", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True))
        batch_op.add_column(sa.Column("reputation_recorded", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_tx", sa.String(length=66), nullable=True))
        batch_op.create_index(batch_op.f("ix_chain_jobs_arbiter"), ["arbiter"], unique=False)
        batch_op.drop_column("paid")

    with op.batch_alter_table("chain_milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", backend.app.models.types.UTCDateTime(timezone=True), nullable=False))
        batch_op.add_column(sa.Column("deliverable_hash", sa.String(length=66), nullable=True))
        batch_op.add_column(
            sa.Column("submitted_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("review_end", backend.app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ruling_end", backend.app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disputed_by", sa.String(length=42), nullable=True))
        batch_op.add_column(sa.Column("ruling_bps", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("to_freelancer", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True)
        )
        batch_op.add_column(
            sa.Column("to_client", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True)
        )
        batch_op.add_column(
            sa.Column("arbiter_fee", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True)
        )
        batch_op.add_column(
            sa.Column("platform_fee", backend.app.models.types.UInt256(precision=78, scale=0), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_tx", sa.String(length=66), nullable=True))
        batch_op.drop_column("released_tx")
        batch_op.drop_column("released_at")


def downgrade() -> None:
    for table in FORGET:
        op.execute(sa.text(f"DELETE FROM {table}"))
    with op.batch_alter_table("chain_milestones", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("released_at", backend.app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("released_tx", sa.String(length=66), nullable=True))
        batch_op.drop_column("closed_tx")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("platform_fee")
        batch_op.drop_column("arbiter_fee")
        batch_op.drop_column("to_client")
        batch_op.drop_column("to_freelancer")
        batch_op.drop_column("ruling_bps")
        batch_op.drop_column("disputed_by")
        batch_op.drop_column("ruling_end")
        batch_op.drop_column("review_end")
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("deliverable_hash")
        batch_op.drop_column("deadline")

    with op.batch_alter_table("chain_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid", backend.app.models.types.UInt256(precision=78, scale=0), nullable=False))
        batch_op.drop_index(batch_op.f("ix_chain_jobs_arbiter"))
        batch_op.drop_column("ended_tx")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("reputation_recorded")
        batch_op.drop_column("volume")
        batch_op.drop_column("freelancer_rated")
        batch_op.drop_column("client_rated")
        batch_op.drop_column("cancelled")
        batch_op.drop_column("settled")
        batch_op.drop_column("status")
        batch_op.drop_column("nonce")
        batch_op.drop_column("platform_fees")
        batch_op.drop_column("arbiter_fees")
        batch_op.drop_column("refunded_to_client")
        batch_op.drop_column("paid_to_freelancer")
        batch_op.drop_column("total")
        batch_op.drop_column("open_count")
        batch_op.drop_column("funded_count")
        batch_op.drop_column("milestone_count")
        batch_op.drop_column("terms_json")
        batch_op.drop_column("ruling_window")
        batch_op.drop_column("review_period")
        batch_op.drop_column("platform_fee_bps")
        batch_op.drop_column("arbiter_fee_bps")
        batch_op.drop_column("arbiter")

    with op.batch_alter_table("chain_withdrawals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_withdrawals_account"))

    op.drop_table("chain_withdrawals")
    op.drop_table("chain_settlements")
    op.drop_table("chain_reputation_volumes")
    with op.batch_alter_table("chain_reputation_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_reputation_jobs_freelancer"))
        batch_op.drop_index(batch_op.f("ix_chain_reputation_jobs_client"))

    op.drop_table("chain_reputation_jobs")
    op.drop_table("chain_reputation_escrows")
    op.drop_table("chain_reputation")
    with op.batch_alter_table("chain_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_ratings_subject"))

    op.drop_table("chain_ratings")
    with op.batch_alter_table("chain_fundings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_fundings_job_id"))

    op.drop_table("chain_fundings")
    op.drop_table("chain_escrow_settings")
    op.drop_table("chain_escrow_fees")
    with op.batch_alter_table("chain_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_disputes_opened_by"))

    op.drop_table("chain_disputes")
    with op.batch_alter_table("chain_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_credits_account"))

    op.drop_table("chain_credits")
    op.drop_table("chain_credit_balances")
    op.drop_table("chain_contract_owners")
