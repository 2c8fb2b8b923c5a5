"""Unsigned transactions for every on-chain action, checked against the indexed state first.

The backend never holds a user's key: it encodes the call with web3.py from the compiled ABI,
after `job_rules.check` has said the action is allowed now, and the user's wallet signs and
sends it. Every escrow v2 call presents the job's current terms: they come from the indexer's
projection (`chain_jobs.terms_json`: JobCreated, then the amendments), and the escrow's own
`terms_hash_of(job_id)` confirms they are still current before anything is encoded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eth_utils import keccak
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import MAX_ARBITER_FEE_BPS, MAX_TOTAL, Terms
from backend.app.core.tokens import NATIVE
from backend.app.models.chain import ChainJob
from backend.app.schemas.amendment import AddMilestonesRequest, DeductionRequest, ExtendDeadlineRequest
from backend.app.schemas.tx import (
    CreateJobRequest,
    CreateJobWithPermitRequest,
    FundRequest,
    MilestoneRequest,
    RateRequest,
    ResolveRequest,
    SenderRequest,
    SubmitRequest,
    TokenApproveRequest,
    UnsignedTx,
    WithdrawRequest,
)
from backend.app.services import amendments, job_rules, permits, settlements, signatures, tokens
from backend.app.services.chain import ChainGateway, chain_now
from backend.app.services.chain_jobs import get_job, job_terms
from backend.app.services.errors import ChainUnavailable, Conflict, ConsentNeeded, NotAllowed
from backend.app.services.wallets import outstanding_credit, require_balance


def _tx(chain: ChainGateway, sender: str, to: str, data: str, value: int = 0) -> UnsignedTx:
    return UnsignedTx(chain_id=chain.chain_id, from_=sender, to=to, data=data, value=hex(value))


def _read(what: str, call: Any) -> Any:
    try:
        return call.call()
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read {what} from the escrow: {error}") from error


def escrow_call(chain: ChainGateway, sender: str, function: str, *args: Any, value: int = 0) -> UnsignedTx:
    """An escrow call (its own ABI or EscrowAgreements', all at the escrow's address) for `sender`'s wallet."""
    return _tx(chain, sender, chain.escrow.address, chain.escrow.encode_abi(function, args=list(args)), value)


def current_terms(chain: ChainGateway, job: ChainJob) -> Terms:
    """The job's terms as projected, once the escrow confirms they are its current ones (`terms_hash_of`)."""
    terms = job_terms(job)
    bound = _read(f"job {job.job_id}'s terms hash", chain.escrow.functions.terms_hash_of(job.job_id))
    if "0x" + bytes(bound).hex() != job.terms_hash.lower():
        raise Conflict(
            f"job {job.job_id}'s terms changed on chain after the indexer's last look (an amendment it has not "
            "projected yet): try again in a moment"
        )
    return terms


def allowed_job(
    session: Session, chain: ChainGateway, request: SenderRequest, action: str, milestone: int | None = None
) -> tuple[ChainJob, Terms]:
    """The job and its current terms, once `job_rules` says `request.sender` may take `action` now."""
    job = get_job(session, chain_id=chain.chain_id, job_id=request.job_id)
    job_rules.check(action, job, sender=request.sender, now=chain_now(chain), milestone=milestone)
    return job, current_terms(chain, job)


# --- creating and funding -------------------------------------------------------------------


def token_approve(chain: ChainGateway, request: TokenApproveRequest) -> UnsignedTx:
    """Allow the escrow to pull `amount` of a listed ERC-20 (default: the network's first) from `owner`."""
    token = tokens.accepted(chain, request.token) if request.token else chain.default_token
    if token.native:
        raise Conflict(f"{token.symbol} is the chain's own currency: it is sent with the call, not approved")
    data = chain.token_contract(token).encode_abi("approve", args=[chain.escrow.address, int(request.amount)])
    return _tx(chain, request.owner, token.address, data)


def _paid_with(terms: Terms, amount: int) -> int:
    """The call's value for funding `amount` of a job: the amount itself in the native currency, else none."""
    return amount if terms.token == NATIVE else 0


def _require_funds(chain: ChainGateway, terms: Terms, *, payer: str, amount: int) -> None:
    """A job already created is funded in its own token, listed or not any more."""
    require_balance(chain, owner=payer, amount=amount, token=terms.token)


def require_creatable(chain: ChainGateway, terms: Terms) -> None:
    """Refuse, in words, terms the escrow's `create_job` would refuse now (docs/escrow-v2.md, in its order)."""
    if terms.client == terms.freelancer:
        raise Conflict("the client cannot hire their own address")
    if terms.arbiter in (terms.client, terms.freelancer):
        raise Conflict("the arbiter must be neither the client nor the freelancer")
    if terms.arbiter_fee_bps > MAX_ARBITER_FEE_BPS:
        raise Conflict(f"the arbiter fee is at most {MAX_ARBITER_FEE_BPS / 100:g}%")
    if any(m.amount == 0 for m in terms.milestones):
        raise Conflict("every milestone needs an amount above zero")
    if terms.total > MAX_TOTAL:
        raise Conflict("the milestones add up to more than the escrow takes (2^96 - 1 units)")
    escrow = chain.escrow.functions
    if _read("whether new jobs are paused", escrow.paused()):
        raise Conflict("the escrow is paused: new jobs cannot be created right now")
    fee_bps = _read("the platform fee", escrow.platform_fee_bps())
    if terms.platform_fee_bps != fee_bps:
        raise ConsentNeeded(
            f"the platform fee is now {fee_bps / 100:g}%, the freelancer signed terms at "
            f"{terms.platform_fee_bps / 100:g}%: they sign the terms again"
        )
    now = chain_now(chain)
    if now.timestamp() > terms.offer_expiry:
        expired = datetime.fromtimestamp(terms.offer_expiry, UTC)
        raise ConsentNeeded(f"the freelancer's consent expired at {expired:%Y-%m-%d %H:%M} UTC: they sign again")
    if _read("whether this consent was used", escrow.consent_used(terms.freelancer, terms.salt)):
        raise Conflict(
            f"the freelancer's consent with salt {terms.salt} was already used: the escrow created a job with it, "
            "and a consent creates one job"
        )


def create_job(chain: ChainGateway, request: CreateJobRequest) -> UnsignedTx:
    """Create the escrow job with the freelancer's consent and fund its first `fund_count` milestones (needs the
    token allowance). The client, the terms' `client`, sends it."""
    terms = request.terms.to_terms()
    fund_count = len(terms.milestones) if request.fund_count is None else request.fund_count
    if fund_count > len(terms.milestones):
        raise Conflict(f"cannot fund {fund_count} of {len(terms.milestones)} milestones")
    require_creatable(chain, terms)
    signatures.require_consent(chain, terms, request.consent)
    funding = terms.amount_of(0, fund_count)
    _require_funds(chain, terms, payer=terms.client, amount=funding)
    consent = bytes.fromhex(request.consent.removeprefix("0x"))
    return escrow_call(
        chain, terms.client, "create_job", terms.as_abi(), consent, fund_count, value=_paid_with(terms, funding)
    )


def create_job_with_permit(chain: ChainGateway, request: CreateJobWithPermitRequest) -> UnsignedTx:
    """`create_job` with the client's EIP-2612 permit spent in the same call: no approve transaction first."""
    terms = request.terms.to_terms()
    fund_count = len(terms.milestones) if request.fund_count is None else request.fund_count
    if fund_count > len(terms.milestones):
        raise Conflict(f"cannot fund {fund_count} of {len(terms.milestones)} milestones")
    permit_token = permits.permit_token(chain, terms)
    if permit_token is None:
        symbol = tokens.describe(chain, terms.token).symbol
        raise Conflict(f"{symbol} takes no permits here: approve the allowance, then create the job")
    funding = terms.amount_of(0, fund_count)
    if int(request.permit_value) < funding:
        raise Conflict(f"the permit grants {request.permit_value} but funding takes {funding}: sign it for the total")
    if request.permit_deadline <= chain_now(chain).timestamp():
        raise Conflict("the permit's deadline has passed: sign a fresh one")
    require_creatable(chain, terms)
    signatures.require_consent(chain, terms, request.consent)
    v, r, s = permits.require_permit_signature(
        chain,
        token=permit_token,
        terms=terms,
        value=int(request.permit_value),
        deadline=request.permit_deadline,
        signature=request.permit_signature,
    )
    _require_funds(chain, terms, payer=terms.client, amount=funding)
    consent = bytes.fromhex(request.consent.removeprefix("0x"))
    return escrow_call(
        chain,
        terms.client,
        "create_job_with_permit",
        terms.as_abi(),
        consent,
        fund_count,
        int(request.permit_value),
        request.permit_deadline,
        v,
        r,
        s,
    )


def fund(session: Session, chain: ChainGateway, request: FundRequest) -> UnsignedTx:
    """Fund the next `count` milestones, in order (the client; needs the token allowance)."""
    job, terms = allowed_job(session, chain, request, "fund")
    if job.funded_count + request.count > job.milestone_count:
        raise Conflict(f"only {job.milestone_count - job.funded_count} milestones are left to fund")
    funding = terms.amount_of(job.funded_count, request.count)
    _require_funds(chain, terms, payer=request.sender, amount=funding)
    return escrow_call(
        chain,
        request.sender,
        "fund",
        job.job_id,
        terms.as_abi(),
        request.count,
        value=_paid_with(terms, funding),
    )


# --- milestones -----------------------------------------------------------------------------


def submit(session: Session, chain: ChainGateway, request: SubmitRequest) -> UnsignedTx:
    """The freelancer submits a funded milestone with the deliverable's hash; the review period starts."""
    job, terms = allowed_job(session, chain, request, "submit", request.milestone)
    deliverable = bytes.fromhex(request.deliverable_hash.removeprefix("0x"))
    return escrow_call(chain, request.sender, "submit", job.job_id, terms.as_abi(), request.milestone, deliverable)


def _milestone_call(
    session: Session, chain: ChainGateway, request: MilestoneRequest, action: str, function: str
) -> UnsignedTx:
    job, terms = allowed_job(session, chain, request, action, request.milestone)
    return escrow_call(chain, request.sender, function, job.job_id, terms.as_abi(), request.milestone)


def approve(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """The client approves a submitted milestone: it is paid to the freelancer."""
    return _milestone_call(session, chain, request, "approve", "approve")


def release(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Anyone pays a submitted milestone once its review period is over."""
    return _milestone_call(session, chain, request, "release", "release")


def reclaim(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Anyone returns a funded milestone to the client once its deadline passed unsubmitted."""
    return _milestone_call(session, chain, request, "reclaim", "reclaim")


def dispute(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """The client or the freelancer disputes a submitted milestone during its review period."""
    return _milestone_call(session, chain, request, "dispute", "dispute")


def resolve(session: Session, chain: ChainGateway, request: ResolveRequest) -> UnsignedTx:
    """The arbiter splits a disputed milestone (basis points to the freelancer) and takes the fee."""
    job, terms = allowed_job(session, chain, request, "resolve", request.milestone)
    return escrow_call(
        chain, request.sender, "resolve", job.job_id, terms.as_abi(), request.milestone, request.freelancer_bps
    )


def default_ruling(session: Session, chain: ChainGateway, request: MilestoneRequest) -> UnsignedTx:
    """Either party applies the even split after the ruling window ended without a ruling."""
    return _milestone_call(session, chain, request, "default_ruling", "apply_default_ruling")


# --- the whole job --------------------------------------------------------------------------


def cancel_unfunded(session: Session, chain: ChainGateway, request: SenderRequest) -> UnsignedTx:
    """Cancel every milestone not funded yet: the client, or anyone once the first of them is overdue."""
    job, terms = allowed_job(session, chain, request, "cancel_unfunded")
    return escrow_call(chain, request.sender, "cancel_unfunded", job.job_id, terms.as_abi())


def settle(session: Session, chain: ChainGateway, request: settlements.SettleTxRequest) -> UnsignedTx:
    """Submit the split both parties signed for the job's current nonce (anyone may send it)."""
    job, terms = allowed_job(session, chain, request, "settle")
    expiry, client_sig, freelancer_sig = settlements.signatures_for(
        session, job=job, freelancer_bps=request.freelancer_bps, now=chain_now(chain)
    )
    return escrow_call(
        chain,
        request.sender,
        "settle",
        job.job_id,
        terms.as_abi(),
        request.freelancer_bps,
        expiry,
        client_sig,
        freelancer_sig,
    )


# --- amendments: the sender agrees to what the other party signed ------------------------------


def extend_deadline(session: Session, chain: ChainGateway, request: ExtendDeadlineRequest) -> UnsignedTx:
    """Extend a milestone's deadline (延期) with the other party's signature (a party sends it)."""
    job, terms = allowed_job(session, chain, request, "extend_deadline", request.milestone)
    agreed = amendments.signature_for(
        session, chain=chain, job=job, terms=terms, change=request.change(), sender=request.sender
    )
    return escrow_call(
        chain,
        request.sender,
        "extend_deadline",
        job.job_id,
        terms.as_abi(),
        request.milestone,
        request.new_duration,
        agreed.expiry,
        agreed.signature,
    )


def add_milestones(session: Session, chain: ChainGateway, request: AddMilestonesRequest) -> UnsignedTx:
    """Add the milestones the freelancer signed and fund the next `fund_count` (the client; needs the allowance)."""
    job, terms = allowed_job(session, chain, request, "add_milestones")
    agreed = amendments.signature_for(
        session, chain=chain, job=job, terms=terms, change=request.change(), sender=request.sender
    )
    _require_funds(chain, terms, payer=request.sender, amount=agreed.funding)
    added = [(int(m.amount), m.duration) for m in request.milestones]
    return escrow_call(
        chain,
        request.sender,
        "add_milestones",
        job.job_id,
        terms.as_abi(),
        added,
        request.fund_count,
        agreed.expiry,
        agreed.signature,
        value=_paid_with(terms, agreed.funding),
    )


def accept_with_deduction(session: Session, chain: ChainGateway, request: DeductionRequest) -> UnsignedTx:
    """Close a submitted (or disputed) milestone with the share the other party signed (扣款验收)."""
    job, terms = allowed_job(session, chain, request, "accept_with_deduction", request.milestone)
    agreed = amendments.signature_for(
        session, chain=chain, job=job, terms=terms, change=request.change(), sender=request.sender
    )
    return escrow_call(
        chain,
        request.sender,
        "accept_with_deduction",
        job.job_id,
        terms.as_abi(),
        request.milestone,
        request.freelancer_bps,
        agreed.expiry,
        agreed.signature,
    )


def rate(session: Session, chain: ChainGateway, request: RateRequest) -> UnsignedTx:
    """After a job that paid its freelancer ended, a party rates the other once (the comment's keccak256 on-chain)."""
    job, terms = allowed_job(session, chain, request, "rate")
    comment_hash = keccak(text=request.comment)
    return escrow_call(chain, request.sender, "rate", job.job_id, terms.as_abi(), request.score, comment_hash)


def withdraw(session: Session, chain: ChainGateway, request: WithdrawRequest) -> UnsignedTx:
    """Withdraw a credit left by a payout that could not be delivered (e.g. a blocklisted address)."""
    if outstanding_credit(session, chain=chain, account=request.sender, token=request.token) == 0:
        raise NotAllowed(f"{request.sender} has no credit of {request.token} in the escrow")
    return escrow_call(chain, request.sender, "withdraw", request.token, request.to or request.sender)
