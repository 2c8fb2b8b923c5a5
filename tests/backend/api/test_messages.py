"""Threads, messages and attachments: participants only; files typed by content and served safely."""

from __future__ import annotations

from eth_utils import keccak
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.app.models.message import Attachment, Message
from backend.app.services import messages
from tests.support.chain import wallet
from tests.support.factories import proposal_body, published_post

PROBLEM = "application/problem+json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


def _stored_files(settings):
    root = settings.files_dir
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_open_thread__anonymous__401(client_as, api):
    post = published_post(client_as("client"))
    response = api.post(f"/api/job-posts/{post['id']}/threads", json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_open_thread__freelancer__one_thread_per_job_and_freelancer(thread, client_as):
    client, freelancer, opened = thread
    assert (opened["client"], opened["freelancer"]) == (wallet("client"), wallet("freelancer"))
    again = freelancer.post(f"/api/job-posts/{opened['job_post_id']}/threads", json={})
    assert again.json()["id"] == opened["id"]
    assert [t["id"] for t in client.get("/api/threads").json()] == [opened["id"]]


def test_open_thread__client_with_someone_who_did_not_propose__403(client_as):
    client = client_as("client")
    post = published_post(client)
    response = client.post(f"/api/job-posts/{post['id']}/threads", json={"freelancer": wallet("arbiter")})
    assert response.status_code == 403
    client_as("arbiter").post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body())
    response = client.post(f"/api/job-posts/{post['id']}/threads", json={"freelancer": wallet("arbiter")})
    assert response.status_code == 200
    assert response.json()["freelancer"] == wallet("arbiter")


def test_send_message__participants_only(thread, client_as, api):
    client, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/messages"
    assert api.post(url, json={"body": "hi"}).status_code == 401
    stranger = client_as("stranger")
    assert stranger.post(url, json={"body": "hi"}).status_code == 404
    assert stranger.get(f"/api/threads/{opened['id']}").status_code == 404
    sent = freelancer.post(url, json={"body": "When do you need it?"})
    assert sent.status_code == 201
    page = client.get(f"/api/threads/{opened['id']}").json()
    assert [(m["sender"], m["body"]) for m in page["messages"]] == [(wallet("freelancer"), "When do you need it?")]


def test_send_message__empty_body__422_problem(thread):
    _, freelancer, opened = thread
    response = freelancer.post(f"/api/threads/{opened['id']}/messages", json={"body": ""})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_unread__counts_the_others_messages_until_read(thread):
    client, freelancer, opened = thread
    for text in ("one", "two"):
        freelancer.post(f"/api/threads/{opened['id']}/messages", json={"body": text})
    assert client.get("/api/threads").json()[0]["unread"] == 2
    assert freelancer.get("/api/threads").json()[0]["unread"] == 0
    assert client.post(f"/api/threads/{opened['id']}/read").json()["unread"] == 0
    client.post(f"/api/threads/{opened['id']}/messages", json={"body": "tomorrow"})
    assert freelancer.get("/api/threads").json()[0]["unread"] == 1


def test_upload__png__stored_by_keccak_and_served_inline_with_safe_headers(thread, client_as, api, settings):
    client, freelancer, opened = thread
    response = freelancer.post(
        f"/api/threads/{opened['id']}/attachments",
        params={"filename": "../../logo v1.png"},
        content=PNG,
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    attachment = response.json()["attachment"]
    assert attachment["keccak"] == "0x" + keccak(PNG).hex()
    assert (attachment["media_type"], attachment["size"], attachment["filename"]) == (
        "image/png",
        len(PNG),
        "logo v1.png",
    )
    assert _stored_files(settings) == [attachment["keccak"][2:]]

    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("inline;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert client_as("stranger").get(attachment["url"]).status_code == 404
    assert api.get(attachment["url"]).status_code == 401


def test_upload__html_declared_as_image__served_as_text_attachment(thread):
    client, freelancer, opened = thread
    html = b"<html><script>alert(document.cookie)</script></html>"
    response = freelancer.post(
        f"/api/threads/{opened['id']}/attachments",
        params={"filename": "cute.png"},
        content=html,
        headers={"content-type": "image/png"},
    )
    assert response.json()["attachment"]["media_type"] == "text/plain; charset=utf-8"
    download = client.get(response.json()["attachment"]["url"])
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-type"].startswith("text/plain")


def test_upload__executable__415_no_row_no_file(thread, settings, db):
    _, freelancer, opened = thread
    response = freelancer.post(
        f"/api/threads/{opened['id']}/attachments", params={"filename": "run.exe"}, content=b"MZ\x90\x00\x03\x00\x00"
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert db.scalar(select(func.count(Attachment.id))) == 0
    assert _stored_files(settings) == []


def test_upload__over_the_size_limit__413_no_row_no_file(thread, settings, db):
    _, freelancer, opened = thread
    response = freelancer.post(
        f"/api/threads/{opened['id']}/attachments",
        params={"filename": "big.txt"},
        content=b"a" * (settings.max_upload_bytes + 1),
    )
    assert response.status_code == 413
    assert db.scalar(select(func.count(Attachment.id))) == 0
    assert _stored_files(settings) == []


def test_upload__stranger__404_and_nothing_stored(thread, client_as, settings):
    _, _, opened = thread
    response = client_as("stranger").post(
        f"/api/threads/{opened['id']}/attachments", params={"filename": "x.png"}, content=PNG
    )
    assert response.status_code == 404
    assert _stored_files(settings) == []


def test_upload__database_fails_after_the_file_is_placed__no_row_no_orphan_file(thread, app, settings, db, monkeypatch):
    _, signed_in, opened = thread

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(messages, "_add_message", broken)
    freelancer = TestClient(app, raise_server_exceptions=False)  # the response, not the exception
    freelancer.cookies = signed_in.cookies
    response = freelancer.post(f"/api/threads/{opened['id']}/attachments", params={"filename": "a.png"}, content=PNG)
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "database went away" not in response.text  # no internals leak
    assert db.scalar(select(func.count(Attachment.id))) == 0
    assert db.scalar(select(func.count(Message.id))) == 0
    assert _stored_files(settings) == []


def test_upload__same_bytes_twice__one_file_two_attachments(thread, settings):
    _, freelancer, opened = thread
    url = f"/api/threads/{opened['id']}/attachments"
    first = freelancer.post(url, params={"filename": "a.png"}, content=PNG).json()["attachment"]
    second = freelancer.post(url, params={"filename": "b.png"}, content=PNG).json()["attachment"]
    assert first["id"] != second["id"] and first["keccak"] == second["keccak"]
    assert len(_stored_files(settings)) == 1
