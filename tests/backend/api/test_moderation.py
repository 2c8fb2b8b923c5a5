"""Reports and moderation: anyone signed in reports; only configured moderators hide and restore."""

from __future__ import annotations

from tests.support.chain import wallet
from tests.support.factories import offer_body, profile_body, published_post

PROBLEM = "application/problem+json"


def test_report__anonymous__401(client_as, api):
    post = published_post(client_as("client"))
    response = api.post("/api/reports", json={"kind": "job", "ref": str(post["id"]), "reason": "spam"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_report__unknown_target__404_twice__409(client_as):
    post = published_post(client_as("client"))
    stranger = client_as("stranger")
    assert stranger.post("/api/reports", json={"kind": "job", "ref": "999999", "reason": "spam"}).status_code == 404
    body = {"kind": "job", "ref": str(post["id"]), "reason": "spam listing"}
    assert stranger.post("/api/reports", json=body).status_code == 201
    assert stranger.post("/api/reports", json=body).status_code == 409


def test_moderation__not_a_moderator__403_anonymous__401(client_as, api):
    post = published_post(client_as("client"))
    body = {"kind": "job", "ref": str(post["id"]), "reason": "spam"}
    for path in ("/api/moderation/hide", "/api/moderation/restore"):
        assert client_as("freelancer").post(path, json=body).status_code == 403
        assert api.post(path, json=body).status_code == 401
    assert client_as("freelancer").get("/api/moderation/reports").status_code == 403


def test_hide_job__leaves_lists_and_search_owner_told_why__restore_brings_it_back(client_as, api):
    client = client_as("client")
    post = published_post(client, title="Cheap followers escrow")
    client_as("stranger").post("/api/reports", json={"kind": "job", "ref": str(post["id"]), "reason": "spam"})
    moderator = client_as("moderator")
    assert [r["ref"] for r in moderator.get("/api/moderation/reports").json()] == [str(post["id"])]

    hidden = moderator.post("/api/moderation/hide", json={"kind": "job", "ref": str(post["id"]), "reason": "spam"})
    assert hidden.status_code == 200
    assert hidden.json()["owner"] == wallet("client")
    assert moderator.get("/api/moderation/reports").json() == []
    assert api.get(f"/api/job-posts/{post['id']}").status_code == 404
    assert api.get("/api/job-posts").json()["items"] == []
    assert api.get("/api/search/jobs", params={"q": "followers"}).json()["items"] == []
    assert client.get(f"/api/job-posts/{post['id']}").status_code == 200  # the owner still sees it
    assert [(a["action"], a["reason"]) for a in client.get("/api/me/moderation").json()] == [("hide", "spam")]

    body = {"kind": "job", "ref": str(post["id"]), "reason": "appeal accepted"}
    assert moderator.post("/api/moderation/restore", json=body).status_code == 200
    assert [h["ref"] for h in api.get("/api/search/jobs", params={"q": "followers"}).json()["items"]] == [
        str(post["id"])
    ]


def test_hide_profile_and_offer__gone_for_others(client_as, api):
    freelancer = client_as("freelancer")
    freelancer.put("/api/me/profile", json=profile_body(bio="escrow spam"))
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    moderator = client_as("moderator")
    hidden = moderator.post(
        "/api/moderation/hide", json={"kind": "profile", "ref": wallet("freelancer").lower(), "reason": "fake"}
    )
    assert hidden.status_code == 200, hidden.text
    moderator.post("/api/moderation/hide", json={"kind": "offer", "ref": str(offer["id"]), "reason": "fake"})
    assert api.get(f"/api/profiles/{wallet('freelancer')}").status_code == 404
    assert api.get("/api/search/profiles", params={"q": "escrow"}).json()["items"] == []
    assert api.get("/api/offers").json() == []
    assert api.get(f"/api/offers/{offer['id']}").status_code == 404
    again = moderator.post("/api/moderation/hide", json={"kind": "offer", "ref": str(offer["id"]), "reason": "fake"})
    assert again.status_code == 409


def test_hide_message__leaves_the_thread(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    message = freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "buy followers"}).json()
    client.post("/api/reports", json={"kind": "message", "ref": str(message["id"]), "reason": "spam"})
    client_as("moderator").post(
        "/api/moderation/hide", json={"kind": "message", "ref": str(message["id"]), "reason": "spam"}
    )
    assert client.get(f"/api/threads/{thread['id']}").json()["messages"] == []
