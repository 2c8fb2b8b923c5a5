"""API shapes of on-chain projections. Amounts are decimal strings (uint256 exceeds JS numbers)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class MilestoneOut(BaseModel):
    index: int
    amount: str
    state: str
    released_at: datetime | None
    released_tx: str | None


class JobOut(BaseModel):
    chain_id: int
    job_id: int
    escrow: str
    client: str
    freelancer: str
    token: str
    metadata_hash: str
    funded: str
    paid: str
    in_escrow: str
    created_at: datetime
    created_tx: str
    updated_block: int
    milestones: list[MilestoneOut]
