"""The salts of the freelancers' consents the app keeps: one row per (freelancer, salt), so two of one
freelancer's consents never share a salt (the escrow creates one job per pair, `consent_used`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.types import UInt256


class ConsentSalt(Base):
    """The salt a kept consent holds: a proposal's (`proposal_id`) or an accepted offer order's (`order_id`).

    A row holds its salt while its consent is still usable (services/consent_salts.py says when: its holder can
    still be hired from and its offer has not expired); a stale row is replaced by the next consent that takes
    the salt. The primary key is what refuses a second consent with the same salt, however they race.
    """

    __tablename__ = "consent_salts"
    __table_args__ = (CheckConstraint("(proposal_id IS NULL) <> (order_id IS NULL)", name="one_holder"),)

    freelancer: Mapped[str] = mapped_column(String(42), primary_key=True)  # the signer, checksummed
    salt: Mapped[int] = mapped_column(UInt256, primary_key=True)
    offer_expiry: Mapped[int] = mapped_column(BigInteger)  # the consent's: it creates no job after this
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("offer_orders.id", ondelete="CASCADE"), unique=True)
