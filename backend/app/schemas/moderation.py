"""Reports and moderation shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import REPORTER, SPAMMER
from backend.app.schemas.text import UserText

TargetKind = Literal["job", "offer", "profile", "message"]


class ReportIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "job", "ref": "12", "reason": "Asks for payment outside the escrow."}]
        },
        extra="forbid",
    )

    kind: TargetKind
    ref: UserText = Field(
        min_length=1, max_length=42, description="Job post, offer or message id, or a profile address."
    )
    reason: UserText = Field(min_length=3, max_length=1_000)


class ReportOut(BaseModel):
    id: int
    reporter: str
    kind: TargetKind
    ref: str
    reason: str
    status: Literal["open", "resolved"]
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "reporter": REPORTER,
                    "kind": "job",
                    "ref": "12",
                    "reason": "Asks for payment outside the escrow.",
                    "status": "open",
                    "created_at": "2026-11-25T12:10:00Z",
                }
            ]
        }
    )


class ModerationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "job", "ref": "12", "reason": "Hidden: asks for payment outside the escrow."}]
        },
        extra="forbid",
    )

    kind: TargetKind
    ref: UserText = Field(min_length=1, max_length=42)
    reason: UserText = Field(min_length=3, max_length=1_000, description="Shown to the content's owner.")


class ModerationActionOut(BaseModel):
    id: int
    kind: TargetKind
    ref: str
    owner: str
    action: Literal["hide", "restore"]
    reason: str
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "kind": "job",
                    "ref": "12",
                    "owner": SPAMMER,
                    "action": "hide",
                    "reason": "Hidden: asks for payment outside the escrow.",
                    "created_at": "2026-11-25T13:00:00Z",
                }
            ]
        }
    )
