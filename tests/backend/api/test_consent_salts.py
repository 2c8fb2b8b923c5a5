"""The salts of a freelancer's consents: the server allots the lowest one the freelancer has neither used on-chain
nor holds in another usable consent (so their used-consent bits share the escrow's storage words), keeps it when
a proposal is signed again, frees it when the consent can no longer create a job, and refuses a kept consent
whose salt is used or held, however two requests race."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backend.app.core.escrow_terms import Terms
from backend.app.models.consent_salt import ConsentSalt
from backend.app.models.proposal import Proposal
from backend.app.schemas.tx import JobTerms, UnsignedTx
from backend.app.services import consent_salts
from backend.app.services.errors import ConsentNeeded
from tests.support.activity import UNIT, make_terms, transact
from tests.support.chain import send, wallet
from tests.support.factories import offer_body, proposal_body, published_post, sign_offer
from tests.support.siwe import sign_in

PROBLEM = "application/problem+json"


@pytest.fixture
def newcomer(app) -> Iterator[tuple[TestClient, Account]]:
    """A freelancer whose wallet has never signed a consent (a fresh key), signed in."""
    account = Account.create()
    with TestClient(app) as client:
        sign_in(client, account.key.hex())
        yield client, account


def _posts(client_as, gateway, count: int) -> list[dict]:
    client = client_as("client")
    return [published_post(client, token=gateway.token.address, title=f"Logo {n}") for n in range(count)]


def _offered(freelancer: TestClient, post: dict) -> dict:
    response = freelancer.post(
        f"/api/job-posts/{post['id']}/proposals/consent", json={"milestones": proposal_body()["milestones"]}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _propose(freelancer: TestClient, post: dict, consent: dict):
    return freelancer.post(f"/api/job-posts/{post['id']}/proposals", json={**proposal_body(), "consent": consent})


def _signed(terms: Terms, key: bytes, gateway) -> dict:
    """A consent to `terms` made with `key` (terms the freelancer changed before signing)."""
    payload = terms.consent_typed_data(chain_id=gateway.chain_id, escrow=gateway.escrow.address)
    signature = Account.sign_message(encode_typed_data(full_message=payload), key).signature
    return {"terms": JobTerms.of(terms).model_dump(), "signature": "0x" + bytes(signature).hex()}


def test_salts__a_new_freelancers_proposals__count_up_from_one(client_as, gateway, newcomer):
    freelancer, account = newcomer
    salts = []
    for post in _posts(client_as, gateway, 3):
        offered = _offered(freelancer, post)
        salts.append(offered["terms"]["salt"])
        sent = _propose(freelancer, post, sign_offer(offered, account.key.hex()))
        assert sent.status_code == 201, sent.text
        assert sent.json()["consent_terms"]["salt"] == salts[-1]
    assert salts == ["1", "2", "3"]


def test_salts__two_consents_offered_the_same_salt__the_second_kept_is_refused__409_consent_needed(
    client_as, gateway, newcomer
):
    freelancer, account = newcomer
    first, second = _posts(client_as, gateway, 2)
    offers = [_offered(freelancer, first), _offered(freelancer, second)]  # both before either is kept
    assert [o["terms"]["salt"] for o in offers] == ["1", "1"]
    kept = _propose(freelancer, first, sign_offer(offers[0], account.key.hex()))
    assert kept.status_code == 201, kept.text

    refused = _propose(freelancer, second, sign_offer(offers[1], account.key.hex()))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"].endswith("/consent-needed")
    assert f"held by {account.address}'s consent to proposal {kept.json()['id']}" in refused.json()["detail"]
    assert freelancer.get("/api/me/proposals").json()[0]["id"] == kept.json()["id"]  # nothing else was written

    again = _offered(freelancer, second)
    assert again["terms"]["salt"] == "2"
    assert _propose(freelancer, second, sign_offer(again, account.key.hex())).status_code == 201


def test_salts__signed_again__a_proposal_keeps_its_salt__withdrawn_or_expired__it_is_free_again(
    client_as, gateway, newcomer, db
):
    freelancer, account = newcomer
    first, second, third = _posts(client_as, gateway, 3)
    one = _propose(freelancer, first, sign_offer(_offered(freelancer, first), account.key.hex())).json()
    two = _propose(freelancer, second, sign_offer(_offered(freelancer, second), account.key.hex())).json()
    assert (one["consent_terms"]["salt"], two["consent_terms"]["salt"]) == ("1", "2")

    again = freelancer.get(f"/api/proposals/{one['id']}/consent").json()
    assert again["terms"]["salt"] == "1"  # its own usable consent's salt: only one of the two can ever hire
    signed = freelancer.put(f"/api/proposals/{one['id']}/consent", json=sign_offer(again, account.key.hex()))
    assert signed.status_code == 200, signed.text
    held = select(ConsentSalt.salt).where(ConsentSalt.freelancer == account.address).order_by(ConsentSalt.salt)
    assert db.scalars(held).all() == [1, 2]

    assert freelancer.post(f"/api/proposals/{one['id']}/withdraw").status_code == 200
    assert _offered(freelancer, third)["terms"]["salt"] == "1"  # a withdrawn proposal's consent hires nobody

    db.execute(update(ConsentSalt).where(ConsentSalt.salt == 2).values(offer_expiry=1))  # long expired
    db.commit()
    assert _offered(freelancer, third)["terms"]["salt"] == "1"
    kept = _propose(freelancer, third, sign_offer(_offered(freelancer, third), account.key.hex()))
    assert kept.status_code == 201, kept.text
    assert kept.json()["consent_terms"]["salt"] == "1"  # takes the stale row over
    assert _offered(freelancer, first)["terms"]["salt"] == "2"  # the expired one's


def test_salts__used_on_chain__skipped_when_offered__refused_when_kept__and_create_job_409_names_it(
    client_as, api, gateway, local_chain, newcomer
):
    freelancer, account = newcomer
    w3, client = local_chain.w3, wallet("client")
    used = make_terms(w3, gateway.escrow, [UNIT], freelancer=account.address, token=gateway.token.address, salt=1)
    consent = _signed(used, account.key, gateway)
    transact(w3, gateway.token.functions.approve(gateway.escrow.address, UNIT), client)
    created = api.post("/api/tx/create-job", json={"terms": consent["terms"], "consent": consent["signature"]})
    assert created.status_code == 200, created.text
    send(w3, UnsignedTx.model_validate(created.json()))  # the escrow sets the bit of (freelancer, 1)
    assert gateway.escrow.functions.consent_used(account.address, 1).call()

    again = api.post("/api/tx/create-job", json={"terms": consent["terms"], "consent": consent["signature"]})
    assert again.status_code == 409  # `escrow: consent used`, said before the wallet is asked
    assert again.json()["type"].endswith("/conflict")
    assert "consent with salt 1 was already used" in again.json()["detail"]

    [post] = _posts(client_as, gateway, 1)
    offered = _offered(freelancer, post)
    assert offered["terms"]["salt"] == "2"  # the indexer has not seen the job: the escrow said so
    reused = replace(JobTerms.model_validate(offered["terms"]).to_terms(), salt=1)
    refused = _propose(freelancer, post, _signed(reused, account.key, gateway))
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/consent-needed")
    assert "salt 1 of these terms was already used" in refused.json()["detail"]


def test_salts__an_order_signed_again__keeps_its_salt(client_as, app, gateway):
    """An accepted order's consent may already be in the client's hands: signed again, the new one takes its salt,
    so at most one of them creates a job."""
    with TestClient(app) as freelancer:
        account = Account.create()
        sign_in(freelancer, account.key.hex())
        offer = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
        client = client_as("client")
        orders = [client.post(f"/api/offers/{offer['id']}/orders", json={"tier": 0}).json() for _ in range(2)]
        salts = []
        for order in (orders[0], orders[1], orders[0]):
            offered = freelancer.get(f"/api/offers/orders/{order['id']}/consent").json()
            accepted = freelancer.post(
                f"/api/offers/orders/{order['id']}/accept", json=sign_offer(offered, account.key.hex())
            )
            assert accepted.status_code == 200, accepted.text
            salts.append(accepted.json()["consent_terms"]["salt"])
    assert salts == ["1", "2", "1"]


def test_salts__two_requests_race_for_one_salt__the_primary_key_refuses_the_second(
    client_as, app, gateway, newcomer, monkeypatch
):
    """Both read the salt as free before either wrote: the later write fails on (freelancer, salt) and is refused
    as a consent to sign again, with nothing of it kept."""
    freelancer, account = newcomer
    first, second = _posts(client_as, gateway, 2)
    ids = [_propose_unsigned(freelancer, post) for post in (first, second)]
    terms = JobTerms.model_validate(_offered(freelancer, first)["terms"]).to_terms()
    with app.state.sessions() as session:
        consent_salts.claim(session, gateway, terms, holder=session.get_one(Proposal, ids[0]))
        session.commit()
    with app.state.sessions() as session:
        holder = session.get_one(Proposal, ids[1])
        original = type(session).get

        def stale_get(self, entity, ident, **kwargs):  # what it read before the other request committed
            return None if entity is ConsentSalt else original(self, entity, ident, **kwargs)

        monkeypatch.setattr(type(session), "get", stale_get)
        with pytest.raises(ConsentNeeded, match="just taken by another consent"):
            consent_salts.claim(session, gateway, replace(terms, metadata_hash=second["metadata_hash"]), holder=holder)
        monkeypatch.undo()
        claims = session.scalars(select(ConsentSalt).where(ConsentSalt.freelancer == account.address)).all()
    assert [(c.salt, c.proposal_id) for c in claims] == [(1, ids[0])]


def _propose_unsigned(freelancer: TestClient, post: dict) -> int:
    sent = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())
    assert sent.status_code == 201, sent.text
    return int(sent.json()["id"])
