"""Notifications: off-chain ones are rows written with the action (new proposal, accepted, message,
moderation); on-chain ones are read from the indexer's projections at request time: job created
and funded, milestones funded later, submitted, paid (approved, released, or the freelancer's
share of a ruling), reclaimed, disputes opened and ruled, settlements and ratings received.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from backend.app.models.chain import ChainJob
from backend.app.models.notification import Notification
from backend.app.schemas.notification import NotificationFeed, NotificationOut

FEED_SIZE = 50


def notify(session: Session, *, recipient: str, kind: str, text: str, link: str) -> None:
    """Queue a notification in the caller's transaction (it commits or rolls back with the action)."""
    session.add(Notification(recipient=recipient, kind=kind, text=text[:300], link=link, created_at=datetime.now(UTC)))


def _chain_items(session: Session, *, address: str) -> list[NotificationOut]:
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

    def add(kind: str, text: str, at: datetime | None, link: str) -> None:
        if at is not None:
            items.append(NotificationOut(source="chain", kind=kind, text=text, link=link, at=at, unread=False))

    for job in jobs:
        link = f"/api/jobs/{job.job_id}"
        name = f"job #{job.job_id}"
        initial = sum(f.amount for f in job.fundings if f.tx_hash == job.created_tx)
        add(
            "job_funded",
            f"Escrow {name} created, {initial} funded of {job.total} (token {job.token})",
            job.created_at,
            link,
        )
        for funding in job.fundings:
            if funding.tx_hash != job.created_tx:
                milestones = f"{funding.first_milestone}–{funding.funded_count - 1}"
                add(
                    "milestone_funded",
                    f"Milestones {milestones} of {name} funded: {funding.amount}",
                    funding.funded_at,
                    link,
                )
        for m in job.milestones:
            add("milestone_submitted", f"Milestone {m.index} of {name} submitted for review", m.submitted_at, link)
            if m.state in ("approved", "released") or (m.state in ("resolved", "default_ruled") and m.to_freelancer):
                add("milestone_paid", f"Milestone {m.index} of {name} paid: {m.to_freelancer}", m.closed_at, link)
            elif m.state == "reclaimed":
                add("milestone_reclaimed", f"Milestone {m.index} of {name} reclaimed: {m.to_client}", m.closed_at, link)
        for d in job.disputes:
            add(
                "dispute_opened",
                f"Milestone {d.milestone} of {name} disputed by the {d.opened_by_role}",
                d.opened_at,
                link,
            )
            if d.outcome in ("resolved", "default_ruled"):
                how = "ruled by the arbiter" if d.outcome == "resolved" else "given the default ruling (even split)"
                text = (
                    f"Dispute on milestone {d.milestone} of {name} {how}: {d.freelancer_bps / 100:g}% to the freelancer"
                )
                add("dispute_resolved", text, d.closed_at, link)
        if job.settlement is not None:
            split = job.settlement.freelancer_bps / 100
            add("job_settled", f"{name} settled: {split:g}% to the freelancer", job.settlement.settled_at, link)
        for rating in job.ratings:
            if rating.subject == address:
                add("rated", f"You were rated {rating.score}/5 for {name}", rating.rated_at, link)
    return items


def feed(session: Session, *, address: str) -> NotificationFeed:
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
    items = sorted(app_items + _chain_items(session, address=address), key=lambda i: i.at, reverse=True)
    unread = session.scalar(
        select(func.count(Notification.id)).where(Notification.recipient == address, Notification.read_at.is_(None))
    )
    return NotificationFeed(unread=int(unread or 0), items=items[:FEED_SIZE])


def mark_all_read(session: Session, *, address: str) -> None:
    session.execute(
        update(Notification)
        .where(Notification.recipient == address, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    session.commit()
