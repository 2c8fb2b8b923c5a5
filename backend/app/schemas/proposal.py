"""Proposal, service offer and hiring shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import (
    ARBITER,
    ARBITER_FEE_BPS,
    AUDITOR,
    CHAIN_ID,
    CLIENT,
    CONSENT_SIGNATURE,
    CREATE_JOB_CALLDATA,
    DURATIONS,
    ESCROW,
    FREELANCER,
    LISTING_HASH,
    ORDER_APPROVE_CALLDATA,
    ORDER_CANONICAL_JSON,
    ORDER_CONSENT_SIGNATURE,
    ORDER_CREATE_JOB_CALLDATA,
    ORDER_HASH,
    ORDER_OFFER_EXPIRY,
    ORDER_SALT,
    PLATFORM_FEE_BPS,
    REVIEW_PERIOD,
    RULING_WINDOW,
    TERMS_HASH,
    TOKEN,
)
from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.text import UserText
from backend.app.schemas.tx import (
    EXAMPLE_APPROVE_TX,
    EXAMPLE_TERMS,
    Address,
    ConsentIn,
    Duration,
    JobTerms,
    TypedData,
    UnsignedTx,
)

ProposalStatus = Literal["submitted", "shortlisted", "declined", "withdrawn", "accepted"]

EXAMPLE_PROPOSAL_PLAN = [
    {"title": "Wireframes", "amount": "400000000", "duration": DURATIONS[0]},
    {"title": "Final logo files", "amount": "600000000", "duration": DURATIONS[1]},
]
EXAMPLE_PROPOSAL = {
    "id": 70,
    "job_post_id": 7,
    "freelancer": FREELANCER,
    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
    "milestones": EXAMPLE_PROPOSAL_PLAN,
    "total": "1000000000",
    "status": "submitted",
    "consent_terms": EXAMPLE_TERMS,
    "created_at": "2026-11-24T11:00:00Z",
    "updated_at": "2026-11-24T11:00:00Z",
}
EXAMPLE_HIRE = {
    "metadata_hash": LISTING_HASH,
    "freelancer": FREELANCER,
    "amounts": ["400000000", "600000000"],
    "terms_hash": TERMS_HASH,
    "terms": EXAMPLE_TERMS,
    "consent": CONSENT_SIGNATURE,
    "approve": EXAMPLE_APPROVE_TX,
    "create_and_fund": {
        "chain_id": CHAIN_ID,
        "from": CLIENT,
        "to": ESCROW,
        "data": CREATE_JOB_CALLDATA,
        "value": "0x0",
    },
}
EXAMPLE_ORDER_TERMS = {
    "client": CLIENT,
    "freelancer": AUDITOR,
    "token": TOKEN,
    "arbiter": ARBITER,
    "arbiter_fee_bps": ARBITER_FEE_BPS,
    "platform_fee_bps": PLATFORM_FEE_BPS,
    "review_period": REVIEW_PERIOD,
    "ruling_window": RULING_WINDOW,
    "metadata_hash": ORDER_HASH,
    "salt": ORDER_SALT,
    "offer_expiry": ORDER_OFFER_EXPIRY,
    "milestones": [{"amount": "500000000", "duration": 5 * 86_400}],
}
EXAMPLE_ORDER_HIRE = {
    "metadata_hash": ORDER_HASH,
    "freelancer": AUDITOR,
    "amounts": ["500000000"],
    "terms_hash": "0xc26ac1c42b21a5edda88d7d9226034156c3bd0762cec248fc5b1ac579fcd5a7b",
    "terms": EXAMPLE_ORDER_TERMS,
    "consent": ORDER_CONSENT_SIGNATURE,
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


class ProposalMilestone(MilestonePlan):
    """A milestone of a proposal's plan: its deadline as a duration from the day the client hires."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROPOSAL_PLAN[0]]}, extra="forbid")

    duration: Duration | None = Field(
        default=None,
        description="Seconds from the job's start to this milestone's deadline. Left out: spread evenly up to "
        "the listing's deadline, else JIEDAN_DEFAULT_MILESTONE_DAYS apart (the answer shows what was chosen).",
    )


class ProposalPlanIn(BaseModel):
    """A milestone plan to get the escrow terms of (`…/proposals/consent`) before sending the proposal."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"milestones": EXAMPLE_PROPOSAL_PLAN}]}, extra="forbid")

    milestones: list[ProposalMilestone] = Field(min_length=1, max_length=50)


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cover_letter": "I have drawn 40 logos for tea brands; samples are on my profile.",
                    "milestones": EXAMPLE_PROPOSAL_PLAN,
                    "consent": {"terms": EXAMPLE_TERMS, "signature": CONSENT_SIGNATURE},
                }
            ]
        },
        extra="forbid",
    )

    cover_letter: UserText = Field(min_length=1, max_length=10_000, examples=["I have drawn 40 logos for tea brands."])
    milestones: list[ProposalMilestone] = Field(min_length=1, max_length=50)
    consent: ConsentIn | None = Field(
        default=None,
        description="The freelancer's EIP-712 signature of the escrow terms `…/proposals/consent` returned for this "
        "plan: accepting the proposal then creates the job with no further signature. Without it the "
        "freelancer signs later (PUT /api/proposals/{id}/consent) before the client can hire.",
    )


class ProposalOut(BaseModel):
    id: int
    job_post_id: int
    freelancer: str
    cover_letter: str
    milestones: list[ProposalMilestone]
    total: str
    status: ProposalStatus
    consent_terms: JobTerms | None = Field(description="The escrow terms the freelancer signed (None: not yet).")
    created_at: datetime
    updated_at: datetime

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROPOSAL]})


class HireOut(BaseModel):
    """Unsigned transactions for the client's wallet: the token allowance, then create-and-fund (with the
    freelancer's consent)."""

    metadata_hash: str
    freelancer: str
    amounts: list[str]
    terms_hash: str = Field(description="hashStruct(Terms): the escrow's `terms_hash_of(job_id)` once created.")
    terms: JobTerms = Field(description="The terms the job is created with (what the freelancer signed).")
    consent: str = Field(description="The freelancer's signature of `terms` (what a create-job request presents).")
    approve: UnsignedTx | None = Field(description="The token allowance; null for a job in the native currency.")
    permit: TypedData | None = Field(
        default=None,
        description="For a token taking EIP-2612 permits: the permit to sign instead of sending `approve`; the "
        "signature goes to POST /api/tx/create-job-with-permit, which builds the one transaction to send.",
    )
    create_and_fund: UnsignedTx = Field(
        description="Create and fund the job; in the native currency it carries the value."
    )

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


OrderStatus = Literal["ordered", "accepted"]


class OrderOut(BaseModel):
    """An order: `ordered` until its freelancer accepts it by signing the escrow terms, then `accepted`; `hire`
    (the client's transactions) once the client asks for them (`POST /api/offers/orders/{id}/hire`)."""

    id: int
    offer_id: int
    tier: int
    client: str
    freelancer: str
    status: OrderStatus
    canonical_json: str
    consent_terms: JobTerms | None = Field(description="The escrow terms the freelancer signed (None: not yet).")
    hire: HireOut | None
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 9,
                    "offer_id": 5,
                    "tier": 0,
                    "client": CLIENT,
                    "freelancer": AUDITOR,
                    "status": "accepted",
                    "canonical_json": ORDER_CANONICAL_JSON,
                    "consent_terms": EXAMPLE_ORDER_TERMS,
                    "hire": EXAMPLE_ORDER_HIRE,
                    "created_at": "2026-11-26T08:00:00Z",
                }
            ]
        }
    )
