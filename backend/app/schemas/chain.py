"""API shapes of on-chain projections. Amounts are decimal strings (uint256 exceeds JS numbers);
contract timestamps (deadlines, review and ruling ends) are UTC datetimes; a job's terms are its current
ones (`JobTerms`: durations from the start, as the escrow takes them)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import (
    APPROVED_TX,
    ARBITER,
    ARBITER_FEE_BPS,
    CHAIN_JOB_ID,
    CLIENT,
    CLOSING_TX,
    CREATED_TX,
    DELIVERABLE_HASH,
    DISPUTE_TX,
    DURATIONS,
    ESCROW,
    FREELANCER,
    LISTING_HASH,
    PLATFORM_FEE_BPS,
    RATED_TX,
    RATING_COMMENT_HASH,
    REVIEW_PERIOD,
    RULING_WINDOW,
    TERMS_HASH,
    TOKEN,
)
from backend.app.schemas.tx import EXAMPLE_TERMS, JobTerms

EXAMPLE_APPROVED_MILESTONE = {
    "index": 0,
    "amount": "400000000",
    "duration": DURATIONS[0],
    "deadline": "2026-12-07T18:00:00Z",
    "state": "approved",
    "deliverable_hash": DELIVERABLE_HASH,
    "submitted_at": "2026-11-30T10:00:00Z",
    "review_end": "2026-12-03T10:00:00Z",
    "ruling_end": None,
    "disputed_by": None,
    "ruling_bps": None,
    "to_freelancer": "396000000",
    "to_client": "0",
    "arbiter_fee": "0",
    "platform_fee": "4000000",
    "closed_at": "2026-12-01T09:00:00Z",
    "closed_tx": APPROVED_TX,
}
EXAMPLE_FUNDED_MILESTONE = {
    "index": 1,
    "amount": "600000000",
    "duration": DURATIONS[1],
    "deadline": "2026-12-20T00:00:00Z",
    "state": "funded",
    "deliverable_hash": None,
    "submitted_at": None,
    "review_end": None,
    "ruling_end": None,
    "disputed_by": None,
    "ruling_bps": None,
    "to_freelancer": None,
    "to_client": None,
    "arbiter_fee": None,
    "platform_fee": None,
    "closed_at": None,
    "closed_tx": None,
}
EXAMPLE_FUNDING = {
    "funder": CLIENT,
    "amount": "1000000000",
    "first_milestone": 0,
    "funded_count": 2,
    "funded_at": "2026-11-25T12:05:00Z",
    "tx_hash": CREATED_TX,
}
EXAMPLE_JOB = {
    "chain_id": 31337,
    "job_id": CHAIN_JOB_ID,
    "escrow": ESCROW,
    "client": CLIENT,
    "freelancer": FREELANCER,
    "token": TOKEN,
    "arbiter": ARBITER,
    "arbiter_fee_bps": ARBITER_FEE_BPS,
    "platform_fee_bps": PLATFORM_FEE_BPS,
    "review_period": REVIEW_PERIOD,
    "ruling_window": RULING_WINDOW,
    "metadata_hash": LISTING_HASH,
    "terms": EXAMPLE_TERMS,
    "terms_hash": TERMS_HASH,
    "milestone_count": 2,
    "funded_count": 2,
    "open_count": 1,
    "total": "1000000000",
    "funded": "1000000000",
    "paid_to_freelancer": "396000000",
    "refunded_to_client": "0",
    "arbiter_fees": "0",
    "platform_fees": "4000000",
    "in_escrow": "600000000",
    "nonce": 1,
    "status": "active",
    "settled": False,
    "cancelled": False,
    "client_rated": False,
    "freelancer_rated": False,
    "volume": None,
    "created_block": 118,
    "created_at": "2026-11-25T12:05:00Z",
    "created_tx": CREATED_TX,
    "updated_block": 131,
    "ended_at": None,
    "milestones": [EXAMPLE_APPROVED_MILESTONE, EXAMPLE_FUNDED_MILESTONE],
    "fundings": [EXAMPLE_FUNDING],
    "disputes": [],
    "ratings": [],
    "settlement": None,
}


class MilestoneOut(BaseModel):
    index: int
    amount: str
    duration: int = Field(description="Seconds from the job's start, as in its terms.")
    deadline: datetime = Field(description="The job's start + duration: the last moment to submit.")
    state: str = Field(
        description="unfunded, funded, submitted, disputed, approved, released, reclaimed, resolved, "
        "default_ruled, settled, cancelled or deducted"
    )
    deliverable_hash: str | None
    submitted_at: datetime | None
    review_end: datetime | None
    ruling_end: datetime | None
    disputed_by: str | None
    ruling_bps: int | None
    to_freelancer: str | None
    to_client: str | None
    arbiter_fee: str | None
    platform_fee: str | None
    closed_at: datetime | None
    closed_tx: str | None

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_APPROVED_MILESTONE, EXAMPLE_FUNDED_MILESTONE]})


class FundingOut(BaseModel):
    funder: str
    amount: str
    first_milestone: int
    funded_count: int
    funded_at: datetime
    tx_hash: str

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_FUNDING]})


class DisputeOut(BaseModel):
    milestone: int
    opened_by: str
    opened_by_role: str
    opened_at: datetime
    opened_tx: str
    ruling_end: datetime
    outcome: str | None = Field(description="None while open; resolved, default_ruled, settled or deducted")
    ruled_by: str | None
    freelancer_bps: int | None
    to_freelancer: str | None
    to_client: str | None
    arbiter_fee: str | None
    platform_fee: str | None
    winner: str | None = Field(description="client or freelancer (a ruling above 50% for one side), else None")
    closed_at: datetime | None
    closed_tx: str | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "milestone": 1,
                    "opened_by": CLIENT,
                    "opened_by_role": "client",
                    "opened_at": "2026-12-09T08:00:00Z",
                    "opened_tx": DISPUTE_TX,
                    "ruling_end": "2026-12-16T08:00:00Z",
                    "outcome": "resolved",
                    "ruled_by": ARBITER,
                    "freelancer_bps": 7000,
                    "to_freelancer": "407484000",
                    "to_client": "176400000",
                    "arbiter_fee": "12000000",
                    "platform_fee": "4116000",
                    "winner": "freelancer",
                    "closed_at": "2026-12-12T14:00:00Z",
                    "closed_tx": CLOSING_TX,
                }
            ]
        }
    )


class RatingOut(BaseModel):
    rater: str
    subject: str
    score: int
    comment_hash: str
    rated_at: datetime
    rated_tx: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rater": CLIENT,
                    "subject": FREELANCER,
                    "score": 5,
                    "comment_hash": RATING_COMMENT_HASH,
                    "rated_at": "2026-12-21T09:00:00Z",
                    "rated_tx": RATED_TX,
                }
            ]
        }
    )


class SettlementOut(BaseModel):
    nonce: int
    freelancer_bps: int
    to_freelancer: str
    to_client: str
    platform_fee: str
    settled_at: datetime
    settled_tx: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nonce": 1,
                    "freelancer_bps": 6000,
                    "to_freelancer": "356400000",
                    "to_client": "240000000",
                    "platform_fee": "3600000",
                    "settled_at": "2026-12-08T10:00:00Z",
                    "settled_tx": CLOSING_TX,
                }
            ]
        }
    )


class JobOut(BaseModel):
    chain_id: int
    job_id: int
    escrow: str
    client: str
    freelancer: str
    token: str
    arbiter: str
    arbiter_fee_bps: int
    platform_fee_bps: int
    review_period: int
    ruling_window: int
    metadata_hash: str
    terms: JobTerms = Field(description="The job's current terms: what every escrow call on it presents.")
    terms_hash: str = Field(
        description="Their EIP-712 hash: the escrow's `terms_hash_of(job_id)` (an amendment rewrites it)."
    )
    milestone_count: int
    funded_count: int
    open_count: int
    total: str
    funded: str
    paid_to_freelancer: str
    refunded_to_client: str
    arbiter_fees: str
    platform_fees: str
    in_escrow: str = Field(description="Funded and not yet paid out, refunded or taken as fees.")
    nonce: int = Field(description="The job nonce settlements and amendments are signed at.")
    status: str = Field(description="active or ended")
    settled: bool
    cancelled: bool
    client_rated: bool
    freelancer_rated: bool
    volume: str | None = Field(description="When the job ended: what reached the freelancer, net of fees.")
    created_block: int
    created_at: datetime = Field(description="The job's start: milestone deadlines count from it.")
    created_tx: str
    updated_block: int
    ended_at: datetime | None
    milestones: list[MilestoneOut]
    fundings: list[FundingOut]
    disputes: list[DisputeOut]
    ratings: list[RatingOut]
    settlement: SettlementOut | None

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_JOB]})


class CreditOut(BaseModel):
    """A withdrawable credit (payouts the account could not receive)."""

    token: str
    credited: str
    withdrawn: str
    outstanding: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"token": TOKEN, "credited": "407484000", "withdrawn": "0", "outstanding": "407484000"}]
        }
    )
