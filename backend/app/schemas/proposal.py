"""Proposal, service offer and hiring shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import (
    AUDITOR,
    CHAIN_ID,
    CLIENT,
    CREATE_JOB_CALLDATA,
    ESCROW,
    FREELANCER,
    LISTING_HASH,
    ORDER_APPROVE_CALLDATA,
    ORDER_CANONICAL_JSON,
    ORDER_CREATE_JOB_CALLDATA,
    ORDER_HASH,
    TOKEN,
)
from backend.app.schemas.job_post import EXAMPLE_MILESTONE_PLANS, MilestonePlan
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import EXAMPLE_APPROVE_TX, Address, UnsignedTx

ProposalStatus = Literal["submitted", "shortlisted", "declined", "withdrawn", "accepted"]

EXAMPLE_PROPOSAL = {
    "id": 70,
    "job_post_id": 7,
    "freelancer": FREELANCER,
    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
    "milestones": EXAMPLE_MILESTONE_PLANS,
    "total": "1000000000",
    "status": "submitted",
    "created_at": "2026-11-24T11:00:00Z",
    "updated_at": "2026-11-24T11:00:00Z",
}
EXAMPLE_HIRE = {
    "metadata_hash": LISTING_HASH,
    "freelancer": FREELANCER,
    "amounts": ["400000000", "600000000"],
    "approve": EXAMPLE_APPROVE_TX,
    "create_and_fund": {
        "chain_id": CHAIN_ID,
        "from": CLIENT,
        "to": ESCROW,
        "data": CREATE_JOB_CALLDATA,
        "value": "0x0",
    },
}
EXAMPLE_ORDER_HIRE = {
    "metadata_hash": ORDER_HASH,
    "freelancer": AUDITOR,
    "amounts": ["500000000"],
    "approve": {"chain_id": CHAIN_ID, "from": CLIENT, "to": TOKEN, "data": ORDER_APPROVE_CALLDATA, "value": "0x0"},
    "create_and_fund": {
        "chain_id": CHAIN_ID,
        "from": CLIENT,
        "to": ESCROW,
        "data": ORDER_CREATE_JOB_CALLDATA,
        "value": "0x0",
    },
}
EXAMPLE_BASIC_TIER = {
    "position": 0,
    "name": "Basic",
    "price": "500000000",
    "delivery_days": 5,
    "milestones": [{"title": "Audit report", "amount": "500000000"}],
}


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
                    "milestones": EXAMPLE_MILESTONE_PLANS,
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

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROPOSAL]})


class HireOut(BaseModel):
    """Unsigned transactions for the client's wallet: the token allowance, then create-and-fund."""

    metadata_hash: str
    freelancer: str
    amounts: list[str]
    approve: UnsignedTx
    create_and_fund: UnsignedTx

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_HIRE]})


class AcceptOut(BaseModel):
    proposal: ProposalOut
    hire: HireOut

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"proposal": {**EXAMPLE_PROPOSAL, "status": "accepted"}, "hire": EXAMPLE_HIRE}]}
    )


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
                    "token": TOKEN,
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

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_BASIC_TIER]})


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
                    "freelancer": AUDITOR,
                    "title": "I will audit your Vyper contract",
                    "description": "A line-by-line review with a written report.",
                    "description_html": "<p>A line-by-line review with a written report.</p>\n",
                    "category": "development",
                    "skills": ["vyper", "security"],
                    "token": TOKEN,
                    "status": "active",
                    "tiers": [EXAMPLE_BASIC_TIER],
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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 9,
                    "offer_id": 5,
                    "tier": 0,
                    "client": CLIENT,
                    "canonical_json": ORDER_CANONICAL_JSON,
                    "hire": EXAMPLE_ORDER_HIRE,
                    "created_at": "2026-11-26T08:00:00Z",
                }
            ]
        }
    )
