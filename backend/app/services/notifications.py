"""Notifications: off-chain ones are rows written with the action (new proposal, accepted, message,
moderation); on-chain ones are read from the indexer's projections at request time (escrow job
funded, milestone paid). Disputes and ratings join `_chain_items` when the indexer projects them.
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
        .options(selectinload(ChainJob.milestones))
        .order_by(ChainJob.created_block.desc())
        .limit(FEED_SIZE)
    ).all()
    items: list[NotificationOut] = []
    for job in jobs:
        link = f"/api/jobs/{job.job_id}"
        items.append(
            NotificationOut(
                source="chain",
                kind="job_funded",
                text=f"Escrow job #{job.job_id} created and funded with {job.funded} (token {job.token})",
                link=link,
                at=job.created_at,
                unread=False,
            )
        )
        for milestone in job.milestones:
            if milestone.state == "released" and milestone.released_at is not None:
                items.append(
                    NotificationOut(
                        source="chain",
                        kind="milestone_paid",
                        text=f"Milestone {milestone.index} of job #{job.job_id} paid: {milestone.amount}",
                        link=link,
                        at=milestone.released_at,
                        unread=False,
                    )
                )
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
