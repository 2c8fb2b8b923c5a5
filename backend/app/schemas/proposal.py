"""Proposal, service offer and hiring shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import Address, UnsignedTx

ProposalStatus = Literal["submitted", "shortlisted", "declined", "withdrawn", "accepted"]


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
                    "milestones": [
                        {"title": "Wireframes", "amount": "400000000"},
                        {"title": "Final logo files", "amount": "600000000"},
                    ],
                }
            ]
        },
        extra="forbid",
    )

    cover_letter: UserText = Field(min_length=1, max_length=10_000, examples=["I have drawn 40 logos for tea brands."])
    milestones: list[MilestonePlan] = Field(min_length=1, max_length=50)


class ProposalOut(BaseModel):
    id: int
    job_post_id: int
    freelancer: str
    cover_letter: str
    milestones: list[MilestonePlan]
    total: str
    status: ProposalStatus
    created_at: datetime
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 70,
                    "job_post_id": 7,
                    "freelancer": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
                    "milestones": [
                        {"title": "Wireframes", "amount": "400000000"},
                        {"title": "Final logo files", "amount": "600000000"},
                    ],
                    "total": "1000000000",
                    "status": "submitted",
                    "created_at": "2026-11-25T11:00:00Z",
                    "updated_at": "2026-11-25T11:00:00Z",
                }
            ]
        }
    )


class HireOut(BaseModel):
    """Unsigned transactions for the client's wallet: the token allowance, then create-and-fund."""

    metadata_hash: str
    freelancer: str
    amounts: list[str]
    approve: UnsignedTx
    create_and_fund: UnsignedTx


class AcceptOut(BaseModel):
    proposal: ProposalOut
    hire: HireOut


class TierIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Basic", "delivery_days": 5, "milestones": [{"title": "Audit report", "amount": "500000000"}]}
            ]
        },
        extra="forbid",
    )

    name: UserText = Field(min_length=1, max_length=40, examples=["Basic"])
    delivery_days: int = Field(ge=1, le=365)
    milestones: list[MilestonePlan] = Field(min_length=1, max_length=10)


class OfferIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "I will audit your Vyper contract",
                    "description": "A line-by-line review with a written report.",
                    "category": "development",
                    "skills": ["vyper", "security"],
                    "token": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                    "tiers": [
                        {
                            "name": "Basic",
                            "delivery_days": 5,
                            "milestones": [{"title": "Audit report", "amount": "500000000"}],
                        },
                        {
                            "name": "Full",
                            "delivery_days": 10,
                            "milestones": [
                                {"title": "Audit report", "amount": "500000000"},
                                {"title": "Fix review", "amount": "700000000"},
                            ],
                        },
                    ],
                }
            ]
        },
        extra="forbid",
    )

    title: UserText = Field(min_length=3, max_length=200, examples=["I will audit your Vyper contract"])
    description: UserText = Field(default="", max_length=20_000, description="Markdown.")
    category: UserText
    skills: list[UserText] = Field(default_factory=list, max_length=20)
    token: Address
    tiers: list[TierIn] = Field(min_length=1, max_length=3)


class TierOut(BaseModel):
    position: int
    name: str
    price: str = Field(description="The sum of the tier's milestones, token base units.")
    delivery_days: int
    milestones: list[MilestonePlan]


class OfferOut(BaseModel):
    id: int
    freelancer: str
    title: str
    description: str
    description_html: str
    category: str
    skills: list[str]
    token: str
    status: Literal["active", "closed"]
    tiers: list[TierOut]
    created_at: datetime
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "freelancer": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "title": "I will audit your Vyper contract",
                    "description": "A line-by-line review with a written report.",
                    "description_html": "<p>A line-by-line review with a written report.</p>",
                    "category": "development",
                    "skills": ["vyper", "security"],
                    "token": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                    "status": "active",
                    "tiers": [
                        {
                            "position": 0,
                            "name": "Basic",
                            "price": "500000000",
                            "delivery_days": 5,
                            "milestones": [{"title": "Audit report", "amount": "500000000"}],
                        }
                    ],
                    "created_at": "2026-11-24T08:00:00Z",
                    "updated_at": "2026-11-24T08:00:00Z",
                }
            ]
        }
    )


class OrderIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"tier": 1}]}, extra="forbid")

    tier: int = Field(ge=0, le=2)


class OrderOut(BaseModel):
    id: int
    offer_id: int
    tier: int
    client: str
    canonical_json: str
    hire: HireOut
    created_at: datetime
