"""Search: one results contract for both engines."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class SearchHit(BaseModel):
    kind: Literal["job", "profile"]
    ref: str = Field(description="The job post id, or the profile's address.")
    title: str
    snippet: str = Field(description="HTML-escaped text around the matches, each match wrapped in <mark>.")
    score: float = Field(description="Higher is better; comparable within one result list only.")
    skills: list[str]
    budget: str | None
    token: str | None
    status: str
    posted_at: datetime


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
