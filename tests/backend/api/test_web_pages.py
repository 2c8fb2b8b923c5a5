"""The server-rendered pages: who sees what, rendered from the same services as the JSON API."""

from __future__ import annotations

import pytest

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
