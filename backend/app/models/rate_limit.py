"""Rate-limit hits, for API processes that count one limit together (JIEDAN_RATE_LIMIT_STORE=database)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base

ID = BigInteger().with_variant(Integer(), "sqlite")


class RateLimitHit(Base):
    """One counted request of one client in one bucket (core/rate_limit.py): `at` is wall-clock seconds, so
    that every process reads the same window. Rows older than the window are deleted as the limiter goes."""

    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(32))
    client: Mapped[str] = mapped_column(String(80))
    at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_rate_limit_hits_bucket_client_at", "bucket", "client", "at"),)
