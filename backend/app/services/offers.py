"""Service offers: a freelancer's packaged service in up to three tiers; a client orders a tier.

An order freezes the listing (its canonical JSON and hash) and waits for its freelancer, who accepts it by
signing the escrow terms (escrow v2: a job needs the freelancer's consent); the client then gets the
allowance and create-and-fund transactions. A tier's milestones are due evenly over its delivery days. The
consent's salt is allotted and held by `consent_salts` (signed again, an order's consent keeps its salt, so
only one of the two can create the job).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import Terms
from backend.app.core.tokens import TokenList
from backend.app.models.proposal import OfferOrder, OfferOrderSkill, OfferSkill, OfferTier, ServiceOffer
from backend.app.schemas.job_post import MilestonePlan
from backend.app.schemas.proposal import HireOut, OfferIn, OfferOut, OrderOut, TierOut
from backend.app.schemas.tx import ConsentIn, ConsentOut, JobTerms
from backend.app.services import consent_salts, hiring, markdown, notifications, tokens
from backend.app.services.chain import ChainGateway
from backend.app.services.display_names import person, quoted
from backend.app.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backend.app.services.listing_hash import canonical_json, metadata_hash
from backend.app.services.profiles import category_exists
from backend.app.services.skills import normalise_tags

ORDER_SCHEMA = "jiedan/offer-order@1"
MAX_PAGE = 50


def _apply(session: Session, offer: ServiceOffer, data: OfferIn, listed: TokenList) -> None:
    payment = tokens.accepted_in(listed, data.token)  # an offer names money in a token the network lists
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
    offer.token = payment.address
    offer.skills = [OfferSkill(tag=tag) for tag in tags]
    offer.tiers = tiers
    offer.updated_at = datetime.now(UTC)


def create(session: Session, *, freelancer: str, data: OfferIn, listed: TokenList) -> ServiceOffer:
    offer = ServiceOffer(freelancer=freelancer, status="active", hidden=False, created_at=datetime.now(UTC))
    _apply(session, offer, data, listed)
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


def update(session: Session, *, offer_id: int, freelancer: str, data: OfferIn, listed: TokenList) -> ServiceOffer:
    """Past orders keep their own canonical JSON, so editing never changes what was hired."""
    offer = _owned(session, offer_id=offer_id, freelancer=freelancer)
    if offer.status != "active":
        raise Conflict(f"service offer {offer_id} is {offer.status}")
    offer.tiers.clear()
    session.flush()  # old tiers out before the new ones reuse their positions
    _apply(session, offer, data, listed)
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
    """Order a tier: its listing is frozen as an order, and its freelancer is asked to accept it (sign the terms)."""
    offer = get_visible(session, offer_id=offer_id, viewer=client)
    if offer.freelancer == client:
        raise NotAllowed("you cannot order your own service")
    if offer.status != "active":
        raise Conflict(f"service offer {offer_id} is {offer.status}")
    chosen = next((t for t in offer.tiers if t.position == tier), None)
    if chosen is None:
        raise NotFound(f"service offer {offer_id} has no tier {tier}")
    tokens.accepted(chain, offer.token)
    ordered_at = datetime.now(UTC)
    document = order_document(offer, chosen, client, ordered_at)
    record = OfferOrder(
        offer_id=offer.id,
        tier=tier,
        client=client,
        canonical_json=canonical_json(document),
        metadata_hash=metadata_hash(document),
        status="ordered",
        created_at=ordered_at,
    )
    record.skills = [OfferOrderSkill(tag=s.tag) for s in offer.skills]
    session.add(record)
    session.flush()
    notifications.notify(
        session,
        recipient=offer.freelancer,
        kind="offer_ordered",
        text=f"{person(session, client)} ordered the {chosen.name} tier of {quoted(offer.title)}"
        " (accept it by signing the escrow terms; the job appears once they fund it)",
        link=f"/api/offers/orders/{record.id}",
    )
    session.commit()
    return order_out(session, record)


def _order(session: Session, *, order_id: int, viewer: str) -> tuple[OfferOrder, ServiceOffer]:
    """An order is visible to its client and to the offer's freelancer only (others: 404)."""
    record = session.get(OfferOrder, order_id)
    offer = None if record is None else session.get(ServiceOffer, record.offer_id)
    if record is None or offer is None or viewer not in (record.client, offer.freelancer):
        raise NotFound(f"no order {order_id}")
    return record, offer


def get_order(session: Session, *, order_id: int, viewer: str) -> OrderOut:
    return order_out(session, _order(session, order_id=order_id, viewer=viewer)[0])


def _offered(chain: ChainGateway, record: OfferOrder, offer: ServiceOffer, *, salt: int) -> Terms:
    document = json.loads(record.canonical_json)
    tier = document["tier"]
    durations = hiring.default_durations(
        len(tier["milestones"]),
        within=timedelta(days=tier["delivery_days"]),
        milestone_days=chain.hiring.milestone_days,
    )
    return hiring.offered_terms(
        chain,
        client=record.client,
        freelancer=offer.freelancer,
        token=document["token"],
        milestones=[(int(m["amount"]), d) for m, d in zip(tier["milestones"], durations, strict=True)],
        metadata_hash=record.metadata_hash,
        salt=salt,
    )


def _freelancers(session: Session, *, order_id: int, freelancer: str) -> tuple[OfferOrder, ServiceOffer]:
    record, offer = _order(session, order_id=order_id, viewer=freelancer)
    if offer.freelancer != freelancer:
        raise NotAllowed("only the offer's freelancer accepts an order")
    return record, offer


def consent_for(session: Session, *, order_id: int, freelancer: str, chain: ChainGateway) -> ConsentOut:
    """The escrow terms of the ordered tier, for its freelancer to sign (accepting the order)."""
    record, offer = _freelancers(session, order_id=order_id, freelancer=freelancer)
    salt = consent_salts.next_salt(session, chain, freelancer, holder=record)
    return hiring.consent_out(chain, _offered(chain, record, offer, salt=salt))


def accept(session: Session, *, order_id: int, freelancer: str, consent: ConsentIn, chain: ChainGateway) -> OrderOut:
    """The freelancer accepts the order by signing its terms (again, when what they signed no longer holds)."""
    record, offer = _freelancers(session, order_id=order_id, freelancer=freelancer)
    offered = _offered(chain, record, offer, salt=int(consent.terms.salt))
    terms = hiring.accept_consent(chain, offered=offered, consent=consent)
    consent_salts.claim(session, chain, terms, holder=record)
    record.status, record.consent_terms, record.consent_signature = "accepted", terms.dumps(), consent.signature
    notifications.notify(
        session,
        recipient=record.client,
        kind="order_accepted",
        text=f"{person(session, freelancer)} accepted your order of {quoted(offer.title)}: fund it to start",
        link=f"/api/offers/orders/{record.id}",
    )
    session.commit()
    return order_out(session, record)


def hire(session: Session, *, order_id: int, client: str, chain: ChainGateway) -> OrderOut:
    """The client's allowance and create-and-fund transactions, from the terms the freelancer signed."""
    record, _offer = _order(session, order_id=order_id, viewer=client)
    if record.client != client:
        raise NotAllowed("only the client who ordered it hires from an order")
    transactions = hiring.hire_transactions(
        chain, terms=_consent_terms(record), consent=record.consent_signature, metadata_hash=record.metadata_hash
    )
    return order_out(session, record, hire=transactions)


def _consent_terms(record: OfferOrder) -> Terms | None:
    return None if record.consent_terms is None else Terms.loads(record.consent_terms)


def order_out(session: Session, record: OfferOrder, *, hire: HireOut | None = None) -> OrderOut:
    offer = session.get_one(ServiceOffer, record.offer_id)
    terms = _consent_terms(record)
    return OrderOut(
        id=record.id,
        offer_id=record.offer_id,
        tier=record.tier,
        client=record.client,
        freelancer=offer.freelancer,
        status=record.status,  # type: ignore[arg-type]
        canonical_json=record.canonical_json,
        consent_terms=None if terms is None else JobTerms.of(terms),
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
