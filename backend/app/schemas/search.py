"""Search: one results contract for both engines."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import TOKEN

EXAMPLE_HIT = {
    "kind": "job",
    "ref": "7",
    "title": "Logo for a tea shop",
    "snippet": "A round <mark>logo</mark> for **Green Leaf Tea**; vector files.",
    "score": 7.31,
    "skills": ["logo-design"],
    "budget": "1000000000",
    "token": TOKEN,
    "status": "published",
    "posted_at": "2026-11-24T09:05:00Z",
}


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

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_HIT]})


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None = Field(description="Opaque: pass it as `cursor` for the next page; null on the last.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [EXAMPLE_HIT], "next_cursor": "eyJzIjogNy4zMSwgImkiOiA3LCAicCI6IDF9"}]
        }
    )
