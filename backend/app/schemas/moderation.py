"""Reports and moderation shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TargetKind = Literal["job", "offer", "profile", "message"]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: TargetKind
    ref: str = Field(min_length=1, max_length=42, description="Job post, offer or message id, or a profile address.")
    reason: str = Field(min_length=3, max_length=1_000)


class ReportOut(BaseModel):
    id: int
    reporter: str
    kind: TargetKind
    ref: str
    reason: str
    status: Literal["open", "resolved"]
    created_at: datetime


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: TargetKind
    ref: str = Field(min_length=1, max_length=42)
    reason: str = Field(min_length=3, max_length=1_000, description="Shown to the content's owner.")


class ModerationActionOut(BaseModel):
    id: int
    kind: TargetKind
    ref: str
    owner: str
    action: Literal["hide", "restore"]
    reason: str
    created_at: datetime
