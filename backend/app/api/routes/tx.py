"""Unsigned transactions for the browser's wallet to sign and send — one route per escrow action.

Each checks, against the indexed state and the chain's time, that the sender may take the action
now, and answers with a problem saying why not otherwise. Nothing here needs a session: the
wallet's signature is what authorises the transaction on-chain.
"""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import ChainDep, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.amendment import AddMilestonesRequest, DeductionRequest, ExtendDeadlineRequest
from backend.app.schemas.tx import (
    CreateJobRequest,
    CreateJobWithPermitRequest,
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
from backend.app.services import transactions
from backend.app.services.settlements import SettleTxRequest

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/tx", tags=["transactions"])
TX = {"response_model": UnsignedTx, "response_model_by_alias": True}


@router.post("/token-approve", **TX)
def token_approve(request: TokenApproveRequest, chain: ChainDep) -> UnsignedTx:
    """Allowance for the escrow to pull the job's funds."""
    return transactions.token_approve(chain, request)


@router.post("/create-job-with-permit", **TX)
def create_job_with_permit(request: CreateJobWithPermitRequest, chain: ChainDep) -> UnsignedTx:
    """Create and fund a job with the client's EIP-2612 permit spent in the same call (one signature, one
    transaction); 409 for a token that takes no permits, 422 for a permit not the client's."""
    return transactions.create_job_with_permit(chain, request)


@router.post("/create-job", **TX)
def create_job(request: CreateJobRequest, chain: ChainDep) -> UnsignedTx:
    """Create the escrow job with its terms and fund its first milestones in one transaction."""
    return transactions.create_job(chain, request)


@router.post("/fund", **TX)
def fund(request: FundRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Fund the next milestones (the client)."""
    return transactions.fund(session, chain, request)


@router.post("/submit", **TX)
def submit(request: SubmitRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Submit a funded milestone with the deliverable's hash (the freelancer, until its deadline)."""
    return transactions.submit(session, chain, request)


@router.post("/approve", **TX)
def approve(request: MilestoneRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Approve a submitted milestone and pay the freelancer (the client)."""
    return transactions.approve(session, chain, request)


@router.post("/release", **TX)
def release(request: MilestoneRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Pay a submitted milestone whose review period is over (anyone)."""
    return transactions.release(session, chain, request)


@router.post("/reclaim", **TX)
def reclaim(request: MilestoneRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Return an unsubmitted milestone past its deadline to the client (anyone)."""
    return transactions.reclaim(session, chain, request)


@router.post("/dispute", **TX)
def dispute(request: MilestoneRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Dispute a submitted milestone during its review period (the client or the freelancer)."""
    return transactions.dispute(session, chain, request)


@router.post("/resolve", **TX)
def resolve(request: ResolveRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Rule on a disputed milestone within the ruling window (the arbiter)."""
    return transactions.resolve(session, chain, request)


@router.post("/default-ruling", **TX)
def default_ruling(request: MilestoneRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Apply the even split after the ruling window (the client or the freelancer)."""
    return transactions.default_ruling(session, chain, request)


@router.post("/cancel-unfunded", **TX)
def cancel_unfunded(request: SenderRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Cancel the milestones not funded yet (the client)."""
    return transactions.cancel_unfunded(session, chain, request)


@router.post("/settle", **TX)
def settle(request: SettleTxRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Settle early with the split both parties signed for the current nonce (anyone sends it)."""
    return transactions.settle(session, chain, request)


@router.post("/extend-deadline", **TX)
def extend_deadline(request: ExtendDeadlineRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Extend a milestone's deadline (延期) with the other party's signature (the client or the freelancer)."""
    return transactions.extend_deadline(session, chain, request)


@router.post("/add-milestones", **TX)
def add_milestones(request: AddMilestonesRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Add the milestones the freelancer signed and fund them (the client)."""
    return transactions.add_milestones(session, chain, request)


@router.post("/accept-with-deduction", **TX)
def accept_with_deduction(request: DeductionRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Accept a submitted milestone with the deduction the other party signed (扣款验收)."""
    return transactions.accept_with_deduction(session, chain, request)


@router.post("/rate", **TX)
def rate(request: RateRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Rate the other party once the job ended (the client or the freelancer)."""
    return transactions.rate(session, chain, request)


@router.post("/withdraw", **TX)
def withdraw(request: WithdrawRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Withdraw a credit the escrow holds for the sender."""
    return transactions.withdraw(session, chain, request)
