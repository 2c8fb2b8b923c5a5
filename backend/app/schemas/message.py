"""Thread, message and attachment shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.tx import Address


class OpenThreadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    freelancer: Address | None = Field(
        default=None, description="The client names the freelancer (one who sent a proposal); a freelancer omits it."
    )


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=10_000)


class AttachmentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    keccak: str = Field(description="keccak256 of the bytes: usable as the milestone's deliverable hash.")
    url: str


class MessageOut(BaseModel):
    id: int
    thread_id: int
    sender: str
    body: str
    attachment: AttachmentOut | None
    created_at: datetime


class ThreadOut(BaseModel):
    id: int
    job_post_id: int
    client: str
    freelancer: str
    participants: list[str]
    unread: int
    last_message_at: datetime


class ThreadPage(BaseModel):
    thread: ThreadOut
    messages: list[MessageOut]
    next_cursor: str | None
