"""The notifications feed: off-chain actions and indexed on-chain events in one list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class NotificationOut(BaseModel):
    source: Literal["app", "chain"]
    kind: str
    text: str
    link: str
    at: datetime
    unread: bool


class NotificationFeed(BaseModel):
    unread: int
    items: list[NotificationOut]
