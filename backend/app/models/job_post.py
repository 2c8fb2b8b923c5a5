"""Off-chain job listings. Their canonical JSON's keccak is the metadata hash that goes on-chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.models.base import Base
from backend.app.models.types import UInt256, UTCDateTime

ID = BigInteger().with_variant(Integer, "sqlite")


class JobPost(Base):
    """A client's job listing: `draft` → `published` → `hired` | `closed`."""

    __tablename__ = "job_posts"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    client: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)  # Markdown
    description_html: Mapped[str | None] = mapped_column(Text)  # rendered on write (services/markdown.py)
    category: Mapped[str] = mapped_column(ForeignKey("categories.slug"), index=True)
    budget: Mapped[int] = mapped_column(UInt256)
    token: Mapped[str] = mapped_column(String(42))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    canonical_json: Mapped[str] = mapped_column(Text)
    metadata_hash: Mapped[str] = mapped_column(String(66), index=True)
    chain_id: Mapped[int | None] = mapped_column(BigInteger)
    chain_job_id: Mapped[int | None] = mapped_column(BigInteger)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # matching's cache stamp
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    embedding: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True
    )  # services/embeddings.py: the text's meaning, for matching

    skills: Mapped[list[JobPostSkill]] = relationship(
        order_by="JobPostSkill.tag", cascade="all, delete-orphan", lazy="selectin"
    )


class JobPostSkill(Base):
    __tablename__ = "job_post_skills"

    job_post_id: Mapped[int] = mapped_column(ForeignKey("job_posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
