"""Proposals: one per freelancer per job, with the freelancer's signed consent to the escrow terms; the client
shortlists, declines, accepts → hiring transactions built from those terms."""

from __future__ import annotations

from eth_account import Account
from fastapi.testclient import TestClient
from web3.logs import DISCARD

from backend.app.schemas.tx import JobTerms, UnsignedTx
from indexer.main import Indexer
from tests.support.activity import deploy, pay
from tests.support.chain import send, wallet
from tests.support.factories import job_post_body, proposal_body, published_post, sign_offer, signed_proposal_body
from tests.support.siwe import key_of, sign_in

PROBLEM = "application/problem+json"


def _post_and_proposal(client_as, *, signed: bool = False, **post_overrides):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, **post_overrides)
    body = signed_proposal_body(freelancer, post["id"], key_of("freelancer")) if signed else proposal_body()
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body)
    assert proposal.status_code == 201, proposal.text
    return client, freelancer, post, proposal.json()


def test_create_proposal__anonymous__401(client_as, api):
    post = published_post(client_as("client"))
    response = api.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_create_proposal__own_job__403(client_as):
    client = client_as("client")
    post = published_post(client)
    response = client.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


def test_create_proposal__someone_elses_draft__404(client_as):
    post_id = client_as("client").post("/api/job-posts", json=job_post_body()).json()["id"]
    response = client_as("freelancer").post(f"/api/job-posts/{post_id}/proposals", json=proposal_body())
    assert response.status_code == 404


def test_create_proposal__second_one__409(client_as):
    _, freelancer, post, _ = _post_and_proposal(client_as)
    again = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body(cover_letter="Again"))
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_create_proposal__closed_job__409(client_as):
    client = client_as("client")
    post = published_post(client)
    client.post(f"/api/job-posts/{post['id']}/close")
    response = client_as("freelancer").post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())
    assert response.status_code == 409


def test_create_proposal__status_in_body__422_and_zero_amount__422(client_as):
    post = published_post(client_as("client"))
    freelancer = client_as("freelancer")
    url = f"/api/job-posts/{post['id']}/proposals"
    assert freelancer.post(url, json=proposal_body(status="accepted")).status_code == 422
    zero = proposal_body(milestones=[{"title": "Free", "amount": "0"}])
    assert freelancer.post(url, json=zero).status_code == 422


def test_proposal__visible_to_its_freelancer_and_the_client_only(client_as, api):
    client, freelancer, post, proposal = _post_and_proposal(client_as)
    assert freelancer.get(f"/api/proposals/{proposal['id']}").json()["total"] == "3000000"
    assert client.get(f"/api/proposals/{proposal['id']}").status_code == 200
    assert client_as("stranger").get(f"/api/proposals/{proposal['id']}").status_code == 404
    assert api.get(f"/api/proposals/{proposal['id']}").status_code == 401
    assert [p["id"] for p in client.get(f"/api/job-posts/{post['id']}/proposals").json()] == [proposal["id"]]
    assert freelancer.get(f"/api/job-posts/{post['id']}/proposals").status_code == 403
    assert [p["id"] for p in freelancer.get("/api/me/proposals").json()] == [proposal["id"]]


def test_withdraw_proposal__by_the_client__403_by_the_freelancer__withdrawn(client_as):
    client, freelancer, _, proposal = _post_and_proposal(client_as)
    assert client.post(f"/api/proposals/{proposal['id']}/withdraw").status_code == 403
    response = freelancer.post(f"/api/proposals/{proposal['id']}/withdraw")
    assert response.json()["status"] == "withdrawn"
    assert client.post(f"/api/proposals/{proposal['id']}/accept").status_code == 409


def test_shortlist_and_decline__by_the_freelancer__403_by_the_client__done(client_as):
    client, freelancer, _, proposal = _post_and_proposal(client_as)
    assert freelancer.post(f"/api/proposals/{proposal['id']}/shortlist").status_code == 403
    assert freelancer.post(f"/api/proposals/{proposal['id']}/decline").status_code == 403
    assert client.post(f"/api/proposals/{proposal['id']}/shortlist").json()["status"] == "shortlisted"
    assert client.post(f"/api/proposals/{proposal['id']}/shortlist").status_code == 409
    assert client.post(f"/api/proposals/{proposal['id']}/decline").json()["status"] == "declined"


def test_accept_proposal__by_the_freelancer__403_by_a_stranger__404(client_as):
    _, freelancer, _, proposal = _post_and_proposal(client_as)
    assert freelancer.post(f"/api/proposals/{proposal['id']}/accept").status_code == 403
    assert client_as("stranger").post(f"/api/proposals/{proposal['id']}/accept").status_code == 404


def test_accept_proposal__without_the_freelancer_s_consent__409_and_nothing_changes(client_as):
    client, _, post, proposal = _post_and_proposal(client_as)  # an unsigned proposal: nothing to hire with
    response = client.post(f"/api/proposals/{proposal['id']}/accept")
    assert response.status_code == 409
    assert client.get(f"/api/proposals/{proposal['id']}").json()["status"] == "submitted"
    assert client.get(f"/api/job-posts/{post['id']}").json()["status"] == "published"


def test_accept_proposal__sent_by_the_wallet__funded_escrow_carries_the_listing_hash(
    client_as, settings, gateway, local_chain
):
    client, freelancer, post, proposal = _post_and_proposal(client_as, signed=True, token=gateway.token.address)
    assert proposal["consent_terms"]["metadata_hash"] == post["metadata_hash"]
    other = client_as("arbiter").post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())

    response = client.post(f"/api/proposals/{proposal['id']}/accept")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["proposal"]["status"] == "accepted"
    hire = body["hire"]
    assert (hire["metadata_hash"], hire["amounts"]) == (post["metadata_hash"], ["1000000", "2000000"])
    assert (hire["approve"]["from"], hire["approve"]["to"]) == (wallet("client"), gateway.token.address)
    assert (hire["create_and_fund"]["from"], hire["create_and_fund"]["to"]) == (
        wallet("client"),
        gateway.escrow.address,
    )
    assert client.post(f"/api/proposals/{proposal['id']}/accept").json()["hire"] == hire  # idempotent
    assert client.post(f"/api/proposals/{other.json()['id']}/accept").status_code == 409  # job already hired
    assert client.put(f"/api/job-posts/{post['id']}", json=job_post_body()).status_code == 409

    send(local_chain.w3, UnsignedTx.model_validate(hire["approve"]))
    send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))
    hired_again = client.post(f"/api/proposals/{proposal['id']}/accept")  # the consent created its one job
    assert hired_again.status_code == 409 and "was already used" in hired_again.json()["detail"]
    Indexer(settings).catch_up()
    listing = client.get(f"/api/job-posts/{post['id']}").json()
    assert listing["status"] == "hired"
    assert listing["chain"]["freelancer"] == wallet("freelancer")
    assert listing["chain"]["funded"] == "3000000"
    assert listing["hash_mismatch"] is False

    pay(gateway, local_chain.w3, listing["chain"]["job_id"], 0)
    Indexer(settings).catch_up()
    freelancer.put("/api/me/profile", json={"display_name": "Freelancer"})
    proven = freelancer.get("/api/me/profile").json()["proven_skills"]
    assert proven == [{"tag": "illustrator", "jobs": 1}, {"tag": "logo-design", "jobs": 1}]


def test_proposal__plan_durations__default_then_the_ones_signed(client_as, gateway):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, token=gateway.token.address)
    plan = [{"title": "Sketches", "amount": "1000000"}, {"title": "Final", "amount": "2000000", "duration": 86_400}]
    offered = freelancer.post(f"/api/job-posts/{post['id']}/proposals/consent", json={"milestones": plan}).json()
    durations = [m["duration"] for m in offered["terms"]["milestones"]]
    assert durations == [14 * 86_400, 86_400]  # JIEDAN_DEFAULT_MILESTONE_DAYS for the one left out
    terms = offered["terms"]
    assert (terms["client"], terms["freelancer"], terms["token"]) == (
        wallet("client"),
        wallet("freelancer"),
        post["token"],
    )
    assert terms["metadata_hash"] == post["metadata_hash"] and terms["arbiter"] == wallet("arbiter")
    assert terms["platform_fee_bps"] == gateway.escrow.functions.platform_fee_bps().call()
    assert offered["typed_data"]["domain"] == {
        "name": "Jiedan Escrow",
        "version": "2",
        "chainId": gateway.chain_id,
        "verifyingContract": gateway.escrow.address,
    }
    assert (
        offered["terms_hash"]
        == "0x" + gateway.escrow.functions.hash_terms(JobTerms.model_validate(terms).to_terms().as_abi()).call().hex()
    )
    body = {"cover_letter": "Hi", "milestones": plan, "consent": sign_offer(offered, key_of("freelancer"))}
    sent = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body)
    assert sent.status_code == 201, sent.text
    assert [m["duration"] for m in sent.json()["milestones"]] == durations


def test_proposal__consent_signed_by_someone_else__422_bad_signature(client_as, gateway):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, token=gateway.token.address)
    body = proposal_body()
    offered = freelancer.post(f"/api/job-posts/{post['id']}/proposals/consent", json={"milestones": body["milestones"]})
    body["consent"] = sign_offer(offered.json(), key_of("arbiter"))
    response = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/bad-signature")
    assert wallet("arbiter") in response.json()["detail"]


def test_proposal__signed_terms_not_the_ones_offered__422_names_the_field(client_as, gateway):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, token=gateway.token.address)
    body = proposal_body()
    offered = freelancer.post(f"/api/job-posts/{post['id']}/proposals/consent", json={"milestones": body["milestones"]})
    tampered = offered.json()
    tampered["terms"]["arbiter_fee_bps"] = 0  # the freelancer signs away the arbiter's fee
    tampered["typed_data"]["message"]["arbiterFeeBps"] = "0"
    body["consent"] = sign_offer(tampered, key_of("freelancer"))
    response = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body)
    assert response.status_code == 422
    assert "arbiter_fee_bps" in response.json()["detail"]


def test_accept_proposal__without_consent__409_consent_needed__after_signing__hire(client_as, gateway):
    client, freelancer, _, proposal = _post_and_proposal(client_as, token=gateway.token.address)
    assert proposal["consent_terms"] is None
    refused = client.post(f"/api/proposals/{proposal['id']}/accept")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/consent-needed")
    assert client.get(f"/api/proposals/{proposal['id']}").json()["status"] == "submitted"

    assert client.get(f"/api/proposals/{proposal['id']}/consent").status_code == 403  # the freelancer signs
    offered = freelancer.get(f"/api/proposals/{proposal['id']}/consent").json()
    signed = freelancer.put(f"/api/proposals/{proposal['id']}/consent", json=sign_offer(offered, key_of("freelancer")))
    assert signed.status_code == 200, signed.text
    assert signed.json()["consent_terms"] == offered["terms"]
    accepted = client.post(f"/api/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["hire"]["terms_hash"] == offered["terms_hash"]


def test_accept_proposal__platform_fee_changed_since_signing__409_consent_needed(client_as, gateway, local_chain):
    client, _, _, proposal = _post_and_proposal(client_as, signed=True, token=gateway.token.address)
    owner, fee = wallet("owner"), gateway.escrow.functions.platform_fee_bps().call()
    send_fee = gateway.escrow.functions.set_platform_fee(fee + 1)
    local_chain.w3.eth.wait_for_transaction_receipt(send_fee.transact({"from": owner}))
    try:
        response = client.post(f"/api/proposals/{proposal['id']}/accept")
    finally:
        restore = gateway.escrow.functions.set_platform_fee(fee).transact({"from": owner})
        local_chain.w3.eth.wait_for_transaction_receipt(restore)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/consent-needed")
    assert "platform fee" in response.json()["detail"]
    assert client.get(f"/api/proposals/{proposal['id']}").json()["status"] == "submitted"


def test_accept_proposal__consent_expired__409_consent_needed(client_as, gateway, local_chain):
    client, _, _, proposal = _post_and_proposal(client_as, signed=True, token=gateway.token.address)
    expiry = proposal["consent_terms"]["offer_expiry"]
    local_chain.w3.provider.make_request("evm_setNextBlockTimestamp", [expiry + 1])
    local_chain.w3.provider.make_request("evm_mine", [])
    response = client.post(f"/api/proposals/{proposal['id']}/accept")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]


def test_proposal__a_contract_wallet_freelancer__its_consent_left_to_the_escrow__which_asks_the_wallet(
    app, client_as, gateway, local_chain
):
    owner = Account.create()
    smart_wallet = deploy(local_chain.w3, "smart_wallet_mock", owner.address).address  # EIP-1271: owner's key signs
    client = client_as("client")
    post = published_post(client, token=gateway.token.address)
    with TestClient(app) as freelancer:
        sign_in(freelancer, owner.key.hex(), address=smart_wallet)
        body = signed_proposal_body(freelancer, post["id"], owner.key.hex())  # recovers to the owner, not the wallet
        sent = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=body)
        assert sent.status_code == 201, sent.text  # a contract wallet's signature is the escrow's to check
    hire = client.post(f"/api/proposals/{sent.json()['id']}/accept").json()["hire"]
    send(local_chain.w3, UnsignedTx.model_validate(hire["approve"]))
    receipt = send(local_chain.w3, UnsignedTx.model_validate(hire["create_and_fund"]))  # reverts on a bad consent
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    assert created["args"]["freelancer"] == smart_wallet
