"""Idempotency keys: a signed-in caller's retried POST or PUT replays its first answer; nothing is stored twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from backend.app.core import idempotency
from backend.app.models.idempotency import IdempotencyKey
from backend.app.models.job_post import JobPost
from backend.app.models.message import Attachment, Message
from backend.app.models.proposal import Proposal
from backend.app.services import job_posts
from tests.support.factories import job_post_body, proposal_body, published_post

PROBLEM = "application/problem+json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _keys(db) -> list[IdempotencyKey]:
    db.expire_all()
    return list(db.scalars(select(IdempotencyKey)))


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def test_job_post__retried_with_its_key__the_first_answer_replayed_and_one_post_stored(client_as, db):
    client = client_as("client")
    first = client.post("/api/job-posts", json=job_post_body(), headers=_key("post-1"))
    again = client.post("/api/job-posts", json=job_post_body(), headers=_key("post-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "idempotent-replayed" not in first.headers
    assert _count(db, JobPost) == 1
    (row,) = _keys(db)
    assert (row.key, row.status, row.body) == ("post-1", 201, first.content)


def test_message__retried_with_its_key__one_message(thread, db):
    _, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/messages"
    first = freelancer.post(url, json={"body": "tomorrow"}, headers=_key("m-1"))
    again = freelancer.post(url, json={"body": "tomorrow"}, headers=_key("m-1"))
    assert first.status_code < 300 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert _count(db, Message) == 1


def test_proposal__retried_with_its_key__one_proposal(client_as, db):
    post = published_post(client_as("client"))
    freelancer = client_as("freelancer")
    url = f"/api/job-posts/{post['id']}/proposals"
    first = freelancer.post(url, json=proposal_body(), headers=_key("p-1"))
    again = freelancer.post(url, json=proposal_body(), headers=_key("p-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert _count(db, Proposal) == 1


def test_attachment_upload__retried_with_its_key__one_attachment(thread, db):
    _, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/attachments"
    params = {"filename": "logo.png"}
    first = freelancer.post(url, params=params, content=PNG, headers=_key("upload-1"))
    again = freelancer.post(url, params=params, content=PNG, headers=_key("upload-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert _count(db, Attachment) == 1 and _count(db, Message) == 1


def test_attachment_upload__another_file_under_the_same_key__422(thread, db):
    _, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/attachments"
    freelancer.post(url, params={"filename": "logo.png"}, content=PNG, headers=_key("upload-1"))
    other = freelancer.post(url, params={"filename": "logo.png"}, content=PNG + b"!", headers=_key("upload-1"))
    assert other.status_code == 422
    assert _count(db, Attachment) == 1


def test_attachment_upload__over_the_cap_with_a_key__413_and_the_key_left_free(thread, db, settings):
    _, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/attachments"
    big = PNG + bytes(settings.max_upload_bytes)
    response = freelancer.post(url, params={"filename": "big.png"}, content=big, headers=_key("upload-big"))
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert _keys(db) == []
    small = freelancer.post(url, params={"filename": "logo.png"}, content=PNG, headers=_key("upload-big"))
    assert small.status_code == 201


def test_upload_refused_before_its_body_was_read__the_whole_body_still_fingerprinted(thread, client_as, db):
    _, _, opened = thread
    stranger = client_as("stranger")
    url = f"/api/threads/{opened['id']}/attachments"
    first = stranger.post(url, params={"filename": "x.png"}, content=PNG, headers=_key("peek"))
    again = stranger.post(url, params={"filename": "x.png"}, content=PNG, headers=_key("peek"))
    other = stranger.post(url, params={"filename": "x.png"}, content=PNG + b"!", headers=_key("peek"))
    assert first.status_code in (403, 404) and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert _count(db, Attachment) == 0


def test_same_key__another_body__422_problem_and_nothing_written(client_as, db):
    client = client_as("client")
    client.post("/api/job-posts", json=job_post_body(), headers=_key("post-1"))
    other = client.post("/api/job-posts", json=job_post_body(title="Another logo"), headers=_key("post-1"))
    assert other.status_code == 422 and other.headers["content-type"] == PROBLEM
    assert other.json()["type"] == "https://jiedan.dev/problems/idempotency-key-reused"
    assert _count(db, JobPost) == 1


def test_same_key__another_path__422_problem(client_as, db):
    client = client_as("client")
    created = client.post("/api/job-posts", json=job_post_body(), headers=_key("k")).json()
    response = client.post(f"/api/job-posts/{created['id']}/publish", headers=_key("k"))
    assert response.status_code == 422
    assert client.get(f"/api/job-posts/{created['id']}").json()["status"] == "draft"


def test_same_key__another_caller__their_own_key(client_as, db):
    first = client_as("client").post("/api/job-posts", json=job_post_body(), headers=_key("shared"))
    second = client_as("freelancer").post("/api/job-posts", json=job_post_body(), headers=_key("shared"))
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert _count(db, JobPost) == 2 and len(_keys(db)) == 2


def test_anonymous__the_key_is_ignored(api, db):
    body = {"listing": job_post_body()}
    first = api.post("/api/listings/hash", json=body, headers=_key("anon"))
    again = api.post("/api/listings/hash", json=body, headers=_key("anon"))
    assert first.status_code == again.status_code == 200
    assert "idempotent-replayed" not in again.headers
    assert _keys(db) == []


@pytest.mark.parametrize(
    "value",
    [b"", b"   ", b"k" * 256, "caf\u00e9".encode(), b"tab\there", b"line\x01"],
    ids=["empty", "blank", "too-long", "non-ascii", "tab", "control"],
)
def test_malformed_key__400_problem_and_nothing_runs(client_as, db, value):
    client = client_as("client")
    response = client.post("/api/job-posts", json=job_post_body(), headers=[(b"idempotency-key", value)])
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "https://jiedan.dev/problems/idempotency-key-invalid"
    assert _count(db, JobPost) == 0


def test_two_keys_on_one_request__400_problem(client_as, db):
    headers = [(b"idempotency-key", b"a"), (b"idempotency-key", b"b")]
    response = client_as("client").post("/api/job-posts", json=job_post_body(), headers=headers)
    assert response.status_code == 400
    assert _count(db, JobPost) == 0


def test_longest_key__255_printable_characters__accepted(client_as):
    key = ("k !~" * 64)[:255]
    response = client_as("client").post("/api/job-posts", json=job_post_body(), headers=_key(key))
    assert response.status_code == 201


def test_same_key_while_the_first_still_runs__409_problem_with_retry_after(client_as, db):
    client = client_as("client")
    at = datetime.now(UTC)
    address = client.get("/api/me").json()["address"]
    db.add(IdempotencyKey(owner=address, key="busy", created_at=at, expires_at=at + timedelta(hours=1)))
    db.commit()
    response = client.post("/api/job-posts", json=job_post_body(), headers=_key("busy"))
    assert response.status_code == 409 and response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == "https://jiedan.dev/problems/idempotency-key-in-flight"
    assert _count(db, JobPost) == 0


def test_database_unavailable_5xx__no_row_left__the_retry_runs(client_as, db, monkeypatch):
    client = client_as("client")

    def dropped(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr(job_posts, "create_draft", dropped)
        failed = client.post("/api/job-posts", json=job_post_body(), headers=_key("retry-me"))
    assert failed.status_code == 503
    assert _keys(db) == []
    retried = client.post("/api/job-posts", json=job_post_body(), headers=_key("retry-me"))
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    assert _count(db, JobPost) == 1


def test_an_exception_in_the_route__no_row_left(client_as, db, monkeypatch):
    client = client_as("client")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(job_posts, "create_draft", broken)
    with pytest.raises(RuntimeError):
        client.post("/api/job-posts", json=job_post_body(), headers=_key("bug"))
    assert _keys(db) == []
    assert _count(db, JobPost) == 0


def test_a_4xx__stored_and_replayed(client_as, db):
    client = client_as("client")
    created = client.post("/api/job-posts", json=job_post_body(milestones=[])).json()
    url = f"/api/job-posts/{created['id']}/publish"
    first = client.post(url, headers=_key("publish"))
    again = client.post(url, headers=_key("publish"))
    assert first.status_code == again.status_code == 409
    assert again.content == first.content
    assert again.headers["content-type"] == PROBLEM and again.headers["idempotent-replayed"] == "true"


def test_an_expired_key__free_again__the_request_runs(client_as, db):
    client = client_as("client")
    client.post("/api/job-posts", json=job_post_body(), headers=_key("old"))
    db.execute(update(IdempotencyKey).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.commit()
    again = client.post("/api/job-posts", json=job_post_body(title="Another logo"), headers=_key("old"))
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert _count(db, JobPost) == 2
    (row,) = _keys(db)
    assert row.body == again.content


def test_sweep__deletes_expired_keys_only(app, db):
    at = datetime.now(UTC)
    db.add(IdempotencyKey(owner="0xA", key="old", created_at=at, expires_at=at - timedelta(seconds=1)))
    db.add(IdempotencyKey(owner="0xA", key="new", created_at=at, expires_at=at + timedelta(hours=1)))
    db.commit()
    assert idempotency.sweep(app.state.sessions) == 1
    assert [row.key for row in _keys(db)] == ["new"]


def test_ttl__the_setting_sets_each_keys_expiry(client_as, db, settings):
    before = datetime.now(UTC)
    client_as("client").post("/api/job-posts", json=job_post_body(), headers=_key("ttl"))
    (row,) = _keys(db)
    assert row.expires_at - row.created_at == timedelta(seconds=settings.idempotency_ttl_seconds)
    assert row.created_at >= before - timedelta(seconds=1)


def test_reads__the_key_changes_nothing(client_as, db):
    client = client_as("client")
    created = client.post("/api/job-posts", json=job_post_body()).json()
    response = client.get(f"/api/job-posts/{created['id']}", headers=_key("read"))
    assert response.status_code == 200 and "idempotent-replayed" not in response.headers
    assert _keys(db) == []


def test_openapi__the_header_documented_on_writes_only(api):
    document = api.get("/openapi.json").json()

    def names(path, method):
        return [p["name"] for p in document["paths"][path][method].get("parameters", [])]

    assert "Idempotency-Key" in names("/api/job-posts", "post")
    assert "Idempotency-Key" not in names("/api/job-posts", "get")
    assert "Idempotency-Key" not in names("/api/auth/verify", "post")
    assert names("/api/job-posts", "post").count("Idempotency-Key") == 1
