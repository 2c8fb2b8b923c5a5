"""Service offers: up to three tiers; a client orders one, its freelancer accepts the order by signing the
escrow terms, and the client gets the hiring transactions."""

from __future__ import annotations

import json

from eth_utils import keccak
from web3.logs import DISCARD

from backend.app.schemas.tx import UnsignedTx
from indexer.main import Indexer
from tests.support.activity import pay
from tests.support.chain import send, wallet
from tests.support.factories import offer_body, sign_offer
from tests.support.siwe import key_of

PROBLEM = "application/problem+json"


def test_create_offer__anonymous__401(api):
    response = api.post("/api/offers", json=offer_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_create_offer__signed_in__tier_price_is_the_sum_of_its_milestones(client_as, api):
    response = client_as("freelancer").post("/api/offers", json=offer_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["freelancer"] == wallet("freelancer")
    assert [(t["position"], t["name"], t["price"]) for t in body["tiers"]] == [
        (0, "Basic", "1000000"),
        (1, "Standard", "3000000"),
    ]
    assert body["skills"] == ["security-audit", "vyper"]
    assert [o["id"] for o in api.get("/api/offers", params={"category": "development"}).json()] == [body["id"]]


def test_create_offer__four_tiers__422(client_as):
    tier = {"name": "T", "delivery_days": 1, "milestones": [{"title": "M", "amount": "1"}]}
    response = client_as("freelancer").post("/api/offers", json=offer_body(tiers=[tier] * 4))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_update_offer__another_user__403_its_freelancer__200(client_as):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    assert client_as("client").put(f"/api/offers/{offer['id']}", json=offer_body(title="Stolen")).status_code == 403
    updated = freelancer.put(f"/api/offers/{offer['id']}", json=offer_body(title="Audit, now faster", tiers=[]))
    assert updated.status_code == 422
    updated = freelancer.put(f"/api/offers/{offer['id']}", json=offer_body(title="Audit, now faster"))
    assert updated.json()["title"] == "Audit, now faster"
    assert len(updated.json()["tiers"]) == 2


def test_close_offer__another_user__403_its_freelancer__no_longer_listed(client_as, api):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    assert client_as("client").post(f"/api/offers/{offer['id']}/close").status_code == 403
    assert freelancer.post(f"/api/offers/{offer['id']}/close").json()["status"] == "closed"
    assert api.get("/api/offers").json() == []


def test_order_offer__own_service__403_anonymous__401(client_as, api):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    assert freelancer.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).status_code == 403
    assert api.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).status_code == 401


def test_order_offer__missing_tier__404_closed_offer__409(client_as):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    client = client_as("client")
    assert client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 2}).status_code == 404
    freelancer.post(f"/api/offers/{offer['id']}/close")
    assert client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).status_code == 409


def _hired_order(client, freelancer, offer_id: int, tier: int) -> dict:
    """The client orders, the freelancer accepts with its signature of the terms, the client asks to hire."""
    order = client.post(f"/api/offers/{offer_id}/orders", json={"tier": tier}).json()
    offered = freelancer.get(f"/api/offers/orders/{order['id']}/consent").json()
    accepted = freelancer.post(
        f"/api/offers/orders/{order['id']}/accept", json=sign_offer(offered, key_of("freelancer"))
    )
    assert accepted.status_code == 200, accepted.text
    hired = client.post(f"/api/offers/orders/{order['id']}/hire")
    assert hired.status_code == 200, hired.text
    return hired.json()


def test_order_offer__by_a_client__waits_for_the_freelancers_consent__then_hiring_transactions(client_as, gateway):
    freelancer, client = client_as("freelancer"), client_as("client")
    offer = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    response = client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 1})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["hire"], body["consent_terms"]) == ("ordered", None, None)
    document = json.loads(body["canonical_json"])
    assert (document["client"], document["freelancer"]) == (wallet("client"), wallet("freelancer"))
    assert document["tier"]["price"] == "3000000"
    refused = client.post(f"/api/offers/orders/{body['id']}/hire")
    assert refused.status_code == 409 and refused.json()["type"].endswith("/consent-needed")
    assert client.get(f"/api/offers/orders/{body['id']}/consent").status_code == 403  # the freelancer signs
    assert client_as("stranger").get(f"/api/offers/orders/{body['id']}").status_code == 404

    offered = freelancer.get(f"/api/offers/orders/{body['id']}/consent").json()
    assert [m["duration"] for m in offered["terms"]["milestones"]] == [7 * 86_400 // 2, 7 * 86_400]  # 7 days
    forged = freelancer.post(f"/api/offers/orders/{body['id']}/accept", json=sign_offer(offered, key_of("client")))
    assert forged.status_code == 422 and forged.json()["type"].endswith("/bad-signature")
    accepted = freelancer.post(
        f"/api/offers/orders/{body['id']}/accept", json=sign_offer(offered, key_of("freelancer"))
    )
    assert accepted.json()["status"] == "accepted"
    hire = client.post(f"/api/offers/orders/{body['id']}/hire").json()["hire"]
    assert hire["metadata_hash"] == "0x" + keccak(text=body["canonical_json"]).hex()
    assert hire["amounts"] == ["2000000", "1000000"]
    assert hire["terms_hash"] == offered["terms_hash"]
    assert hire["create_and_fund"]["to"] == gateway.escrow.address


def test_order_offer__paid_on_chain__offer_skills_proven(client_as, settings, gateway, local_chain):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    hire = _hired_order(client_as("client"), freelancer, offer["id"], 0)["hire"]
    send(local_chain.w3, UnsignedTx.model_validate(hire["approve"]))
    receipt = send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    pay(gateway, local_chain.w3, created["args"]["job_id"], 0)
    Indexer(settings).catch_up()
    freelancer.put(f"/api/offers/{offer['id']}", json=offer_body(skills=["Rust"]))  # later edits don't count

    freelancer.put("/api/me/profile", json={"display_name": "Freelancer"})
    proven = freelancer.get("/api/me/profile").json()["proven_skills"]
    assert proven == [{"tag": "security-audit", "jobs": 1}, {"tag": "vyper", "jobs": 1}]


def test_order_offer__the_freelancer_is_told__and_the_escrow_job_goes_by_the_offers_title(
    client_as, settings, gateway, local_chain
):
    freelancer, client = client_as("freelancer"), client_as("client")
    client.put("/api/me/profile", json={"display_name": "Chen Jie"})
    offer = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    hire = _hired_order(client, freelancer, offer["id"], 0)["hire"]
    [ordered] = [i for i in freelancer.get("/api/me/notifications").json()["items"] if i["kind"] == "offer_ordered"]
    assert ordered["text"].startswith("Chen Jie ordered the Basic tier of “I will audit your Vyper contract”")
    assert ordered["unread"] is True
    [accepted] = [i for i in client.get("/api/me/notifications").json()["items"] if i["kind"] == "order_accepted"]
    assert "accepted your order of “I will audit your Vyper contract”" in accepted["text"]

    send(local_chain.w3, UnsignedTx.model_validate(hire["approve"]))
    receipt = send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    Indexer(settings).catch_up()
    texts = [i["text"] for i in freelancer.get("/api/me/notifications").json()["items"] if i["source"] == "chain"]
    assert any(
        text.startswith(f"Escrow “I will audit your Vyper contract” (job #{created['args']['job_id']}) created")
        for text in texts
    ), texts
