"""The JSON API: indexed jobs, unsigned transactions checked against the indexed state, problems."""

from __future__ import annotations

from eth_utils import keccak
from web3.logs import DISCARD

from backend.app.schemas.tx import TokenApproveRequest, UnsignedTx
from backend.app.services import transactions
from backend.app.services.units import format_units
from indexer.main import Indexer
from tests.support.activity import UNIT, create_job, release
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


def test_get_job__indexed__money_and_milestones_from_the_chain(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [300 * UNIT, 500 * UNIT])
    release(gateway, local_chain.w3, job_id, 0)
    Indexer(settings).catch_up()

    body = api.get(f"/api/jobs/{job_id}").json()

    assert body["client"] == wallet("client")
    assert body["freelancer"] == wallet("freelancer")
    assert (body["funded"], body["paid"], body["in_escrow"]) == (str(800 * UNIT), str(300 * UNIT), str(500 * UNIT))
    assert [(m["index"], m["amount"], m["state"]) for m in body["milestones"]] == [
        (0, str(300 * UNIT), "released"),
        (1, str(500 * UNIT), "funded"),
    ]
    listed = api.get("/api/jobs", params={"limit": 100}).json()
    assert job_id in [job["job_id"] for job in listed]


def test_create_job_tx__sent_by_the_wallet__creates_the_funded_job(api, settings, gateway, local_chain):
    client, freelancer = wallet("client"), wallet("freelancer")
    approve = api.post("/api/tx/token-approve", json={"owner": client, "amount": str(9 * UNIT)})
    assert approve.status_code == 200
    assert approve.json()["from"] == client
    assert approve.json()["to"] == gateway.token.address
    create = api.post(
        "/api/tx/create-job",
        json={
            "client": client.lower(),
            "freelancer": freelancer,
            "amounts": [str(4 * UNIT), str(5 * UNIT)],
            "metadata_hash": "0x" + keccak(text="x").hex(),
        },
    )
    assert create.status_code == 200
    tx = create.json()
    assert (tx["chain_id"], tx["from"], tx["to"], tx["value"]) == (
        gateway.chain_id,
        client,
        gateway.escrow.address,
        "0x0",
    )

    send(local_chain.w3, UnsignedTx.model_validate(approve.json()))
    receipt = send(local_chain.w3, UnsignedTx.model_validate(tx))
    Indexer(settings).catch_up()
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    body = api.get(f"/api/jobs/{created['args']['job_id']}").json()
    assert body["funded"] == str(9 * UNIT)


def test_release_tx__by_the_client__pays_after_indexing(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [2 * UNIT])
    Indexer(settings).catch_up()

    response = api.post("/api/tx/release", json={"sender": wallet("client"), "job_id": job_id, "milestone": 0})
    assert response.status_code == 200

    send(local_chain.w3, UnsignedTx.model_validate(response.json()))
    Indexer(settings).catch_up()
    assert api.get(f"/api/jobs/{job_id}").json()["milestones"][0]["state"] == "released"


def test_release_tx__by_the_freelancer__403(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    Indexer(settings).catch_up()
    response = api.post("/api/tx/release", json={"sender": wallet("freelancer"), "job_id": job_id, "milestone": 0})
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert wallet("client") in response.json()["detail"]


def test_release_tx__already_released__409(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    release(gateway, local_chain.w3, job_id, 0)
    Indexer(settings).catch_up()
    response = api.post("/api/tx/release", json={"sender": wallet("client"), "job_id": job_id, "milestone": 0})
    assert response.status_code == 409
    assert "already released" in response.json()["detail"]


def test_release_tx__unknown_milestone__404(api, settings, gateway, local_chain):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    Indexer(settings).catch_up()
    response = api.post("/api/tx/release", json={"sender": wallet("client"), "job_id": job_id, "milestone": 5})
    assert response.status_code == 404


def test_create_job_tx__bad_input__422_problem_names_each_field(api):
    response = api.post(
        "/api/tx/create-job",
        json={"client": "0x123", "freelancer": wallet("freelancer"), "amounts": ["-1"], "metadata_hash": "0x00"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = {tuple(error["loc"][1:]) for error in response.json()["errors"]}
    assert {("client",), ("amounts", 0), ("metadata_hash",)} <= fields


def test_create_job_tx__hire_yourself__409(api):
    client = wallet("client")
    response = api.post(
        "/api/tx/create-job",
        json={"client": client, "freelancer": client, "amounts": ["1"], "metadata_hash": "0x" + "11" * 32},
    )
    assert response.status_code == 409


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


def test_create_job_tx__more_than_the_wallet_holds__409_says_how_much(api, gateway):
    client = wallet("client")
    balance = gateway.token.functions.balanceOf(client).call()
    response = api.post(
        "/api/tx/create-job",
        json={
            "client": client,
            "freelancer": wallet("freelancer"),
            "amounts": [str(balance), "1"],
            "metadata_hash": "0x" + "22" * 32,
        },
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/insufficient-balance")
    assert response.json()["detail"].endswith(f"this funding needs {format_units(balance + 1, 6)} jUSD")
