"""Proposals on job posts: send, withdraw, shortlist, decline, accept (→ unsigned hiring transactions)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import ChainDep, CurrentUser, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.api.rate_limits import Bucket, rate_limit
from backend.app.schemas.proposal import AcceptOut, ProposalIn, ProposalOut
from backend.app.services import proposals

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["proposals"])

AUTH = {401: {"description": "Not signed in"}, 403: {"description": "Not allowed for this user"}}


@router.post(
    "/job-posts/{post_id}/proposals",
    response_model=ProposalOut,
    status_code=201,
    dependencies=[rate_limit(Bucket.PROPOSALS)],
    responses={**AUTH, 429: {"description": "Too many proposals (problem)"}},
)
def send_proposal(post_id: int, body: ProposalIn, user: CurrentUser, session: SessionDep) -> ProposalOut:
    """One proposal per freelancer per published job; never on your own job."""
    return proposals.proposal_out(proposals.create(session, post_id=post_id, freelancer=user.address, data=body))


@router.get("/job-posts/{post_id}/proposals", response_model=list[ProposalOut], responses=AUTH)
def job_proposals(post_id: int, user: CurrentUser, session: SessionDep) -> list[ProposalOut]:
    """Every proposal on the job (its client only)."""
    return [proposals.proposal_out(p) for p in proposals.for_job(session, post_id=post_id, client=user.address)]


@router.get("/me/proposals", response_model=list[ProposalOut], responses=AUTH)
def my_proposals(user: CurrentUser, session: SessionDep) -> list[ProposalOut]:
    return [proposals.proposal_out(p) for p in proposals.mine(session, freelancer=user.address)]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, responses=AUTH)
def get_proposal(proposal_id: int, user: CurrentUser, session: SessionDep) -> ProposalOut:
    """Its freelancer and the job's client only."""
    return proposals.proposal_out(proposals.get(session, proposal_id=proposal_id, viewer=user.address))


@router.post("/proposals/{proposal_id}/withdraw", response_model=ProposalOut, responses=AUTH)
def withdraw(proposal_id: int, user: CurrentUser, session: SessionDep) -> ProposalOut:
    """The freelancer takes the proposal back (before acceptance)."""
    return proposals.proposal_out(proposals.withdraw(session, proposal_id=proposal_id, freelancer=user.address))


@router.post("/proposals/{proposal_id}/shortlist", response_model=ProposalOut, responses=AUTH)
def shortlist(proposal_id: int, user: CurrentUser, session: SessionDep) -> ProposalOut:
    return proposals.proposal_out(proposals.shortlist(session, proposal_id=proposal_id, client=user.address))


@router.post("/proposals/{proposal_id}/decline", response_model=ProposalOut, responses=AUTH)
def decline(proposal_id: int, user: CurrentUser, session: SessionDep) -> ProposalOut:
    return proposals.proposal_out(proposals.decline(session, proposal_id=proposal_id, client=user.address))


@router.post("/proposals/{proposal_id}/accept", response_model=AcceptOut, response_model_by_alias=True, responses=AUTH)
def accept(proposal_id: int, user: CurrentUser, session: SessionDep, chain: ChainDep) -> AcceptOut:
    """Hire: the job's client accepts; returns the unsigned allowance and create-and-fund transactions."""
    return proposals.accept(session, proposal_id=proposal_id, client=user.address, chain=chain)
