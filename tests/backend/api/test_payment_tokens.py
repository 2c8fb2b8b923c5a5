"""Paying in any token the network lists (config/tokens.toml) or in its own currency, and nothing else.

Balances are read back from the chain (eth_getBalance, balanceOf), not from what the API says it built.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3.logs import DISCARD

from backend.app.core.tokens import NATIVE, Token, TokenList
from backend.app.schemas.tx import UnsignedTx
from backend.app.services.chain import check_tokens
from backend.app.services.errors import ChainUnavailable
from indexer.main import Indexer
from tests.support.chain import send, wallet
from tests.support.factories import job_post_body, offer_body, published_post, signed_proposal_body
from tests.support.siwe import key_of

UNLISTED = "0x" + "11" * 20


def test_tokens__the_local_network_lists_jusd_then_its_own_eth(api, gateway):
    listed = api.get("/api/tokens").json()

    assert [(token["symbol"], token["address"], token["decimals"], token["native"]) for token in listed] == [
        ("jUSD", gateway.token.address, 6, False),
        ("ETH", NATIVE, 18, True),
    ]
    assert listed[0]["permit"] is True


def test_tokens__configured_decimals_or_symbol_not_the_contract_s__refused_at_connect(gateway):
    jusd = gateway.token.address
    wrong_decimals = TokenList("local", (Token("jUSD", jusd, 18),))
    wrong_symbol = TokenList("local", (Token("USDC", jusd, 6),))

    with pytest.raises(ChainUnavailable, match="lists jUSD with 18 decimals .* says 'jUSD' with 6 decimals"):
        check_tokens(gateway.w3, wrong_decimals, gateway.erc20_abi)
    with pytest.raises(ChainUnavailable, match="lists USDC with 6 decimals .* says 'jUSD' with 6 decimals"):
        check_tokens(gateway.w3, wrong_symbol, gateway.erc20_abi)
    check_tokens(gateway.w3, gateway.tokens, gateway.erc20_abi)  # the real configuration holds


def test_hire__a_listing_in_eth__no_allowance__the_value_rides_on_create__the_escrow_holds_it(
    client_as, settings, gateway, local_chain
):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, token=NATIVE)
    body = signed_proposal_body(freelancer, post["id"], key_of("freelancer"))
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body).json()
    escrow_before = local_chain.w3.eth.get_balance(gateway.escrow.address)

    hire = client.post(f"/api/proposals/{proposal['id']}/accept").json()["hire"]

    total = sum(int(amount) for amount in hire["amounts"])
    assert hire["approve"] is None
    assert int(hire["create_and_fund"]["value"], 16) == total
    receipt = send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))
    (created,) = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    assert local_chain.w3.eth.get_balance(gateway.escrow.address) - escrow_before == total
    Indexer(settings).catch_up()
    listing = client.get(f"/api/job-posts/{post['id']}").json()
    assert (listing["status"], listing["chain"]["token"]) == ("hired", NATIVE)
    assert listing["chain"]["job_id"] == created.args.job_id


def test_money_in_an_unlisted_token__listings_offers_edits_and_positions__422_naming_the_listed_ones(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)

    listing = client.post("/api/job-posts", json=job_post_body(token=UNLISTED))
    edit = client.put(f"/api/job-posts/{post['id']}", json=job_post_body(token=UNLISTED))
    offer = freelancer.post("/api/offers", json=offer_body(token=UNLISTED))
    position = client.get(f"/api/wallets/{wallet('client')}/token", params={"token": UNLISTED})

    assert client.get(f"/api/job-posts/{post['id']}").json()["token"] == post["token"]  # the edit changed nothing
    for response in (listing, edit, offer, position):
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"].endswith("/token-not-accepted")
        assert UNLISTED in problem["detail"] and "jUSD (0x" in problem["detail"] and "ETH (native)" in problem["detail"]


def test_wallet_position__eth__the_balance_and_no_allowance_needed(client_as, local_chain):
    position = client_as("client").get(f"/api/wallets/{wallet('client')}/token", params={"token": NATIVE}).json()

    assert (position["symbol"], position["decimals"], position["native"]) == ("ETH", 18, True)
    assert int(position["balance"]) == local_chain.w3.eth.get_balance(wallet("client"))


def test_listing__in_any_letter_case__stored_as_the_listed_token(client_as, gateway):
    post = published_post(client_as("client"), token=gateway.token.address.lower())

    assert post["token"] == gateway.token.address


def test_token_approve__of_eth__409_it_is_sent_with_the_call(client_as):
    response = client_as("client").post(
        "/api/tx/token-approve", json={"owner": wallet("client"), "amount": "1", "token": NATIVE}
    )
    assert response.status_code == 409
    assert "sent with the call" in response.json()["detail"]


def _hired_in_jusd(client_as, gateway):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, token=gateway.token.address)
    body = signed_proposal_body(freelancer, post["id"], key_of("freelancer"))
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body).json()
    return client, post, proposal, client.post(f"/api/proposals/{proposal['id']}/accept").json()["hire"]


def _permit_request(hire: dict, proposal: dict, signature: str) -> dict:
    return {
        "terms": hire["terms"],
        "consent": hire["consent"],
        "permit_value": hire["permit"]["message"]["value"],
        "permit_deadline": int(hire["permit"]["message"]["deadline"]),
        "permit_signature": signature,
    }


def test_hire__a_permit_token__one_signature_one_transaction__no_allowance_left_over(
    client_as, settings, gateway, local_chain
):
    client, post, proposal, hire = _hired_in_jusd(client_as, gateway)
    jusd = gateway.token
    assert hire["permit"]["domain"]["verifyingContract"] == jusd.address
    assert hire["permit"]["message"]["spender"] == gateway.escrow.address
    jusd.functions.approve(gateway.escrow.address, 0).transact({"from": wallet("client")})  # no allowance before
    held_before = jusd.functions.balanceOf(gateway.escrow.address).call()
    sent_before = local_chain.w3.eth.get_transaction_count(wallet("client"))

    signed = Account.sign_message(encode_typed_data(full_message=hire["permit"]), key_of("client"))
    built = client.post("/api/tx/create-job-with-permit", json=_permit_request(hire, proposal, _hex(signed)))
    assert built.status_code == 200, built.text
    send(local_chain.w3, UnsignedTx.model_validate(built.json()))

    total = sum(int(amount) for amount in hire["amounts"])
    assert jusd.functions.balanceOf(gateway.escrow.address).call() - held_before == total
    assert local_chain.w3.eth.get_transaction_count(wallet("client")) == sent_before + 1
    assert jusd.functions.allowance(wallet("client"), gateway.escrow.address).call() == 0  # the permit was spent
    Indexer(settings).catch_up()
    assert client.get(f"/api/job-posts/{post['id']}").json()["status"] == "hired"


def test_create_job_with_permit__signed_by_someone_else__422__eth__409(client_as, gateway):
    client, _, proposal, hire = _hired_in_jusd(client_as, gateway)
    forged = Account.sign_message(encode_typed_data(full_message=hire["permit"]), key_of("freelancer"))

    refused = client.post("/api/tx/create-job-with-permit", json=_permit_request(hire, proposal, _hex(forged)))

    assert refused.status_code == 422 and refused.json()["type"].endswith("/bad-signature")
    eth_terms = {**hire["terms"], "token": NATIVE}
    no_permit = client.post(
        "/api/tx/create-job-with-permit",
        json=_permit_request(hire, proposal, _hex(forged)) | {"terms": eth_terms},
    )
    assert no_permit.status_code == 409 and "takes no permits" in no_permit.json()["detail"]


def _hex(signed) -> str:
    return "0x" + bytes(signed.signature).hex()
