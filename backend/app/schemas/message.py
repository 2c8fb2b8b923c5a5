"""Thread, message and attachment shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import CLIENT, DELIVERABLE_HASH, FREELANCER
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import Address

EXAMPLE_ATTACHMENT = {
    "id": 21,
    "filename": "green-leaf-wireframes.pdf",
    "media_type": "application/pdf",
    "size": 482113,
    "keccak": DELIVERABLE_HASH,
    "url": "/api/attachments/21",
}
EXAMPLE_MESSAGES = [
    {
        "id": 12,
        "thread_id": 3,
        "sender": CLIENT,
        "body": "Hi Li Wei, could the wireframes be ready by Friday?",
        "attachment": None,
        "created_at": "2026-11-25T12:04:00Z",
    },
    {
        "id": 13,
        "thread_id": 3,
        "sender": FREELANCER,
        "body": "Here they are: three round variants.",
        "attachment": EXAMPLE_ATTACHMENT,
        "created_at": "2026-11-30T09:55:00Z",
    },
]
EXAMPLE_THREAD = {
    "id": 3,
    "job_post_id": 7,
    "client": CLIENT,
    "freelancer": FREELANCER,
    "participants": [CLIENT, FREELANCER],
    "unread": 1,
    "last_message_at": "2026-11-30T09:55:00Z",
}


class OpenThreadIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"freelancer": FREELANCER}]}, extra="forbid")

    freelancer: Address | None = Field(
        default=None, description="The client names the freelancer (one who sent a proposal); a freelancer omits it."
    )


class MessageIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"body": "Hi Li Wei, could the wireframes be ready by Friday?"}]},
        extra="forbid",
    )

    body: UserText = Field(min_length=1, max_length=10_000)


class AttachmentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    keccak: str = Field(description="keccak256 of the bytes: usable as the milestone's deliverable hash.")
    url: str

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ATTACHMENT]})


class MessageOut(BaseModel):
    id: int
    thread_id: int
    sender: str
    body: str
    attachment: AttachmentOut | None
    created_at: datetime

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLE_MESSAGES})


class ThreadOut(BaseModel):
    id: int
    job_post_id: int
    client: str
    freelancer: str
    participants: list[str]
    unread: int
    last_message_at: datetime

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_THREAD]})


class ThreadPage(BaseModel):
    thread: ThreadOut
    messages: list[MessageOut]
    next_cursor: str | None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"thread": EXAMPLE_THREAD, "messages": EXAMPLE_MESSAGES, "next_cursor": None}]}
    )
