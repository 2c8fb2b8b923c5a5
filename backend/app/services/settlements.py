"""Early settlement: both parties sign the same split (EIP-712), then anyone submits both signatures.

A settlement is `Settlement(jobId, freelancerBps, nonce, expiry)`: good for one state of the job (its
nonce, which moves with every change of the job, submissions and disputes included) until its expiry.
The signatures wait here, off-chain, keyed by the nonce they were made at; the second party signs the
same expiry as the first (the payload offered to sign carries the pending one), so a stale or expired
signature is never used.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import typed_data as eip712
from backend.app.models.chain import ChainJob
from backend.app.models.settlement import SettlementSignature
from backend.app.schemas import examples
from backend.app.schemas.tx import Address, SenderRequest, Signature, TypedData
from backend.app.services import signatures
from backend.app.services.chain import ChainGateway, chain_now
from backend.app.services.chain_jobs import get_job
from backend.app.services.errors import Conflict, NotAllowed
from backend.app.services.job_rules import role_of

ROLES = ("client", "freelancer")


class SettleTxRequest(SenderRequest):
    freelancer_bps: int = Field(ge=0, le=10_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"sender": examples.CLIENT, "job_id": examples.CHAIN_JOB_ID, "freelancer_bps": 6000}]
        }
    )


class SignatureIn(BaseModel):
    signer: Address
    freelancer_bps: int = Field(ge=0, le=10_000)
    expiry: int = Field(ge=0, description="Unix time, as in the payload signed (`GET …/settlement`).")
    signature: Signature

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signer": examples.CLIENT,
                    "freelancer_bps": 6000,
                    "expiry": examples.SETTLEMENT_EXPIRY,
                    "signature": examples.CLIENT_SETTLEMENT_SIGNATURE,
                }
            ]
        }
    )


class SignatureOut(BaseModel):
    signer: str
    role: str
    freelancer_bps: int
    nonce: int
    expiry: int = Field(description="Unix time: the signature settles until then, inclusive.")
    signature: str
    signed_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signer": examples.CLIENT,
                    "role": "client",
                    "freelancer_bps": 6000,
                    "nonce": 1,
                    "expiry": examples.SETTLEMENT_EXPIRY,
                    "signature": examples.CLIENT_SETTLEMENT_SIGNATURE,
                    "signed_at": "2026-12-10T09:30:00Z",
                }
            ]
        }
    )


def typed_data(chain: ChainGateway, job: ChainJob, freelancer_bps: int, expiry: int) -> TypedData:
    """What each party signs with `eth_signTypedData_v4` for this split at the job's current nonce."""
    message = {"jobId": job.job_id, "freelancerBps": freelancer_bps, "nonce": job.nonce, "expiry": expiry}
    return TypedData.model_validate(eip712("Settlement", message, chain_id=chain.chain_id, escrow=chain.escrow.address))


def payload(session: Session, *, chain: ChainGateway, job_id: int, freelancer_bps: int) -> TypedData:
    """The settlement to sign for this split now: the expiry the other party already signed (so both match),
    else the chain's time plus the signature lifetime."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    now = chain_now(chain)
    pending = [
        s.expiry
        for s in signatures.usable(session, SettlementSignature, job=job, now=now)
        if s.freelancer_bps == freelancer_bps
    ]
    expiry = max(pending) if pending else int(now.timestamp()) + chain.signature_ttl
    return typed_data(chain, job, freelancer_bps, expiry)


def _out(job: ChainJob, row: SettlementSignature) -> SignatureOut:
    return SignatureOut(
        signer=row.signer,
        role=role_of(job, row.signer) or "",
        freelancer_bps=row.freelancer_bps,
        nonce=row.nonce,
        expiry=row.expiry,
        signature=row.signature,
        signed_at=row.signed_at,
    )


def add_signature(session: Session, *, chain: ChainGateway, job_id: int, signed: SignatureIn) -> SignatureOut:
    """Keep a party's signature after checking it is that party's for the current nonce and not expired."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    if job.status != "active":
        raise Conflict(f"job {job_id} has ended: there is nothing left to settle")
    if role_of(job, signed.signer) is None:
        raise NotAllowed("only the client and the freelancer sign a settlement")
    now = chain_now(chain)
    if signed.expiry < now.timestamp():
        raise Conflict("the settlement's expiry has passed: sign a fresh one")
    signed_payload = typed_data(chain, job, signed.freelancer_bps, signed.expiry)
    signatures.require_signer(
        chain,
        payload=signed_payload.model_dump(),
        signer=signed.signer,
        signature=signed.signature,
        what=f"settlement of a {signed.freelancer_bps / 100:g}% split at nonce {job.nonce}",
    )
    row = SettlementSignature(
        chain_id=chain.chain_id,
        job_id=job_id,
        nonce=job.nonce,
        freelancer_bps=signed.freelancer_bps,
        signer=signed.signer,
        expiry=signed.expiry,
        signature=signed.signature,
        signed_at=datetime.now(UTC),
    )
    row = session.merge(row)
    session.commit()
    return _out(job, row)


def current_signatures(
    session: Session, *, chain: ChainGateway, job_id: int, now: datetime | None = None
) -> list[SignatureOut]:
    """The signatures that can still settle: made at the job's current nonce, not expired."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    return [
        _out(job, row) for row in signatures.usable(session, SettlementSignature, job=job, now=now or chain_now(chain))
    ]


def signatures_for(session: Session, *, job: ChainJob, freelancer_bps: int, now: datetime) -> tuple[int, bytes, bytes]:
    """The expiry and both parties' signatures of this split at the current nonce (the latest expiry both
    signed), or a Conflict naming who is missing."""
    signed: dict[int, dict[str, bytes]] = {}
    for row in signatures.usable(session, SettlementSignature, job=job, now=now):
        role = role_of(job, row.signer)
        if row.freelancer_bps == freelancer_bps and role is not None:
            signed.setdefault(row.expiry, {})[role] = bytes.fromhex(row.signature.removeprefix("0x"))
    complete = [expiry for expiry, found in signed.items() if all(role in found for role in ROLES)]
    if not complete:
        have = {role for found in signed.values() for role in found}
        missing = [role for role in ROLES if role not in have]
        split = f"a {freelancer_bps / 100:g}% split"
        if not missing:
            raise Conflict(f"the client and the freelancer signed {split} with different expiries: one signs again")
        raise Conflict(f"waiting for the {' and the '.join(missing)}'s signature of {split}")
    expiry = max(complete)
    return expiry, signed[expiry]["client"], signed[expiry]["freelancer"]
