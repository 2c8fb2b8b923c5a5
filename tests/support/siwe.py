"""Real EIP-4361 sign-in for tests: messages built and signed with eth_account, as a wallet does."""

from __future__ import annotations

from datetime import datetime, timedelta

from eth_account import Account
from fastapi.testclient import TestClient

from launcher.sign_in import sign, siwe_message
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
    """A sign-in message for the TestClient's host, expiring in 5 minutes unless told otherwise."""
    return siwe_message(
        address=address, nonce=nonce, chain_id=chain_id, domain=domain, uri=uri, issued_at=issued_at,
        expires_in=expires_in,
    )  # fmt: skip


def sign_in(client: TestClient, private_key: str, *, address: str | None = None) -> str:
    """Sign `client` in with the key (or as the contract wallet `address` the key owns); returns the address."""
    address = address or Account.from_key(private_key).address
    nonce = client.post("/api/auth/nonce").json()
    message = build_message(address=address, nonce=nonce["nonce"], chain_id=nonce["chain_id"])
    response = client.post("/api/auth/verify", json={"message": message, "signature": sign(message, private_key)})
    assert response.status_code == 200, response.text
    return address
