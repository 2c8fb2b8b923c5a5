"""Unsigned transactions for every on-chain action, checked against the indexed state first.

The backend never holds a user's key: it encodes the call with web3.py from the compiled ABI,
after `job_rules.check` has said the action is allowed now, and the user's wallet signs and
sends it. Calls that need the job's terms (fund, submit, reclaim, resolve, settle) repeat them
from the indexer's copy of `JobCreated` (`chain_jobs.terms_json`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from eth_utils import keccak
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob
from backend.app.schemas.tx import (
    CreateJobRequest,
    FundRequest,
    MilestoneRequest,
    RateRequest,
    ResolveRequest,
    SenderRequest,
    SubmitRequest,
    TokenApproveRequest,
    UnsignedTx,
    WithdrawRequest,
)
from backend.app.services import job_rules, settlements
from backend.app.services.chain import ChainGateway
from backend.app.services.chain_jobs import get_job, terms_tuple
from backend.app.services.errors import ChainUnavailable, Conflict, NotAllowed
from backend.app.services.wallets import outstanding_credit, require_balance


def _tx(chain: ChainGateway, sender: str, to: str, data: str, value: int = 0) -> UnsignedTx:
    return UnsignedTx(chain_id=chain.chain_id, from_=sender, to=to, data=data, value=hex(value))


def chain_now(chain: ChainGateway) -> datetime:
    """The chain's time (its latest block), which is what the escrow's deadlines are measured in."""
    try:
        timestamp = chain.w3.eth.get_block("latest")["timestamp"]
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read the chain's time: {error}") from error
    return datetime.fromtimestamp(timestamp, UTC)


def _allowed_job(
    session: Session, chain: ChainGateway, request: SenderRequest, action: str, milestone: int | None = None
) -> ChainJob:
    job = get_job(session, chain_id=chain.chain_id, job_id=request.job_id)
    job_rules.check(action, job, sender=request.sender, now=chain_now(chain), milestone=milestone)
    return job


# --- creating and funding -------------------------------------------------------------------


def token_approve(chain: ChainGateway, request: TokenApproveRequest) -> UnsignedTx:
    """Allow the escrow to pull `amount` of the payment token from `owner`."""
    data = chain.token.encode_abi("approve", args=[chain.escrow.address, int(request.amount)])
    return _tx(chain, request.owner, chain.token.address, data)


def create_job(chain: ChainGateway, request: CreateJobRequest) -> UnsignedTx:
    """Create the escrow job and fund its first `fund_count` milestones (needs the token allowance)."""
    if request.client == request.freelancer:
        raise Conflict("the client cannot hire their own address")
    if request.arbiter in (request.client, request.freelancer):
        raise Conflict("the arbiter must be neither the client nor the freelancer")
    if any(int(m.amount) == 0 for m in request.milestones):
        raise Conflict("every milestone needs an amount above zero")
    now = chain_now(chain)
    late = [i + 1 for i, m in enumerate(request.milestones) if m.deadline <= now.timestamp()]
    if late:
        raise Conflict(f"milestone {late[0]}'s deadline is not in the future")
    fund_count = len(request.milestones) if request.fund_count is None else request.fund_count
    if fund_count > len(request.milestones):
        raise Conflict(f"cannot fund {fund_count} of {len(request.milestones)} milestones")
    escrow = chain.escrow.functions
    if escrow.paused().call():
        raise Conflict("the escrow is paused: new jobs cannot be created right now")
    platform_fee_bps = escrow.platform_fee_bps().call()
    funding = sum(int(m.amount) for m in request.milestones[:fund_count])
    require_balance(chain, owner=request.client, amount=funding)
    terms = (
        request.arbiter,
        request.arbiter_fee_bps,
        platform_fee_bps,
        request.review_period,
        request.ruling_window,
        [(int(m.amount), m.deadline) for m in request.milestones],
    )
    data = chain.escrow.encode_abi(
        "create_job",
        args=[
            request.freelancer,
            chain.token.address,
            terms,
            bytes.fromhex(request.metadata_hash.removeprefix("0x")),
            fund_count,
        ],
    )
    return _tx(chain, request.client, chain.escrow.address, data)


def fund(session: Session, chain: ChainGateway, request: FundRequest) -> UnsignedTx:
    """Fund the next `count` milestones, in order (the client; needs the token allowance)."""
    job = _allowed_job(session, chain, request, "fund")
    if job.funded_count + request.count > job.milestone_count:
        raise Conflict(f"only {job.milestone_count - job.funded_count} milestones are left to fund")
    terms = terms_tuple(job)
    amount = sum(terms[5][i][0] for i in range(job.funded_count, job.funded_count + request.count))
    require_balance(chain, owner=request.sender, amount=amount)
    data = chain.escrow.encode_abi("fund", args=[job.job_id, request.count, terms])
    return _tx(chain, request.sender, chain.escrow.address, data)


# --- milestones -----------------------------------------------------------------------------


def submit(session: Session, chain: ChainGateway, request: SubmitRequest) -> UnsignedTx:
    """The freelancer submits a funded milestone with the deliverable's hash; the review period starts."""
    job = _allowed_job(session, chain, request, "submit", request.milestone)
    deliverable = bytes.fromhex(request.deliverable_hash.removeprefix("0x"))
    data = chain.escrow.encode_abi("submit", args=[job.job_id, request.milestone, deliverable, terms_tuple(job)])
    return _tx(chain, request.sender, chain.escrow.address, data)


def approve(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """The client approves a submitted milestone: it is paid to the freelancer."""
    job = _allowed_job(session, chain, request, "approve", request.milestone)
    data = chain.escrow.encode_abi("approve", args=[job.job_id, request.milestone])
    return _tx(chain, request.sender, chain.escrow.address, data)


def release(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Anyone pays a submitted milestone once its review period is over."""
    job = _allowed_job(session, chain, request, "release", request.milestone)
    data = chain.escrow.encode_abi("release", args=[job.job_id, request.milestone])
    return _tx(chain, request.sender, chain.escrow.address, data)


def reclaim(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Anyone returns a funded milestone to the client once its deadline passed unsubmitted."""
    job = _allowed_job(session, chain, request, "reclaim", request.milestone)
    data = chain.escrow.encode_abi("reclaim", args=[job.job_id, request.milestone, terms_tuple(job)])
    return _tx(chain, request.sender, chain.escrow.address, data)


def dispute(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """The client or the freelancer disputes a submitted milestone during its review period."""
    job = _allowed_job(session, chain, request, "dispute", request.milestone)
    data = chain.escrow.encode_abi("dispute", args=[job.job_id, request.milestone])
    return _tx(chain, request.sender, chain.escrow.address, data)


def resolve(session: Session, chain: ChainGateway, request: ResolveRequest) -> UnsignedTx:
    """The arbiter splits a disputed milestone (basis points to the freelancer) and takes the fee."""
    job = _allowed_job(session, chain, request, "resolve", request.milestone)
    data = chain.escrow.encode_abi(
        "resolve", args=[job.job_id, request.milestone, request.freelancer_bps, terms_tuple(job)]
    )
    return _tx(chain, request.sender, chain.escrow.address, data)


def default_ruling(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Either party applies the even split after the ruling window ended without a ruling."""
    job = _allowed_job(session, chain, request, "default_ruling", request.milestone)
    data = chain.escrow.encode_abi("apply_default_ruling", args=[job.job_id, request.milestone])
    return _tx(chain, request.sender, chain.escrow.address, data)


# --- the whole job --------------------------------------------------------------------------


def cancel_unfunded(session: Session, chain: ChainGateway, request: SenderRequest) -> UnsignedTx:
    """The client cancels every milestone not funded yet."""
    job = _allowed_job(session, chain, request, "cancel_unfunded")
    data = chain.escrow.encode_abi("cancel_unfunded", args=[job.job_id])
    return _tx(chain, request.sender, chain.escrow.address, data)


def settle(session: Session, chain: ChainGateway, request: settlements.SettleTxRequest) -> UnsignedTx:
    """Submit the split both parties signed for the job's current nonce (anyone may send it)."""
    job = _allowed_job(session, chain, request, "settle")
    client_sig, freelancer_sig = settlements.signatures_for(
        session, chain=chain, job=job, freelancer_bps=request.freelancer_bps
    )
    data = chain.escrow.encode_abi(
        "settle", args=[job.job_id, request.freelancer_bps, terms_tuple(job), client_sig, freelancer_sig]
    )
    return _tx(chain, request.sender, chain.escrow.address, data)


def rate(session: Session, chain: ChainGateway, request: RateRequest) -> UnsignedTx:
    """After the job ended, a party rates the other once (the comment's keccak256 goes on-chain)."""
    job = _allowed_job(session, chain, request, "rate")
    comment_hash = keccak(text=request.comment)
    data = chain.escrow.encode_abi("rate", args=[job.job_id, request.score, comment_hash])
    return _tx(chain, request.sender, chain.escrow.address, data)


def withdraw(session: Session, chain: ChainGateway, request: WithdrawRequest) -> UnsignedTx:
    """Withdraw a credit left by a payout that could not be delivered (e.g. a blocklisted address)."""
    if outstanding_credit(session, chain=chain, account=request.sender, token=request.token) == 0:
        raise NotAllowed(f"{request.sender} has no credit of {request.token} in the escrow")
    data = chain.escrow.encode_abi("withdraw", args=[request.token, request.to or request.sender])
    return _tx(chain, request.sender, chain.escrow.address, data)
