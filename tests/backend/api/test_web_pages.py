"""The server-rendered pages: who sees what, rendered from the same services as the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.app.models.chain import ChainCreditBalance, ChainRating
from backend.app.models.job_post import JobPost
from backend.app.services import chain_jobs
from tests.support.chain import wallet
from tests.support.factories import chain_job, job_post_body, profile_body, proposal_body, published_post

PAGES = ["/", "/escrow", "/search", "/search?kind=talent", "/post", "/proposals", "/messages", "/dashboard", "/arbiter"]


@pytest.mark.parametrize("path", PAGES)
def test_pages__signed_out__render_with_a_sign_in_button(api, path):
    page = api.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="sign-in"' in page.text


def test_header__signed_in__shows_the_profile_name_and_sign_out(client_as):
    freelancer = client_as("freelancer")
    freelancer.put("/api/me/profile", json=profile_body(display_name="Mei <b>Lin</b>"))
    page = freelancer.get("/dashboard")
    assert "Mei &lt;b&gt;Lin&lt;/b&gt;" in page.text
    assert 'id="sign-out"' in page.text


def test_search_page__highlights_matches_and_escapes_the_rest(api, client_as):
    published_post(client_as("client"), title="Logo for a <jasmine> tea shop")
    page = api.get("/search", params={"q": "jasmine"})
    assert "<mark>jasmine</mark>" in page.text
    assert "<script" not in page.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_search_page__bad_budget__says_so_instead_of_failing(api):
    page = api.get("/search", params={"budget_min": "lots"})
    assert page.status_code == 200
    assert "is not an amount" in page.text


def test_post_page__proposals_for_the_client_only(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    assert freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body()).status_code == 201
    as_client = client.get(f"/posts/{post['id']}")
    assert 'class="card proposal"' in as_client.text
    assert "Shortlist" in as_client.text
    as_freelancer = freelancer.get(f"/posts/{post['id']}")
    assert 'class="card proposal"' not in as_freelancer.text
    assert "Your proposal" in as_freelancer.text
    assert "Send a proposal" not in as_freelancer.text


def test_post_page__draft__not_found_for_others(api, client_as):
    draft = client_as("client").post("/api/job-posts", json=job_post_body()).json()
    assert api.get(f"/posts/{draft['id']}").status_code == 404
    assert client_as("client").get(f"/posts/{draft['id']}").status_code == 200


def test_thread_page__marks_the_thread_read(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "Hello"})
    assert client.get("/api/threads").json()[0]["unread"] == 1
    page = client.get(f"/messages/{thread['id']}")
    assert "Hello" in page.text
    assert client.get("/api/threads").json()[0]["unread"] == 0


def test_moderation_page__moderators_only(client_as):
    assert client_as("client").get("/moderation").status_code == 403
    page = client_as("moderator").get("/moderation")
    assert page.status_code == 200
    assert "Open reports" in page.text


def test_profile_page__own_missing_profile__goes_to_the_form(client_as):
    page = client_as("client").get(f"/profiles/{wallet('client')}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/me/profile"


def test_dashboard__money_in_escrow_from_the_indexed_jobs(client_as, db, gateway):
    token = gateway.token.address
    chain_job(
        db,
        client=wallet("client"),
        freelancer=wallet("freelancer"),
        amounts=[3_000_000, 4_500_000],
        released=1,
        token=token,
    )
    chain_job(db, client=wallet("arbiter"), freelancer=wallet("owner"), amounts=[9_000_000], token=token)
    page = client_as("client").get("/dashboard")
    escrow = page.text.split('id="in-escrow">', 1)[1].split("</ul>", 1)[0]
    assert "4.5 jUSD" in escrow  # only the client's own job, less what was paid
    assert 'href="/jobs/1"' in page.text
    assert 'href="/jobs/2"' not in page.text
    assert gateway.escrow.address in page.text  # the footer still names the escrow contract


def test_dashboard_and_arbiter_queue__jobs_older_than_the_newest_hundred__still_shown(client_as, db, gateway):
    """A user's jobs count however many newer jobs others have made since (not just among the newest 100)."""
    token = gateway.token.address
    mine = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[7_000_000], token=token)
    mine.arbiter = wallet("arbiter").lower()  # another letter case than the session's address: one account
    mine.milestones[0].state = "disputed"
    db.commit()
    for _ in range(chain_jobs.MAX_PAGE + 5):
        chain_job(db, client=wallet("owner"), freelancer=wallet("freelancer"), amounts=[1], token=token)

    page = client_as("client").get("/dashboard").text
    escrow = page.split('id="in-escrow">', 1)[1].split("</ul>", 1)[0]
    assert "7 jUSD" in escrow and f'href="/jobs/{mine.job_id}"' in page
    queue = client_as("arbiter").get("/arbiter").text
    assert f"/jobs/{mine.job_id}" in queue
    assert f"/jobs/{mine.job_id}" not in client_as("client").get("/arbiter").text  # a party, not its arbiter


def test_owner_only_pages__others_get_not_found(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    assert client.get(f"/posts/{post['id']}/edit").status_code == 200
    assert freelancer.get(f"/posts/{post['id']}/edit").status_code == 404
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    stranger = client_as("stranger")
    page = stranger.get(f"/messages/{thread['id']}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_dashboard__proposals_to_review__one_line_per_listing_with_the_count(client_as):
    client = client_as("client")
    post = published_post(client, title="Menu photos")
    for role in ("freelancer", "stranger"):
        assert client_as(role).post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body()).status_code == 201
    page = client.get("/dashboard").text
    assert page.count("Review 2 proposals on “Menu photos”") == 1
    assert "Review a proposal" not in page


def test_dashboard__nothing_left_in_escrow__no_zero_amount(client_as, db, gateway):
    chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[2_000_000], released=1)
    page = client_as("client").get("/dashboard").text
    assert 'id="in-escrow"' not in page
    assert "Nothing held now" in page


def test_dashboard__newest_notifications_shown__older_ones_folded(client_as, db, gateway):
    token = gateway.token.address
    chain_job(
        db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[1_000_000] * 8, released=8, token=token
    )
    page = client_as("client").get("/dashboard").text  # 1 job created + 8 submitted + 8 paid = 17
    shown, folded = page.split('class="more-notes"', 1)
    assert shown.split('class="notes"', 1)[1].count("<li") == 15
    assert "Show 2 older notifications" in folded
    assert "paid: 1 jUSD" in page


def test_job_page__links_its_listing_and_says_the_hash_matches(api, client_as, db, gateway):
    post = published_post(client_as("client"), title="Logo for a tea shop")
    job = chain_job(
        db,
        client=wallet("client"),
        freelancer=wallet("freelancer"),
        amounts=[3_000_000],
        metadata_hash=post["metadata_hash"],
        token=gateway.token.address,
    )
    page = api.get(f"/jobs/{job.job_id}").text
    assert f'<a href="/posts/{post["id"]}">Logo for a tea shop</a>' in page
    assert "matches the listing" in page
    assert "arbiter 0 jUSD · platform 0 jUSD" in page


def test_job_page__listing_linked_with_another_hash__says_it_differs(api, client_as, db):
    post = published_post(client_as("client"), title="Explainer video")
    job = chain_job(
        db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5], metadata_hash="0x" + "ee" * 32
    )
    assert 'id="listing"' in api.get(f"/jobs/{job.job_id}").text
    assert "Explainer video" not in api.get(f"/jobs/{job.job_id}").text  # neither linked nor carrying its hash
    listing = db.get(JobPost, post["id"])
    listing.chain_id, listing.chain_job_id = job.chain_id, job.job_id
    db.commit()
    page = api.get(f"/jobs/{job.job_id}").text
    assert f'<a href="/posts/{post["id"]}">Explainer video</a>' in page
    assert "differs from the listing" in page


def test_job_page__a_partys_credit_in_the_jobs_token__withdraw_button_for_that_party_only(client_as, db):
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5], released=1)
    credit = ChainCreditBalance(
        chain_id=job.chain_id, account=wallet("freelancer"), token=job.token, credited=7, withdrawn=2
    )
    db.add(credit)
    db.commit()
    theirs = client_as("freelancer").get(f"/jobs/{job.job_id}").text
    assert f'<button type="button" class="withdraw" data-token="{job.token}"' in theirs
    assert "credits.js" in theirs
    assert 'class="withdraw"' not in client_as("client").get(f"/jobs/{job.job_id}").text

    credit.withdrawn = 7  # withdrawn in full: nothing to offer
    db.commit()
    assert 'class="withdraw"' not in client_as("freelancer").get(f"/jobs/{job.job_id}").text


def test_job_page__shows_the_ratings_given(api, db):
    job = chain_job(db, client=wallet("client"), freelancer=wallet("freelancer"), amounts=[5], released=1)
    db.add(
        ChainRating(
            chain_id=job.chain_id,
            job_id=job.job_id,
            rater=wallet("client"),
            subject=wallet("freelancer"),
            score=4,
            comment_hash="0x" + "c0" * 32,
            escrow=job.escrow,
            rated_at=datetime.now(UTC),
            rated_tx="0x" + "f3" * 32,
        )
    )
    db.commit()
    ratings = api.get(f"/jobs/{job.job_id}").text.split('id="ratings">', 1)[1].split("</dd>", 1)[0]
    assert "Client rated the freelancer <strong>4/5</strong>" in ratings
