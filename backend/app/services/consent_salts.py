"""The salts of the freelancers' consents: which one the app offers next, and which one a kept consent holds.

The escrow creates one job per (freelancer, salt) pair: it sets the pair's bit when the job is created and
refuses a second one (`escrow: consent used`; its view `consent_used(freelancer, salt)`). A freelancer's
bits share storage words, 256 salts to a word (`salt >> 8`), and a consent whose salt falls in a word the
freelancer has not used yet pays a fresh storage slot (~17,000 gas more on create). So the app gives each
freelancer's consents small sequential salts, by one rule (`next_salt`):

    the lowest salt >= 1 that is neither used on-chain (`consent_used`) nor held by another of the
    freelancer's consents that the app still considers usable;

except that a consent signed again for the same proposal or order keeps the salt its usable consent holds,
so the old and the new one can never both create a job.

A consent the app keeps (a proposal's, an accepted offer order's) holds its salt with a `consent_salts` row
(`claim`), whose primary key (freelancer, salt) refuses a second consent with that salt however two requests
race. A held salt is usable, and so not offered to another consent, while its holder can still be hired from
(a proposal submitted or shortlisted on a published post, or accepted; an accepted order) and its offer has
not expired on the chain's clock; after that the row is stale, and the next consent given the salt replaces it.
"""

from __future__ import annotations

import json

from eth_utils import to_checksum_address
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import Terms, lowest_free_salt
from backend.app.models.chain import ChainJob
from backend.app.models.consent_salt import ConsentSalt
from backend.app.models.job_post import JobPost
from backend.app.models.proposal import OfferOrder, Proposal
from backend.app.services.chain import ChainGateway, chain_now
from backend.app.services.errors import ChainUnavailable, ConsentNeeded

Holder = Proposal | OfferOrder
# Whose consent can still create a job: an open proposal on a post still hiring, an accepted one, an accepted order.
OPEN_PROPOSAL = frozenset({"submitted", "shortlisted"})


def consent_used(chain: ChainGateway, freelancer: str, salt: int) -> bool:
    """Whether the escrow already created a job with the freelancer's consent of this salt."""
    try:
        return bool(chain.escrow.functions.consent_used(freelancer, salt).call())
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read whether consent {salt} of {freelancer} was used: {error}") from error


def _holds(claim: ConsentSalt, holder: Holder | None) -> bool:
    if isinstance(holder, Proposal):
        return claim.proposal_id == holder.id
    if isinstance(holder, OfferOrder):
        return claim.order_id == holder.id
    return False


def _what(claim: ConsentSalt) -> str:
    return f"proposal {claim.proposal_id}" if claim.proposal_id is not None else f"order {claim.order_id}"


def _usable(session: Session, claim: ConsentSalt, now: int) -> bool:
    """Whether the consent holding this salt can still create a job (the chain decides whether it did)."""
    if claim.offer_expiry < now:
        return False
    if claim.order_id is not None:
        order = session.get(OfferOrder, claim.order_id)
        return order is not None and order.status == "accepted"
    proposal = session.get(Proposal, claim.proposal_id)
    if proposal is None:
        return False
    if proposal.status == "accepted":
        return True
    post = session.get(JobPost, proposal.job_post_id)
    return proposal.status in OPEN_PROPOSAL and post is not None and post.status == "published"


def _now(chain: ChainGateway) -> int:
    return int(chain_now(chain).timestamp())


def _indexed_salts(session: Session, chain: ChainGateway, freelancer: str) -> set[int]:
    """Salts the indexer saw create the freelancer's jobs: used, no need to ask the chain about them."""
    documents = session.scalars(
        select(ChainJob.terms_json).where(ChainJob.chain_id == chain.chain_id, ChainJob.freelancer == freelancer)
    )
    return {int(json.loads(document)["salt"]) for document in documents}


def next_salt(session: Session, chain: ChainGateway, freelancer: str, *, holder: Holder | None = None) -> int:
    """The salt to offer `freelancer`'s next consent (for `holder`, when it is signed again for a proposal or an
    order that exists): the rule in this module's docstring."""
    freelancer = to_checksum_address(freelancer)
    now = _now(chain)
    claims = session.scalars(
        select(ConsentSalt).where(ConsentSalt.freelancer == freelancer, ConsentSalt.offer_expiry >= now)
    ).all()
    held = [claim for claim in claims if _usable(session, claim, now)]
    own = next((claim for claim in held if _holds(claim, holder)), None)
    if own is not None and not consent_used(chain, freelancer, own.salt):
        return own.salt
    taken = {claim.salt for claim in held} | _indexed_salts(session, chain, freelancer)
    return lowest_free_salt(lambda salt: consent_used(chain, freelancer, salt), taken)


def claim(session: Session, chain: ChainGateway, terms: Terms, *, holder: Holder) -> None:
    """Hold the salt of the consent `holder` now keeps (flushed, not committed), replacing the holder's earlier
    claim; refuse (409 `consent-needed`, the session rolled back) a salt already used on-chain or held by another
    usable consent of the freelancer, however two requests race: they sign terms with a fresh salt."""
    freelancer, salt = terms.freelancer, terms.salt
    if consent_used(chain, freelancer, salt):
        session.rollback()
        raise ConsentNeeded(
            f"salt {salt} of these terms was already used: the escrow created a job with {freelancer}'s consent of "
            "that salt, and a consent creates one job. Ask for the terms again and sign those"
        )
    now = _now(chain)
    existing = session.get(ConsentSalt, (freelancer, salt))
    if existing is not None and not _holds(existing, holder) and _usable(session, existing, now):
        what = _what(existing)
        session.rollback()
        raise ConsentNeeded(
            f"salt {salt} of these terms is held by {freelancer}'s consent to {what}, and one consent per salt "
            "can create a job. Ask for the terms again and sign those"
        )
    mine = ConsentSalt.proposal_id if isinstance(holder, Proposal) else ConsentSalt.order_id
    session.execute(delete(ConsentSalt).where(mine == holder.id))
    if existing is not None:  # stale (or the holder's own): the new consent takes the salt over
        session.execute(delete(ConsentSalt).where(ConsentSalt.freelancer == freelancer, ConsentSalt.salt == salt))
    session.add(
        ConsentSalt(
            freelancer=freelancer,
            salt=salt,
            offer_expiry=terms.offer_expiry,
            proposal_id=holder.id if isinstance(holder, Proposal) else None,
            order_id=holder.id if isinstance(holder, OfferOrder) else None,
        )
    )
    try:
        session.flush()
    except IntegrityError:  # another request took the salt between our read and this write
        session.rollback()
        raise ConsentNeeded(
            f"salt {salt} of these terms was just taken by another consent of {freelancer}. "
            "Ask for the terms again and sign those"
        ) from None
