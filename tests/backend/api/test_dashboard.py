"""The dashboard's to-do list: what waits for the signed-in user off-chain and on-chain, by when, and in a few
queries however many listings and conversations there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from backend.app.services.dashboard import ToDo, chain_to_dos
from tests.support.chain import wallet
from tests.support.factories import chain_job, job_post_body, published_post

T = datetime(2027, 1, 1, tzinfo=UTC)


def _job(job_id, roles, *states):
    milestones = [
        {"index": i, "state": s, "deadline": T + timedelta(days=10 + i), "review_end": T + timedelta(days=i),
         "ruling_end": T + timedelta(days=20 + i)}
        for i, s in enumerate(states)
    ]  # fmt: skip
    return {"job_id": job_id, "roles": roles, "milestones": milestones}


def test_chain_to_dos__each_role_is_told_what_the_job_waits_for_and_by_when__soonest_first():
    jobs = [
        _job(34, ["client"], "approved", "submitted", "funded"),  # the client: approve or dispute milestone 2
        _job(35, ["freelancer"], "funded", "unfunded"),  # the freelancer: deliver milestone 1
        _job(36, ["arbiter"], "disputed"),  # the arbiter: rule
        _job(37, ["freelancer"], "submitted", "disputed"),  # nothing for the freelancer to do now
    ]
    assert chain_to_dos(jobs) == [
        ToDo("Approve or dispute milestone 2 of job #34", "/jobs/34", T + timedelta(days=1)),
        ToDo("Deliver milestone 1 of job #35", "/jobs/35", T + timedelta(days=10)),
        ToDo("Rule on milestone 1 of job #36", "/jobs/36", T + timedelta(days=20)),
    ]


def test_dashboard__a_submitted_milestone__the_client_is_told_to_approve_or_dispute_it_by_the_review_end(
    client_as, db, gateway
):
    job = chain_job(
        db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5, 6], token=gateway.token.address
    )
    review_end = datetime(2031, 5, 17, 12, 30, tzinfo=UTC)
    job.milestones[0].state, job.milestones[0].review_end = "submitted", review_end
    db.commit()
    page = client_as("client").get("/dashboard").text
    todo = page.split('id="pending-title"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/jobs/{job.job_id}">Approve or dispute milestone 1 of job #{job.job_id}</a>' in todo
    assert "by 2031-05-17 12:30 UTC" in todo
    freelancer = client_as("freelancer").get("/dashboard").text.split('id="pending-title"', 1)[1]
    assert f"Deliver milestone 2 of job #{job.job_id}" in freelancer.split("</section>", 1)[0]


def test_dashboard__to_do_queries__do_not_grow_with_the_listings(client_as, app):
    client = client_as("client")
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        published_post(client)
        statements.clear()
        client.get("/dashboard")
        with_one = len(statements)
        for _ in range(4):
            published_post(client)
        statements.clear()
        client.get("/dashboard")
        with_five = len(statements)
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
    # proposals and unread counts come in one query each; what is left per listing is its own answer
    # (job_posts.post_out: its skills and escrow job), one statement each
    assert with_five <= with_one + 4, (with_one, with_five)


def test_listing_titles__a_reader_sees_the_titles_of_listings_they_may_see__in_one_query(client_as, db, app):
    from backend.app.models.job_post import JobPost
    from backend.app.services import job_posts

    client = client_as("client")
    shown = published_post(client, title="Tea shop logo")
    hidden = published_post(client, title="Hidden by a moderator")
    draft = client.post("/api/job-posts", json={**job_post_body(), "title": "Still a draft"}).json()
    db.get(JobPost, hidden["id"]).hidden = True
    db.commit()
    ids = [shown["id"], hidden["id"], draft["id"], 999_999]
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        seen_by_freelancer = job_posts.titles(db, post_ids=ids, viewer=wallet("freelancer"))
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
    assert seen_by_freelancer == {shown["id"]: "Tea shop logo"}
    assert len(statements) == 1
    assert job_posts.titles(db, post_ids=ids, viewer=wallet("client")) == {
        shown["id"]: "Tea shop logo",
        hidden["id"]: "Hidden by a moderator",
        draft["id"]: "Still a draft",
    }
    assert set(job_posts.titles(db, post_ids=ids, viewer=None, as_owner=True)) == set(ids[:3])
