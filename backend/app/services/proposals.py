"""Proposals: one per freelancer per job; withdraw, shortlist, decline, accept (→ the hiring transactions).

A proposal carries its freelancer's consent to the escrow terms the client creates on accepting it
(escrow v2): `consent_for_plan` offers the terms of a plan before the proposal is sent, the signature
comes with it (or later, `sign`), and `accept` then builds create-and-fund with no further signature.
Terms that no longer hold (the fee changed, the offer expired, the listing changed) are signed again
(`consent_for`, `sign`). Each consent's salt is allotted and held by `consent_salts` (the lowest one the
freelancer has free; signed again, a proposal's consent keeps its salt).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import Terms
from backend.app.models.job_post import JobPost
from backend.app.models.proposal import Proposal
from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.proposal import AcceptOut, ProposalIn, ProposalMilestone, ProposalOut, ProposalPlanIn
from backend.app.schemas.tx import ConsentIn, ConsentOut, JobTerms
from backend.app.services import consent_salts, hiring, job_posts, notifications
from backend.app.services.chain import ChainGateway
from backend.app.services.display_names import person, quoted
from backend.app.services.errors import Conflict, Invalid, NotAllowed, NotFound

OPEN = frozenset({"submitted", "shortlisted"})


def _default_durations(milestone_days: int, deadline: datetime | None, count: int) -> list[int]:
    """Spread evenly up to the listing's deadline (from now), else `JIEDAN_DEFAULT_MILESTONE_DAYS` apart."""
    now = datetime.now(UTC)
    within = deadline - now if deadline is not None and deadline > now else None
    return hiring.default_durations(count, within=within, milestone_days=milestone_days)


def default_plan(
    milestone_days: int, *, deadline: datetime | None, plan: list[MilestonePlan]
) -> list[ProposalMilestone]:
    """A listing's milestone plan with the durations a proposal gets by default (what the form starts from)."""
    durations = _default_durations(milestone_days, deadline, len(plan))
    return [ProposalMilestone(title=m.title, amount=m.amount, duration=d) for m, d in zip(plan, durations, strict=True)]


def _milestones(milestone_days: int, post: JobPost, plan: list[ProposalMilestone]) -> list[dict[str, str | int]]:
    """The plan as stored: title, amount and duration (the default where the freelancer gave none)."""
    if any(int(m.amount) == 0 for m in plan):
        raise Invalid("every milestone needs an amount above zero")
    defaults = _default_durations(milestone_days, post.deadline, len(plan))
    return [
        {"title": m.title, "amount": str(int(m.amount)), "duration": m.duration or default}
        for m, default in zip(plan, defaults, strict=True)
    ]


def _offered(
    chain: ChainGateway, post: JobPost, freelancer: str, milestones: list[dict[str, str | int]], *, salt: int
) -> Terms:
    return hiring.offered_terms(
        chain,
        client=post.client,
        freelancer=freelancer,
        token=post.token,
        milestones=[(int(m["amount"]), int(m["duration"])) for m in milestones],
        metadata_hash=post.metadata_hash,
        salt=salt,
    )


def _proposable(session: Session, *, post_id: int, freelancer: str) -> JobPost:
    post = job_posts.get_visible(session, post_id=post_id, viewer=freelancer)
    if post.client == freelancer:
        raise NotAllowed("you cannot propose on your own job")
    if post.status != "published":
        raise Conflict(f"job post {post_id} is {post.status}: it takes no proposals")
    return post


def consent_for_plan(
    session: Session, *, post_id: int, freelancer: str, plan: ProposalPlanIn, chain: ChainGateway
) -> ConsentOut:
    """The escrow terms the client would create if it accepts this plan, for the freelancer to sign."""
    post = _proposable(session, post_id=post_id, freelancer=freelancer)
    milestones = _milestones(chain.hiring.milestone_days, post, plan.milestones)
    salt = consent_salts.next_salt(session, chain, freelancer)
    return hiring.consent_out(chain, _offered(chain, post, freelancer, milestones, salt=salt))


def _signed_plan(
    chain: ChainGateway, post: JobPost, freelancer: str, plan: list[ProposalMilestone], consent: ConsentIn
) -> tuple[list[dict[str, str | int]], Terms]:
    """The plan with the durations the freelancer signed, and the signed terms once checked (422 otherwise; their
    salt is `consent_salts.claim`'s to check when they are kept)."""
    signed = consent.terms.milestones
    if len(signed) != len(plan):
        raise Invalid(f"the signed terms have {len(signed)} milestones, the plan {len(plan)}")
    for index, (m, terms) in enumerate(zip(plan, signed, strict=True)):
        if m.duration is not None and m.duration != terms.duration:
            raise Invalid(f"milestone {index + 1}'s duration differs from the one signed")
    timed = [m.model_copy(update={"duration": terms.duration}) for m, terms in zip(plan, signed, strict=True)]
    milestones = _milestones(chain.hiring.milestone_days, post, timed)
    offered = _offered(chain, post, freelancer, milestones, salt=int(consent.terms.salt))
    return milestones, hiring.accept_consent(chain, offered=offered, consent=consent)


def create(
    session: Session,
    *,
    post_id: int,
    freelancer: str,
    data: ProposalIn,
    milestone_days: int,
    chain: Callable[[], ChainGateway],
) -> Proposal:
    """A proposal; with a consent the chain is asked (the fee, the time, the salt) to check it, without one it
    is not."""
    post = _proposable(session, post_id=post_id, freelancer=freelancer)
    terms: Terms | None = None
    gateway: ChainGateway | None = None
    if data.consent is None:
        milestones = _milestones(milestone_days, post, data.milestones)
    else:
        gateway = chain()
        milestones, terms = _signed_plan(gateway, post, freelancer, data.milestones, data.consent)
    now = datetime.now(UTC)
    proposal = Proposal(
        job_post_id=post.id,
        freelancer=freelancer,
        cover_letter=data.cover_letter,
        milestones=milestones,
        status="submitted",
        consent_terms=None if terms is None else terms.dumps(),
        consent_signature=None if data.consent is None else data.consent.signature,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"you already sent a proposal for job post {post_id}") from None
    if terms is not None and gateway is not None:
        consent_salts.claim(session, gateway, terms, holder=proposal)
    notifications.notify(
        session,
        recipient=post.client,
        kind="proposal_received",
        text=f"New proposal on {quoted(post.title)} from {person(session, freelancer)}",
        link=f"/api/proposals/{proposal.id}",
    )
    session.commit()
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


def waiting_counts(session: Session, *, post_ids: Sequence[int]) -> dict[int, int]:
    """How many proposals await the client's answer (`submitted`) on each of these listings, in one query."""
    if not post_ids:
        return {}
    rows = session.execute(
        select(Proposal.job_post_id, func.count(Proposal.id))
        .where(Proposal.job_post_id.in_(post_ids), Proposal.status == "submitted")
        .group_by(Proposal.job_post_id)
    ).all()
    return {post_id: int(count) for post_id, count in rows}


def mine(session: Session, *, freelancer: str) -> Sequence[Proposal]:
    return session.scalars(select(Proposal).where(Proposal.freelancer == freelancer).order_by(Proposal.id.desc())).all()


def own_for_job(session: Session, *, freelancer: str, post_id: int) -> Proposal | None:
    """This freelancer's proposal for this listing (the newest, should there be several), if any."""
    query = select(Proposal).where(Proposal.freelancer == freelancer, Proposal.job_post_id == post_id)
    return session.scalars(query.order_by(Proposal.id.desc()).limit(1)).first()


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


def _own(session: Session, *, proposal_id: int, freelancer: str) -> tuple[Proposal, JobPost]:
    proposal, post = _get(session, proposal_id=proposal_id, viewer=freelancer)
    if proposal.freelancer != freelancer:
        raise NotAllowed("only the freelancer who sent it signs a proposal's terms")
    if proposal.status not in OPEN:
        raise Conflict(f"proposal {proposal.id} is {proposal.status}: its terms can no longer change")
    return proposal, post


def consent_for(session: Session, *, proposal_id: int, freelancer: str, chain: ChainGateway) -> ConsentOut:
    """Fresh escrow terms of the proposal's plan (today's fee and listing, a new expiry; the salt its consent
    holds while usable, else the freelancer's next free one) to sign again."""
    proposal, post = _own(session, proposal_id=proposal_id, freelancer=freelancer)
    salt = consent_salts.next_salt(session, chain, freelancer, holder=proposal)
    return hiring.consent_out(chain, _offered(chain, post, freelancer, proposal.milestones, salt=salt))


def sign(session: Session, *, proposal_id: int, freelancer: str, consent: ConsentIn, chain: ChainGateway) -> Proposal:
    """Keep the freelancer's (new) signature of the proposal's terms, once checked."""
    proposal, post = _own(session, proposal_id=proposal_id, freelancer=freelancer)
    plan = [ProposalMilestone(**m) for m in proposal.milestones]
    proposal.milestones, terms = _signed_plan(chain, post, freelancer, plan, consent)
    consent_salts.claim(session, chain, terms, holder=proposal)
    proposal.consent_terms, proposal.consent_signature = terms.dumps(), consent.signature
    proposal.updated_at = datetime.now(UTC)
    session.commit()
    return proposal


def accept(session: Session, *, proposal_id: int, client: str, chain: ChainGateway) -> AcceptOut:
    """Accept: the listing freezes (its hash is what goes on-chain) and the hiring transactions come back, built
    from the terms the freelancer signed (a 409 `consent-needed` problem when there are none that hold now).

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
        terms=_consent_terms(proposal),
        consent=proposal.consent_signature,
        metadata_hash=post.metadata_hash,
    )
    if proposal.status != "accepted":
        job_posts.mark_hired(session, post=post)
        _transition(proposal, allowed=OPEN, to="accepted", session=session, post=post)
        session.commit()
    return AcceptOut(proposal=proposal_out(proposal), hire=hire)


def _consent_terms(proposal: Proposal) -> Terms | None:
    return None if proposal.consent_terms is None else Terms.loads(proposal.consent_terms)


def proposal_out(proposal: Proposal) -> ProposalOut:
    terms = _consent_terms(proposal)
    return ProposalOut(
        id=proposal.id,
        job_post_id=proposal.job_post_id,
        freelancer=proposal.freelancer,
        cover_letter=proposal.cover_letter,
        milestones=[ProposalMilestone(**m) for m in proposal.milestones],
        total=str(sum(int(m["amount"]) for m in proposal.milestones)),
        status=proposal.status,  # type: ignore[arg-type]
        consent_terms=None if terms is None else JobTerms.of(terms),
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )
