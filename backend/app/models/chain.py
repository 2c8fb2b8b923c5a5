"""Projections of on-chain state. Written only by the indexer; the backend reads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, String, Text, UniqueConstraint
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


class ChainJob(Base):
    """A job as the escrow contract holds it."""

    __tablename__ = "chain_jobs"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    escrow: Mapped[str] = mapped_column(String(42))
    client: Mapped[str] = mapped_column(String(42), index=True)
    freelancer: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    metadata_hash: Mapped[str] = mapped_column(String(66))
    funded: Mapped[int] = mapped_column(UInt256)
    paid: Mapped[int] = mapped_column(UInt256)
    created_block: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_tx: Mapped[str] = mapped_column(String(66))
    updated_block: Mapped[int] = mapped_column(BigInteger)

    milestones: Mapped[list[ChainMilestone]] = relationship(
        back_populates="job", order_by="ChainMilestone.index", cascade="all, delete-orphan"
    )


class ChainMilestone(Base):
    """One milestone of an on-chain job and its state (`funded` or `released`)."""

    __tablename__ = "chain_milestones"
    __table_args__ = (ForeignKeyConstraint(["chain_id", "job_id"], ["chain_jobs.chain_id", "chain_jobs.job_id"]),)

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(UInt256)
    state: Mapped[str] = mapped_column(String(16))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_tx: Mapped[str | None] = mapped_column(String(66))

    job: Mapped[ChainJob] = relationship(back_populates="milestones")


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
