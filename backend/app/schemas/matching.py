"""Recommendations, each with its explanation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import FREELANCER

EXAMPLE_WHY = [
    {
        "name": "skills",
        "value": 1.0,
        "weight": 0.5,
        "contribution": 0.5,
        "detail": "proven on-chain: logo-design (of 1 wanted)",
    },
    {
        "name": "text",
        "value": 0.62,
        "weight": 0.2,
        "contribution": 0.124,
        "detail": "meaning 62% alike; shared words: logo, tea",
    },
    {
        "name": "record",
        "value": 0.47,
        "weight": 0.2,
        "contribution": 0.094,
        "detail": "3 paid jobs on-chain; rated 4.7/5",
    },
    {"name": "availability", "value": 1.0, "weight": 0.1, "contribution": 0.1, "detail": "available"},
]


class MatchComponent(BaseModel):
    name: Literal["skills", "text", "record", "availability"]
    value: float = Field(ge=0, le=1)
    weight: float
    contribution: float = Field(description="value × weight; the contributions add up to the score.")
    detail: str

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_WHY[0]]})


class MatchOut(BaseModel):
    kind: Literal["job", "profile"]
    ref: str = Field(description="The job post id, or the profile's address.")
    title: str
    score: float
    why: list[MatchComponent]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "profile", "ref": FREELANCER, "title": "Li Wei", "score": 0.818, "why": EXAMPLE_WHY},
                {"kind": "job", "ref": "7", "title": "Logo for a tea shop", "score": 0.818, "why": EXAMPLE_WHY},
            ]
        }
    )
