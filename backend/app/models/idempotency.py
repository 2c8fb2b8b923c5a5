"""Idempotency keys: a signed-in caller's POST or PUT, recorded so that a retry replays its answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.types import UTCDateTime


class IdempotencyKey(Base):
    """One `Idempotency-Key` of one caller (core/idempotency.py).

    In progress while `status` is None; completed when the response is stored (statuses below 500 only: a failed
    request leaves no row). `fingerprint` is the sha256 of method, path, query and the body's sha256, known once
    the whole body has been read. Past `expires_at` the key is free again.
    """

    __tablename__ = "idempotency_keys"

    owner: Mapped[str] = mapped_column(String(42), primary_key=True)  # the caller's address
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_idempotency_keys_expires_at", "expires_at"),)
