"""The notifications feed: off-chain actions as they happen, on-chain events from the indexer's tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.app.models.chain import ChainDispute, ChainFunding, ChainRating
from tests.support.chain import wallet
from tests.support.factories import chain_job, proposal_body, published_post


def test_notifications__anonymous__401(api):
    assert api.get("/api/me/notifications").status_code == 401
    assert api.post("/api/me/notifications/read").status_code == 401


def test_notifications__proposal_and_message__reach_the_other_party_only(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body()).json()
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "hello"})
    client.post(f"/api/proposals/{proposal['id']}/shortlist")

    feed = client.get("/api/me/notifications").json()
    assert feed["unread"] == 2
    assert [i["kind"] for i in feed["items"]] == ["message", "proposal_received"]
    theirs = freelancer.get("/api/me/notifications").json()
    assert [i["kind"] for i in theirs["items"]] == ["proposal_shortlisted"]
    assert client_as("stranger").get("/api/me/notifications").json() == {"unread": 0, "items": []}

    assert client.post("/api/me/notifications/read").status_code == 204
    assert client.get("/api/me/notifications").json()["unread"] == 0


def test_notifications__escrow_events_from_the_indexed_tables(client_as, db):
    freelancer = client_as("freelancer")
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[7, 8], released=1)
    kinds = [(i["source"], i["kind"]) for i in freelancer.get("/api/me/notifications").json()["items"]]
    assert sorted(kinds) == [("chain", "job_funded"), ("chain", "milestone_paid"), ("chain", "milestone_submitted")]
    texts = " ".join(i["text"] for i in freelancer.get("/api/me/notifications").json()["items"])
    assert f"job #{job.job_id}" in texts


def test_notifications__later_funding_disputes_rulings_and_ratings(client_as, db):
    freelancer = client_as("freelancer")
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[7, 8], released=1)
    now = datetime.now(UTC)
    milestone = job.milestones[1]
    milestone.state, milestone.disputed_by = "resolved", wallet("client")
    milestone.to_freelancer, milestone.closed_at = 6, now
    db.add_all(
        [
            ChainFunding(
                chain_id=job.chain_id,
                tx_hash="0x" + "f0" * 32,
                log_index=0,
                job_id=job.job_id,
                funder=wallet("client"),
                amount=8,
                first_milestone=1,
                funded_count=2,
                block_number=2,
                funded_at=now,
            ),
            ChainDispute(
                chain_id=job.chain_id,
                job_id=job.job_id,
                milestone=1,
                opened_by=wallet("client"),
                opened_by_role="client",
                opened_at=now,
                opened_tx="0x" + "f1" * 32,
                ruling_end=now + timedelta(days=1),
                outcome="resolved",
                ruled_by=job.arbiter,
                freelancer_bps=7_500,
                to_freelancer=6,
                to_client=2,
                arbiter_fee=0,
                platform_fee=0,
                winner="freelancer",
                closed_at=now,
                closed_tx="0x" + "f2" * 32,
            ),
            ChainRating(
                chain_id=job.chain_id,
                job_id=job.job_id,
                rater=wallet("client"),
                subject=wallet("freelancer"),
                score=4,
                comment_hash="0x" + "c0" * 32,
                escrow=job.escrow,
                rated_at=now,
                rated_tx="0x" + "f3" * 32,
            ),
        ]
    )
    db.commit()
    items = freelancer.get("/api/me/notifications").json()["items"]
    kinds = sorted(i["kind"] for i in items if i["source"] == "chain")
    assert kinds == [
        "dispute_opened",
        "dispute_resolved",
        "job_funded",
        "milestone_funded",
        "milestone_paid",
        "milestone_paid",
        "milestone_submitted",
        "rated",
    ]
    texts = " ".join(i["text"] for i in items)
    assert "disputed by the client" in texts and "75% to the freelancer" in texts and "rated 4/5" in texts


def test_notifications__amounts_in_the_token_units__milestones_counted_from_one(client_as, db, gateway):
    freelancer = client_as("freelancer")
    job = chain_job(
        db,
        client=wallet("client"),
        freelancer=wallet("freelancer"),
        amounts=[7_000_000, 8_500_000],
        released=1,
        token=gateway.token.address,
    )
    texts = [i["text"] for i in freelancer.get("/api/me/notifications").json()["items"]]
    assert f"Escrow job #{job.job_id} created, 15.5 jUSD funded" in texts
    assert f"Milestone 1 of job #{job.job_id} paid: 7 jUSD" in texts
    assert f"Milestone 1 of job #{job.job_id} submitted for review" in texts
    assert not any("Milestone 0" in t or "7000000" in t or gateway.token.address in t for t in texts)


def test_notifications__token_without_metadata__named_by_short_address_in_base_units(client_as, db):
    no_contract = "0x" + "77" * 20
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5, 6], token=no_contract)
    texts = [i["text"] for i in client_as("client").get("/api/me/notifications").json()["items"]]
    assert texts == [f"Escrow job #{job.job_id} created, 11 0x7777…7777 funded"]
