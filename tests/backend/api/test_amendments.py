"""Amendments through the API: one party signs (extend a deadline, add milestones, accept with a deduction),
the signature waits keyed by the job's nonce, the other party's transaction carries it and the indexer projects
the job's new terms; stale, expired, misdirected or forged signatures are refused in words."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from backend.app.schemas.tx import JobTerms, UnsignedTx
from indexer.main import Indexer
from launcher.stack import DEMO_WALLETS
from tests.support.activity import DAY, UNIT, create_job, travel
from tests.support.activity import submit as submit_on_chain
from tests.support.chain import send, wallet

PROBLEM = "application/problem+json"


@pytest.fixture
def index(settings):
    return Indexer(settings).catch_up


def _propose(api, job_id: int, role: str, change: dict, *, key_role: str | None = None):
    """`role` signs the amendment the API offers (with `key_role`'s key to forge one) and stores it."""
    body = {**change, "signer": wallet(role)}
    typed = api.post(f"/api/jobs/{job_id}/amendments/payload", json=body)
    if typed.status_code != 200:
        return typed  # refused before anything is signed
    payload = typed.json()
    signed = Account.sign_message(encode_typed_data(full_message=payload), DEMO_WALLETS[key_role or role][1])
    return api.post(
        f"/api/jobs/{job_id}/amendments",
        json={**body, "expiry": int(payload["message"]["expiry"]), "signature": "0x" + bytes(signed.signature).hex()},
    )


def _send(api, local_chain, path: str, body: dict) -> dict:
    response = api.post(f"/api/tx/{path}", json=body)
    assert response.status_code == 200, response.json()
    send(local_chain.w3, UnsignedTx.model_validate(response.json()))
    return response.json()


def test_extend_deadline__the_freelancer_signs__the_client_sends__the_new_deadline_is_projected(
    api, gateway, local_chain, index
):
    job_id = create_job(gateway, local_chain.w3, [UNIT, 2 * UNIT], durations=[10 * DAY, 20 * DAY])
    index()
    change = {"kind": "extend_deadline", "milestone": 1, "new_duration": 27 * DAY}
    stored = _propose(api, job_id, "freelancer", change)
    assert stored.status_code == 201, stored.text
    assert (stored.json()["role"], stored.json()["sender"]) == ("freelancer", wallet("client"))
    assert [a["kind"] for a in api.get(f"/api/jobs/{job_id}/amendments").json()] == ["extend_deadline"]
    body = {"job_id": job_id, "milestone": 1, "new_duration": 27 * DAY}
    refused = api.post("/api/tx/extend-deadline", json={**body, "sender": wallet("freelancer")})
    assert refused.status_code == 409 and "client's signature" in refused.json()["detail"]  # its own does not do
    tx = _send(api, local_chain, "extend-deadline", {**body, "sender": wallet("client")})
    assert tx["to"] == gateway.escrow.address
    index()
    job = api.get(f"/api/jobs/{job_id}").json()
    assert job["terms"]["milestones"][1]["duration"] == 27 * DAY == job["milestones"][1]["duration"]
    assert job["terms_hash"] == "0x" + gateway.escrow.functions.hash_terms(tuple(_abi(job["terms"]))).call().hex()
    assert api.get(f"/api/jobs/{job_id}/amendments").json() == []  # the nonce moved on
    # the job's next call presents the amended terms
    _send(
        api,
        local_chain,
        "submit",
        {"job_id": job_id, "milestone": 0, "sender": wallet("freelancer"), "deliverable_hash": "0x" + "11" * 32},
    )


def _abi(terms: dict) -> tuple:
    return JobTerms.model_validate(terms).to_terms().as_abi()


def test_extend_deadline__not_later__422__forged__422__after_a_submission__stale(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT, UNIT], durations=[10 * DAY, 20 * DAY])
    index()
    earlier = _propose(api, job_id, "client", {"kind": "extend_deadline", "milestone": 0, "new_duration": 9 * DAY})
    assert earlier.status_code == 422 and "later than the current one" in earlier.json()["detail"]
    change = {"kind": "extend_deadline", "milestone": 1, "new_duration": 30 * DAY}
    forged = _propose(api, job_id, "client", change, key_role="arbiter")
    assert forged.status_code == 422 and forged.json()["type"].endswith("/bad-signature")
    assert _propose(api, job_id, "client", change).status_code == 201
    submit_on_chain(gateway, local_chain.w3, job_id, 0)  # moves the nonce: every signature made before is void
    index()
    assert api.get(f"/api/jobs/{job_id}/amendments").json() == []
    refused = api.post(
        "/api/tx/extend-deadline",
        json={"job_id": job_id, "milestone": 1, "new_duration": 30 * DAY, "sender": wallet("freelancer")},
    )
    assert refused.status_code == 409 and "waiting for the client's signature" in refused.json()["detail"]


def test_add_milestones__the_freelancer_signs__the_client_adds_and_funds(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT, 2 * UNIT], fund_count=1)
    index()
    change = {
        "kind": "add_milestones",
        "milestones": [{"amount": str(3 * UNIT), "duration": 40 * DAY}],
        "fund_count": 2,
    }
    refused = _propose(api, job_id, "client", change)
    assert refused.status_code == 403  # the freelancer signs the milestones it will deliver
    stored = _propose(api, job_id, "freelancer", change)
    assert stored.status_code == 201, stored.text
    assert stored.json()["funding"] == str(5 * UNIT)  # milestone 2 (not funded yet) and the new one
    _send(api, local_chain, "token-approve", {"owner": wallet("client"), "amount": str(5 * UNIT)})
    _send(
        api,
        local_chain,
        "add-milestones",
        {"job_id": job_id, "sender": wallet("client"), "milestones": change["milestones"], "fund_count": 2},
    )
    index()
    job = api.get(f"/api/jobs/{job_id}").json()
    assert [m["state"] for m in job["milestones"]] == ["funded", "funded", "funded"]
    assert (job["milestone_count"], job["funded_count"], job["funded"], job["total"]) == (
        3,
        3,
        str(6 * UNIT),
        str(6 * UNIT),
    )
    assert job["milestones"][2]["duration"] == 40 * DAY  # from the job's start, as signed


def test_accept_with_deduction__the_client_proposes_a_share__the_freelancer_agrees(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [10 * UNIT])
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()
    early = _propose(api, job_id, "client", {"kind": "deduction", "milestone": 0, "freelancer_bps": 8_000})
    assert early.status_code == 201, early.text
    before = gateway.token.functions.balanceOf(wallet("freelancer")).call()
    body = {"job_id": job_id, "milestone": 0, "freelancer_bps": 8_000}
    wrong = api.post(
        "/api/tx/accept-with-deduction", json={**body, "freelancer_bps": 9_000, "sender": wallet("freelancer")}
    )
    assert wrong.status_code == 409  # not what the client signed
    _send(api, local_chain, "accept-with-deduction", {**body, "sender": wallet("freelancer")})
    index()
    job = api.get(f"/api/jobs/{job_id}").json()
    milestone = job["milestones"][0]
    assert (milestone["state"], milestone["ruling_bps"], job["status"]) == ("deducted", 8_000, "ended")
    fee = -(-8 * UNIT * gateway.escrow.functions.platform_fee_bps().call() // 10_000)  # fees round up
    assert gateway.token.functions.balanceOf(wallet("freelancer")).call() == before + 8 * UNIT - fee
    assert (milestone["to_freelancer"], milestone["to_client"]) == (str(8 * UNIT - fee), str(2 * UNIT))


def test_amendment__expired_signature__no_longer_offered(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT], durations=[60 * DAY])
    index()
    change = {"kind": "extend_deadline", "milestone": 0, "new_duration": 70 * DAY}
    assert _propose(api, job_id, "freelancer", change).status_code == 201
    travel(local_chain.w3, 8 * DAY)  # past the week a signature holds
    assert api.get(f"/api/jobs/{job_id}/amendments").json() == []


def test_actions__parties_see_the_amendments_they_may_propose(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT, UNIT], fund_count=1)
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()

    def actions(role: str) -> set[tuple[str, int | None]]:
        rows = api.get(f"/api/jobs/{job_id}/actions", params={"address": wallet(role)}).json()
        return {(row["action"], row["milestone"]) for row in rows if row["action"].startswith("propose")}

    assert actions("client") == {("propose_deduction", 0), ("propose_extension", 1)}
    assert actions("freelancer") == {("propose_deduction", 0), ("propose_extension", 1), ("propose_milestones", None)}
    assert actions("arbiter") == set()
