"""Recommendations over the API: who may ask, the ranking, the explanation adding up, meaning over
shared words, the on-chain record, and hidden or edited content showing at once."""

from __future__ import annotations

import math

from backend.app.models.chain import ChainReputation
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


def _adds_up(match):
    return math.isclose(match["score"], sum(c["contribution"] for c in match["why"]), abs_tol=1e-5)


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
    assert all(_adds_up(m) for m in matches)
    why = {c["name"]: c for c in best["why"]}
    assert why["skills"]["detail"] == "declared: audit, vyper (of 2 wanted)"
    assert why["record"]["detail"] == "1 paid job on-chain; not rated yet"
    assert "escrow" in why["text"]["detail"]
    assert wallet("client") not in [m["ref"] for m in matches]


def test_job_matches__disputes_and_ratings_from_the_reputation_record_move_the_ranking(client_as, db):
    same = profile_body(bio="I audit Vyper escrow contracts.", skills=["vyper"])
    client_as("freelancer").put("/api/me/profile", json=same)
    client_as("arbiter").put("/api/me/profile", json=same)
    for who in ("freelancer", "arbiter"):
        for _ in range(2):
            chain_job(db, client=wallet("client"), freelancer=wallet(who), amounts=[1], released=1)
    client = client_as("client")
    post = published_post(client, title="Vyper audit", skills=["vyper"])
    ranked = [m["ref"] for m in client.get(f"/api/job-posts/{post['id']}/matches").json()]
    assert ranked == sorted([wallet("freelancer"), wallet("arbiter")])  # equal records: ties by address

    db.add(_reputation(ranked[0], lost=1, rating=(2, 6)))
    db.commit()
    matches = client.get(f"/api/job-posts/{post['id']}/matches").json()
    assert [m["ref"] for m in matches] == ranked[::-1]
    record = {c["name"]: c for c in matches[1]["why"]}["record"]
    assert record["detail"] == "2 paid jobs on-chain; lost 1 dispute in 2 ended; rated 3/5"
    assert all(_adds_up(m) for m in matches)


def _reputation(account, *, lost, rating):
    count, total = rating
    return ChainReputation(
        chain_id=31337,
        account=account,
        jobs_as_client=0,
        jobs_as_freelancer=2,
        disputes_opened=lost,
        disputes_won=0,
        disputes_lost=lost,
        rating_count=count,
        rating_sum=total,
        counterparties=2,
        last_escrow="0x" + "e5" * 20,
        updated_block=1,
    )


def test_job_matches__meaning_ranks_a_designer_above_a_coder_with_no_shared_word(client_as):
    client_as("freelancer").put(
        "/api/me/profile", json=profile_body(bio="Backend engineer building database servers in Rust.", skills=[])
    )
    client_as("arbiter").put(
        "/api/me/profile", json=profile_body(bio="Graphic designer: branding, illustration, posters.", skills=[])
    )
    client = client_as("client")
    post = published_post(client, title="Visual identity", description="A logo for our tea shop.", skills=[])
    matches = client.get(f"/api/job-posts/{post['id']}/matches").json()
    assert [m["ref"] for m in matches] == [wallet("arbiter"), wallet("freelancer")]
    assert all(m["why"][1]["detail"].endswith("no words in common") for m in matches)


def test_job_matches__hidden_profiles_leave_and_edited_ones_rerank_at_once(client_as):
    _profiles(client_as)
    client = client_as("client")
    post = published_post(client, title="Logo for a tea shop", skills=["logo-design"])
    url = f"/api/job-posts/{post['id']}/matches"
    assert [m["ref"] for m in client.get(url).json()] == [wallet("arbiter"), wallet("freelancer")]

    client_as("freelancer").put("/api/me/profile", json=profile_body(bio="Logo designer.", skills=["logo-design"]))
    assert [m["ref"] for m in client.get(url).json()] == [wallet("freelancer"), wallet("arbiter")]

    moderator = client_as("moderator")
    hide = {"kind": "profile", "ref": wallet("freelancer"), "reason": "spam"}
    assert moderator.post("/api/moderation/hide", json=hide).status_code == 200
    assert [m["ref"] for m in client.get(url).json()] == [wallet("arbiter")]


def test_job_matches__a_profile_that_offers_no_work__is_no_candidate_until_it_names_a_rate(client_as):
    _profiles(client_as)
    client = client_as("client")
    post = published_post(client, title="Logo for a tea shop", skills=["logo-design"])
    url = f"/api/job-posts/{post['id']}/matches"
    another_client = client_as("stranger")
    another_client.put("/api/me/profile", json={"display_name": "Kite Games", "bio": "We make logos.", "skills": []})
    refs = [m["ref"] for m in client.get(url).json()]
    assert refs == [wallet("arbiter"), wallet("freelancer")]

    rated = {"display_name": "Kite Games", "bio": "We make logos.", "skills": [], "hourly_rate": "25"}
    assert another_client.put("/api/me/profile", json=rated).status_code == 200
    assert len(client.get(url).json()) == 3


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
    assert all(_adds_up(m) for m in matches)


def test_my_matches__closed_and_hidden_jobs_leave_the_list(client_as):
    client = client_as("client")
    audit = published_post(client, title="Vyper escrow audit", skills=["vyper"])
    closed = published_post(client, title="Vyper token review", skills=["vyper"])
    hidden = published_post(client, title="Vyper vault audit", skills=["vyper"])
    _profiles(client_as)
    freelancer = client_as("freelancer")
    assert len(freelancer.get("/api/me/matches").json()) == 3
    assert client.post(f"/api/job-posts/{closed['id']}/close").status_code == 200
    hide = {"kind": "job", "ref": str(hidden["id"]), "reason": "spam"}
    assert client_as("moderator").post("/api/moderation/hide", json=hide).status_code == 200
    assert [m["ref"] for m in freelancer.get("/api/me/matches").json()] == [str(audit["id"])]
