"""Abuse limits: a 1 MiB body cap counted as bytes stream in, and per-client rate limits answered 429."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from backend.app.core.rate_limit import Bucket, SlidingWindowLimiter, limiter_from_settings
from backend.app.main import create_app
from tests.support.factories import job_post_body, proposal_body, published_post
from tests.support.siwe import key_of, sign_in

PROBLEM = "application/problem+json"
BODY_CAP = 4_096  # small caps keep the test fast; the default is 1 MiB
UPLOAD_CAP = 64 * 1024


@pytest.fixture
def app(settings):
    """The app with small caps and limits (the shared `settings` fixture, updated)."""
    application = create_app(
        settings.model_copy(
            update={
                "max_body_bytes": BODY_CAP,
                "max_upload_bytes": UPLOAD_CAP,
                "rate_limit_sign_in": 6,  # three sign-ins (nonce + verify each)
                "rate_limit_proposals": 1,
                "rate_limit_messages": 2,
                "rate_limit_search": 3,
            }
        )
    )
    yield application
    application.state.engine.dispose()


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    return problem


# --- body cap -----------------------------------------------------------------------------------


def test_body__declared_over_the_cap__413_problem_before_anything_runs(client_as):
    client = client_as("client")
    body = job_post_body(description="x" * BODY_CAP)
    response = client.post("/api/job-posts", json=body)
    problem = _assert_problem(response, 413)
    assert str(BODY_CAP) in problem["detail"]
    assert client.get("/api/me/job-posts").json() == []  # nothing was created


def test_body__chunked_without_content_length__counted_as_it_streams__413(client_as):
    client = client_as("client")
    payload = json.dumps(job_post_body(description="y" * (2 * BODY_CAP))).encode()

    def chunks():
        for start in range(0, len(payload), 1_000):
            yield payload[start : start + 1_000]

    response = client.post("/api/job-posts", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    _assert_problem(response, 413)


def test_body__lying_content_length__the_counted_bytes_decide(app):
    """A client that declares a small Content-Length but streams more is stopped at the cap (raw ASGI)."""
    sent: list[dict] = []
    body = b"z" * (BODY_CAP + 1)
    messages = [
        {"type": "http.request", "body": body[:100], "more_body": True},
        {"type": "http.request", "body": body[100:], "more_body": False},
    ]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/auth/verify",
        "raw_path": b"/api/auth/verify",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), (b"content-length", b"10")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert (b"content-type", PROBLEM.encode()) in start["headers"]


def test_body__under_the_cap__accepted(client_as):
    response = client_as("client").post("/api/job-posts", json=job_post_body(description="fits " * 100))
    assert response.status_code == 201, response.text


def test_upload__larger_than_the_body_cap__keeps_its_own_cap(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    text = b"notes\n" * (4 * BODY_CAP // 6)  # 4x the body cap, well under the upload cap
    response = freelancer.post(f"/api/threads/{thread['id']}/attachments", params={"filename": "a.txt"}, content=text)
    assert response.status_code == 201, response.text
    too_big = freelancer.post(
        f"/api/threads/{thread['id']}/attachments", params={"filename": "b.txt"}, content=b"a" * (UPLOAD_CAP + 1)
    )
    _assert_problem(too_big, 413)


# --- rate limits --------------------------------------------------------------------------------


def test_search__over_the_limit__429_problem_with_retry_after(api):
    for _ in range(3):
        assert api.get("/api/search/jobs", params={"q": "vyper"}).status_code == 200
    response = api.get("/api/search/jobs", params={"q": "vyper"})
    problem = _assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "search" in problem["detail"]
    _assert_problem(api.get("/api/search/profiles"), 429)  # one bucket for both searches


def test_search__signed_in_is_counted_by_address_not_by_the_shared_ip(api, client_as):
    signed_in = client_as("client")
    for _ in range(3):
        api.get("/api/search/jobs")
    _assert_problem(api.get("/api/search/jobs"), 429)
    assert signed_in.get("/api/search/jobs").status_code == 200  # same IP, own count


def test_sign_in__over_the_limit__nonce_refused_429(app):
    with TestClient(app) as client:
        for role in ("client", "freelancer", "arbiter"):
            sign_in(client, key_of(role))
        response = client.post("/api/auth/nonce")
        _assert_problem(response, 429)
        assert "retry-after" in response.headers


def test_proposals__over_the_limit__429_before_the_business_rules(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    first, second = published_post(client), published_post(client)
    assert freelancer.post(f"/api/job-posts/{first['id']}/proposals", json=proposal_body()).status_code == 201
    response = freelancer.post(f"/api/job-posts/{second['id']}/proposals", json=proposal_body())
    _assert_problem(response, 429)
    assert freelancer.get("/api/me/proposals").json()[0]["job_post_id"] == first["id"]
    assert len(freelancer.get("/api/me/proposals").json()) == 1


def test_messages_and_uploads__share_one_limit(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    assert freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "hi"}).status_code == 201
    upload = freelancer.post(f"/api/threads/{thread['id']}/attachments", params={"filename": "a.txt"}, content=b"hi")
    assert upload.status_code == 201, upload.text
    _assert_problem(freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "again"}), 429)
    assert client.post(f"/api/threads/{thread['id']}/messages", json={"body": "reply"}).status_code == 201


def test_rate_limits__disabled__never_429(app, settings, api):
    app.state.rate_limiter = limiter_from_settings(
        settings.model_copy(update={"rate_limit_enabled": False}), app.state.engine
    )
    assert app.state.rate_limiter is None
    assert {api.get("/api/search/jobs").status_code for _ in range(10)} == {200}


# --- the limiter itself (a fake clock: no waiting) ----------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_limiter__window_slides__refused_hits_are_not_counted():
    clock = FakeClock()
    limiter = SlidingWindowLimiter({Bucket.SEARCH: 2}, window=60, clock=clock)
    assert limiter.hit(Bucket.SEARCH, "ip:a").allowed
    clock.now += 30
    assert limiter.hit(Bucket.SEARCH, "ip:a").allowed
    refused = limiter.hit(Bucket.SEARCH, "ip:a")
    assert (refused.allowed, refused.retry_after) == (False, 30)
    assert limiter.hit(Bucket.SEARCH, "ip:b").allowed  # another client has its own window
    clock.now += 30  # the first hit leaves the window
    assert limiter.hit(Bucket.SEARCH, "ip:a").allowed
    assert not limiter.hit(Bucket.SEARCH, "ip:a").allowed


def test_limiter__idle_clients_are_forgotten():
    clock = FakeClock()
    limiter = SlidingWindowLimiter({Bucket.SEARCH: 5}, window=10, clock=clock)
    for n in range(100):
        limiter.hit(Bucket.SEARCH, f"ip:{n}")
    clock.now += 11
    limiter.hit(Bucket.SEARCH, "ip:new")
    assert len(limiter._hits) == 1
