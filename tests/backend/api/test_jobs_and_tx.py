"""The JSON API: indexed jobs, unsigned transactions checked against the indexed state, problems."""

from __future__ import annotations

from eth_utils import keccak

from backend.app.schemas.tx import TokenApproveRequest
from backend.app.services import transactions
from indexer.main import Indexer
from tests.support.activity import UNIT, create_job
from tests.support.chain import send, wallet

PROBLEM = "application/problem+json"


def test_get_job__not_indexed__404_problem(api):
    response = api.get("/api/jobs/424242")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")
    assert "424242" in body["detail"]
    assert body["instance"] == "/api/jobs/424242"


def test_listing_hash__key_order_does_not_matter(api):
    first = api.post("/api/listings/hash", json={"listing": {"title": "Logo", "budget": 5, "tags": ["设计"]}}).json()
    second = api.post("/api/listings/hash", json={"listing": {"tags": ["设计"], "budget": 5, "title": "Logo"}}).json()
    assert first == second
    assert first["canonical_json"] == '{"budget":5,"tags":["设计"],"title":"Logo"}'
    assert first["metadata_hash"] == "0x" + keccak(text=first["canonical_json"]).hex()


def test_health__before_indexing__503_names_the_indexer(api):
    response = api.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["chain"]["ok"]
    assert body["indexer"] == {
        "ok": False,
        "detail": "no checkpoint yet",
        "head": body["indexer"]["head"],
        "checkpoint": None,
        "lag": None,
    }


def test_health__indexed__ok_with_zero_lag(api, settings):
    Indexer(settings).catch_up()
    body = api.get("/health").json()
    assert body["ok"] is True
    assert body["indexer"]["lag"] == 0


def test_pages__list_and_job__render_indexed_state(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [12 * UNIT + 500_000])
    Indexer(settings).catch_up()
    home = api.get("/escrow")
    assert home.status_code == 200
    assert f'href="/jobs/{job_id}"' in home.text
    page = api.get(f"/jobs/{job_id}")
    assert "12.5 jUSD" in page.text
    assert 'data-state="funded"' in page.text
    waiting = api.get("/jobs/999999")
    assert "Waiting for the indexer" in waiting.text


def test_wallet_position__balance_and_allowance_live_from_the_chain(api, gateway, local_chain):
    client = wallet("client")
    send(local_chain.w3, transactions.token_approve(gateway, TokenApproveRequest(owner=client, amount="1234")))
    body = api.get(f"/api/wallets/{client.lower()}/token").json()
    assert body["owner"] == client
    assert (body["symbol"], body["decimals"]) == ("jUSD", 6)
    assert body["balance"] == str(gateway.token.functions.balanceOf(client).call())
    assert body["allowance"] == "1234"


def test_wallet_position__not_an_address__422(api):
    assert api.get("/api/wallets/0xnope/token").status_code == 422
