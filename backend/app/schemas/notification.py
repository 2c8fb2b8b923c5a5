"""The notifications feed: off-chain actions and indexed on-chain events in one list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class NotificationOut(BaseModel):
    source: Literal["app", "chain"]
    kind: str
    text: str
    link: str
    at: datetime
    unread: bool

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "app",
                    "kind": "proposal_accepted",
                    "text": "Chen Jie accepted your proposal on “Logo for a tea shop”",
                    "link": "/jobs/7",
                    "at": "2026-11-25T12:20:00Z",
                    "unread": True,
                }
            ]
        }
    )


class NotificationFeed(BaseModel):
    unread: int
    items: list[NotificationOut]
