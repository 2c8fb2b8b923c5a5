"""User reports and moderators' actions (off-chain only: moderators never touch on-chain state)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.models.base import Base
from backend.app.models.job_post import ID
from backend.app.models.types import UTCDateTime


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("reporter", "target_kind", "target_ref"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    reporter: Mapped[str] = mapped_column(ForeignKey("users.address"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # job | offer | profile | message
    target_ref: Mapped[str] = mapped_column(String(42))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | resolved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(42))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModerationAction(Base):
    """A hide or restore, with the reason its owner is shown."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    moderator: Mapped[str] = mapped_column(String(42))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_ref: Mapped[str] = mapped_column(String(42))
    owner: Mapped[str] = mapped_column(String(42), index=True)
    action: Mapped[str] = mapped_column(String(16))  # hide | restore
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
