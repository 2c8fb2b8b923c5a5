"""Thread, message and attachment shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.text import UserText
from backend.app.schemas.tx import Address


class OpenThreadIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"freelancer": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}]}, extra="forbid"
    )

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


class MessageOut(BaseModel):
    id: int
    thread_id: int
    sender: str
    body: str
    attachment: AttachmentOut | None
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "thread_id": 3,
                    "sender": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "body": "Hi Li Wei, could the wireframes be ready by Friday?",
                    "attachment": None,
                    "created_at": "2026-11-25T12:04:00Z",
                }
            ]
        }
    )


class ThreadOut(BaseModel):
    id: int
    job_post_id: int
    client: str
    freelancer: str
    participants: list[str]
    unread: int
    last_message_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "job_post_id": 7,
                    "client": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "freelancer": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "participants": [
                        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    ],
                    "unread": 1,
                    "last_message_at": "2026-11-25T12:04:00Z",
                }
            ]
        }
    )


class ThreadPage(BaseModel):
    thread: ThreadOut
    messages: list[MessageOut]
    next_cursor: str | None
