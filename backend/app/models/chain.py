"""Projections of on-chain state. Written only by the indexer; the backend reads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.models.base import Base
from backend.app.models.types import UInt256, UTCDateTime


class ChainEvent(Base):
    """Every decoded contract event, once: the source every other chain_* table is rebuilt from."""

    __tablename__ = "chain_events"
    __table_args__ = (UniqueConstraint("chain_id", "block_hash", "log_index"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    block_hash: Mapped[str] = mapped_column(String(66))
    block_time: Mapped[datetime] = mapped_column(UTCDateTime)
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int] = mapped_column(Integer)
    contract: Mapped[str] = mapped_column(String(42))
    event_name: Mapped[str] = mapped_column(String(64))
    args_json: Mapped[str] = mapped_column(Text)


def _job_rows(model: type[Base]) -> object:
    """The join of a job to its rows in another chain_* table (same chain id and job id, no foreign key)."""
    from sqlalchemy import and_
    from sqlalchemy.orm import foreign

    columns = model.__table__.c  # type: ignore[attr-defined]
    return and_(ChainJob.chain_id == foreign(columns.chain_id), ChainJob.job_id == foreign(columns.job_id))


class ChainJob(Base):
    """A job as the escrow contract holds it, with its current terms and its money figures."""

    __tablename__ = "chain_jobs"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42))
    client: Mapped[str] = mapped_column(String(42), index=True)
    freelancer: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    arbiter: Mapped[str] = mapped_column(String(42), index=True)
    arbiter_fee_bps: Mapped[int] = mapped_column(Integer)
    platform_fee_bps: Mapped[int] = mapped_column(Integer)
    review_period: Mapped[int] = mapped_column(BigInteger)  # seconds
    ruling_window: Mapped[int] = mapped_column(BigInteger)  # seconds
    metadata_hash: Mapped[str] = mapped_column(String(66))
    # The job's current Terms (core/escrow_terms.py `Terms.dumps`: JobCreated's, then amended by
    # DeadlineExtended and MilestonesAdded); every escrow call the backend builds presents them.
    terms_json: Mapped[str] = mapped_column(Text)
    terms_hash: Mapped[str] = mapped_column(String(66), index=True)  # their EIP-712 hash: `terms_hash_of(job_id)`
    milestone_count: Mapped[int] = mapped_column(Integer)
    funded_count: Mapped[int] = mapped_column(Integer)
    open_count: Mapped[int] = mapped_column(Integer)  # milestones not closed yet (0: the job ended)
    total: Mapped[int] = mapped_column(UInt256)  # the schedule's sum
    funded: Mapped[int] = mapped_column(UInt256)  # deposited in total
    paid_to_freelancer: Mapped[int] = mapped_column(UInt256)
    refunded_to_client: Mapped[int] = mapped_column(UInt256)
    arbiter_fees: Mapped[int] = mapped_column(UInt256)
    platform_fees: Mapped[int] = mapped_column(UInt256)
    nonce: Mapped[int] = mapped_column(BigInteger)  # the job nonce settlements and amendments are signed at
    status: Mapped[str] = mapped_column(String(16))  # "active" or "ended"
    settled: Mapped[bool] = mapped_column(Boolean)
    cancelled: Mapped[bool] = mapped_column(Boolean)  # the unfunded rest was cancelled
    client_rated: Mapped[bool] = mapped_column(Boolean)
    freelancer_rated: Mapped[bool] = mapped_column(Boolean)
    volume: Mapped[int | None] = mapped_column(UInt256)  # JobEnded.paid: what reached the freelancer, net of fees
    reputation_recorded: Mapped[bool | None] = mapped_column(Boolean)  # JobEnded.recorded
    created_block: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # JobCreated.start: deadlines count from it
    created_tx: Mapped[str] = mapped_column(String(66))
    updated_block: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_tx: Mapped[str | None] = mapped_column(String(66))

    milestones: Mapped[list[ChainMilestone]] = relationship(
        back_populates="job", order_by="ChainMilestone.index", cascade="all, delete-orphan"
    )
    # Read-only views of the job's event rows (the indexer writes them through its own tables).
    fundings: Mapped[list[ChainFunding]] = relationship(
        primaryjoin=lambda: _job_rows(ChainFunding),
        viewonly=True,
        order_by="ChainFunding.block_number",
    )
    disputes: Mapped[list[ChainDispute]] = relationship(
        primaryjoin=lambda: _job_rows(ChainDispute),
        viewonly=True,
        order_by="ChainDispute.milestone",
    )
    ratings: Mapped[list[ChainRating]] = relationship(
        primaryjoin=lambda: _job_rows(ChainRating),
        viewonly=True,
        order_by="ChainRating.rated_at",
    )
    settlement: Mapped[ChainSettlement | None] = relationship(
        primaryjoin=lambda: _job_rows(ChainSettlement),
        viewonly=True,
        uselist=False,
    )


MILESTONE_STATES = (
    "unfunded",
    "funded",
    "submitted",
    "disputed",
    "approved",
    "released",
    "reclaimed",
    "resolved",
    "default_ruled",
    "settled",
    "cancelled",
    "deducted",
)
# States in which a milestone's money has left the escrow (or never came in).
CLOSED_STATES = frozenset(
    ("approved", "released", "reclaimed", "resolved", "default_ruled", "settled", "cancelled", "deducted")
)


class ChainMilestone(Base):
    """One milestone of an on-chain job: its schedule (JobCreated, MilestonesAdded, DeadlineExtended), state, payout."""

    __tablename__ = "chain_milestones"
    __table_args__ = (ForeignKeyConstraint(["chain_id", "job_id"], ["chain_jobs.chain_id", "chain_jobs.job_id"]),)

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(UInt256)
    duration: Mapped[int] = mapped_column(BigInteger)  # seconds from the job's start, as in the terms
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)  # the job's start + duration
    state: Mapped[str] = mapped_column(String(16))  # one of MILESTONE_STATES
    deliverable_hash: Mapped[str | None] = mapped_column(String(66))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ruling_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disputed_by: Mapped[str | None] = mapped_column(String(42))
    ruling_bps: Mapped[int | None] = mapped_column(Integer)
    to_freelancer: Mapped[int | None] = mapped_column(UInt256)
    to_client: Mapped[int | None] = mapped_column(UInt256)
    arbiter_fee: Mapped[int | None] = mapped_column(UInt256)
    platform_fee: Mapped[int | None] = mapped_column(UInt256)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_tx: Mapped[str | None] = mapped_column(String(66))

    job: Mapped[ChainJob] = relationship(back_populates="milestones")


class ChainFunding(Base):
    """A deposit into a job: the initial funding of JobCreated (when not zero) or a JobFunded."""

    __tablename__ = "chain_fundings"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, index=True)
    funder: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(UInt256)
    first_milestone: Mapped[int] = mapped_column(Integer)
    funded_count: Mapped[int] = mapped_column(Integer)  # milestones [first_milestone, funded_count) were funded
    block_number: Mapped[int] = mapped_column(BigInteger)
    funded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChainCredit(Base):
    """A payout the recipient could not receive, credited to it instead (job 0: a fee collection)."""

    __tablename__ = "chain_credits"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(UInt256)
    block_number: Mapped[int] = mapped_column(BigInteger)
    credited_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChainWithdrawal(Base):
    """A withdrawal of an account's whole credit of a token, to `to`."""

    __tablename__ = "chain_withdrawals"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    to: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(UInt256)
    block_number: Mapped[int] = mapped_column(BigInteger)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChainCreditBalance(Base):
    """Credits of an account in a token: outstanding = credited - withdrawn (the contract's `credits`)."""

    __tablename__ = "chain_credit_balances"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    credited: Mapped[int] = mapped_column(UInt256)
    withdrawn: Mapped[int] = mapped_column(UInt256)


class ChainDispute(Base):
    """A dispute of one milestone and how it ended: ruled by the arbiter, default ruling, or settled."""

    __tablename__ = "chain_disputes"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    milestone: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_by: Mapped[str] = mapped_column(String(42), index=True)
    opened_by_role: Mapped[str] = mapped_column(String(16))  # "client" or "freelancer"
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_tx: Mapped[str] = mapped_column(String(66))
    ruling_end: Mapped[datetime] = mapped_column(UTCDateTime)
    # None (open), "resolved", "default_ruled", "settled", "deducted" (accepted with a deduction)
    outcome: Mapped[str | None] = mapped_column(String(16))
    ruled_by: Mapped[str | None] = mapped_column(String(42))
    freelancer_bps: Mapped[int | None] = mapped_column(Integer)
    to_freelancer: Mapped[int | None] = mapped_column(UInt256)
    to_client: Mapped[int | None] = mapped_column(UInt256)
    arbiter_fee: Mapped[int | None] = mapped_column(UInt256)
    platform_fee: Mapped[int | None] = mapped_column(UInt256)
    winner: Mapped[str | None] = mapped_column(String(16))  # "client", "freelancer" (ruling above 50%) or None
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_tx: Mapped[str | None] = mapped_column(String(66))


class ChainSettlement(Base):
    """A job ended early by the split both parties signed."""

    __tablename__ = "chain_settlements"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nonce: Mapped[int] = mapped_column(BigInteger)  # the nonce the parties signed
    freelancer_bps: Mapped[int] = mapped_column(Integer)
    to_freelancer: Mapped[int] = mapped_column(UInt256)
    to_client: Mapped[int] = mapped_column(UInt256)
    platform_fee: Mapped[int] = mapped_column(UInt256)
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_tx: Mapped[str] = mapped_column(String(66))


class ChainRating(Base):
    """A party's rating of the other after the job ended (escrow `JobRated`)."""

    __tablename__ = "chain_ratings"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    rater: Mapped[str] = mapped_column(String(42), primary_key=True)
    subject: Mapped[str] = mapped_column(String(42), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment_hash: Mapped[str] = mapped_column(String(66))
    escrow: Mapped[str] = mapped_column(String(42))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rated_tx: Mapped[str] = mapped_column(String(66))


class ChainReputationJob(Base):
    """An ended job as the Reputation contract recorded it (`JobRecorded`), with the escrow that wrote it."""

    __tablename__ = "chain_reputation_jobs"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42), primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client: Mapped[str] = mapped_column(String(42), index=True)
    freelancer: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    volume: Mapped[int] = mapped_column(UInt256)
    client_disputes_opened: Mapped[int] = mapped_column(Integer)
    freelancer_disputes_opened: Mapped[int] = mapped_column(Integer)
    client_disputes_won: Mapped[int] = mapped_column(Integer)
    freelancer_disputes_won: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_tx: Mapped[str] = mapped_column(String(66))


class ChainReputation(Base):
    """An address's record in the Reputation contract (its `stats` view), summed over every escrow."""

    __tablename__ = "chain_reputation"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    jobs_as_client: Mapped[int] = mapped_column(BigInteger)
    jobs_as_freelancer: Mapped[int] = mapped_column(BigInteger)
    disputes_opened: Mapped[int] = mapped_column(BigInteger)
    disputes_won: Mapped[int] = mapped_column(BigInteger)
    disputes_lost: Mapped[int] = mapped_column(BigInteger)
    rating_count: Mapped[int] = mapped_column(BigInteger)
    rating_sum: Mapped[int] = mapped_column(BigInteger)
    counterparties: Mapped[int] = mapped_column(BigInteger)  # distinct addresses it completed a paid job with
    last_escrow: Mapped[str] = mapped_column(String(42))  # the escrow that wrote last
    updated_block: Mapped[int] = mapped_column(BigInteger)


class ChainReputationVolume(Base):
    """What an address paid as client and was paid as freelancer in a token (the `volume` view)."""

    __tablename__ = "chain_reputation_volumes"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    as_client: Mapped[int] = mapped_column(UInt256)
    as_freelancer: Mapped[int] = mapped_column(UInt256)


class ChainReputationPair(Base):
    """Completed (paid) jobs between two addresses in either role (the `jobs_together` view); a < b."""

    __tablename__ = "chain_reputation_pairs"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_a: Mapped[str] = mapped_column(String(42), primary_key=True)  # the lower address as a number
    account_b: Mapped[str] = mapped_column(String(42), primary_key=True, index=True)
    jobs: Mapped[int] = mapped_column(BigInteger)


class ChainReputationEscrow(Base):
    """An escrow that may write to the Reputation contract (named at deployment or after an announced change),
    and the change announced for it, if any (the `pending_escrow_change` view)."""

    __tablename__ = "chain_reputation_escrows"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reputation: Mapped[str] = mapped_column(String(42), primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42), primary_key=True)
    registered: Mapped[bool] = mapped_column(Boolean)
    pending_allowed: Mapped[bool | None] = mapped_column(Boolean)  # EscrowChangeAnnounced.allowed, until applied
    pending_effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_block: Mapped[int] = mapped_column(BigInteger)


class ChainContractOwner(Base):
    """The owner (and pending owner of a two-step transfer) of a followed contract."""

    __tablename__ = "chain_contract_owners"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contract: Mapped[str] = mapped_column(String(42), primary_key=True)
    owner: Mapped[str] = mapped_column(String(42))
    pending_owner: Mapped[str | None] = mapped_column(String(42))
    updated_block: Mapped[int] = mapped_column(BigInteger)


class ChainEscrowSettings(Base):
    """The escrow's admin settings: the platform fee for new jobs, its recipient, the pause flag."""

    __tablename__ = "chain_escrow_settings"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42), primary_key=True)
    platform_fee_bps: Mapped[int] = mapped_column(Integer)
    fee_recipient: Mapped[str | None] = mapped_column(String(42))
    paused: Mapped[bool] = mapped_column(Boolean)
    updated_block: Mapped[int] = mapped_column(BigInteger)


class ChainEscrowFees(Base):
    """Platform fees per token: accrued (collectable) and collected; accrued - collected = `fees_accrued`."""

    __tablename__ = "chain_escrow_fees"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    accrued: Mapped[int] = mapped_column(UInt256)
    collected: Mapped[int] = mapped_column(UInt256)


class ChainBlock(Base):
    """A recent block the indexer has projected: its hash and parent, to find the fork point of a reorg.

    Only the unfinalized window is kept (the indexer prunes blocks older than its finality depth).
    """

    __tablename__ = "chain_blocks"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_hash: Mapped[str] = mapped_column(String(66))
    parent_hash: Mapped[str] = mapped_column(String(66))


class IndexerCheckpoint(Base):
    """The last block the indexer fully projected, per chain (committed with its batch)."""

    __tablename__ = "indexer_checkpoints"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
