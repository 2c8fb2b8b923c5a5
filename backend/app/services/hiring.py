"""Hiring = creating the escrow on-chain. The one place proposals and offer orders build it.

Under escrow v2 the client creates a job with the freelancer's signed consent to its exact terms, so the
freelancer signs first: with a proposal, or when accepting a service order. The terms offered are built
here (`offered_terms`): the listing's client and token, the settings' hiring defaults (arbiter, arbiter
fee, review period, ruling window), the escrow's current platform fee, the listing's metadata hash, the
salt `consent_salts.next_salt` allots the freelancer (a small sequential one: the escrow uses a consent
once, by its (freelancer, salt) bit) and an offer expiry `JIEDAN_OFFER_TTL_SECONDS` after the chain's
time. Deadlines are durations from the job's start, so the freelancer can sign them before the client
knows when it hires: spread evenly up to the listing's deadline, or `milestone_days` apart when it names
none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import timedelta

from backend.app.core.escrow_terms import MAX_HORIZON, Milestone, Terms
from backend.app.core.tokens import NATIVE
from backend.app.schemas.proposal import HireOut
from backend.app.schemas.tx import ConsentIn, ConsentOut, CreateJobRequest, JobTerms, TokenApproveRequest, TypedData
from backend.app.services import permits, signatures, tokens, transactions
from backend.app.services.chain import ChainGateway, chain_now
from backend.app.services.errors import ChainUnavailable, Conflict, ConsentNeeded, Invalid

DAY = 86_400
EXPIRY_SLACK = 3_600  # an offer expiry may lie this much beyond the lifetime offered (clocks, slow signers)


def default_durations(count: int, *, within: timedelta | None, milestone_days: int) -> list[int]:
    """Durations (seconds from the start) for `count` milestones: evenly over `within`, else `milestone_days` apart."""
    if within is not None and within.total_seconds() >= count:
        span = int(within.total_seconds())
        return [min(span * (i + 1) // count, MAX_HORIZON) for i in range(count)]
    return [min(milestone_days * DAY * (i + 1), MAX_HORIZON) for i in range(count)]


def offered_terms(
    chain: ChainGateway,
    *,
    client: str,
    freelancer: str,
    token: str,
    milestones: Sequence[tuple[int, int]],
    metadata_hash: str,
    salt: int,
) -> Terms:
    """The terms the client would create the job with, for the freelancer to sign now (with `salt`, from
    `consent_salts.next_salt`, and a fresh expiry)."""
    payment = tokens.accepted(chain, token)
    if client.lower() == freelancer.lower():
        raise Conflict("the client cannot hire their own address")
    defaults = chain.hiring
    if defaults.arbiter is None:
        raise Conflict("no arbiter is configured for hiring (JIEDAN_DEFAULT_ARBITER)")
    try:
        fee_bps = chain.escrow.functions.platform_fee_bps().call()
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read the escrow's platform fee: {error}") from error
    return Terms(
        client=client,
        freelancer=freelancer,
        token=payment.address,
        arbiter=defaults.arbiter,
        arbiter_fee_bps=defaults.arbiter_fee_bps,
        platform_fee_bps=fee_bps,
        review_period=defaults.review_period,
        ruling_window=defaults.ruling_window,
        metadata_hash=metadata_hash,
        salt=salt,
        offer_expiry=int(chain_now(chain).timestamp()) + defaults.offer_ttl,
        milestones=tuple(Milestone(int(amount), int(duration)) for amount, duration in milestones),
    )


def consent_out(chain: ChainGateway, terms: Terms) -> ConsentOut:
    """The terms and the EIP-712 payload the freelancer's wallet signs (`eth_signTypedData_v4`)."""
    typed = terms.consent_typed_data(chain_id=chain.chain_id, escrow=chain.escrow.address)
    return ConsentOut(
        terms=JobTerms.of(terms), terms_hash="0x" + terms.struct_hash().hex(), typed_data=TypedData(**typed)
    )


def accept_consent(chain: ChainGateway, *, offered: Terms, consent: ConsentIn) -> Terms:
    """The signed terms, once they are the ones offered (any salt here: `consent_salts.claim` refuses a used or
    held one when the consent is kept; an expiry in the offered window) and the signature is the freelancer's;
    otherwise a 422 problem saying what differs."""
    signed = consent.terms.to_terms()
    expected = replace(offered, salt=signed.salt, offer_expiry=signed.offer_expiry)
    differing = [f.name for f in fields(Terms) if getattr(signed, f.name) != getattr(expected, f.name)]
    if differing:
        raise Invalid(
            f"the signed terms are not the ones offered ({', '.join(differing)} differ): "
            "ask for the terms again and sign those"
        )
    now = int(chain_now(chain).timestamp())
    if not now < signed.offer_expiry <= now + chain.hiring.offer_ttl + EXPIRY_SLACK:
        raise Invalid("the signed offer expiry is not in the window offered: ask for the terms again and sign those")
    signatures.require_consent(chain, signed, consent.signature)
    return signed


def hire_transactions(chain: ChainGateway, *, terms: Terms | None, consent: str | None, metadata_hash: str) -> HireOut:
    """The allowance (none for a job in the native currency) and the create-and-fund transaction for the client's
    wallet (nothing is sent here), from the consent the freelancer signed; a 409 `consent-needed` problem when
    there is none or it no longer holds."""
    if terms is None or consent is None:
        raise ConsentNeeded("the freelancer has not signed the escrow terms yet: they sign, then you can hire")
    if terms.metadata_hash != metadata_hash:
        raise ConsentNeeded("the listing changed after the freelancer signed its terms: they sign again")
    create = transactions.create_job(chain, CreateJobRequest(terms=JobTerms.of(terms), consent=consent))
    approve = (
        None
        if terms.token == NATIVE
        else transactions.token_approve(
            chain, TokenApproveRequest(owner=terms.client, amount=str(terms.total), token=terms.token)
        )
    )
    permit_token = permits.permit_token(chain, terms)
    permit = None
    if permit_token is not None:  # good as long as the freelancer's consent: the same payload on every ask
        payload = permits.permit_typed_data(
            chain, token=permit_token, owner=terms.client, value=terms.total, deadline=terms.offer_expiry
        )
        permit = TypedData.model_validate(payload)
    return HireOut(
        metadata_hash=metadata_hash,
        terms=JobTerms.of(terms),
        consent=consent,
        permit=permit,
        freelancer=terms.freelancer,
        amounts=[str(m.amount) for m in terms.milestones],
        terms_hash="0x" + terms.struct_hash().hex(),
        approve=approve,
        create_and_fund=create,
    )
