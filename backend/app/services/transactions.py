"""Unsigned transactions for on-chain actions, checked against the indexed state first.

The backend never holds a user's key: it encodes the call with web3.py from the
compiled ABI and the user's wallet signs and sends it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.app.schemas.tx import CreateJobRequest, ReleaseRequest, TokenApproveRequest, UnsignedTx
from backend.app.services.chain import ChainGateway
from backend.app.services.chain_jobs import get_job
from backend.app.services.errors import Conflict, NotAllowed, NotFound
from backend.app.services.wallets import require_balance


def _tx(chain: ChainGateway, sender: str, to: str, data: str) -> UnsignedTx:
    return UnsignedTx(chain_id=chain.chain_id, from_=sender, to=to, data=data)


def token_approve(chain: ChainGateway, request: TokenApproveRequest) -> UnsignedTx:
    """Allow the escrow to pull `amount` of the payment token from `owner`."""
    data = chain.token.encode_abi("approve", args=[chain.escrow.address, int(request.amount)])
    return _tx(chain, request.owner, chain.token.address, data)


def create_job(chain: ChainGateway, request: CreateJobRequest) -> UnsignedTx:
    """Create the escrow job and fund every milestone (needs the token allowance)."""
    if request.client == request.freelancer:
        raise Conflict("the client cannot hire their own address")
    if any(int(amount) == 0 for amount in request.amounts):
        raise Conflict("every milestone needs an amount above zero")
    require_balance(chain, owner=request.client, amount=sum(int(amount) for amount in request.amounts))
    data = chain.escrow.encode_abi(
        "create_job",
        args=[
            request.freelancer,
            chain.token.address,
            [int(amount) for amount in request.amounts],
            bytes.fromhex(request.metadata_hash.removeprefix("0x")),
        ],
    )
    return _tx(chain, request.client, chain.escrow.address, data)


def release_milestone(session: Session, chain: ChainGateway, request: ReleaseRequest) -> UnsignedTx:
    """Release a milestone to the freelancer; only the client, only a funded milestone."""
    job = get_job(session, chain_id=chain.chain_id, job_id=request.job_id)
    if request.sender != job.client:
        raise NotAllowed(f"only the job's client {job.client} may release its milestones")
    milestone = next((m for m in job.milestones if m.index == request.milestone), None)
    if milestone is None:
        raise NotFound(f"job {job.job_id} has no milestone {request.milestone}")
    if milestone.state != "funded":
        raise Conflict(f"milestone {request.milestone} of job {job.job_id} is already {milestone.state}")
    data = chain.escrow.encode_abi("release_milestone", args=[job.job_id, request.milestone])
    return _tx(chain, request.sender, chain.escrow.address, data)
