"""Proposals: one per freelancer per job; withdraw, shortlist, decline, accept (→ the hiring transactions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.proposal import Proposal
from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.proposal import AcceptOut, ProposalIn, ProposalOut
from backend.app.services import hiring, job_posts, notifications
from backend.app.services.chain import ChainGateway
from backend.app.services.display_names import person, quoted
from backend.app.services.errors import Conflict, Invalid, NotAllowed, NotFound

OPEN = frozenset({"submitted", "shortlisted"})


def _milestones(plan: list[MilestonePlan]) -> list[dict[str, str]]:
    if any(int(m.amount) == 0 for m in plan):
        raise Invalid("every milestone needs an amount above zero")
    return [{"title": m.title, "amount": str(int(m.amount))} for m in plan]


def create(session: Session, *, post_id: int, freelancer: str, data: ProposalIn) -> Proposal:
    post = job_posts.get_visible(session, post_id=post_id, viewer=freelancer)
    if post.client == freelancer:
        raise NotAllowed("you cannot propose on your own job")
    if post.status != "published":
        raise Conflict(f"job post {post_id} is {post.status}: it takes no proposals")
    now = datetime.now(UTC)
    proposal = Proposal(
        job_post_id=post.id,
        freelancer=freelancer,
        cover_letter=data.cover_letter,
        milestones=_milestones(data.milestones),
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    try:
        session.flush()
        notifications.notify(
            session,
            recipient=post.client,
            kind="proposal_received",
            text=f"New proposal on {quoted(post.title)} from {person(session, freelancer)}",
            link=f"/api/proposals/{proposal.id}",
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"you already sent a proposal for job post {post_id}") from None
    return proposal


def _get(session: Session, *, proposal_id: int, viewer: str) -> tuple[Proposal, JobPost]:
    """A proposal is visible to its freelancer and to the job's client only (others: 404)."""
    proposal = session.get(Proposal, proposal_id)
    post = None if proposal is None else session.get(JobPost, proposal.job_post_id)
    if proposal is None or post is None or viewer not in (proposal.freelancer, post.client):
        raise NotFound(f"no proposal {proposal_id}")
    return proposal, post


def get(session: Session, *, proposal_id: int, viewer: str) -> Proposal:
    return _get(session, proposal_id=proposal_id, viewer=viewer)[0]


def for_job(session: Session, *, post_id: int, client: str) -> Sequence[Proposal]:
    post = job_posts.get_owned(session, post_id=post_id, client=client)
    return session.scalars(select(Proposal).where(Proposal.job_post_id == post.id).order_by(Proposal.id)).all()


def mine(session: Session, *, freelancer: str) -> Sequence[Proposal]:
    return session.scalars(select(Proposal).where(Proposal.freelancer == freelancer).order_by(Proposal.id.desc())).all()


def _transition(
    proposal: Proposal, *, allowed: frozenset[str], to: str, session: Session | None = None, post: JobPost | None = None
) -> None:
    """Move the proposal on; with a session and the post, its freelancer is notified (not for their own withdrawal)."""
    if proposal.status not in allowed:
        raise Conflict(f"proposal {proposal.id} is {proposal.status}: it cannot be {to}")
    proposal.status = to
    proposal.updated_at = datetime.now(UTC)
    if session is not None and post is not None:
        notifications.notify(
            session,
            recipient=proposal.freelancer,
            kind=f"proposal_{to}",
            text=f"{person(session, post.client)} {to} your proposal on {quoted(post.title)}",
            link=f"/api/proposals/{proposal.id}",
        )


def withdraw(session: Session, *, proposal_id: int, freelancer: str) -> Proposal:
    proposal, _ = _get(session, proposal_id=proposal_id, viewer=freelancer)
    if proposal.freelancer != freelancer:
        raise NotAllowed("only the freelancer who sent it may withdraw a proposal")
    _transition(proposal, allowed=OPEN, to="withdrawn")
    session.commit()
    return proposal


def _client_action(session: Session, *, proposal_id: int, client: str) -> tuple[Proposal, JobPost]:
    proposal, post = _get(session, proposal_id=proposal_id, viewer=client)
    if post.client != client:
        raise NotAllowed("only the job's client may do this")
    return proposal, post


def shortlist(session: Session, *, proposal_id: int, client: str) -> Proposal:
    proposal, post = _client_action(session, proposal_id=proposal_id, client=client)
    _transition(proposal, allowed=frozenset({"submitted"}), to="shortlisted", session=session, post=post)
    session.commit()
    return proposal


def decline(session: Session, *, proposal_id: int, client: str) -> Proposal:
    proposal, post = _client_action(session, proposal_id=proposal_id, client=client)
    _transition(proposal, allowed=OPEN, to="declined", session=session, post=post)
    session.commit()
    return proposal


def accept(session: Session, *, proposal_id: int, client: str, chain: ChainGateway) -> AcceptOut:
    """Accept: the listing freezes (its hash is what goes on-chain) and the hiring transactions come back.

    Accepting an already accepted proposal returns the same transactions again (the wallet may
    have been closed before sending). The transactions are built before anything is written.
    """
    proposal, post = _client_action(session, proposal_id=proposal_id, client=client)
    if proposal.status != "accepted":
        if proposal.status not in OPEN:
            raise Conflict(f"proposal {proposal.id} is {proposal.status}: it cannot be accepted")
        if post.status != "published":
            raise Conflict(f"job post {post.id} is {post.status}: it cannot hire")
    hire = hiring.hire_transactions(
        chain,
        client=client,
        freelancer=proposal.freelancer,
        token=post.token,
        amounts=[int(m["amount"]) for m in proposal.milestones],
        metadata_hash=post.metadata_hash,
        deadline=post.deadline,
    )
    if proposal.status != "accepted":
        job_posts.mark_hired(session, post=post)
        _transition(proposal, allowed=OPEN, to="accepted", session=session, post=post)
        session.commit()
    return AcceptOut(proposal=proposal_out(proposal), hire=hire)


def proposal_out(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.id,
        job_post_id=proposal.job_post_id,
        freelancer=proposal.freelancer,
        cover_letter=proposal.cover_letter,
        milestones=[MilestonePlan(**m) for m in proposal.milestones],
        total=str(sum(int(m["amount"]) for m in proposal.milestones)),
        status=proposal.status,  # type: ignore[arg-type]
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )
