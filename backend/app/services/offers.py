"""Service offers: a freelancer's packaged service in up to three tiers; a client orders a tier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.proposal import OfferOrder, OfferOrderSkill, OfferSkill, OfferTier, ServiceOffer
from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.proposal import OfferIn, OfferOut, OrderOut, TierOut
from backend.app.services import hiring, markdown, notifications
from backend.app.services.chain import ChainGateway
from backend.app.services.display_names import person, quoted
from backend.app.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backend.app.services.listing_hash import canonical_json, metadata_hash
from backend.app.services.profiles import category_exists
from backend.app.services.skills import normalise_tags

ORDER_SCHEMA = "jiedan/offer-order@1"
MAX_PAGE = 50


def _apply(session: Session, offer: ServiceOffer, data: OfferIn) -> None:
    if not category_exists(session, slug=data.category):
        raise Invalid(f"no category {data.category!r}: see GET /api/categories")
    tags = normalise_tags(data.skills)
    tiers = []
    for position, tier in enumerate(data.tiers):
        if any(int(m.amount) == 0 for m in tier.milestones):
            raise Invalid(f"tier {tier.name!r}: every milestone needs an amount above zero")
        milestones = [{"title": m.title, "amount": str(int(m.amount))} for m in tier.milestones]
        tiers.append(
            OfferTier(
                position=position,
                name=tier.name,
                price=sum(int(m["amount"]) for m in milestones),
                delivery_days=tier.delivery_days,
                milestones=milestones,
            )
        )
    offer.title = data.title.strip()
    offer.description = data.description
    offer.category = data.category
    offer.token = data.token
    offer.skills = [OfferSkill(tag=tag) for tag in tags]
    offer.tiers = tiers
    offer.updated_at = datetime.now(UTC)


def create(session: Session, *, freelancer: str, data: OfferIn) -> ServiceOffer:
    offer = ServiceOffer(freelancer=freelancer, status="active", hidden=False, created_at=datetime.now(UTC))
    _apply(session, offer, data)
    session.add(offer)
    session.commit()
    return offer


def get_visible(session: Session, *, offer_id: int, viewer: str | None) -> ServiceOffer:
    offer = session.get(ServiceOffer, offer_id)
    if offer is None or (offer.hidden and offer.freelancer != viewer):
        raise NotFound(f"no service offer {offer_id}")
    return offer


def _owned(session: Session, *, offer_id: int, freelancer: str) -> ServiceOffer:
    offer = get_visible(session, offer_id=offer_id, viewer=freelancer)
    if offer.freelancer != freelancer:
        raise NotAllowed(f"service offer {offer_id} belongs to {offer.freelancer}")
    return offer


def update(session: Session, *, offer_id: int, freelancer: str, data: OfferIn) -> ServiceOffer:
    """Past orders keep their own canonical JSON, so editing never changes what was hired."""
    offer = _owned(session, offer_id=offer_id, freelancer=freelancer)
    if offer.status != "active":
        raise Conflict(f"service offer {offer_id} is {offer.status}")
    offer.tiers.clear()
    session.flush()  # old tiers out before the new ones reuse their positions
    _apply(session, offer, data)
    session.commit()
    return offer


def close(session: Session, *, offer_id: int, freelancer: str) -> ServiceOffer:
    offer = _owned(session, offer_id=offer_id, freelancer=freelancer)
    if offer.status != "active":
        raise Conflict(f"service offer {offer_id} is already {offer.status}")
    offer.status = "closed"
    offer.updated_at = datetime.now(UTC)
    session.commit()
    return offer


def list_active(
    session: Session, *, category: str | None, freelancer: str | None, before_id: int | None, limit: int
) -> Sequence[ServiceOffer]:
    query = select(ServiceOffer).where(ServiceOffer.status == "active", ServiceOffer.hidden.is_(False))
    if category:
        query = query.where(ServiceOffer.category == category)
    if freelancer:
        query = query.where(ServiceOffer.freelancer == freelancer)
    if before_id is not None:
        query = query.where(ServiceOffer.id < before_id)
    return session.scalars(query.order_by(ServiceOffer.id.desc()).limit(min(limit, MAX_PAGE))).all()


def order_document(offer: ServiceOffer, tier: OfferTier, client: str, ordered_at: datetime) -> dict[str, Any]:
    """What the order's metadata hash commits to (the time makes every order's hash distinct)."""
    return {
        "schema": ORDER_SCHEMA,
        "offer_id": offer.id,
        "ordered_at": ordered_at.isoformat(),
        "client": client,
        "freelancer": offer.freelancer,
        "title": offer.title,
        "description": offer.description,
        "category": offer.category,
        "skills": [s.tag for s in offer.skills],
        "token": offer.token,
        "tier": {
            "name": tier.name,
            "price": str(tier.price),
            "delivery_days": tier.delivery_days,
            "milestones": tier.milestones,
        },
    }


def order(session: Session, *, offer_id: int, tier: int, client: str, chain: ChainGateway) -> OrderOut:
    """Order a tier: its listing is frozen as an order and the hiring transactions come back."""
    offer = get_visible(session, offer_id=offer_id, viewer=client)
    if offer.freelancer == client:
        raise NotAllowed("you cannot order your own service")
    if offer.status != "active":
        raise Conflict(f"service offer {offer_id} is {offer.status}")
    chosen = next((t for t in offer.tiers if t.position == tier), None)
    if chosen is None:
        raise NotFound(f"service offer {offer_id} has no tier {tier}")
    ordered_at = datetime.now(UTC)
    document = order_document(offer, chosen, client, ordered_at)
    digest = metadata_hash(document)
    hire = hiring.hire_transactions(
        chain,
        client=client,
        freelancer=offer.freelancer,
        token=offer.token,
        amounts=[int(m["amount"]) for m in chosen.milestones],
        metadata_hash=digest,
        deadline=ordered_at + timedelta(days=chosen.delivery_days),
    )
    record = OfferOrder(
        offer_id=offer.id,
        tier=tier,
        client=client,
        canonical_json=canonical_json(document),
        metadata_hash=digest,
        created_at=ordered_at,
    )
    record.skills = [OfferOrderSkill(tag=s.tag) for s in offer.skills]
    session.add(record)
    notifications.notify(
        session,
        recipient=offer.freelancer,
        kind="offer_ordered",
        text=f"{person(session, client)} ordered the {chosen.name} tier of {quoted(offer.title)}"
        " (the escrow job appears once they fund it)",
        link=f"/api/offers/{offer.id}",
    )
    session.commit()
    return OrderOut(
        id=record.id,
        offer_id=offer.id,
        tier=tier,
        client=client,
        canonical_json=record.canonical_json,
        hire=hire,
        created_at=record.created_at,
    )


def offer_out(offer: ServiceOffer) -> OfferOut:
    return OfferOut(
        id=offer.id,
        freelancer=offer.freelancer,
        title=offer.title,
        description=offer.description,
        description_html=markdown.render(offer.description),
        category=offer.category,
        skills=[s.tag for s in offer.skills],
        token=offer.token,
        status=offer.status,  # type: ignore[arg-type]
        tiers=[
            TierOut(
                position=t.position,
                name=t.name,
                price=str(t.price),
                delivery_days=t.delivery_days,
                milestones=[MilestonePlan(**m) for m in t.milestones],
            )
            for t in offer.tiers
        ],
        created_at=offer.created_at,
        updated_at=offer.updated_at,
    )
