"""Profiles: written by their owner only; the on-chain record comes from the indexer's tables."""

from __future__ import annotations

from backend.app.models.chain import ChainReputation
from tests.support.chain import wallet
from tests.support.factories import TOKEN, chain_job, profile_body

PROBLEM = "application/problem+json"


def test_categories__seeded_by_migration__in_order(api):
    slugs = [c["slug"] for c in api.get("/api/categories").json()]
    assert slugs[:5] == ["development", "design", "writing", "translation", "photography"]


def test_put_profile__anonymous__401(api):
    response = api.put("/api/me/profile", json=profile_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_put_profile__signed_in__skills_normalised_bio_rendered_safely(client_as):
    freelancer = client_as("freelancer")
    response = freelancer.put("/api/me/profile", json=profile_body(bio="<script>x</script> [me](javascript:alert(1))"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["address"] == wallet("freelancer")
    assert body["skills"] == ["python", "smart-contracts", "vyper"]
    assert "<script>" not in body["bio_html"] and "&lt;script&gt;" in body["bio_html"]
    assert "href" not in body["bio_html"]
    assert body["record"]["jobs_done"] == 0
    assert freelancer.get("/api/me/profile").json()["display_name"] == "Li Wei"


def test_put_profile__reputation_fields_in_body__422_no_mass_assignment(client_as):
    response = client_as("freelancer").put("/api/me/profile", json=profile_body(record={"jobs_done": 99}))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_put_profile__unsafe_link__422(client_as):
    response = client_as("freelancer").put("/api/me/profile", json=profile_body(links=["javascript:alert(1)"]))
    assert response.status_code == 422


def test_put_profile__edits_only_the_callers_own_profile(client_as, api):
    client_as("freelancer").put("/api/me/profile", json=profile_body(display_name="Freelancer"))
    client_as("client").put("/api/me/profile", json=profile_body(display_name="Client"))
    assert api.get(f"/api/profiles/{wallet('freelancer')}").json()["display_name"] == "Freelancer"
    assert api.get(f"/api/profiles/{wallet('client')}").json()["display_name"] == "Client"


def test_get_profile__anyone__record_from_chain_tables(client_as, api, db):
    client_as("freelancer").put("/api/me/profile", json=profile_body())
    client, freelancer = wallet("client"), wallet("freelancer")
    chain_job(db, client=client, freelancer=freelancer, amounts=[100, 200], released=2)
    chain_job(db, client=client, freelancer=freelancer, amounts=[2**200, 5], released=1)

    body = api.get(f"/api/profiles/{freelancer.lower()}").json()
    assert body["record"]["jobs_done"] == 1
    assert body["record"]["jobs_active"] == 1
    assert body["record"]["earned"] == [{"token": TOKEN, "amount": str(300 + 2**200)}]
    assert body["record"]["jobs_as_client"] == 0
    assert (body["record"]["disputes"], body["record"]["rating_count"], body["record"]["rating_average"]) == (
        0,
        0,
        None,
    )

    db.add(  # the Reputation contract's record (written when jobs end and parties rate)
        ChainReputation(
            chain_id=31337,
            account=freelancer,
            jobs_as_client=0,
            jobs_as_freelancer=1,
            disputes_opened=2,
            disputes_won=1,
            disputes_lost=1,
            rating_count=3,
            rating_sum=13,
            counterparties=1,
            last_escrow="0x" + "e5" * 20,
            updated_block=9,
        )
    )
    db.commit()
    record = api.get(f"/api/profiles/{freelancer.lower()}").json()["record"]
    assert (record["disputes"], record["disputes_won"], record["disputes_lost"]) == (2, 1, 1)
    assert (record["rating_count"], record["rating_average"]) == (3, 4.33)
    assert record["counterparties"] == 1


def test_get_profile__none__404_problem(api):
    response = api.get(f"/api/profiles/{wallet('arbiter')}")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert api.get("/api/profiles/not-an-address").status_code == 404
