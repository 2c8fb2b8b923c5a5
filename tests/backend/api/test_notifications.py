"""The notifications feed: off-chain actions as they happen, on-chain events from the indexer's tables."""

from __future__ import annotations

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
    assert sorted(kinds) == [("chain", "job_funded"), ("chain", "milestone_paid")]
    texts = " ".join(i["text"] for i in freelancer.get("/api/me/notifications").json()["items"])
    assert f"job #{job.job_id}" in texts
