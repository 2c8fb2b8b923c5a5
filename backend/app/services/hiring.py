"""Hiring = creating the escrow on-chain. The one place that calls the transaction builders.

The escrow's ABI is being rewritten (arbiter, fee, review period, permit, native ETH): adapt
`hire_transactions` alone when it lands; proposals and offer orders both come through here.
"""

from __future__ import annotations

from backend.app.schemas.proposal import HireOut
from backend.app.schemas.tx import CreateJobRequest, TokenApproveRequest
from backend.app.services import transactions
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import Conflict


def hire_transactions(
    chain: ChainGateway, *, client: str, freelancer: str, token: str, amounts: list[int], metadata_hash: str
) -> HireOut:
    """The allowance and the create-and-fund transaction for the client's wallet (nothing is sent here)."""
    if token.lower() != chain.token.address.lower():
        raise Conflict(f"this deployment's escrow pays in {chain.token.address} only, not {token}")
    if client == freelancer:
        raise Conflict("the client cannot hire their own address")
    total = sum(amounts)
    approve = transactions.token_approve(chain, TokenApproveRequest(owner=client, amount=str(total)))
    create = transactions.create_job(
        chain,
        CreateJobRequest(
            client=client, freelancer=freelancer, amounts=[str(a) for a in amounts], metadata_hash=metadata_hash
        ),
    )
    return HireOut(
        metadata_hash=metadata_hash,
        freelancer=freelancer,
        amounts=[str(a) for a in amounts],
        approve=approve,
        create_and_fund=create,
    )
