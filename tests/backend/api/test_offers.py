"""Service offers: up to three tiers; a client orders one and gets the hiring transactions."""

from __future__ import annotations

import json

from eth_utils import keccak
from web3.logs import DISCARD

from backend.app.schemas.tx import UnsignedTx
from indexer.main import Indexer
from tests.support.activity import pay
from tests.support.chain import send, wallet
from tests.support.factories import offer_body

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
    offer = freelancer.post("/api/offers", json=offer_body(token=None) | {"token": wallet("owner")}).json()
    client = client_as("client")
    assert client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 2}).status_code == 404
    freelancer.post(f"/api/offers/{offer['id']}/close")
    assert client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).status_code == 409


def test_order_offer__by_a_client__hiring_transactions_for_the_tier(client_as, gateway):
    offer = client_as("freelancer").post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    response = client_as("client").post(f"/api/offers/{offer['id']}/orders", json={"tier": 1})
    assert response.status_code == 201, response.text
    body = response.json()
    document = json.loads(body["canonical_json"])
    assert (document["client"], document["freelancer"]) == (wallet("client"), wallet("freelancer"))
    assert document["tier"]["price"] == "3000000"
    assert body["hire"]["metadata_hash"] == "0x" + keccak(text=body["canonical_json"]).hex()
    assert body["hire"]["amounts"] == ["2000000", "1000000"]
    assert body["hire"]["create_and_fund"]["to"] == gateway.escrow.address


def test_order_offer__paid_on_chain__offer_skills_proven(client_as, settings, gateway, local_chain):
    freelancer = client_as("freelancer")
    offer = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    hire = client_as("client").post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).json()["hire"]
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
    hire = client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).json()["hire"]
    [ordered] = [i for i in freelancer.get("/api/me/notifications").json()["items"] if i["kind"] == "offer_ordered"]
    assert ordered["text"].startswith("Chen Jie ordered the Basic tier of “I will audit your Vyper contract”")
    assert ordered["unread"] is True

    send(local_chain.w3, UnsignedTx.model_validate(hire["approve"]))
    receipt = send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    Indexer(settings).catch_up()
    texts = [i["text"] for i in freelancer.get("/api/me/notifications").json()["items"] if i["source"] == "chain"]
    assert any(
        text.startswith(f"Escrow “I will audit your Vyper contract” (job #{created['args']['job_id']}) created")
        for text in texts
    ), texts
