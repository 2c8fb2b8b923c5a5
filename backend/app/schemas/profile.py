"""Profile, on-chain record and category shapes. Input models forbid unknown fields (no mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from backend.app.schemas.examples import FREELANCER, TOKEN
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import Address, Amount

Availability = Literal["available", "limited", "unavailable"]

EXAMPLE_EARNED = {"token": TOKEN, "amount": "2400000000"}
EXAMPLE_RECORD = {
    "jobs_done": 3,
    "jobs_active": 1,
    "earned": [EXAMPLE_EARNED],
    "jobs_as_client": 0,
    "spent": [],
    "disputes": 0,
    "disputes_won": 0,
    "disputes_lost": 0,
    "rating_count": 3,
    "rating_average": 4.7,
    "counterparties": 2,
}
EXAMPLE_PROVEN_SKILL = {"tag": "logo-design", "jobs": 3}


class CategoryOut(BaseModel):
    slug: str
    name: str

    model_config = ConfigDict(json_schema_extra={"examples": [{"slug": "design", "name": "Design"}]})


class ProfileIn(BaseModel):
    """What the owner may set. Reputation, proven skills and volume are not here: they come from the chain."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "display_name": "Li Wei",
                    "bio": "Brand designer. **Tea** packaging and logos.",
                    "skills": ["logo-design", "ui-design"],
                    "hourly_rate": "25000000",
                    "rate_token": TOKEN,
                    "links": ["https://example.com/portfolio"],
                    "availability": "available",
                }
            ]
        },
        extra="forbid",
    )

    display_name: UserText = Field(min_length=1, max_length=80, examples=["Li Wei"])
    bio: UserText = Field(default="", max_length=5_000, description="Markdown.")
    skills: list[UserText] = Field(default_factory=list, max_length=20, examples=[["vyper", "ui-design"]])
    hourly_rate: Amount | None = Field(default=None, description="Token base units per hour.")
    rate_token: Address | None = None
    links: list[HttpUrl] = Field(default_factory=list, max_length=10)
    availability: Availability = "available"


class TokenAmount(BaseModel):
    token: str
    amount: str = Field(description="Token base units.")

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_EARNED]})


class OnchainRecord(BaseModel):
    """Read from the indexer's tables only. `None` means the contracts do not record it yet."""

    jobs_done: int = Field(description="Ended jobs as freelancer in which the freelancer was paid.")
    jobs_active: int = Field(description="Jobs as freelancer with funds still in escrow.")
    earned: list[TokenAmount] = Field(description="Paid to this address as freelancer, per token.")
    jobs_as_client: int
    spent: list[TokenAmount] = Field(description="Paid out of this address's jobs as client, per token.")
    disputes: int | None = Field(default=None, description="Disputes the address opened (ended jobs).")
    disputes_won: int | None = None
    disputes_lost: int | None = None
    rating_count: int | None = None
    rating_average: float | None = None
    counterparties: int | None = Field(
        default=None, description="Distinct addresses it completed paid jobs with (the Reputation contract's count)."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})


class ProvenSkill(BaseModel):
    tag: str
    jobs: int = Field(description="Paid jobs whose on-chain metadata hash matches a listing tagged with this skill.")

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROVEN_SKILL]})


class ProfileOut(BaseModel):
    address: str
    display_name: str
    bio: str
    bio_html: str
    skills: list[str]
    proven_skills: list[ProvenSkill]
    hourly_rate: str | None
    rate_token: str | None
    links: list[str]
    availability: Availability
    record: OnchainRecord
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "address": FREELANCER,
                    "display_name": "Li Wei",
                    "bio": "Brand designer. **Tea** packaging and logos.",
                    "bio_html": "<p>Brand designer. <strong>Tea</strong> packaging and logos.</p>\n",
                    "skills": ["logo-design", "ui-design"],
                    "proven_skills": [EXAMPLE_PROVEN_SKILL],
                    "hourly_rate": "25000000",
                    "rate_token": TOKEN,
                    "links": ["https://example.com/portfolio"],
                    "availability": "available",
                    "record": EXAMPLE_RECORD,
                    "updated_at": "2026-11-25T10:00:00Z",
                }
            ]
        }
    )
