"""Proposals on job posts: send, withdraw, shortlist, decline, accept (→ unsigned hiring transactions)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import ChainDep, CurrentUser, LazyChainDep, SessionDep, SettingsDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.api.rate_limits import Bucket, rate_limit
from backend.app.schemas.proposal import AcceptOut, ProposalIn, ProposalOut, ProposalPlanIn
from backend.app.schemas.tx import ConsentIn, ConsentOut
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
def send_proposal(
    post_id: int, body: ProposalIn, user: CurrentUser, session: SessionDep, settings: SettingsDep, chain: LazyChainDep
) -> ProposalOut:
    """One proposal per freelancer per published job; never on your own job. With `consent` (the signed terms of
    `…/proposals/consent`) the client can hire it at once; a signature not the freelancer's is a 422 problem, a
    salt already used or held by another of the freelancer's consents a 409 `consent-needed` (ask again)."""
    created = proposals.create(
        session,
        post_id=post_id,
        freelancer=user.address,
        data=body,
        milestone_days=settings.default_milestone_days,
        chain=chain,
    )
    return proposals.proposal_out(created)


@router.post("/job-posts/{post_id}/proposals/consent", response_model=ConsentOut, responses=AUTH)
def proposal_terms(
    post_id: int, body: ProposalPlanIn, user: CurrentUser, session: SessionDep, chain: ChainDep
) -> ConsentOut:
    """The escrow terms the client would create if it accepts this plan, and the EIP-712 payload to sign (with
    the salt allotted to the freelancer's next consent: their lowest one not used or held)."""
    return proposals.consent_for_plan(session, post_id=post_id, freelancer=user.address, plan=body, chain=chain)


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


@router.get("/proposals/{proposal_id}/consent", response_model=ConsentOut, responses=AUTH)
def fresh_terms(proposal_id: int, user: CurrentUser, session: SessionDep, chain: ChainDep) -> ConsentOut:
    """Its freelancer: fresh escrow terms of the plan (today's fee, a new expiry; the salt its consent holds) to
    sign again."""
    return proposals.consent_for(session, proposal_id=proposal_id, freelancer=user.address, chain=chain)


@router.put("/proposals/{proposal_id}/consent", response_model=ProposalOut, responses=AUTH)
def sign_terms(
    proposal_id: int, body: ConsentIn, user: CurrentUser, session: SessionDep, chain: ChainDep
) -> ProposalOut:
    """Its freelancer signs the escrow terms (again): the client can then hire it (a salt used or held by another
    consent: 409 `consent-needed`)."""
    signed = proposals.sign(session, proposal_id=proposal_id, freelancer=user.address, consent=body, chain=chain)
    return proposals.proposal_out(signed)


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
    """Hire: the job's client accepts; returns the unsigned allowance and create-and-fund transactions, built from
    the terms the freelancer signed (409 `consent-needed` when they must sign again)."""
    return proposals.accept(session, proposal_id=proposal_id, client=user.address, chain=chain)
