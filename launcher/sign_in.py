"""Sign-In with Ethereum from a private key, as a wallet does it: the EIP-4361 message answering the API's
nonce, signed with EIP-191 (`personal_sign`). The demo seeding, the load generator and the tests sign in so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from siwe import SiweMessage

STATEMENT = "Sign in to Jiedan."


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def siwe_message(
    *,
    address: str,
    nonce: str,
    chain_id: int,
    domain: str,
    uri: str,
    issued_at: datetime | None = None,
    expires_in: timedelta | None = None,
) -> str:
    """The EIP-4361 text to sign; it expires `expires_in` after it was issued (never, with None)."""
    issued = issued_at or datetime.now(UTC)
    return SiweMessage(
        domain=domain,
        address=address,
        statement=STATEMENT,
        uri=uri,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=_utc(issued),
        expiration_time=None if expires_in is None else _utc(issued + expires_in),
    ).prepare_message()


def sign(message: str, private_key: str | bytes) -> str:
    """The EIP-191 signature of `message`, 0x-prefixed hex."""
    return "0x" + Account.sign_message(encode_defunct(text=message), private_key).signature.hex()


def verify_body(
    nonce_answer: dict[str, Any], private_key: str | bytes, *, expires_in: timedelta | None = None
) -> dict[str, str]:
    """What `POST /api/auth/verify` takes, for the answer of `POST /api/auth/nonce` (its nonce, chain,
    domain and URI) and the wallet's key."""
    message = siwe_message(
        address=Account.from_key(private_key).address,
        nonce=nonce_answer["nonce"],
        chain_id=nonce_answer["chain_id"],
        domain=nonce_answer["domain"],
        uri=nonce_answer["uri"],
        expires_in=expires_in,
    )
    return {"message": message, "signature": sign(message, private_key)}
