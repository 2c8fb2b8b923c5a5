"""Whether a signature is the named signer's: the one check consents, settlements and amendments share; and
which of the signatures waiting off-chain can still be used.

An EOA's signature (65 bytes) is recovered here. A contract wallet (a Safe, any EIP-1271 account) signs in
its own way, which only the wallet can judge: its signature is accepted here and the escrow asks the
wallet (`isValidSignature`) when the transaction runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import Terms, signer_of
from backend.app.models.amendment import AmendmentSignature
from backend.app.models.chain import ChainJob
from backend.app.models.settlement import SettlementSignature
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import BadSignature, ChainUnavailable

Kept = TypeVar("Kept", SettlementSignature, AmendmentSignature)


def _recovered(payload: Mapping[str, Any], signature: str) -> str | None:
    if len(signature) != 2 + 2 * 65:
        return None
    try:
        return signer_of(payload, signature)
    except Exception:  # a malformed signature (bad v, s out of range) recovers nobody
        return None


def is_contract(chain: ChainGateway, address: str) -> bool:
    try:
        return len(chain.w3.eth.get_code(address)) > 0  # type: ignore[arg-type]
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read the code at {address}: {error}") from error


def require_signer(chain: ChainGateway, *, payload: Mapping[str, Any], signer: str, signature: str, what: str) -> None:
    """Refuse (422 `bad-signature`) a signature of `payload` that is not `signer`'s; `what` names what was signed."""
    recovered = _recovered(payload, signature)
    if recovered is not None and recovered.lower() == signer.lower():
        return
    if is_contract(chain, signer):
        return  # EIP-1271: the escrow asks the wallet itself
    by = f"made by {recovered}" if recovered else "recovers no address"
    raise BadSignature(f"the signature is not {signer}'s {what}: it was {by}")


def require_consent(chain: ChainGateway, terms: Terms, signature: str) -> None:
    """The freelancer's consent: its EIP-712 signature of the exact terms (422 `bad-signature` otherwise)."""
    require_signer(
        chain,
        payload=terms.consent_typed_data(chain_id=chain.chain_id, escrow=chain.escrow.address),
        signer=terms.freelancer,
        signature=signature,
        what="consent to these terms",
    )


def usable(session: Session, model: type[Kept], *, job: ChainJob, now: datetime) -> list[Kept]:
    """The signatures kept for `job` that can still be used: made at its current nonce, not expired, oldest first."""
    return list(
        session.scalars(
            select(model)
            .where(
                model.chain_id == job.chain_id,
                model.job_id == job.job_id,
                model.nonce == job.nonce,
                model.expiry >= int(now.timestamp()),
            )
            .order_by(model.signed_at)
        ).all()
    )
