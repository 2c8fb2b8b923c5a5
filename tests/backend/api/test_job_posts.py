"""Off-chain job listings: drafts, publish, edit before hiring only, close; hash and on-chain flag."""

from __future__ import annotations

import json

from eth_utils import keccak
from sqlalchemy import event, update

from backend.app.models.job_post import JobPost
from tests.support.chain import wallet
from tests.support.factories import chain_job, job_post_body, profile_body, published_post

PROBLEM = "application/problem+json"


def _hire(db, post_id):
    """What accepting a proposal does to the listing (tested with proposals)."""
    db.execute(update(JobPost).where(JobPost.id == post_id).values(status="hired"))
    db.commit()


def test_create_job_post__anonymous__401(api):
    response = api.post("/api/job-posts", json=job_post_body())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_create_job_post__signed_in__draft_with_canonical_json_and_keccak(client_as):
    response = client_as("client").post("/api/job-posts", json=job_post_body())
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["client"]) == ("draft", wallet("client"))
    assert body["skills"] == ["illustrator", "logo-design"]
    assert body["metadata_hash"] == "0x" + keccak(text=body["canonical_json"]).hex()
    document = json.loads(body["canonical_json"])
    assert document["client"] == wallet("client")
    assert document["skills"] == ["illustrator", "logo-design"]
    assert document["milestones"][1] == {"amount": "200000000", "title": "Final"}
    assert "<strong>round</strong>" in body["description_html"]


def test_create_job_post__status_or_hash_in_body__422_no_mass_assignment(client_as):
    client = client_as("client")
    assert client.post("/api/job-posts", json=job_post_body(status="hired")).status_code == 422
    assert client.post("/api/job-posts", json=job_post_body(metadata_hash="0x" + "00" * 32)).status_code == 422


def test_create_job_post__unknown_category__422_problem(client_as):
    response = client_as("client").post("/api/job-posts", json=job_post_body(category="astrology"))
    assert response.status_code == 422
    assert "astrology" in response.json()["detail"]


def test_get_job_post__draft__only_its_client_sees_it(client_as, api):
    client = client_as("client")
    post_id = client.post("/api/job-posts", json=job_post_body()).json()["id"]
    assert client.get(f"/api/job-posts/{post_id}").status_code == 200
    assert api.get(f"/api/job-posts/{post_id}").status_code == 404
    assert client_as("freelancer").get(f"/api/job-posts/{post_id}").status_code == 404


def test_publish_job_post__another_users_draft__404(client_as):
    post_id = client_as("client").post("/api/job-posts", json=job_post_body()).json()["id"]
    assert client_as("freelancer").post(f"/api/job-posts/{post_id}/publish").status_code == 404


def test_publish_job_post__by_its_client__listed_for_anyone(client_as, api):
    post = published_post(client_as("client"))
    assert post["status"] == "published" and post["published_at"]
    assert api.get(f"/api/job-posts/{post['id']}").status_code == 200
    listed = api.get("/api/job-posts", params={"category": "design"}).json()["items"]
    assert [p["id"] for p in listed] == [post["id"]]
    assert api.get("/api/job-posts", params={"category": "writing"}).json()["items"] == []


def test_publish_job_post__no_milestones__409(client_as):
    client = client_as("client")
    post_id = client.post("/api/job-posts", json=job_post_body(milestones=[])).json()["id"]
    response = client.post(f"/api/job-posts/{post_id}/publish")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


def test_update_job_post__published__hash_recomputed(client_as):
    client = client_as("client")
    post = published_post(client)
    response = client.put(f"/api/job-posts/{post['id']}", json=job_post_body(title="Logo for a coffee shop"))
    assert response.status_code == 200
    assert response.json()["title"] == "Logo for a coffee shop"
    assert response.json()["metadata_hash"] != post["metadata_hash"]
    assert response.json()["status"] == "published"


def test_update_job_post__new_description__anyone_reads_it_rendered_again(client_as, api):
    client = client_as("client")
    post = published_post(client)
    edited = job_post_body(description="Now *two* logos: [brief](https://example.com/brief)")
    assert client.put(f"/api/job-posts/{post['id']}", json=edited).status_code == 200
    html = api.get(f"/api/job-posts/{post['id']}").json()["description_html"]
    assert "<em>two</em>" in html
    assert '<a href="https://example.com/brief" rel="nofollow noopener noreferrer ugc">brief</a>' in html
    assert "round" not in html


def test_update_job_post__another_users_post__403(client_as):
    post = published_post(client_as("client"))
    response = client_as("freelancer").put(f"/api/job-posts/{post['id']}", json=job_post_body(title="Mine now"))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


def test_update_job_post__after_hiring__409(client_as, db):
    client = client_as("client")
    post = published_post(client)
    _hire(db, post["id"])
    response = client.put(f"/api/job-posts/{post['id']}", json=job_post_body(title="Changed after funding"))
    assert response.status_code == 409
    assert "no longer be edited" in response.json()["detail"]


def test_close_job_post__by_its_client__leaves_the_public_list(client_as, api):
    client = client_as("client")
    post = published_post(client)
    assert client.post(f"/api/job-posts/{post['id']}/close").json()["status"] == "closed"
    assert api.get("/api/job-posts").json()["items"] == []
    assert client.post(f"/api/job-posts/{post['id']}/close").status_code == 409


def test_close_job_post__another_user__403_anonymous__401(client_as, api):
    post = published_post(client_as("client"))
    assert client_as("freelancer").post(f"/api/job-posts/{post['id']}/close").status_code == 403
    assert api.post(f"/api/job-posts/{post['id']}/close").status_code == 401


def test_list_job_posts__keyset_pages(client_as, api):
    client = client_as("client")
    ids = [published_post(client, title=f"Job number {i}")["id"] for i in range(3)]
    first = api.get("/api/job-posts", params={"limit": 2}).json()
    assert [p["id"] for p in first["items"]] == ids[:0:-1]
    second = api.get("/api/job-posts", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None


def test_get_job_post__published__one_database_query_with_its_skills(client_as, api, app):
    """The hottest read on the site: the post and its skills in one SELECT, no per-request N+1."""
    post = published_post(client_as("client"))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    point_reads = app.state.point_reads
    on_the_loop = point_reads.async_rows  # PostgreSQL: asyncio connections, which SQLAlchemy's events don't see
    before = 0 if on_the_loop is None else on_the_loop.statements_executed
    engine = point_reads.reading_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = api.get(f"/api/job-posts/{post['id']}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert response.json()["skills"] == ["illustrator", "logo-design"]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    if on_the_loop is None:
        assert len(selects) == 1, selects
    else:
        assert (selects, on_the_loop.statements_executed - before) == ([], 1)


def test_get_job_post__hired_and_funded_with_its_hash__linked_not_flagged(client_as, api, db):
    post = published_post(client_as("client"))
    _hire(db, post["id"])
    chain_job(
        db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5], metadata_hash=post["metadata_hash"]
    )
    body = api.get(f"/api/job-posts/{post['id']}").json()
    assert body["chain"]["funded"] == "5"
    assert body["hash_mismatch"] is False


def test_link_job_post__escrow_job_with_another_hash__flagged(client_as, api, db):
    client = client_as("client")
    post = published_post(client)
    _hire(db, post["id"])
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5])
    response = client.post(f"/api/job-posts/{post['id']}/link", json={"chain_job_id": job.job_id})
    assert response.status_code == 200, response.text
    assert response.json()["hash_mismatch"] is True
    assert api.get(f"/api/job-posts/{post['id']}").json()["hash_mismatch"] is True


def test_link_job_post__another_users_post_or_escrow_job__403(client_as, db):
    post = published_post(client_as("client"))
    _hire(db, post["id"])
    theirs = chain_job(db, client=wallet("arbiter"), freelancer=wallet("freelancer"), amounts=[5])
    assert (
        client_as("freelancer").post(f"/api/job-posts/{post['id']}/link", json={"chain_job_id": 1}).status_code == 403
    )
    response = client_as("client").post(f"/api/job-posts/{post['id']}/link", json={"chain_job_id": theirs.job_id})
    assert response.status_code == 403


def test_profile__paid_for_a_tagged_listing__skills_proven_with_count(client_as, api, db):
    client_as("freelancer").put("/api/me/profile", json=profile_body())
    hirer = client_as("client")
    first = published_post(hirer, skills=["Vyper", "Audit"])
    second = published_post(hirer, title="Second job", skills=["Vyper"])
    unpaid = published_post(hirer, title="Unpaid job", skills=["Rust"])
    for post, released in ((first, 1), (second, 2), (unpaid, 0)):
        _hire(db, post["id"])
        chain_job(
            db,
            client=wallet("client"),
            freelancer=wallet("freelancer"),
            amounts=[10, 10],
            released=released,
            metadata_hash=post["metadata_hash"],
        )
    chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[1], released=1)  # no listing

    proven = api.get(f"/api/profiles/{wallet('freelancer')}").json()["proven_skills"]
    assert proven == [{"tag": "vyper", "jobs": 2}, {"tag": "audit", "jobs": 1}]
