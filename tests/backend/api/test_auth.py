"""Sign-In with Ethereum: real signatures from the demo keys; every forged or stale attempt refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from sqlalchemy import create_engine, update

from backend.app.models.user import AuthNonce
from tests.conftest import BUILD_MANIFEST
from tests.support.chain import wallet
from tests.support.siwe import build_message, key_of, sign, sign_in

PROBLEM = "application/problem+json"


def _attempt(api, *, role="client", address=None, key=None, tamper=None, **message_args):
    nonce = api.post("/api/auth/nonce").json()
    args = {"address": address or wallet(role), "nonce": nonce["nonce"], "chain_id": nonce["chain_id"]}
    args.update(message_args)
    message = build_message(**args)
    signature = sign(message, key or key_of(role))
    if tamper:
        message = tamper(message)
    return api.post("/api/auth/verify", json={"message": message, "signature": signature}), message, signature


def _assert_refused(response, words):
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/sign-in-refused")
    assert words in response.json()["detail"]
    assert "jiedan_session" not in response.cookies


def test_nonce__128_bits_single_use_and_bound_to_this_site(api, gateway):
    first, second = api.post("/api/auth/nonce").json(), api.post("/api/auth/nonce").json()
    assert first["nonce"] != second["nonce"]
    assert len(first["nonce"]) == 32 and first["nonce"].isalnum()
    assert (first["domain"], first["uri"], first["chain_id"]) == ("testserver", "http://testserver", gateway.chain_id)
    expires = datetime.fromisoformat(first["expires_at"])
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)


def test_sign_in__demo_wallet__httponly_samesite_cookie_and_me(api):
    response, _, _ = _attempt(api)
    assert response.status_code == 200
    assert response.json()["address"] == wallet("client")
    cookie = response.headers["set-cookie"]
    assert "jiedan_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = api.get("/api/me")
    assert me.status_code == 200
    assert me.json()["address"] == wallet("client")
    assert me.json()["is_moderator"] is False


def test_me__anonymous__401_problem(api):
    response = api.get("/api/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/not-signed-in")


def test_me__forged_cookie__401(api):
    api.cookies.set("jiedan_session", "not-a-session")
    assert api.get("/api/me").status_code == 401


def test_sign_in__reused_nonce__refused(api):
    response, message, signature = _attempt(api)
    assert response.status_code == 200
    again = api.post("/api/auth/verify", json={"message": message, "signature": signature})
    _assert_refused(again, "already used")


def test_sign_in__nonce_not_issued_here__refused(api, gateway):
    message = build_message(address=wallet("client"), nonce="a" * 32, chain_id=gateway.chain_id)
    response = api.post("/api/auth/verify", json={"message": message, "signature": sign(message, key_of("client"))})
    _assert_refused(response, "nonce")


def test_sign_in__nonce_expired__refused(api, settings):
    nonce = api.post("/api/auth/nonce").json()
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            update(AuthNonce)
            .where(AuthNonce.nonce == nonce["nonce"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()
    message = build_message(address=wallet("client"), nonce=nonce["nonce"], chain_id=nonce["chain_id"])
    response = api.post("/api/auth/verify", json={"message": message, "signature": sign(message, key_of("client"))})
    _assert_refused(response, "expired")


def test_sign_in__wrong_domain__refused(api):
    response, _, _ = _attempt(api, domain="evil.example")
    _assert_refused(response, "domain 'evil.example'")


def test_sign_in__wrong_uri__refused(api):
    response, _, _ = _attempt(api, uri="https://evil.example")
    _assert_refused(response, "URI")


def test_sign_in__wrong_chain__refused(api, gateway):
    response, _, _ = _attempt(api, chain_id=gateway.chain_id + 1)
    _assert_refused(response, f"chain {gateway.chain_id + 1}")


def test_sign_in__message_expired__refused(api):
    response, _, _ = _attempt(api, issued_at=datetime.now(UTC) - timedelta(minutes=10), expires_in=timedelta(minutes=1))
    _assert_refused(response, "expired")


def test_sign_in__tampered_message__refused(api):
    response, _, _ = _attempt(api, tamper=lambda m: m.replace("Sign in to Jiedan.", "Sign in to Jiedan!"))
    _assert_refused(response, "signature does not match")


def test_sign_in__signed_by_another_key__refused(api):
    response, _, _ = _attempt(api, address=wallet("client"), key=key_of("freelancer"))
    _assert_refused(response, "signature does not match")


def test_sign_in__not_an_eip4361_message__refused_not_500(api):
    response = api.post("/api/auth/verify", json={"message": "hello", "signature": "0x00"})
    _assert_refused(response, "not an EIP-4361 message")


def test_sign_in__malformed_signature__422_problem(api):
    response = api.post("/api/auth/verify", json={"message": "hello", "signature": "zz"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_sign_out__deletes_the_server_session(api):
    sign_in(api, key_of("client"))
    stolen = api.cookies.get("jiedan_session")
    assert api.post("/api/auth/sign-out").status_code == 204
    assert api.get("/api/me").status_code == 401
    api.cookies.set("jiedan_session", stolen)  # replaying the old cookie does not revive it
    assert api.get("/api/me").status_code == 401


def _deploy_smart_wallet(local_chain, owner: str) -> str:
    contract_type = json.loads(BUILD_MANIFEST.read_text())["contractTypes"]["smart_wallet_mock"]
    w3 = local_chain.w3
    factory = w3.eth.contract(abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"])
    tx_hash = factory.constructor(owner).transact({"from": wallet("owner")})
    return w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]


@pytest.fixture
def smart_wallet_owner():
    return Account.create()


def test_sign_in__contract_wallet_signed_by_its_owner__eip1271_accepted(api, local_chain, smart_wallet_owner):
    smart_wallet = _deploy_smart_wallet(local_chain, smart_wallet_owner.address)
    address = sign_in(api, smart_wallet_owner.key.hex(), address=smart_wallet)
    assert api.get("/api/me").json()["address"] == address == smart_wallet


def test_sign_in__contract_wallet_signed_by_a_stranger__refused(api, local_chain, smart_wallet_owner):
    smart_wallet = _deploy_smart_wallet(local_chain, smart_wallet_owner.address)
    response, _, _ = _attempt(api, address=smart_wallet, key=key_of("client"))
    _assert_refused(response, "signature does not match")
