"""Recommendations, each with its explanation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class MatchComponent(BaseModel):
    name: Literal["skills", "text", "record", "availability"]
    value: float = Field(ge=0, le=1)
    weight: float
    contribution: float = Field(description="value × weight; the contributions add up to the score.")
    detail: str


class MatchOut(BaseModel):
    kind: Literal["job", "profile"]
    ref: str
    title: str
    score: float
    why: list[MatchComponent]
