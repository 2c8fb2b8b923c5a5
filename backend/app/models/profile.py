"""Profiles (off-chain, written by their owner) and the categories jobs and offers are filed under."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.models.base import Base
from backend.app.models.types import UInt256, UTCDateTime


class Category(Base):
    """A vertical niche (development, design, …); seeded by migration."""

    __tablename__ = "categories"

    slug: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class Profile(Base):
    """What a wallet says about itself. The on-chain record is never stored here."""

    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_hidden", "hidden", "address"),)  # covering: matching reads hidden ones

    address: Mapped[str] = mapped_column(ForeignKey("users.address", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    bio: Mapped[str] = mapped_column(Text)
    hourly_rate: Mapped[int | None] = mapped_column(UInt256)
    rate_token: Mapped[str | None] = mapped_column(String(42))
    links: Mapped[list[str]] = mapped_column(JSON)
    availability: Mapped[str] = mapped_column(String(16))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    embedding: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True
    )  # services/embeddings.py: the text's meaning, for matching

    skills: Mapped[list[ProfileSkill]] = relationship(
        order_by="ProfileSkill.tag", cascade="all, delete-orphan", lazy="selectin"
    )


class ProfileSkill(Base):
    __tablename__ = "profile_skills"

    address: Mapped[str] = mapped_column(ForeignKey("profiles.address", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
