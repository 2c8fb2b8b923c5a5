"""Unsigned transactions for every escrow action: built from the indexed terms, refused in words when
the rules say no, and — sent by the party's wallet — doing on chain what the page promised."""

from __future__ import annotations

from datetime import datetime

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from backend.app.schemas.tx import JobTerms, UnsignedTx
from indexer.main import Indexer
from launcher.stack import DEMO_WALLETS
from tests.support.activity import UNIT, chain_time, create_job, make_terms, sign_typed, travel
from tests.support.activity import dispute as dispute_on_chain
from tests.support.activity import submit as submit_on_chain
from tests.support.chain import send, wallet

PROBLEM = "application/problem+json"
HASH = "0x" + "cd" * 32


@pytest.fixture
def index(settings):
    indexer = Indexer(settings)
    return indexer.catch_up


def _send(api, local_chain, path: str, body: dict) -> dict:
    response = api.post(f"/api/tx/{path}", json=body)
    assert response.status_code == 200, response.json()
    tx = response.json()
    send(local_chain.w3, UnsignedTx.model_validate(tx))
    return tx


def _refused(api, path: str, body: dict, status: int, words: str) -> None:
    response = api.post(f"/api/tx/{path}", json=body)
    assert response.status_code == status, response.json()
    assert response.headers["content-type"] == PROBLEM
    assert words in response.json()["detail"]


def _state(api, job_id: int, milestone: int = 0) -> str:
    return api.get(f"/api/jobs/{job_id}").json()["milestones"][milestone]["state"]


def _create_body(gateway, local_chain, *, sign_as: str | None = None, fund_count: int | None = None, **options):
    """A create-job request: terms the freelancer (or `sign_as`) signed with its wallet, as a proposal carries them."""
    terms = make_terms(
        local_chain.w3, gateway.escrow, options.pop("amounts", [UNIT]), token=gateway.token.address, **options
    )
    payload = terms.consent_typed_data(chain_id=gateway.chain_id, escrow=gateway.escrow.address)
    signature = sign_typed(local_chain.w3, sign_as or terms.freelancer, payload)
    return {"terms": JobTerms.of(terms).model_dump(), "consent": "0x" + signature.hex(), "fund_count": fund_count}


def test_create_job_tx__terms_go_on_chain_and_come_back_through_the_indexer(api, gateway, local_chain, index):
    client, freelancer, arbiter = wallet("client"), wallet("freelancer"), wallet("arbiter")
    _send(api, local_chain, "token-approve", {"owner": client, "amount": str(4 * UNIT)})
    body = _create_body(
        gateway,
        local_chain,
        amounts=[4 * UNIT, 6 * UNIT],
        durations=[86_400, 2 * 86_400],
        arbiter_fee_bps=250,
        review_period=3_600,
        ruling_window=7_200,
        metadata_hash=keccak(text="terms"),
        fund_count=1,
    )
    tx = _send(api, local_chain, "create-job", body)
    assert (tx["from"], tx["to"], tx["value"]) == (client, gateway.escrow.address, "0x0")
    index()
    job = api.get("/api/jobs", params={"limit": 1}).json()[0]
    assert (job["client"], job["freelancer"], job["arbiter"]) == (client, freelancer, arbiter)
    assert (job["arbiter_fee_bps"], job["review_period"], job["ruling_window"]) == (250, 3_600, 7_200)
    assert (job["funded_count"], job["funded"], job["total"]) == (1, str(4 * UNIT), str(10 * UNIT))
    assert [m["state"] for m in job["milestones"]] == ["funded", "unfunded"]
    assert job["terms"] == body["terms"]  # the terms the freelancer signed are the job's
    start = datetime.fromisoformat(job["created_at"]).timestamp()
    assert [datetime.fromisoformat(m["deadline"]).timestamp() - start for m in job["milestones"]] == [86_400, 172_800]
    assert job["terms_hash"] == "0x" + JobTerms.model_validate(body["terms"]).to_terms().struct_hash().hex()


def test_create_job_tx__bad_input__422_names_each_field(api):
    response = api.post(
        "/api/tx/create-job",
        json={
            "terms": {
                "client": "0x123",
                "freelancer": wallet("freelancer"),
                "token": wallet("owner"),
                "arbiter": wallet("arbiter"),
                "arbiter_fee_bps": 2_000,
                "platform_fee_bps": 100,
                "review_period": 10,
                "ruling_window": 10,
                "metadata_hash": "0x00",
                "salt": "1",
                "offer_expiry": 1,
                "milestones": [{"amount": "-1", "duration": 0}],
            },
            "consent": "0x00",
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = {tuple(error["loc"][1:]) for error in response.json()["errors"]}
    assert {
        ("terms", "client"),
        ("terms", "arbiter_fee_bps"),
        ("terms", "milestones", 0, "amount"),
        ("terms", "milestones", 0, "duration"),
        ("terms", "metadata_hash"),
        ("consent",),
    } <= fields


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"freelancer": "client"}, 409, "cannot hire their own address"),
        ({"arbiter": "freelancer"}, 409, "arbiter must be neither"),
        ({"sign_as": "arbiter"}, 422, "is not 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC's consent"),
    ],
)
def test_create_job_tx__refused_terms__in_words(api, gateway, local_chain, change, status, words):
    options = {role: wallet(change[role]) for role in ("freelancer", "arbiter", "sign_as") if role in change}
    if "freelancer" in options:
        options["sign_as"] = options["freelancer"]
    _refused(api, "create-job", _create_body(gateway, local_chain, **options), status, words)


def test_create_job_tx__consent_expired__409_consent_needed(api, gateway, local_chain):
    body = _create_body(gateway, local_chain)
    travel(local_chain.w3, 31 * 86_400)  # past the offer's 30 days
    response = api.post("/api/tx/create-job", json=body)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/consent-needed")
    assert "expired" in response.json()["detail"]


def test_create_job_tx__more_than_the_wallet_holds__409_says_how_much(api, gateway, local_chain):
    balance = gateway.token.functions.balanceOf(wallet("client")).call()
    body = _create_body(gateway, local_chain, amounts=[balance, 1], fund_count=2)
    response = api.post("/api/tx/create-job", json=body)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/insufficient-balance")


def test_submit_then_approve__each_by_its_party__pays_the_freelancer(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [5 * UNIT])
    index()
    body = {"job_id": job_id, "milestone": 0, "deliverable_hash": HASH}
    _refused(api, "submit", {**body, "sender": wallet("client")}, 403, "only the job's freelancer")
    _refused(
        api, "approve", {"job_id": job_id, "milestone": 0, "sender": wallet("client")}, 409, "is funded, not submitted"
    )
    _send(api, local_chain, "submit", {**body, "sender": wallet("freelancer")})
    index()
    assert _state(api, job_id) == "submitted"
    assert api.get(f"/api/jobs/{job_id}").json()["milestones"][0]["deliverable_hash"] == HASH

    _refused(
        api, "approve", {"job_id": job_id, "milestone": 0, "sender": wallet("freelancer")}, 403, "only the job's client"
    )
    before = gateway.token.functions.balanceOf(wallet("freelancer")).call()
    _send(api, local_chain, "approve", {"job_id": job_id, "milestone": 0, "sender": wallet("client")})
    index()
    assert _state(api, job_id) == "approved"
    fee = 5 * UNIT * gateway.escrow.functions.platform_fee_bps().call() // 10_000
    assert gateway.token.functions.balanceOf(wallet("freelancer")).call() == before + 5 * UNIT - fee
    assert api.get(f"/api/jobs/{job_id}").json()["status"] == "ended"


def test_release__only_after_the_review_period__by_anyone(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT], review_period=3_600)
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()
    stranger = wallet("owner")
    _refused(api, "release", {"job_id": job_id, "milestone": 0, "sender": stranger}, 409, "review period")
    travel(local_chain.w3, 3_601)
    _send(api, local_chain, "release", {"job_id": job_id, "milestone": 0, "sender": stranger})
    index()
    assert _state(api, job_id) == "released"


def test_reclaim__only_after_the_deadline__back_to_the_client(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [2 * UNIT], durations=[600])
    index()
    _refused(
        api, "reclaim", {"job_id": job_id, "milestone": 0, "sender": wallet("client")}, 409, "can still be submitted"
    )
    travel(local_chain.w3, 601)
    index()
    _refused(
        api,
        "submit",
        {"job_id": job_id, "milestone": 0, "sender": wallet("freelancer"), "deliverable_hash": HASH},
        409,
        "deadline passed",
    )
    before = gateway.token.functions.balanceOf(wallet("client")).call()
    _send(api, local_chain, "reclaim", {"job_id": job_id, "milestone": 0, "sender": wallet("client")})
    index()
    assert _state(api, job_id) == "reclaimed"
    assert gateway.token.functions.balanceOf(wallet("client")).call() == before + 2 * UNIT


def test_dispute_and_resolve__the_arbiter_rules_within_the_window(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [10 * UNIT], arbiter_fee_bps=500)
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()
    _refused(
        api, "dispute", {"job_id": job_id, "milestone": 0, "sender": wallet("arbiter")}, 403, "client or the freelancer"
    )
    _send(api, local_chain, "dispute", {"job_id": job_id, "milestone": 0, "sender": wallet("freelancer")})
    index()
    assert _state(api, job_id) == "disputed"
    body = {"job_id": job_id, "milestone": 0, "freelancer_bps": 7_000}
    _refused(api, "resolve", {**body, "sender": wallet("client")}, 403, "only the job's arbiter")
    _refused(
        api, "default-ruling", {"job_id": job_id, "milestone": 0, "sender": wallet("client")}, 409, "may rule until"
    )
    arbiter_before = gateway.token.functions.balanceOf(wallet("arbiter")).call()
    _send(api, local_chain, "resolve", {**body, "sender": wallet("arbiter")})
    index()
    assert _state(api, job_id) == "resolved"
    assert gateway.token.functions.balanceOf(wallet("arbiter")).call() == arbiter_before + UNIT // 2  # 5% fee


def test_default_ruling__after_a_silent_arbiter__even_split(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [4 * UNIT], ruling_window=600)
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    dispute_on_chain(gateway, local_chain.w3, job_id, 0)
    travel(local_chain.w3, 601)
    index()
    _refused(
        api,
        "resolve",
        {"job_id": job_id, "milestone": 0, "freelancer_bps": 0, "sender": wallet("arbiter")},
        409,
        "ruling window is over",
    )
    _send(api, local_chain, "default-ruling", {"job_id": job_id, "milestone": 0, "sender": wallet("client")})
    index()
    assert _state(api, job_id) == "default_ruled"


def test_fund_and_cancel_unfunded__the_client_only(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT, 2 * UNIT, 3 * UNIT], fund_count=1)
    index()
    _refused(api, "fund", {"job_id": job_id, "count": 1, "sender": wallet("freelancer")}, 403, "only the job's client")
    _refused(api, "fund", {"job_id": job_id, "count": 3, "sender": wallet("client")}, 409, "only 2 milestones are left")
    _send(api, local_chain, "token-approve", {"owner": wallet("client"), "amount": str(2 * UNIT)})
    _send(api, local_chain, "fund", {"job_id": job_id, "count": 1, "sender": wallet("client")})
    index()
    assert [m["state"] for m in api.get(f"/api/jobs/{job_id}").json()["milestones"]] == ["funded", "funded", "unfunded"]
    _send(api, local_chain, "cancel-unfunded", {"job_id": job_id, "sender": wallet("client")})
    index()
    job = api.get(f"/api/jobs/{job_id}").json()
    assert job["cancelled"] is True
    assert job["milestones"][2]["state"] == "cancelled"
    _refused(api, "fund", {"job_id": job_id, "count": 1, "sender": wallet("client")}, 409, "cancelled")


def _sign(api, job_id: int, role: str, bps: int) -> dict:
    """A party's settlement signature of the payload the API offers (its expiry included), as a wallet makes it."""
    typed = api.get(f"/api/jobs/{job_id}/settlement", params={"freelancer_bps": bps}).json()
    assert typed["domain"]["verifyingContract"] and typed["message"]["freelancerBps"] == str(bps)
    signed = Account.sign_message(encode_typed_data(full_message=typed), DEMO_WALLETS[role][1])
    return {
        "signer": wallet(role),
        "freelancer_bps": bps,
        "expiry": int(typed["message"]["expiry"]),
        "signature": "0x" + bytes(signed.signature).hex(),
    }


def test_settlement__both_sign_the_same_split__anyone_sends_it(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [3 * UNIT, 7 * UNIT])
    index()
    client_signed = _sign(api, job_id, "client", 6_000)
    assert client_signed["expiry"] == chain_time(local_chain.w3) + 7 * 86_400  # a week from the chain's time
    added = api.post(f"/api/jobs/{job_id}/settlement-signatures", json=client_signed)
    assert added.status_code == 201
    assert (added.json()["role"], added.json()["expiry"]) == ("client", client_signed["expiry"])
    _refused(
        api,
        "settle",
        {"job_id": job_id, "freelancer_bps": 6_000, "sender": wallet("owner")},
        409,
        "waiting for the freelancer's signature",
    )
    forged = api.post(
        f"/api/jobs/{job_id}/settlement-signatures", json={**client_signed, "signer": wallet("freelancer")}
    )
    assert forged.status_code == 422  # the client's signature is not the freelancer's
    assert forged.json()["type"].endswith("/bad-signature")
    travel(local_chain.w3, 60)
    freelancer_signed = _sign(api, job_id, "freelancer", 6_000)
    assert freelancer_signed["expiry"] == client_signed["expiry"]  # the payload offered carries the pending expiry
    api.post(f"/api/jobs/{job_id}/settlement-signatures", json=freelancer_signed)
    tx = _send(api, local_chain, "settle", {"job_id": job_id, "freelancer_bps": 6_000, "sender": wallet("owner")})
    assert tx["to"] == gateway.escrow.address  # settle runs at the escrow's address (EscrowAgreements' code)
    index()
    job = api.get(f"/api/jobs/{job_id}").json()
    assert (job["settled"], job["status"]) == (True, "ended")
    assert api.get(f"/api/jobs/{job_id}/settlement-signatures").json() == []  # the nonce moved on


def test_settlement_signature__made_before_a_submission__is_stale(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    index()
    api.post(f"/api/jobs/{job_id}/settlement-signatures", json=_sign(api, job_id, "client", 5_000))
    assert len(api.get(f"/api/jobs/{job_id}/settlement-signatures").json()) == 1
    submit_on_chain(gateway, local_chain.w3, job_id, 0)  # a submission moves the nonce: earlier signatures are void
    index()
    assert api.get(f"/api/jobs/{job_id}/settlement-signatures").json() == []


def test_settlement_signature__stranger__403(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    index()
    response = api.post(
        f"/api/jobs/{job_id}/settlement-signatures",
        json={"signer": wallet("arbiter"), "freelancer_bps": 1, "expiry": 2**40, "signature": "0x" + "00" * 65},
    )
    assert response.status_code == 403


def test_rate__after_the_job_ended__once_per_party(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    index()
    body = {"job_id": job_id, "score": 5, "comment": "great"}
    _refused(api, "rate", {**body, "sender": wallet("client")}, 409, "has not ended")
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()
    _send(api, local_chain, "approve", {"job_id": job_id, "milestone": 0, "sender": wallet("client")})
    index()
    _refused(api, "rate", {**body, "sender": wallet("arbiter")}, 403, "only the client and the freelancer")
    receipt_tx = _send(api, local_chain, "rate", {**body, "sender": wallet("client")})
    assert receipt_tx["to"] == gateway.escrow.address
    index()
    assert api.get(f"/api/jobs/{job_id}").json()["client_rated"] is True
    _refused(api, "rate", {**body, "sender": wallet("client")}, 409, "already rated")


def test_withdraw__without_a_credit__403(api, gateway):
    response = api.post("/api/tx/withdraw", json={"sender": wallet("client"), "token": gateway.token.address})
    assert response.status_code == 403
    assert "no credit" in response.json()["detail"]


def test_actions__each_party_sees_what_it_may_do_now(api, gateway, local_chain, index):
    job_id = create_job(gateway, local_chain.w3, [UNIT, UNIT], fund_count=1)
    submit_on_chain(gateway, local_chain.w3, job_id, 0)
    index()

    def actions(role: str) -> set[tuple[str, int | None]]:
        rows = api.get(f"/api/jobs/{job_id}/actions", params={"address": wallet(role)}).json()
        return {(row["action"], row["milestone"]) for row in rows if not row["action"].startswith("propose")}

    assert actions("client") == {("approve", 0), ("dispute", 0), ("fund", None), ("cancel_unfunded", None)}
    assert actions("freelancer") == {("dispute", 0)}
    assert actions("arbiter") == set()
