"""The notifications feed: off-chain actions and indexed on-chain events in one list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

EXAMPLE_NOTIFICATIONS = [
    {
        "source": "chain",
        "kind": "milestone_paid",
        "text": "Milestone 1 of job #1 paid: 396 jUSD",
        "link": "/api/jobs/1",
        "at": "2026-12-01T09:00:00Z",
        "unread": False,
    },
    {
        "source": "app",
        "kind": "proposal_accepted",
        "text": "Chen Jie accepted your proposal on “Logo for a tea shop”",
        "link": "/api/proposals/70",
        "at": "2026-11-25T12:00:00Z",
        "unread": True,
    },
]


class NotificationOut(BaseModel):
    source: Literal["app", "chain"]
    kind: str
    text: str
    link: str
    at: datetime
    unread: bool

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLE_NOTIFICATIONS})


class NotificationFeed(BaseModel):
    unread: int
    items: list[NotificationOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{"unread": 1, "items": EXAMPLE_NOTIFICATIONS}]})
