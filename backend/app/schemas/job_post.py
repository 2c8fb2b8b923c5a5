"""Off-chain job listing shapes. Status, hash and chain link are never taken from the body."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.chain import EXAMPLE_JOB, JobOut
from backend.app.schemas.examples import CLIENT, JOB_POST_ID, LISTING_CANONICAL_JSON, LISTING_HASH, TOKEN
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import Address, Amount

JobPostStatus = Literal["draft", "published", "hired", "closed"]

EXAMPLE_MILESTONE_PLANS = [
    {"title": "Wireframes", "amount": "400000000"},
    {"title": "Final logo files", "amount": "600000000"},
]
EXAMPLE_JOB_POST = {
    "id": JOB_POST_ID,
    "client": CLIENT,
    "status": "hired",
    "title": "Logo for a tea shop",
    "description": "A round logo for **Green Leaf Tea**; vector files.",
    "description_html": "<p>A round logo for <strong>Green Leaf Tea</strong>; vector files.</p>\n",
    "category": "design",
    "skills": ["logo-design"],
    "budget": "1000000000",
    "token": TOKEN,
    "deadline": "2026-12-20T00:00:00Z",
    "milestones": EXAMPLE_MILESTONE_PLANS,
    "canonical_json": LISTING_CANONICAL_JSON,
    "metadata_hash": LISTING_HASH,
    "chain": EXAMPLE_JOB,
    "hash_mismatch": False,
    "created_at": "2026-11-24T09:00:00Z",
    "updated_at": "2026-11-25T12:00:00Z",
    "published_at": "2026-11-24T09:05:00Z",
}


class MilestonePlan(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Wireframes", "amount": "400000000"}]}, extra="forbid"
    )

    title: UserText = Field(min_length=1, max_length=200, examples=["Wireframes"])
    amount: Amount


class JobPostIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Logo for a tea shop",
                    "description": "A round logo for **Green Leaf Tea**; vector files.",
                    "category": "design",
                    "skills": ["logo-design"],
                    "budget": "1000000000",
                    "token": TOKEN,
                    "deadline": "2026-12-20T00:00:00Z",
                    "milestones": EXAMPLE_MILESTONE_PLANS,
                }
            ]
        },
        extra="forbid",
    )

    title: UserText = Field(min_length=3, max_length=200, examples=["Logo for a tea shop"])
    description: UserText = Field(default="", max_length=20_000, description="Markdown.")
    category: str = Field(examples=["design"])
    skills: list[UserText] = Field(default_factory=list, max_length=20, examples=[["logo-design"]])
    budget: Amount = Field(description="Token base units.")
    token: Address
    deadline: datetime | None = None
    milestones: list[MilestonePlan] = Field(default_factory=list, max_length=50)


class LinkChainJobIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"chain_job_id": 1}]}, extra="forbid")

    chain_job_id: int = Field(ge=1)


class JobPostOut(BaseModel):
    id: int
    client: str
    status: JobPostStatus
    title: str
    description: str
    description_html: str
    category: str
    skills: list[str]
    budget: str
    token: str
    deadline: datetime | None
    milestones: list[MilestonePlan]
    canonical_json: str
    metadata_hash: str = Field(description="keccak256 of canonical_json: what goes on-chain when the job is funded.")
    chain: JobOut | None = Field(description="The escrow job as indexed, once hired and linked.")
    hash_mismatch: bool = Field(description="The on-chain metadata hash differs from this listing's hash.")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_JOB_POST]})


class JobPostPage(BaseModel):
    items: list[JobPostOut]
    next_cursor: str | None = Field(description="The last item's id: pass it as `cursor` for the next page.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE_JOB_POST], "next_cursor": None}]})
