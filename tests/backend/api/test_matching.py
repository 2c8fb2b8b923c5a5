"""Recommendations over the API: who may ask, the ranking, and the explanation adding up."""

from __future__ import annotations

import math

from tests.support.chain import wallet
from tests.support.factories import chain_job, profile_body, published_post


def _profiles(client_as):
    client_as("freelancer").put(
        "/api/me/profile", json=profile_body(bio="I audit Vyper escrow contracts.", skills=["vyper", "audit"])
    )
    client_as("arbiter").put(
        "/api/me/profile",
        json=profile_body(
            display_name="Wang", bio="Logos and posters.", skills=["logo-design"], availability="limited"
        ),
    )


def test_job_matches__anonymous__401_other_user__403(client_as, api):
    post = published_post(client_as("client"))
    assert api.get(f"/api/job-posts/{post['id']}/matches").status_code == 401
    assert client_as("freelancer").get(f"/api/job-posts/{post['id']}/matches").status_code == 403


def test_job_matches__client__ranked_by_skills_text_and_record_with_reasons(client_as, db):
    _profiles(client_as)
    client = client_as("client")
    post = published_post(
        client, title="Vyper escrow audit", description="Audit our escrow.", skills=["vyper", "audit"]
    )
    chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[1], released=1)

    matches = client.get(f"/api/job-posts/{post['id']}/matches").json()
    assert [m["ref"] for m in matches] == [wallet("freelancer"), wallet("arbiter")]
    best = matches[0]
    assert math.isclose(best["score"], sum(c["contribution"] for c in best["why"]), abs_tol=1e-5)
    why = {c["name"]: c for c in best["why"]}
    assert why["skills"]["detail"] == "declared: audit, vyper (of 2 wanted)"
    assert why["record"]["detail"] == "1 paid job on-chain"
    assert "escrow" in why["text"]["detail"]
    assert wallet("client") not in [m["ref"] for m in matches]


def test_my_matches__without_a_profile__403_with_one__ranked_jobs(client_as):
    client = client_as("client")
    audit = published_post(client, title="Vyper escrow audit", skills=["vyper"])
    logo = published_post(client, title="Logo for a tea shop", skills=["logo-design"])
    freelancer = client_as("freelancer")
    assert freelancer.get("/api/me/matches").status_code == 403
    _profiles(client_as)
    matches = freelancer.get("/api/me/matches").json()
    assert [m["ref"] for m in matches] == [str(audit["id"]), str(logo["id"])]
    assert matches[0]["why"][0]["name"] == "skills"
