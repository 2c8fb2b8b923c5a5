"""Unsigned transactions for the browser's wallet to sign and send."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import ChainDep, SessionDep
from backend.app.schemas.tx import CreateJobRequest, ReleaseRequest, TokenApproveRequest, UnsignedTx
from backend.app.services import transactions

router = APIRouter(prefix="/api/tx", tags=["transactions"])


@router.post("/token-approve", response_model=UnsignedTx, response_model_by_alias=True)
def token_approve(request: TokenApproveRequest, chain: ChainDep) -> UnsignedTx:
    """Allowance for the escrow to pull the job's funds."""
    return transactions.token_approve(chain, request)


@router.post("/create-job", response_model=UnsignedTx, response_model_by_alias=True)
def create_job(request: CreateJobRequest, chain: ChainDep) -> UnsignedTx:
    """Create the escrow job and fund all its milestones in one transaction."""
    return transactions.create_job(chain, request)


@router.post("/release", response_model=UnsignedTx, response_model_by_alias=True)
def release(request: ReleaseRequest, session: SessionDep, chain: ChainDep) -> UnsignedTx:
    """Release a funded milestone to the freelancer (the client only)."""
    return transactions.release_milestone(session, chain, request)
