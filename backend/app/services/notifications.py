"""Notifications: off-chain ones are rows written with the action (new proposal, accepted, message,
moderation, a service offer ordered); on-chain ones are read from the indexer's projections at request
time: job created and funded, milestones funded later, submitted, paid (approved, released, or the
freelancer's share of a ruling), reclaimed, disputes opened and ruled, settlements and ratings received.
Amounts are written with the job token's decimals and symbol (`tokens.describe`); milestones are
numbered from 1, as the job page shows them; an escrow job is named after the listing or service offer
it carries (“Logo for a tea shop” (job #1)), or by its number alone when none carries it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from backend.app.models.chain import ChainJob
from backend.app.models.notification import Notification
from backend.app.models.proposal import OfferOrder, ServiceOffer
from backend.app.schemas.notification import NotificationFeed, NotificationOut
from backend.app.services import listing_jobs, tokens
from backend.app.services.chain import ChainGateway

FEED_SIZE = 50


def notify(session: Session, *, recipient: str, kind: str, text: str, link: str) -> None:
    """Queue a notification in the caller's transaction (it commits or rolls back with the action)."""
    session.add(Notification(recipient=recipient, kind=kind, text=text[:300], link=link, created_at=datetime.now(UTC)))


def _milestones(first: int, last: int) -> str:
    """0-based contract indexes → the 1-based words people read: "Milestone 2", "Milestones 2–3"."""
    return f"Milestone {first + 1}" if first == last else f"Milestones {first + 1}–{last + 1}"


def _job_names(session: Session, jobs: list[ChainJob]) -> dict[int, str]:
    """Each escrow job's name: the title of the listing it carries (services/listing_jobs.py), or of the
    service offer the client ordered with its metadata hash; else "job #N"."""
    names = {job.job_id: f"job #{job.job_id}" for job in jobs}
    if not jobs:
        return names
    for (_, job_id), post in listing_jobs.listings_of(session, jobs).items():
        names[job_id] = f"“{post.title}” (job #{job_id})"
    by_hash = {(job.client.lower(), job.metadata_hash.lower()): job.job_id for job in jobs}
    orders = session.execute(
        select(ServiceOffer.title, OfferOrder.client, OfferOrder.metadata_hash)
        .join(ServiceOffer, ServiceOffer.id == OfferOrder.offer_id)
        .where(func.lower(OfferOrder.metadata_hash).in_({job.metadata_hash.lower() for job in jobs}))
    ).all()
    for title, client, order_hash in orders:
        job_id = by_hash.get((client.lower(), order_hash.lower()))
        if job_id is not None:
            names[job_id] = f"“{title}” (job #{job_id})"
    return names


def _chain_items(session: Session, *, address: str, chain: ChainGateway | None) -> list[NotificationOut]:
    jobs = session.scalars(
        select(ChainJob)
        .where(or_(ChainJob.client == address, ChainJob.freelancer == address))
        .options(
            selectinload(ChainJob.milestones),
            selectinload(ChainJob.fundings),
            selectinload(ChainJob.disputes),
            selectinload(ChainJob.ratings),
            selectinload(ChainJob.settlement),
        )
        .order_by(ChainJob.created_block.desc())
        .limit(FEED_SIZE)
    ).all()
    items: list[NotificationOut] = []
    names = _job_names(session, list(jobs))

    def add(kind: str, text: str, at: datetime | None, link: str) -> None:
        if at is not None:
            items.append(NotificationOut(source="chain", kind=kind, text=text, link=link, at=at, unread=False))

    for job in jobs:
        link = f"/api/jobs/{job.job_id}"
        name = names[job.job_id]
        money = tokens.describe(chain, job.token).amount
        initial = sum(f.amount for f in job.fundings if f.tx_hash == job.created_tx)
        funded = f"{money(initial)} funded" + ("" if initial == job.total else f" of {money(job.total)}")
        add("job_funded", f"Escrow {name} created, {funded}", job.created_at, link)
        for funding in job.fundings:
            if funding.tx_hash != job.created_tx:
                which = _milestones(funding.first_milestone, funding.funded_count - 1)
                add("milestone_funded", f"{which} of {name} funded: {money(funding.amount)}", funding.funded_at, link)
        for m in job.milestones:
            which = _milestones(m.index, m.index)
            add("milestone_submitted", f"{which} of {name} submitted for review", m.submitted_at, link)
            if m.state in ("approved", "released") or (m.state in ("resolved", "default_ruled") and m.to_freelancer):
                add("milestone_paid", f"{which} of {name} paid: {money(m.to_freelancer or 0)}", m.closed_at, link)
            elif m.state == "reclaimed":
                add("milestone_reclaimed", f"{which} of {name} reclaimed: {money(m.to_client or 0)}", m.closed_at, link)
            elif m.state == "deducted":
                share = f"{(m.ruling_bps or 0) / 100:g}%"
                text = f"{which} of {name} accepted with a deduction: {share}, {money(m.to_freelancer or 0)} paid"
                add("milestone_deducted", text, m.closed_at, link)
        for d in job.disputes:
            which = _milestones(d.milestone, d.milestone)
            add("dispute_opened", f"{which} of {name} disputed by the {d.opened_by_role}", d.opened_at, link)
            if d.outcome in ("resolved", "default_ruled"):
                how = "ruled by the arbiter" if d.outcome == "resolved" else "given the default ruling (even split)"
                text = f"Dispute on {which.lower()} of {name} {how}: {d.freelancer_bps / 100:g}% to the freelancer"
                add("dispute_resolved", text, d.closed_at, link)
        if job.settlement is not None:
            text = f"{name[0].upper()}{name[1:]} settled: {job.settlement.freelancer_bps / 100:g}% to the freelancer"
            add("job_settled", text, job.settlement.settled_at, link)
        for rating in job.ratings:
            if rating.subject == address:
                add("rated", f"You were rated {rating.score}/5 for {name}", rating.rated_at, link)
    return items


def unread_count(session: Session, *, address: str) -> int:
    """Unread app notifications (chain events are never "unread": they are not rows of their own)."""
    unread = session.scalar(
        select(func.count(Notification.id)).where(Notification.recipient == address, Notification.read_at.is_(None))
    )
    return int(unread or 0)


def feed(session: Session, *, address: str, chain: ChainGateway | None = None) -> NotificationFeed:
    """Newest first, at most FEED_SIZE; without a chain gateway amounts stay in base units."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.recipient == address)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(FEED_SIZE)
    ).all()
    app_items = [
        NotificationOut(source="app", kind=n.kind, text=n.text, link=n.link, at=n.created_at, unread=n.read_at is None)
        for n in rows
    ]
    chain_items = _chain_items(session, address=address, chain=chain)
    items = sorted(app_items + chain_items, key=lambda i: i.at, reverse=True)
    return NotificationFeed(unread=unread_count(session, address=address), items=items[:FEED_SIZE])


def mark_all_read(session: Session, *, address: str) -> None:
    session.execute(
        update(Notification)
        .where(Notification.recipient == address, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    session.commit()
