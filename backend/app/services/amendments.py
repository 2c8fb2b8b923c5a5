"""Amendments both parties agree to: extend a milestone's deadline (延期), add milestones, accept a submitted or
disputed milestone with a deduction (扣款验收). They run in the escrow's storage (EscrowAgreements' code at the
escrow's address) and replace the job's terms.

One party proposes by signing the amendment (EIP-712, at the job's nonce, with an expiry); the signature waits
here; the other party agrees by sending the transaction that carries it. Added milestones are signed by the
freelancer and sent (and funded) by the client. Like settlement signatures, a signature is good for one state of
the job only: once the nonce moves (a submission, a dispute, any payout or amendment) it is no longer offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import MAX_HORIZON, MAX_MILESTONES, MAX_TOTAL, Milestone, Terms, typed_data
from backend.app.models.amendment import AmendmentSignature
from backend.app.models.chain import ChainJob
from backend.app.schemas.amendment import (
    AmendmentIn,
    AmendmentOut,
    AmendmentSignatureIn,
    AmendmentTerms,
    message_fields,
)
from backend.app.schemas.tx import TypedData
from backend.app.services import job_rules, signatures
from backend.app.services.chain import ChainGateway, chain_now
from backend.app.services.chain_jobs import get_job, job_terms
from backend.app.services.errors import Conflict, Invalid, NotAllowed

PRIMARY = {"extend_deadline": "ExtendDeadline", "add_milestones": "AddMilestones", "deduction": "Deduction"}
# The job_rules action that proposing (signing) and agreeing (sending) each take.
PROPOSE = {
    "extend_deadline": "propose_extension",
    "add_milestones": "propose_milestones",
    "deduction": "propose_deduction",
}
AGREE = {"extend_deadline": "extend_deadline", "add_milestones": "add_milestones", "deduction": "accept_with_deduction"}


def _canonical(change: AmendmentTerms) -> str:
    return json.dumps(message_fields(change), sort_keys=True, separators=(",", ":"))


def _added(change: AmendmentTerms) -> list[Milestone]:
    return [Milestone(int(m.amount), m.duration) for m in change.milestones or []]


def _check_change(job: ChainJob, terms: Terms, change: AmendmentTerms) -> None:
    """What the escrow refuses in the amendment's own values (docs/escrow-v2.md), in words."""
    if change.kind == "extend_deadline":
        assert change.milestone is not None and change.new_duration is not None
        current = terms.milestones[change.milestone].duration
        if change.new_duration <= current:
            raise Invalid(f"the new deadline must be later than the current one ({current} s after the start)")
    elif change.kind == "add_milestones":
        added = _added(change)
        if len(terms.milestones) + len(added) > MAX_MILESTONES:
            raise Conflict(f"a job has at most {MAX_MILESTONES} milestones")
        if any(m.amount == 0 for m in added):
            raise Invalid("every milestone needs an amount above zero")
        if any(not 1 <= m.duration <= MAX_HORIZON for m in added):
            raise Invalid("a milestone is due between 1 second and ten years after the job's start")
        if terms.total + sum(m.amount for m in added) > MAX_TOTAL:
            raise Invalid("the milestones would add up to more than the escrow takes (2^96 - 1 units)")
        fundable = len(terms.milestones) + len(added) - job.funded_count
        if (change.fund_count or 0) > fundable:
            raise Invalid(f"only {fundable} milestones would be left to fund")


def _checked(session: Session, chain: ChainGateway, job_id: int, change: AmendmentTerms, *, signer: str, now: datetime):
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    job_rules.check(PROPOSE[change.kind], job, sender=signer, now=now, milestone=change.milestone)
    terms = job_terms(job)
    _check_change(job, terms, change)
    return job, terms


def _payload(chain: ChainGateway, job: ChainJob, change: AmendmentTerms, expiry: int) -> TypedData:
    message = {"jobId": job.job_id, **message_fields(change), "nonce": job.nonce, "expiry": expiry}
    return TypedData.model_validate(
        typed_data(PRIMARY[change.kind], message, chain_id=chain.chain_id, escrow=chain.escrow.address)
    )


def payload(session: Session, *, chain: ChainGateway, job_id: int, proposed: AmendmentIn) -> TypedData:
    """The EIP-712 payload `proposed.signer` signs to propose the amendment now (the job's nonce, a week's expiry)."""
    now = chain_now(chain)
    job, _ = _checked(session, chain, job_id, proposed, signer=proposed.signer, now=now)
    return _payload(chain, job, proposed.change(), int(now.timestamp()) + chain.signature_ttl)


def _sender(job: ChainJob, kind: str, signer: str) -> str:
    if kind == "add_milestones":
        return job.client
    return job.freelancer if job_rules.role_of(job, signer) == "client" else job.client


def _funding(job: ChainJob, terms: Terms, change: AmendmentTerms) -> int:
    return terms.with_milestones(_added(change)).amount_of(job.funded_count, change.fund_count or 0)


def _out(job: ChainJob, terms: Terms, row: AmendmentSignature) -> AmendmentOut:
    fields = json.loads(row.message_json)
    change = _change(row.kind, fields)
    return AmendmentOut(
        **change.model_dump(),
        signer=row.signer,
        role=job_rules.role_of(job, row.signer),
        sender=_sender(job, row.kind, row.signer),
        nonce=row.nonce,
        expiry=row.expiry,
        signature=row.signature,
        funding=str(_funding(job, terms, change)) if row.kind == "add_milestones" else None,
        signed_at=row.signed_at,
    )


def _change(kind: str, fields: dict) -> AmendmentTerms:
    """An amendment from its stored message fields (the inverse of `message_fields`)."""
    if kind == "extend_deadline":
        return AmendmentTerms(kind=kind, milestone=fields["milestone"], new_duration=fields["newDuration"])
    if kind == "deduction":
        return AmendmentTerms(kind=kind, milestone=fields["milestone"], freelancer_bps=fields["freelancerBps"])
    milestones = [{"amount": str(m["amount"]), "duration": m["duration"]} for m in fields["milestones"]]
    return AmendmentTerms.model_validate({"kind": kind, "milestones": milestones, "fund_count": fields["fundCount"]})


def add_signature(session: Session, *, chain: ChainGateway, job_id: int, signed: AmendmentSignatureIn) -> AmendmentOut:
    """Keep a party's signature of an amendment, once it is that party's for the job's current nonce and not expired."""
    now = chain_now(chain)
    change = signed.change()
    job, terms = _checked(session, chain, job_id, change, signer=signed.signer, now=now)
    if signed.expiry < now.timestamp():
        raise Conflict("the amendment's expiry has passed: sign a fresh one")
    signatures.require_signer(
        chain,
        payload=_payload(chain, job, change, signed.expiry).model_dump(),
        signer=signed.signer,
        signature=signed.signature,
        what=f"{change.kind.replace('_', ' ')} amendment at nonce {job.nonce}",
    )
    row = session.merge(
        AmendmentSignature(
            chain_id=chain.chain_id,
            job_id=job_id,
            nonce=job.nonce,
            kind=change.kind,
            signer=signed.signer,
            message_json=_canonical(change),
            expiry=signed.expiry,
            signature=signed.signature,
            signed_at=datetime.now(UTC),
        )
    )
    session.commit()
    return _out(job, terms, row)


def pending(session: Session, *, chain: ChainGateway, job_id: int) -> list[AmendmentOut]:
    """The amendments one party signed that the other can still send: at the job's nonce, not expired."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    if job.status != "active":
        return []
    terms = job_terms(job)
    return [
        _out(job, terms, row) for row in signatures.usable(session, AmendmentSignature, job=job, now=chain_now(chain))
    ]


@dataclass(frozen=True)
class Agreed:
    """What the sender's transaction carries: the other party's signature and its expiry."""

    expiry: int
    signature: bytes
    funding: int


def signature_for(
    session: Session, *, chain: ChainGateway, job: ChainJob, terms: Terms, change: AmendmentTerms, sender: str
) -> Agreed:
    """The other party's signature of exactly this amendment at the current nonce, or a Conflict saying whose is
    missing. `job_rules` has already said `sender` may send it."""
    _check_change(job, terms, change)
    other = job.freelancer if sender.lower() == job.client.lower() else job.client
    if change.kind == "add_milestones" and sender.lower() != job.client.lower():
        raise NotAllowed("the client adds (and funds) the milestones the freelancer signed")
    wanted = _canonical(change)
    for row in reversed(signatures.usable(session, AmendmentSignature, job=job, now=chain_now(chain))):
        if row.kind == change.kind and row.signer.lower() == other.lower() and row.message_json == wanted:
            return Agreed(row.expiry, bytes.fromhex(row.signature.removeprefix("0x")), _funding(job, terms, change))
    what = change.kind.replace("_", " ")
    raise Conflict(
        f"waiting for the {job_rules.role_of(job, other)}'s signature of this {what} amendment "
        f"at the job's current nonce {job.nonce}"
    )
