"""API shapes of on-chain projections. Amounts are decimal strings (uint256 exceeds JS numbers);
contract timestamps (deadlines, review and ruling ends) are UTC datetimes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TermsMilestoneOut(BaseModel):
    amount: str
    deadline: int = Field(description="Unix seconds, as in the contract's terms.")


class TermsOut(BaseModel):
    """The job's Terms exactly as created: the `terms` argument of fund/submit/reclaim/resolve/settle."""

    arbiter: str
    arbiter_fee_bps: int
    platform_fee_bps: int
    review_period: int
    ruling_window: int
    milestones: list[TermsMilestoneOut]


class MilestoneOut(BaseModel):
    index: int
    amount: str
    deadline: datetime
    state: str = Field(
        description="unfunded, funded, submitted, disputed, approved, released, reclaimed, resolved, "
        "default_ruled, settled or cancelled"
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


class FundingOut(BaseModel):
    funder: str
    amount: str
    first_milestone: int
    funded_count: int
    funded_at: datetime
    tx_hash: str


class DisputeOut(BaseModel):
    milestone: int
    opened_by: str
    opened_by_role: str
    opened_at: datetime
    opened_tx: str
    ruling_end: datetime
    outcome: str | None = Field(description="None while open; resolved, default_ruled or settled")
    ruled_by: str | None
    freelancer_bps: int | None
    to_freelancer: str | None
    to_client: str | None
    arbiter_fee: str | None
    platform_fee: str | None
    winner: str | None = Field(description="client or freelancer (a ruling above 50% for one side), else None")
    closed_at: datetime | None
    closed_tx: str | None


class RatingOut(BaseModel):
    rater: str
    subject: str
    score: int
    comment_hash: str
    rated_at: datetime
    rated_tx: str


class SettlementOut(BaseModel):
    nonce: int
    freelancer_bps: int
    to_freelancer: str
    to_client: str
    platform_fee: str
    settled_at: datetime
    settled_tx: str


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
    terms: TermsOut
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
    nonce: int = Field(description="The settlement nonce the parties sign.")
    status: str = Field(description="active or ended")
    settled: bool
    cancelled: bool
    client_rated: bool
    freelancer_rated: bool
    volume: str | None
    created_block: int
    created_at: datetime
    created_tx: str
    updated_block: int
    ended_at: datetime | None
    milestones: list[MilestoneOut]
    fundings: list[FundingOut]
    disputes: list[DisputeOut]
    ratings: list[RatingOut]
    settlement: SettlementOut | None


class CreditOut(BaseModel):
    """A withdrawable credit (payouts the account could not receive)."""

    token: str
    credited: str
    withdrawn: str
    outstanding: str
