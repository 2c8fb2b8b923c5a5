"""What an address may do to an on-chain job now, and the settlement signatures being collected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.app.api.deps import ChainDep, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.amendment import AmendmentIn, AmendmentOut, AmendmentSignatureIn
from backend.app.schemas.tx import Address, JobAction, TypedData
from backend.app.services import amendments, job_rules, settlements
from backend.app.services.chain import chain_now
from backend.app.services.chain_jobs import get_job

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/jobs/{job_id}", tags=["jobs"])


@router.get("/actions", response_model=list[JobAction])
def actions(
    job_id: int,
    address: Annotated[Address, Query(description="The wallet asking")],
    session: SessionDep,
    chain: ChainDep,
) -> list[JobAction]:
    """The escrow actions `address` may take on the job right now, by the indexed state and the chain's time."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    allowed = job_rules.allowed(job, sender=address, now=chain_now(chain))
    return [JobAction(action=action, milestone=milestone) for action, milestone in allowed]


@router.get("/settlement", response_model=TypedData)
def settlement_typed_data(
    job_id: int, freelancer_bps: Annotated[int, Query(ge=0, le=10_000)], session: SessionDep, chain: ChainDep
) -> TypedData:
    """The EIP-712 payload each party signs (`eth_signTypedData_v4`) to settle at this split now: at the job's
    nonce, with the expiry the other party already signed for this split (else a week from the chain's time)."""
    return settlements.payload(session, chain=chain, job_id=job_id, freelancer_bps=freelancer_bps)


@router.get("/settlement-signatures", response_model=list[settlements.SignatureOut])
def list_signatures(job_id: int, session: SessionDep, chain: ChainDep) -> list[settlements.SignatureOut]:
    """Signatures that can still settle: made at the job's current nonce, not expired."""
    return settlements.current_signatures(session, chain=chain, job_id=job_id)


@router.post("/settlement-signatures", response_model=settlements.SignatureOut, status_code=201)
def add_signature(
    job_id: int, signed: settlements.SignatureIn, session: SessionDep, chain: ChainDep
) -> settlements.SignatureOut:
    """Keep a party's settlement signature (it must be that party's for the current nonce and not expired)."""
    return settlements.add_signature(session, chain=chain, job_id=job_id, signed=signed)


@router.get("/amendments", response_model=list[AmendmentOut])
def list_amendments(job_id: int, session: SessionDep, chain: ChainDep) -> list[AmendmentOut]:
    """Amendments one party signed that the other (`sender`) can still send: at the job's nonce, not expired."""
    return amendments.pending(session, chain=chain, job_id=job_id)


@router.post("/amendments/payload", response_model=TypedData)
def amendment_typed_data(job_id: int, proposed: AmendmentIn, session: SessionDep, chain: ChainDep) -> TypedData:
    """The EIP-712 payload `signer` signs to propose an amendment now (延期 extend a deadline, add milestones,
    扣款验收 accept with a deduction): at the job's nonce, good for a week."""
    return amendments.payload(session, chain=chain, job_id=job_id, proposed=proposed)


@router.post("/amendments", response_model=AmendmentOut, status_code=201)
def add_amendment(job_id: int, signed: AmendmentSignatureIn, session: SessionDep, chain: ChainDep) -> AmendmentOut:
    """Keep a party's amendment signature (it must be that party's for the current nonce, not expired)."""
    return amendments.add_signature(session, chain=chain, job_id=job_id, signed=signed)
