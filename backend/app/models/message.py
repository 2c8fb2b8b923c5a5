"""Threads (one per job post and freelancer), messages, content-addressed attachments, read marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.job_post import ID
from backend.app.models.types import UTCDateTime


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("job_post_id", "freelancer"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    job_post_id: Mapped[int] = mapped_column(ForeignKey("job_posts.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    freelancer: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Attachment(Base):
    """A stored file. The bytes live on disk under their keccak256; several rows may share them."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    keccak: Mapped[str] = mapped_column(String(66), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    uploader: Mapped[str] = mapped_column(ForeignKey("users.address"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(ForeignKey("users.address"))
    body: Mapped[str] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThreadRead(Base):
    """How far a participant has read a thread (unread = later messages from the others)."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(BigInteger)
