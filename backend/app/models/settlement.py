"""Settlement signatures collected off-chain until both parties have signed the same split."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.types import UTCDateTime


class SettlementSignature(Base):
    """One party's EIP-712 signature of `Settlement(jobId, freelancerBps, nonce, expiry)`."""

    __tablename__ = "settlement_signatures"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nonce: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    freelancer_bps: Mapped[int] = mapped_column(Integer, primary_key=True)
    signer: Mapped[str] = mapped_column(String(42), primary_key=True)
    expiry: Mapped[int] = mapped_column(BigInteger)  # unix seconds: the signature settles until then, inclusive
    signature: Mapped[str] = mapped_column(String(132))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
