"""Service offers (the Fiverr direction): a freelancer lists tiers, a client orders one."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.app.api.deps import ChainDep, CurrentUser, OptionalUser, SessionDep, TokensDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.proposal import OfferIn, OfferOut, OrderIn, OrderOut
from backend.app.schemas.tx import ConsentIn, ConsentOut
from backend.app.services import offers

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/offers", tags=["offers"])

AUTH = {401: {"description": "Not signed in"}, 403: {"description": "Not allowed for this user"}}


@router.post("", response_model=OfferOut, status_code=201, responses=AUTH)
def create_offer(body: OfferIn, user: CurrentUser, session: SessionDep, listed: TokensDep) -> OfferOut:
    """List a packaged service with one to three tiers (price = sum of the tier's milestones)."""
    return offers.offer_out(offers.create(session, freelancer=user.address, data=body, listed=listed))


@router.get("", response_model=list[OfferOut])
def list_offers(
    session: SessionDep,
    category: str | None = None,
    freelancer: str | None = None,
    cursor: int | None = Query(None, ge=1),
    limit: int = Query(20, ge=1, le=offers.MAX_PAGE),
) -> list[OfferOut]:
    """Active offers, newest first (anyone)."""
    found = offers.list_active(session, category=category, freelancer=freelancer, before_id=cursor, limit=limit)
    return [offers.offer_out(o) for o in found]


@router.get("/{offer_id}", response_model=OfferOut)
def get_offer(offer_id: int, user: OptionalUser, session: SessionDep) -> OfferOut:
    viewer = None if user is None else user.address
    return offers.offer_out(offers.get_visible(session, offer_id=offer_id, viewer=viewer))


@router.put("/{offer_id}", response_model=OfferOut, responses=AUTH)
def update_offer(offer_id: int, body: OfferIn, user: CurrentUser, session: SessionDep, listed: TokensDep) -> OfferOut:
    """Its freelancer only; past orders keep the listing they were ordered with."""
    return offers.offer_out(
        offers.update(session, offer_id=offer_id, freelancer=user.address, data=body, listed=listed)
    )


@router.post("/{offer_id}/close", response_model=OfferOut, responses=AUTH)
def close_offer(offer_id: int, user: CurrentUser, session: SessionDep) -> OfferOut:
    return offers.offer_out(offers.close(session, offer_id=offer_id, freelancer=user.address))


@router.post("/{offer_id}/orders", response_model=OrderOut, status_code=201, responses=AUTH)
def order_tier(offer_id: int, body: OrderIn, user: CurrentUser, session: SessionDep, chain: ChainDep) -> OrderOut:
    """A client orders a tier: the order waits for the freelancer to accept it by signing the escrow terms."""
    return offers.order(session, offer_id=offer_id, tier=body.tier, client=user.address, chain=chain)


@router.get("/orders/{order_id}", response_model=OrderOut, responses=AUTH)
def get_order(order_id: int, user: CurrentUser, session: SessionDep) -> OrderOut:
    """Its client and the offer's freelancer only."""
    return offers.get_order(session, order_id=order_id, viewer=user.address)


@router.get("/orders/{order_id}/consent", response_model=ConsentOut, responses=AUTH)
def order_terms(order_id: int, user: CurrentUser, session: SessionDep, chain: ChainDep) -> ConsentOut:
    """The offer's freelancer: the escrow terms of the ordered tier and the EIP-712 payload to sign (the salt its
    consent holds when signed before, else their lowest one not used or held)."""
    return offers.consent_for(session, order_id=order_id, freelancer=user.address, chain=chain)


@router.post("/orders/{order_id}/accept", response_model=OrderOut, responses=AUTH)
def accept_order(order_id: int, body: ConsentIn, user: CurrentUser, session: SessionDep, chain: ChainDep) -> OrderOut:
    """The offer's freelancer accepts the order with their signature of its terms (a wrong signer: 422 problem; a
    salt used or held by another consent: 409 `consent-needed`)."""
    return offers.accept(session, order_id=order_id, freelancer=user.address, consent=body, chain=chain)


@router.post("/orders/{order_id}/hire", response_model=OrderOut, response_model_by_alias=True, responses=AUTH)
def hire_order(order_id: int, user: CurrentUser, session: SessionDep, chain: ChainDep) -> OrderOut:
    """The client: the unsigned allowance and create-and-fund transactions (409 `consent-needed` until the
    freelancer accepted, or when what they signed no longer holds)."""
    return offers.hire(session, order_id=order_id, client=user.address, chain=chain)
