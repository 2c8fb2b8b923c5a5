"""Notifications read like the product: they name the listing and the person (display name, else a short address)."""

from __future__ import annotations

from sqlalchemy import update

from backend.app.models.job_post import JobPost
from tests.support.chain import wallet
from tests.support.factories import chain_job, profile_body, proposal_body, published_post

TITLE = "Logo for a tea shop"


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _texts(who) -> list[str]:
    return [item["text"] for item in who.get("/api/me/notifications").json()["items"] if item["source"] == "app"]


def test_proposal_notifications__name_the_listing_and_the_person(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    assert freelancer.put("/api/me/profile", json=profile_body(display_name="Li Wei")).status_code == 200
    post = published_post(client, title=TITLE)
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body()).json()
    assert _texts(client) == [f"New proposal on “{TITLE}” from Li Wei"]

    client.post(f"/api/proposals/{proposal['id']}/shortlist")  # the client has no profile yet: a short address
    assert _texts(freelancer) == [f"{_short(wallet('client'))} shortlisted your proposal on “{TITLE}”"]

    assert client.put("/api/me/profile", json=profile_body(display_name="Chen Jie")).status_code == 200
    client.post(f"/api/proposals/{proposal['id']}/decline")
    assert _texts(freelancer)[0] == f"Chen Jie declined your proposal on “{TITLE}”"
    assert str(proposal["id"]) not in " ".join(_texts(freelancer))  # no bare ids


def test_message_notifications__name_the_sender_and_the_job__a_hidden_profile_falls_back_to_the_address(client_as):
    client, freelancer, moderator = client_as("client"), client_as("freelancer"), client_as("moderator")
    post = published_post(client, title=TITLE)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()

    def send() -> None:
        assert freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "Hello"}).status_code == 201

    send()
    assert _texts(client)[0] == f"New message from {_short(wallet('freelancer'))} about “{TITLE}”"
    freelancer.put("/api/me/profile", json=profile_body(display_name="Li Wei"))
    send()
    assert _texts(client)[0] == f"New message from Li Wei about “{TITLE}”"

    hidden = moderator.post(
        "/api/moderation/hide", json={"kind": "profile", "ref": wallet("freelancer"), "reason": "Impersonation"}
    )
    assert hidden.status_code in (200, 201), hidden.text
    send()
    assert _texts(client)[0] == f"New message from {_short(wallet('freelancer'))} about “{TITLE}”"
    assert _texts(freelancer)[0] == "A moderator hid your profile: Impersonation"


def test_moderation_notifications__name_the_hidden_listing(client_as):
    client, moderator = client_as("client"), client_as("moderator")
    post = published_post(client, title=TITLE)
    body = {"kind": "job", "ref": str(post["id"]), "reason": "Asks for payment outside the escrow"}
    assert moderator.post("/api/moderation/hide", json=body).status_code in (200, 201)
    assert moderator.post("/api/moderation/restore", json={**body, "reason": "Edited"}).status_code in (200, 201)
    assert _texts(client) == [
        f"A moderator restored your job “{TITLE}”: Edited",
        f"A moderator hid your job “{TITLE}”: Asks for payment outside the escrow",
    ]


def test_escrow_notifications__name_the_listing_the_job_carries__else_its_number(client_as, db):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client, title=TITLE)
    db.execute(update(JobPost).where(JobPost.id == post["id"]).values(status="hired"))
    db.commit()
    parties = {"client": wallet("client"), "freelancer": wallet("freelancer")}
    carried = chain_job(db, **parties, amounts=[7, 8], released=1, metadata_hash=post["metadata_hash"])
    bare = chain_job(db, **parties, amounts=[5])
    copied = chain_job(
        db, client=wallet("owner"), freelancer=wallet("freelancer"), amounts=[3], metadata_hash=post["metadata_hash"]
    )

    items = freelancer.get("/api/me/notifications").json()["items"]
    texts = " | ".join(i["text"] for i in items if i["source"] == "chain")  # amounts in jUSD's 6 decimals
    named = f"“{TITLE}” (job #{carried.job_id})"
    assert f"Escrow {named} created, 0.000015 jUSD funded" in texts
    assert f"Milestone 1 of {named} paid: 0.000007 jUSD" in texts
    assert f"Escrow job #{bare.job_id} created, 0.000005 jUSD" in texts
    # another client's job that copied the listing's hash
    assert f"Escrow job #{copied.job_id} created, 0.000003 jUSD" in texts
