"""Early settlement: both parties sign the same split (EIP-712), then anyone submits both signatures.

The signatures wait here, off-chain, keyed by the job's current settlement nonce (which the
escrow bumps whenever money enters or leaves the job), so a stale signature is never used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob
from backend.app.models.settlement import SettlementSignature
from backend.app.schemas import examples
from backend.app.schemas.tx import SETTLEMENT_TYPES, Address, SenderRequest, TypedData
from backend.app.services.chain import ChainGateway
from backend.app.services.chain_jobs import get_job
from backend.app.services.errors import Conflict, NotAllowed

DOMAIN_NAME = "Jiedan Escrow"
DOMAIN_VERSION = "1"


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
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signer": examples.CLIENT,
                    "freelancer_bps": 6000,
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
                    "signature": examples.CLIENT_SETTLEMENT_SIGNATURE,
                    "signed_at": "2026-12-10T09:30:00Z",
                }
            ]
        }
    )


def typed_data(chain: ChainGateway, job: ChainJob, freelancer_bps: int) -> TypedData:
    """What each party signs with `eth_signTypedData_v4` for this split at the job's current nonce."""
    return TypedData(
        types=SETTLEMENT_TYPES,
        primaryType="Settlement",
        domain={
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain.chain_id,
            "verifyingContract": chain.escrow.address,
        },
        message={"jobId": job.job_id, "freelancerBps": freelancer_bps, "nonce": job.nonce},
    )


def recover(payload: TypedData, signature: str) -> str:
    full: dict[str, Any] = payload.model_dump()
    signable = encode_typed_data(full_message=full)
    return str(Account.recover_message(signable, signature=signature))


def _role(job: ChainJob, address: str) -> str | None:
    if address.lower() == job.client.lower():
        return "client"
    if address.lower() == job.freelancer.lower():
        return "freelancer"
    return None


def add_signature(session: Session, *, chain: ChainGateway, job_id: int, signed: SignatureIn) -> SignatureOut:
    """Keep a party's signature after checking it recovers to that party for the current nonce."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    if job.status != "active":
        raise Conflict(f"job {job_id} has ended: there is nothing left to settle")
    role = _role(job, signed.signer)
    if role is None:
        raise NotAllowed("only the client and the freelancer sign a settlement")
    if recover(typed_data(chain, job, signed.freelancer_bps), signed.signature).lower() != signed.signer.lower():
        raise Conflict(
            f"the signature is not {signed.signer}'s for a {signed.freelancer_bps / 100:g}% split at nonce {job.nonce}"
        )
    row = SettlementSignature(
        chain_id=chain.chain_id,
        job_id=job_id,
        nonce=job.nonce,
        freelancer_bps=signed.freelancer_bps,
        signer=signed.signer,
        signature=signed.signature,
        signed_at=datetime.now(UTC),
    )
    session.merge(row)
    session.commit()
    return SignatureOut(
        signer=row.signer,
        role=role,
        freelancer_bps=row.freelancer_bps,
        nonce=row.nonce,
        signature=row.signature,
        signed_at=row.signed_at,
    )


def current_signatures(session: Session, *, chain: ChainGateway, job_id: int) -> list[SignatureOut]:
    """The signatures made for the job's current nonce (older ones can no longer settle)."""
    job = get_job(session, chain_id=chain.chain_id, job_id=job_id)
    rows = session.scalars(
        select(SettlementSignature)
        .where(
            SettlementSignature.chain_id == chain.chain_id,
            SettlementSignature.job_id == job_id,
            SettlementSignature.nonce == job.nonce,
        )
        .order_by(SettlementSignature.signed_at)
    ).all()
    return [
        SignatureOut(
            signer=r.signer,
            role=_role(job, r.signer) or "",
            freelancer_bps=r.freelancer_bps,
            nonce=r.nonce,
            signature=r.signature,
            signed_at=r.signed_at,
        )
        for r in rows
    ]


def signatures_for(session: Session, *, chain: ChainGateway, job: ChainJob, freelancer_bps: int) -> tuple[bytes, bytes]:
    """Both parties' signatures of this split at the current nonce, or a Conflict naming who is missing."""
    found = {
        s.role: bytes.fromhex(s.signature.removeprefix("0x"))
        for s in current_signatures(session, chain=chain, job_id=job.job_id)
        if s.freelancer_bps == freelancer_bps
    }
    missing = [role for role in ("client", "freelancer") if role not in found]
    if missing:
        raise Conflict(f"waiting for the {' and the '.join(missing)}'s signature of a {freelancer_bps / 100:g}% split")
    return found["client"], found["freelancer"]
