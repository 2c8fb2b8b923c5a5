"""Real EIP-4361 sign-in for tests: messages built and signed with eth_account, as a wallet does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient
from siwe import SiweMessage

from launcher.stack import DEMO_WALLETS

DOMAIN = "testserver"
URI = "http://testserver"


def key_of(role: str) -> str:
    return DEMO_WALLETS[role][1]


def build_message(
    *,
    address: str,
    nonce: str,
    chain_id: int,
    domain: str = DOMAIN,
    uri: str = URI,
    issued_at: datetime | None = None,
    expires_in: timedelta | None = timedelta(minutes=5),
) -> str:
    issued = issued_at or datetime.now(UTC)
    message = SiweMessage(
        domain=domain,
        address=address,
        statement="Sign in to Jiedan.",
        uri=uri,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued.isoformat().replace("+00:00", "Z"),
        expiration_time=None if expires_in is None else (issued + expires_in).isoformat().replace("+00:00", "Z"),
    )
    return message.prepare_message()


def sign(message: str, private_key: str) -> str:
    return "0x" + Account.sign_message(encode_defunct(text=message), private_key).signature.hex()


def sign_in(client: TestClient, private_key: str, *, address: str | None = None) -> str:
    """Sign `client` in with the key (or as the contract wallet `address` the key owns); returns the address."""
    address = address or Account.from_key(private_key).address
    nonce = client.post("/api/auth/nonce").json()
    message = build_message(address=address, nonce=nonce["nonce"], chain_id=nonce["chain_id"])
    response = client.post("/api/auth/verify", json={"message": message, "signature": sign(message, private_key)})
    assert response.status_code == 200, response.text
    return address
