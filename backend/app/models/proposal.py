"""Proposals (a freelancer applies to a job post) and service offers (a freelancer's packaged service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.models.base import Base
from backend.app.models.job_post import ID
from backend.app.models.types import UInt256, UTCDateTime


class Proposal(Base):
    """`submitted` → `shortlisted` → `accepted` | `declined`; the freelancer may `withdraw` before acceptance."""

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("job_post_id", "freelancer"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    job_post_id: Mapped[int] = mapped_column(ForeignKey("job_posts.id", ondelete="CASCADE"), index=True)
    freelancer: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    cover_letter: Mapped[str] = mapped_column(Text)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # {title, amount, duration (s from the start)}
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The freelancer's consent: the escrow Terms the client creates on accepting (`Terms.dumps`) and the
    # freelancer's EIP-712 signature of them; None until signed.
    consent_terms: Mapped[str | None] = mapped_column(Text)
    consent_signature: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceOffer(Base):
    """A freelancer's packaged service with up to three tiers; `active` or `closed`."""

    __tablename__ = "service_offers"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    freelancer: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(ForeignKey("categories.slug"), index=True)
    token: Mapped[str] = mapped_column(String(42))
    status: Mapped[str] = mapped_column(String(16), index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    skills: Mapped[list[OfferSkill]] = relationship(
        order_by="OfferSkill.tag", cascade="all, delete-orphan", lazy="selectin"
    )
    tiers: Mapped[list[OfferTier]] = relationship(
        order_by="OfferTier.position", cascade="all, delete-orphan", lazy="selectin"
    )


class OfferSkill(Base):
    __tablename__ = "offer_skills"

    offer_id: Mapped[int] = mapped_column(ForeignKey("service_offers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class OfferTier(Base):
    __tablename__ = "offer_tiers"

    offer_id: Mapped[int] = mapped_column(ForeignKey("service_offers.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    price: Mapped[int] = mapped_column(UInt256)
    delivery_days: Mapped[int] = mapped_column(Integer)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class OfferOrder(Base):
    """A client ordered a tier: the listing that the escrow job's metadata hash commits to.

    `ordered` until the freelancer accepts it by signing the escrow Terms (`consent_terms`,
    `consent_signature`); then `accepted`, and the client can create and fund the job.
    """

    __tablename__ = "offer_orders"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("service_offers.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    client: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    canonical_json: Mapped[str] = mapped_column(Text)
    metadata_hash: Mapped[str] = mapped_column(String(66), index=True)
    status: Mapped[str] = mapped_column(String(16))  # "ordered" or "accepted"
    consent_terms: Mapped[str | None] = mapped_column(Text)
    consent_signature: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    skills: Mapped[list[OfferOrderSkill]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class OfferOrderSkill(Base):
    """The offer's tags as ordered (the offer may be edited later; the order's hash commits to these)."""

    __tablename__ = "offer_order_skills"

    order_id: Mapped[int] = mapped_column(ForeignKey("offer_orders.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
