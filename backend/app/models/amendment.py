"""Amendment signatures collected off-chain: one party's EIP-712 signature of an amendment to a job
(`ExtendDeadline`, `AddMilestones`, `Deduction`), waiting for the other party to agree by sending it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.types import UTCDateTime


class AmendmentSignature(Base):
    """A party's signature of an amendment at the job's nonce: good for that state of the job until `expiry`.

    One per job, nonce, kind and signer (signing again replaces it); the escrow takes it from the other party,
    who agrees by sending the transaction.
    """

    __tablename__ = "amendment_signatures"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nonce: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # extend_deadline | add_milestones | deduction
    signer: Mapped[str] = mapped_column(String(42), primary_key=True)
    # The signed message's own fields (besides jobId, nonce and expiry), as canonical JSON: what the other party
    # restates to agree, e.g. {"milestone":0,"newDuration":1814400}
    message_json: Mapped[str] = mapped_column(Text)
    expiry: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
