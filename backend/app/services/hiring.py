"""Hiring = creating the escrow on-chain. The one place proposals and offer orders build it.

The job's terms come from the settings' hiring defaults (arbiter, arbiter fee, review period,
ruling window); milestone deadlines are spread evenly up to the listing's deadline, or one
`milestone_days` apart when it names none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.app.schemas.proposal import HireOut
from backend.app.schemas.tx import CreateJobRequest, MilestoneTerms, TokenApproveRequest
from backend.app.services import transactions
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import Conflict


def milestone_deadlines(now: datetime, count: int, *, deadline: datetime | None, milestone_days: int) -> list[int]:
    """Unix deadlines for `count` milestones: evenly up to `deadline`, else `milestone_days` apart."""
    if deadline is not None and deadline > now:
        step = (deadline - now) / count
        return [int((now + step * (i + 1)).timestamp()) for i in range(count)]
    return [int((now + timedelta(days=milestone_days * (i + 1))).timestamp()) for i in range(count)]


def hire_transactions(
    chain: ChainGateway,
    *,
    client: str,
    freelancer: str,
    token: str,
    amounts: list[int],
    metadata_hash: str,
    deadline: datetime | None = None,
) -> HireOut:
    """The allowance and the create-and-fund transaction for the client's wallet (nothing is sent here)."""
    if token.lower() != chain.token.address.lower():
        raise Conflict(f"this deployment's escrow pays in {chain.token.address} only, not {token}")
    if client == freelancer:
        raise Conflict("the client cannot hire their own address")
    defaults = chain.hiring
    if defaults.arbiter is None:
        raise Conflict("no arbiter is configured for hiring (JIEDAN_DEFAULT_ARBITER)")
    deadlines = milestone_deadlines(
        transactions.chain_now(chain), len(amounts), deadline=deadline, milestone_days=defaults.milestone_days
    )
    approve = transactions.token_approve(chain, TokenApproveRequest(owner=client, amount=str(sum(amounts))))
    create = transactions.create_job(
        chain,
        CreateJobRequest(
            client=client,
            freelancer=freelancer,
            arbiter=defaults.arbiter,
            arbiter_fee_bps=defaults.arbiter_fee_bps,
            review_period=defaults.review_period,
            ruling_window=defaults.ruling_window,
            milestones=[MilestoneTerms(amount=str(a), deadline=d) for a, d in zip(amounts, deadlines, strict=True)],
            metadata_hash=metadata_hash,
        ),
    )
    return HireOut(
        metadata_hash=metadata_hash,
        freelancer=freelancer,
        amounts=[str(a) for a in amounts],
        approve=approve,
        create_and_fund=create,
    )
